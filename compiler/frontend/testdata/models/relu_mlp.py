"""Two-layer ReLU MLP: 4 -> 3 -> 2, input shape inferred from x @ W1."""
import numpy as np

W1 = np.array([[0.2, -0.5, 0.1],
               [0.4, 0.3, -0.2],
               [-0.3, 0.8, 0.5],
               [0.1, -0.1, 0.9]])
b1 = np.array([0.01, -0.02, 0.03])
W2 = np.array([[0.7, -0.4], [-0.6, 0.2], [0.3, 0.5]])
b2 = np.zeros(2)
LEARNING_RATE = 0.05


def forward(x):
    h = np.maximum(x @ W1 + b1, 0)
    return h @ W2 + b2


if __name__ == "__main__":
    print(forward(np.ones(4)))
