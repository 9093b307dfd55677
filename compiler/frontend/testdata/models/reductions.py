import numpy as np

INPUT_SHAPE = (2, 3)
scale = np.array([1.0, -2.0, 0.5])


def forward(x):
    s = np.sum(x, axis=1, keepdims=True)
    m = x.mean(axis=0)
    top = np.max(x, axis=0)
    low = x.min()
    centred = (x - s / 3) * scale + m
    return centred + top - low + np.mean(x, axis=-1, keepdims=True) + x.sum()
