"""Batch NumPy reference for the randomised differential test: runs many
model files in one CPython process.

Usage: python3 numpy_batch.py < request.json

The request is a JSON list of jobs, one per model:
    {"file": PATH, "shape": [...], "inputs": [[flat], ...],
     "train": null or {"params": [NAME, ...], "target_shape": [...],
                        "xs": [[flat], ...], "targets": [[flat], ...],
                        "eps": 1e-4}}
Each model is imported under its own module name (its __main__ block does
not run) and forward is called on each input, reshaped to "shape", as
float64. With "train", SGD runs len(xs) steps with central finite-difference
gradients of the loss (the module's loss(y, target), else the mean squared
error), LEARNING_RATE (default 0.01) and FROZEN honoured, all parameters
updated at once from their values before the step.

The reply, one JSON list on stdout, has one object per job:
    {"outputs": [[flat], ...], "params": {NAME: [flat]}, "trainable": [...],
     "nonsmooth": ["NAME[i] at step k", ...]}
where "nonsmooth" lists the parameter elements whose one-sided differences
disagree (the loss has a kink within eps of the point: finite differences
are no reference there).
or {"error": "..."} if the model failed under CPython.
"""
import contextlib
import importlib.util
import json
import sys
import traceback

import numpy as np


def load(path, k):
    spec = importlib.util.spec_from_file_location("randmodel_%d" % k, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def forward(mod, x):
    return np.asarray(mod.forward(x), dtype=np.float64)


def sgd(mod, tr, shape):
    frozen = set(getattr(mod, "FROZEN", ()))
    lr = float(getattr(mod, "LEARNING_RATE", 0.01))
    eps = float(tr["eps"])
    names = tr["params"]
    trainable = [n for n in names if n not in frozen]
    for n in names:
        setattr(mod, n, np.array(getattr(mod, n), dtype=np.float64))

    def loss(x, t):
        y = forward(mod, x)
        if hasattr(mod, "loss"):
            return float(mod.loss(y, t))
        return float(np.mean((y - t) ** 2))

    nonsmooth = []
    for step, (fx, ft) in enumerate(zip(tr["xs"], tr["targets"])):
        x = np.array(fx, dtype=np.float64).reshape(shape)
        t = np.array(ft, dtype=np.float64).reshape(tr["target_shape"])
        mid = loss(x, t)
        grads = {}
        for n in trainable:
            p = getattr(mod, n)
            g = np.zeros(p.shape)
            for i in np.ndindex(p.shape):
                keep = p[i]
                p[i] = keep + eps
                up = loss(x, t)
                p[i] = keep - eps
                down = loss(x, t)
                p[i] = keep
                g[i] = (up - down) / (2 * eps)
                # One-sided differences that disagree by more than the
                # curvature explains: a kink (a max/min tie, a clip or
                # where boundary) within eps, where no finite difference
                # is a reliable reference.
                if lr * abs((up - mid) - (mid - down)) / eps > 1e-4:
                    nonsmooth.append("%s%s at step %d" % (n, list(i), step))
            grads[n] = g
        for n in trainable:
            p = getattr(mod, n)
            p -= lr * grads[n]
    params = {n: np.asarray(getattr(mod, n)).reshape(-1).tolist() for n in names}
    return params, trainable, nonsmooth


def run(job, k):
    mod = load(job["file"], k)
    outs = []
    for flat in job["inputs"]:
        x = np.array(flat, dtype=np.float64).reshape(job["shape"])
        outs.append(forward(mod, x).reshape(-1).tolist())
    reply = {"outputs": outs}
    if job.get("train"):
        reply["params"], reply["trainable"], reply["nonsmooth"] = sgd(mod, job["train"], job["shape"])
    return reply


def main():
    jobs = json.load(sys.stdin)
    replies = []
    with contextlib.redirect_stdout(sys.stderr), np.errstate(all="raise", under="ignore"):
        for k, job in enumerate(jobs):
            try:
                replies.append(run(job, k))
            except Exception:
                replies.append({"error": traceback.format_exc()})
    json.dump(replies, sys.stdout)


if __name__ == "__main__":
    main()
