"""96 -> 72 -> 9 ReLU MLP in PyTorch's weight layout (x @ W.T), with a
transposed (9, 8) output: dimensions past codegen's unrolling bounds, so
that its transposed operands, views and copies are compiled as loops.
Weights: transposed.npz, written by make_transposed.py."""
import numpy as np

w = np.load("transposed.npz")
W1 = w["W1"]
b1 = w["b1"]
W2 = w["W2"]
b2 = w["b2"]


def forward(x):
    h = np.maximum(x @ W1.T + b1, 0.0)
    o = h @ W2.T + b2
    return (h.reshape(8, 9) * o).T
