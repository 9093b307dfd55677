"""Batch tanh layer with a frozen output scale, a custom weighted L1 + L2
loss (WEIGHTS is read only by the loss, so it is a constant, not a
parameter) and its own learning rate."""
import numpy as np

INPUT_SHAPE = (2, 3)
W = np.array([[0.4, -0.3], [0.2, 0.5], [-0.6, 0.1]])
b = np.array([0.05, -0.05])
SCALE = 1.5
WEIGHTS = np.array([1.0, 2.0])
LEARNING_RATE = 0.2
FROZEN = ("SCALE",)


def loss(y, target):
    d = y - target
    return np.sum(WEIGHTS * np.abs(d)) / 4 + np.mean(d ** 2)


def forward(x):
    return SCALE * np.tanh(x @ W + b)
