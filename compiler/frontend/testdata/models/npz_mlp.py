"""Two-layer ReLU MLP, 4 -> 5 -> 3, with its weights in npz_mlp.npz beside
this file (written by ../make_npz_mlp.py): PyTorch-style (out, in)
matrices, the first layer float32 and the second float64. The compiler
reads the archive at compile time, relative to this file, and records its
BLAKE3 in the sealed muscle's provenance."""
import numpy as np

weights = np.load("npz_mlp.npz")
W1 = weights["fc1.weight"]
b1 = weights["fc1.bias"]
W2 = np.load("npz_mlp.npz")["fc2.weight"]
b2 = np.load("npz_mlp.npz")["fc2.bias"]
LEARNING_RATE = 0.05


def forward(x):
    h = np.maximum(x @ W1.T + b1, 0)
    return h @ W2.T + b2


if __name__ == "__main__":
    print(forward(np.ones(4)))
