"""Writes transposed.npz, the weights of transposed.py (PyTorch's layout:
each weight is (out, in) and the model multiplies by its transpose)."""
import numpy as np

r = np.random.RandomState(14)
np.savez("transposed.npz",
         W1=(r.randn(72, 96) * 0.1).astype(np.float32),
         b1=(r.randn(72) * 0.01).astype(np.float32),
         W2=(r.randn(9, 72) * 0.1).astype(np.float32),
         b2=(r.randn(9) * 0.01).astype(np.float32))
