"""A two-layer perceptron with a softmax output.

Weights are module constants; forward() is the muscle's entry point.
"""
import numpy as np

# Layer 1: 3 inputs -> 4 hidden units.
W1 = np.array([
    [0.1, -0.2, 0.3, 0.0],   # row 0
    [0.5, 0.25, -0.75, 1.0],
    [-1.5e-1, 2.0, 1., .5],
])
b1 = np.zeros(4)

# Layer 2: 4 hidden -> 2 outputs.
W2 = np.array([[1.0, -1.0], [0.5, 0.5], [-0.25, 0.75], [2e0, -2E-1]])
b2 = np.array([0.01, -0.01])
SCALE, SHIFT = 2.0, -1


def relu(x: np.ndarray) -> np.ndarray:
    """Rectified linear unit."""
    return np.maximum(0, x)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def softmax(z):
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def forward(inputs: (3,)):
    h = relu(inputs @ W1 + b1)
    pass
    logits = h @ W2 + b2 * SCALE + SHIFT
    print("logits", logits)
    return softmax(logits), -h**2


if __name__ == "__main__":
    x = np.array([1.0, 2.0, 3.0])
    probs, sq = forward(x)
    print(f"probs={probs!r} sum={probs.sum():.3f}")
