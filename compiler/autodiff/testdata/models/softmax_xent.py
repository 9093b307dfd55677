"""Softmax classifier with a frozen first layer, cross-entropy loss plus
weight decay on W2 (the loss reads a trainable parameter, so its gradient
has a term from the loss itself) and a large learning rate."""
import numpy as np

W1 = np.array([[0.3, -0.2, 0.1], [0.1, 0.4, -0.3]])
W2 = np.array([[0.5, -0.4], [0.2, 0.3], [-0.1, 0.6]])
b2 = np.array([0.0, 0.1])
DECAY = 0.01
LEARNING_RATE = 0.5
FROZEN = ("W1",)


def softmax(z):
    e = np.exp(z - np.max(z))
    return e / np.sum(e)


def forward(x):
    h = np.maximum(x @ W1, 0.0)
    return softmax(h @ W2 + b2)


def loss(y, target):
    return -np.sum(target * np.log(y)) + DECAY * np.sum(W2 ** 2)


if __name__ == "__main__":
    print(forward(np.array([1.0, 0.5])))
