import numpy as np

W = np.array([[0.5, -0.3, 0.2], [0.1, 0.4, -0.6], [-0.2, 0.3, 0.8], [0.7, -0.5, 0.1]])
b = np.array([0.0, 0.1, -0.1])


def forward(x):
    logits = x @ W + b
    z = logits - np.max(logits)
    e = np.exp(z)
    return e / np.sum(e)
