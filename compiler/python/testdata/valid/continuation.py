import numpy as np

# Backslash continuation and implicit joins inside brackets.
total = 1 + \
    2 + \
    3
weights = np.array(
    [
        [1, 2],  # a comment inside brackets
        [3, 4],

        [5, 6],
    ],
    dtype=np.float32,
)


def layer(x,
          w: np.ndarray,
          b):
    y = np.dot(x,
               w) \
        + b
    return (
        y
    )
