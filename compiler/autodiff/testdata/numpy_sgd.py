"""NumPy reference for the autodiff tests: SGD on a model file with
gradients by central finite differences.

Usage: python3 numpy_sgd.py MODEL.py < request.json

The request is {"shape": [...], "target_shape": [...], "params": ["NAME",
...], "xs": [[flat], ...], "targets": [[flat], ...], "eps": 1e-4}. The model
runs in its own directory (its np.load paths are relative to the model
file, as the compiler reads them) and is imported under the name "model"
(its __main__ block does not run).
Step i uses xs[i] and targets[i]; there are len(xs) steps.

The loss is the module's loss(y, target) if it defines one, else
np.mean((y - target) ** 2). The trainable parameters are the names in
"params" (the module-level constants forward reads, as the compiler found
them) that are not in the module's FROZEN tuple; this script reads FROZEN
itself. Everything is float64. Each step computes, for every element p of
every trainable parameter,

    grad = (L(p + eps) - L(p - eps)) / (2 * eps)

with all parameters at their values before the step (central differences:
truncation error O(eps**2), here about 1e-8 for eps = 1e-4, and rounding
error about 1e-16 / eps = 1e-12), then applies p -= LEARNING_RATE * grad
(LEARNING_RATE defaults to 0.01) to all of them at once, as the compiled
train step does. The reply, one JSON object on stdout, is
{"params": {"NAME": [flat]}, "trainable": [...], "losses": [...]} with
every parameter after the last step (frozen ones unchanged) and the loss
before each step.
"""
import contextlib
import importlib.util
import json
import os
import sys

import numpy as np


def main():
    path = os.path.abspath(sys.argv[1])
    # The model runs in its own directory, so that np.load("w.npz") reads
    # the file beside it, as the compiler does (relative to the model file).
    os.chdir(os.path.dirname(path))
    spec = importlib.util.spec_from_file_location("model", path)
    model = importlib.util.module_from_spec(spec)
    req = json.load(sys.stdin)
    with contextlib.redirect_stdout(sys.stderr):
        spec.loader.exec_module(model)
        reply = train(model, req)
    json.dump(reply, sys.stdout)


def train(model, req):
    frozen = set(getattr(model, "FROZEN", ()))
    lr = float(getattr(model, "LEARNING_RATE", 0.01))
    eps = float(req["eps"])
    names = req["params"]
    trainable = [n for n in names if n not in frozen]
    for n in names:
        setattr(model, n, np.array(getattr(model, n), dtype=np.float64))

    def loss_of(x, target):
        y = np.asarray(model.forward(x), dtype=np.float64)
        if hasattr(model, "loss"):
            return float(model.loss(y, target))
        return float(np.mean((y - target) ** 2))

    losses = []
    for flat_x, flat_t in zip(req["xs"], req["targets"]):
        x = np.array(flat_x, dtype=np.float64).reshape(req["shape"])
        target = np.array(flat_t, dtype=np.float64).reshape(req["target_shape"])
        losses.append(loss_of(x, target))
        grads = {}
        for n in trainable:
            p = getattr(model, n)
            g = np.zeros(p.shape)
            for i in np.ndindex(p.shape):
                keep = p[i]
                p[i] = keep + eps
                up = loss_of(x, target)
                p[i] = keep - eps
                down = loss_of(x, target)
                p[i] = keep
                g[i] = (up - down) / (2 * eps)
            grads[n] = g
        for n in trainable:
            p = getattr(model, n)
            p -= lr * grads[n]
    params = {n: np.asarray(getattr(model, n)).reshape(-1).tolist() for n in names}
    return {"params": params, "trainable": trainable, "losses": losses}


if __name__ == "__main__":
    main()
