import numpy as np

SEL = np.eye(4)[1:3] * 2.0 + np.ones((2, 4)) * 0.25
OFF = np.array([3.0, -1.0, 4.0, 1.0, -5.0, 9.0]) % 4.0
K = OFF[::2] - 1
E = np.zeros((2, 2))
LEARNING_RATE = 0.1
FROZEN = ("K",)


def forward(x):
    p = SEL @ x
    a = np.clip(x, -1.0, 1.5)
    r = np.sqrt(np.abs(x)) + np.log(np.exp(a) + 1.0)
    q = np.minimum(p, 0.5) ** 2 - x[0] * x[-1] / 2
    t = r[1:3] + q + K[0:2] * x[2]
    return t.reshape(2, 1) + E + (x[:2] ** 1) * 1 + 0
