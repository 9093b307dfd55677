"""Reference driver for the frontend tests: runs a model file's forward
under CPython + NumPy.

Usage: python3 numpy_forward.py MODEL.py < request.json

The request is {"shape": [...], "inputs": [[flat values], ...],
"globals": ["NAME", ...]}. Each input is reshaped to "shape" as a float64
array (NumPy's default dtype, the same as the model's own constants) and
passed to forward. The reply, one JSON object on stdout, is
{"outputs": [[flat float64 values], ...], "globals": {"NAME": [flat]}}.
The model runs in its own directory (its np.load paths are relative to
the model file, as the compiler reads them) and is imported under the
name "model", so its `if __name__ == "__main__":` block does not run.
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
    outputs = []
    # The model's own print calls go to stderr, keeping stdout JSON only.
    with contextlib.redirect_stdout(sys.stderr):
        spec.loader.exec_module(model)
        for flat in req["inputs"]:
            x = np.array(flat, dtype=np.float64).reshape(req["shape"])
            y = np.asarray(model.forward(x), dtype=np.float64)
            outputs.append(y.reshape(-1).tolist())
    globs = {}
    for name in req.get("globals", []):
        globs[name] = np.asarray(getattr(model, name), dtype=np.float64).reshape(-1).tolist()
    json.dump({"outputs": outputs, "globals": globs}, sys.stdout)


if __name__ == "__main__":
    main()
