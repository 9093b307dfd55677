"""Many differentiable ops on parameters: matmul of a transposed input,
broadcasting, sqrt, a fractional power, abs, division, minimum, np.where,
reductions with axis/keepdims, slicing and a 1-D dot; default loss."""
import numpy as np

INPUT_SHAPE = (3, 2)
A = np.array([[0.5, -1.0, 0.25], [0.75, 0.5, -0.5]])
v = np.array([1.0, 2.0, 0.5])
s = 0.8
LEARNING_RATE = 0.05


def forward(x):
    h = x @ A
    p = np.sqrt(h * h + 1.0) ** 1.5 / (1.0 + np.abs(v))
    r = np.minimum(p, 2.0).sum(axis=0)
    m = np.max(h, axis=1, keepdims=True)
    q = np.where(h > 0, h, s * h) - m
    t = q[1:, ::2]
    return t.mean(axis=1) + r[:2] / s + np.exp(-(v @ v)) + A[0, 1:] @ v[:2] + h.T.reshape(9)[4:6]
