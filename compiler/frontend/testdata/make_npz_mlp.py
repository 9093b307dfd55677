"""Writes models/npz_mlp.npz, the weights of models/npz_mlp.py.

Usage: /usr/bin/python3 make_npz_mlp.py   (from any directory)

The weights come from numpy.random.default_rng(20250607): the first layer
in float32, the second in float64 (the compiler reads both, and NumPy's
np.load gives each its dtype), PyTorch-style (out, in) matrices. The
archive is what np.savez_compressed writes, one deflated KEY.npy member
per array, except that the members carry a fixed timestamp, so running
this script again reproduces the committed file byte for byte (and its
BLAKE3, which a sealed muscle's provenance records).

This script lives beside models/, not in it: every *.py there is an
example model that make qemu compiles and the tests run.
"""
import os
import zipfile

import numpy as np


def main():
    rng = np.random.default_rng(20250607)
    arrays = {
        "fc1.weight": rng.normal(0.0, 0.5, size=(5, 4)).astype(np.float32),
        "fc1.bias": rng.normal(0.0, 0.1, size=5).astype(np.float32),
        "fc2.weight": rng.normal(0.0, 0.5, size=(3, 5)),
        "fc2.bias": rng.normal(0.0, 0.1, size=3),
    }
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "models", "npz_mlp.npz")
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for key, a in arrays.items():
            info = zipfile.ZipInfo(key + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with z.open(info, "w") as f:
                np.lib.format.write_array(f, np.ascontiguousarray(a), allow_pickle=False)
    # The archive must read back as np.load reads it.
    with np.load(out) as npz:
        assert sorted(npz.files) == sorted(arrays)
        for key, a in arrays.items():
            assert npz[key].dtype == a.dtype and np.array_equal(npz[key], a)
    print("wrote", out)


if __name__ == "__main__":
    main()
