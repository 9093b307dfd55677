import numpy as np

W1 = np.linspace(-1.0, 1.0, 12).reshape(3, 4)
b1 = np.full(4, 0.05)
W2 = (np.arange(8).reshape(4, 2) % 3 - 1) * 0.25
b2 = np.array([0.1, -0.1])


def forward(x):
    """A tanh MLP whose weights are built by constant functions."""
    h = np.tanh(np.dot(x, W1) + b1)
    print(h)
    return np.tanh(np.matmul(h, W2) + b2)
