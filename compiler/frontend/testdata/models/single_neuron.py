import numpy as np
W = np.array([0.5, -0.25, 0.75, -1.0])
b = 0.1
def forward(inputs):
    output = np.dot(inputs, W) + b
    return np.maximum(0, output)
if __name__ == "__main__":
    print(f"result: {forward(np.array([1.0, -1.0, 0.5, -0.5]))}")
