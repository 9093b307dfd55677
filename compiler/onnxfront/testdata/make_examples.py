"""Writes the example ONNX model that make qemu bundles and the end-to-end
tests run: compiler/frontend/testdata/models/classifier.onnx, a 4 -> 16 -> 3
classifier shaped as torch.onnx.export writes an nn.Sequential of
nn.Linear, nn.LeakyReLU(0.1), nn.Linear and nn.Softmax(dim=1): Gemm with
transB=1, a symbolic batch dimension, weights as raw_data initializers.

Run from the repository root with Debian's python3-onnx:

    /usr/bin/python3 compiler/onnxfront/testdata/make_examples.py

The output is deterministic (fixed seed); the file is committed.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join("compiler", "frontend", "testdata", "models", "classifier.onnx")
    rng = np.random.default_rng(2025)
    w1 = (rng.standard_normal((16, 4)) * 0.5).astype(np.float32)
    b1 = (rng.standard_normal(16) * 0.1).astype(np.float32)
    w2 = (rng.standard_normal((3, 16)) * 0.4).astype(np.float32)
    b2 = (rng.standard_normal(3) * 0.1).astype(np.float32)
    inits = [
        numpy_helper.from_array(w1, "0.weight"),
        numpy_helper.from_array(b1, "0.bias"),
        numpy_helper.from_array(w2, "2.weight"),
        numpy_helper.from_array(b2, "2.bias"),
    ]
    nodes = [
        helper.make_node("Gemm", ["input", "0.weight", "0.bias"], ["/0/Gemm_output_0"], name="/0/Gemm", alpha=1.0, beta=1.0, transB=1),
        helper.make_node("LeakyRelu", ["/0/Gemm_output_0"], ["/1/LeakyRelu_output_0"], name="/1/LeakyRelu", alpha=0.1),
        helper.make_node("Gemm", ["/1/LeakyRelu_output_0", "2.weight", "2.bias"], ["/2/Gemm_output_0"], name="/2/Gemm", alpha=1.0, beta=1.0, transB=1),
        helper.make_node("Softmax", ["/2/Gemm_output_0"], ["output"], name="/3/Softmax", axis=1),
    ]
    graph = helper.make_graph(
        nodes, "main_graph",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", 3])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="pytorch", producer_version="1.13.0")
    model.ir_version = 7
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, out)


if __name__ == "__main__":
    main()
