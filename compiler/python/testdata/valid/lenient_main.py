import numpy as np


def forward(x):
    return np.tanh(x)


if __name__ == "__main__":
    import sys
    data = {"a": 1, "b": [i * 2 for i in range(3)]}
    for i in range(3):
        if i % 2 == 0 and i > 0:
            print(f"{i} even", end="")
        elif i == 1:
            pass
        else:
            print("odd" if i else "zero")
    try:
        y = forward(np.array([1.0]))
    except Exception as e:
        print(e)
    f = lambda v: v + 1
    total = 0
    total += f(2)
    a = b = 3
    @staticmethod
    def helper(*args, **kwargs): return args
    class C:
        pass
    while False: break
    print(total); print(a, b)
    print(*[1, 2], sep=", ")
