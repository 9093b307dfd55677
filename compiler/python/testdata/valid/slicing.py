import numpy as np

M = np.arange(12).reshape(3, 4)


def pick(a):
    first = a[0]
    row = a[1:3]
    col = a[:, 0]
    every_other = a[::2]
    tail = a[-1, -2:]
    back = a[::-1, 1:4:2]
    last = a[..., 1]
    newaxis = a[:, None]
    mixed = a[0:, :2, ::]
    return first, row, col, every_other, tail, back, last, newaxis, mixed
