#!/usr/bin/python3
"""Writes the ONNX test fixtures of package compiler/onnx.

Run by hand, from the repository root, after changing this script:

    apt-get install -y --no-install-recommends python3-onnx   # Debian's onnx 1.12
    /usr/bin/python3 compiler/onnx/testdata/make_fixtures.py

It writes the .onnx files next to itself (or into the directory given as its
only argument) and the generated files are committed. The Go tests never run
it to make fixtures; one test runs it into a temporary directory and checks
that its output is byte-identical to the committed files.

The good models are shaped as torch.onnx.export shapes them (node names such
as "/fc1/Gemm", weights as raw_data FLOAT initializers, a symbolic batch
dimension) and each one passes onnx.checker.check_model. The bad ones are each
refused by the Go decoder for one reason; those that are still valid ONNX are
checked too.
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, checker, helper, numpy_helper

F = TensorProto.FLOAT
I64 = TensorProto.INT64


def weights(name, shape, offset=0):
    """A FLOAT initializer in raw_data whose values are small multiples of
    1/8 (exact in float32): ((k + offset) % 13 - 6) / 8 for k = 0, 1, ..."""
    n = int(np.prod(shape))
    vals = (((np.arange(n) + offset) % 13) - 6).astype(np.float32) / np.float32(8)
    return numpy_helper.from_array(vals.reshape(shape), name)


def int64s(name, vals, dims=None):
    arr = np.array(vals, dtype=np.int64)
    if dims is not None:
        arr = arr.reshape(dims)
    return numpy_helper.from_array(arr, name)


def model(graph, opset=13, ir_version=7, producer="pytorch", extra_opsets=()):
    opsets = [helper.make_opsetid("", opset)]
    opsets += [helper.make_opsetid(d, v) for d, v in extra_opsets]
    m = helper.make_model(graph, opset_imports=opsets, producer_name=producer)
    m.ir_version = ir_version
    if producer == "pytorch":
        m.producer_version = "1.13.1"
    return m


def mlp():
    """nn.Sequential(Linear(4, 8), ReLU(), Linear(8, 3), Softmax(dim=1))."""
    nodes = [
        helper.make_node("Gemm", ["input", "fc1.weight", "fc1.bias"], ["/fc1/Gemm_output_0"],
                         name="/fc1/Gemm", alpha=1.0, beta=1.0, transB=1),
        helper.make_node("Relu", ["/fc1/Gemm_output_0"], ["/act/Relu_output_0"], name="/act/Relu"),
        helper.make_node("Gemm", ["/act/Relu_output_0", "fc2.weight", "fc2.bias"], ["/fc2/Gemm_output_0"],
                         name="/fc2/Gemm", alpha=1.0, beta=1.0, transB=1),
        helper.make_node("Softmax", ["/fc2/Gemm_output_0"], ["output"], name="/softmax/Softmax", axis=1),
    ]
    inits = [
        weights("fc1.weight", [8, 4]),
        weights("fc1.bias", [8], 1),
        weights("fc2.weight", [3, 8], 2),
        weights("fc2.bias", [3], 3),
    ]
    g = helper.make_graph(
        nodes, "torch_jit",
        [helper.make_tensor_value_info("input", F, ["batch", 4])],
        [helper.make_tensor_value_info("output", F, ["batch", 3])],
        initializer=inits)
    return model(g)


def matmul_add():
    """x @ W + b on a 3-D input, with the weights also listed among the graph
    inputs, as older exporters (keep_initializers_as_inputs) do."""
    nodes = [
        helper.make_node("MatMul", ["x", "W"], ["/MatMul_output_0"], name="/MatMul"),
        helper.make_node("Add", ["/MatMul_output_0", "b"], ["y"], name="/Add"),
    ]
    inits = [weights("W", [3, 4]), weights("b", [4], 5)]
    g = helper.make_graph(
        nodes, "torch_jit",
        [helper.make_tensor_value_info("x", F, [1, 2, 3]),
         helper.make_tensor_value_info("W", F, [3, 4]),
         helper.make_tensor_value_info("b", F, [4])],
        [helper.make_tensor_value_info("y", F, [1, 2, 4])],
        initializer=inits,
        value_info=[helper.make_tensor_value_info("/MatMul_output_0", F, [1, 2, 4])])
    return model(g, opset=14, ir_version=8)


def ops():
    """A chain of elementwise and shape-preserving ops with broadcasting."""
    scale = helper.make_tensor("/Constant_output_0", F, [], np.array([0.5], dtype=np.float32).tobytes(), raw=True)
    nodes = [
        helper.make_node("Flatten", ["x"], ["/Flatten_output_0"], name="/Flatten", axis=1),
        helper.make_node("LeakyRelu", ["/Flatten_output_0"], ["/LeakyRelu_output_0"], name="/LeakyRelu", alpha=0.1),
        helper.make_node("Clip", ["/LeakyRelu_output_0", "clip_min", "clip_max"], ["/Clip_output_0"], name="/Clip"),
        helper.make_node("Sigmoid", ["/Clip_output_0"], ["/Sigmoid_output_0"], name="/Sigmoid"),
        helper.make_node("Tanh", ["/Sigmoid_output_0"], ["/Tanh_output_0"], name="/Tanh"),
        helper.make_node("Sub", ["/Tanh_output_0", "bias"], ["/Sub_output_0"], name="/Sub"),
        helper.make_node("Constant", [], ["/Constant_output_0"], name="/Constant", value=scale),
        helper.make_node("Mul", ["/Sub_output_0", "/Constant_output_0"], ["/Mul_output_0"], name="/Mul"),
        helper.make_node("Div", ["/Mul_output_0", "denom"], ["/Div_output_0"], name="/Div"),
        helper.make_node("LogSoftmax", ["/Div_output_0"], ["/LogSoftmax_output_0"], name="/LogSoftmax", axis=1),
        helper.make_node("Identity", ["/LogSoftmax_output_0"], ["y"], name="/Identity"),
    ]
    inits = [
        numpy_helper.from_array(np.array(-1.5, dtype=np.float32), "clip_min"),
        numpy_helper.from_array(np.array(1.5, dtype=np.float32), "clip_max"),
        weights("bias", [12], 7),
        numpy_helper.from_array(np.full([1, 12], 2.0, dtype=np.float32), "denom"),
    ]
    g = helper.make_graph(
        nodes, "torch_jit",
        [helper.make_tensor_value_info("x", F, [2, 3, 4])],
        [helper.make_tensor_value_info("y", F, [2, 12])],
        initializer=inits)
    return model(g)


def reshape_chain():
    """x.view(x.size(0), -1) as torch.onnx.export emits it at opset 13."""
    def const(out, name, arr):
        return helper.make_node("Constant", [], [out], name=name, value=numpy_helper.from_array(arr))
    nodes = [
        helper.make_node("Shape", ["input"], ["/Shape_output_0"], name="/Shape"),
        const("/Constant_output_0", "/Constant", np.array(0, dtype=np.int64)),
        helper.make_node("Gather", ["/Shape_output_0", "/Constant_output_0"], ["/Gather_output_0"],
                         name="/Gather", axis=0),
        const("onnx::Unsqueeze_3", "/Constant_1", np.array([0], dtype=np.int64)),
        helper.make_node("Unsqueeze", ["/Gather_output_0", "onnx::Unsqueeze_3"], ["/Unsqueeze_output_0"],
                         name="/Unsqueeze"),
        const("/Constant_2_output_0", "/Constant_2", np.array([-1], dtype=np.int64)),
        helper.make_node("Concat", ["/Unsqueeze_output_0", "/Constant_2_output_0"], ["/Concat_output_0"],
                         name="/Concat", axis=0),
        helper.make_node("Reshape", ["input", "/Concat_output_0"], ["output"], name="/Reshape"),
    ]
    g = helper.make_graph(
        nodes, "torch_jit",
        [helper.make_tensor_value_info("input", F, ["batch", 2, 3])],
        [helper.make_tensor_value_info("output", F, ["batch", 6])])
    return model(g)


def float_data():
    """Initializers stored in the typed fields (float_data, int64_data)
    instead of raw_data."""
    nodes = [
        helper.make_node("Add", ["x", "b"], ["/Add_output_0"], name="/Add"),
        helper.make_node("Reshape", ["/Add_output_0", "shape"], ["y"], name="/Reshape"),
    ]
    inits = [
        helper.make_tensor("b", F, [3], [0.25, -0.5, 1.75]),
        helper.make_tensor("shape", I64, [2], [3, 1]),
    ]
    g = helper.make_graph(
        nodes, "main",
        [helper.make_tensor_value_info("x", F, [1, 3])],
        [helper.make_tensor_value_info("y", F, [3, 1])],
        initializer=inits)
    return model(g, opset=17, ir_version=8, producer="onnx.helper")


def relu_model(opset=13, ir_version=7, init=None, domain=None, extra_opsets=()):
    """A one-node model y = Relu(x) (or, with init, y = Add(x, init), with
    a Cast to FLOAT first for an init of another type), for the bad
    fixtures."""
    inits = []
    if init is not None:
        nodes = [helper.make_node("Add", ["x", init.name], ["y"], name="/Add")]
        if init.data_type != F:
            nodes = [helper.make_node("Cast", [init.name], ["/Cast_output_0"], name="/Cast", to=F),
                     helper.make_node("Add", ["x", "/Cast_output_0"], ["y"], name="/Add")]
        inits = [init]
    else:
        nodes = [helper.make_node("Relu", ["x"], ["y"], name="/Relu")]
    if domain is not None:
        nodes = [helper.make_node("FusedGelu", ["x"], ["y"], name="/FusedGelu", domain=domain)]
    g = helper.make_graph(
        nodes, "torch_jit",
        [helper.make_tensor_value_info("x", F, [1, 4])],
        [helper.make_tensor_value_info("y", F, [1, 4])],
        initializer=inits)
    return model(g, opset=opset, ir_version=ir_version, extra_opsets=extra_opsets)


def external_data():
    """The weight's data in an external file (location weights.bin)."""
    w = weights("w", [1, 4])
    m = relu_model(init=w)
    t = m.graph.initializer[0]
    onnx.external_data_helper.set_external_data(t, location="weights.bin", offset=0, length=len(t.raw_data))
    t.ClearField("raw_data")
    t.data_location = TensorProto.EXTERNAL
    return m


def sparse_initializer():
    values = helper.make_tensor("w_values", F, [2], [1.0, 2.0])
    indices = helper.make_tensor("w_indices", I64, [2], [0, 3])
    sparse = helper.make_sparse_tensor(values, indices, [1, 4])
    m = relu_model()
    m.graph.sparse_initializer.append(sparse)
    return m


def graph_attr():
    """An If node, whose branches are graph-valued attributes."""
    def branch(name):
        return helper.make_graph(
            [helper.make_node("Identity", ["x"], [name + "_y"], name=name + "/Identity")], name, [],
            [helper.make_tensor_value_info(name + "_y", F, [1, 4])])
    nodes = [
        helper.make_node("ReduceSum", ["x"], ["/s"], name="/ReduceSum", keepdims=0),
        helper.make_node("Constant", [], ["/zero"], name="/Constant",
                         value=numpy_helper.from_array(np.array(0, dtype=np.float32))),
        helper.make_node("Greater", ["/s", "/zero"], ["/cond"], name="/Greater"),
        helper.make_node("If", ["/cond"], ["y"], name="/If",
                         then_branch=branch("then"), else_branch=branch("else")),
    ]
    g = helper.make_graph(
        nodes, "torch_jit",
        [helper.make_tensor_value_info("x", F, [1, 4])],
        [helper.make_tensor_value_info("y", F, [1, 4])])
    return model(g)


def constant_double():
    """A Constant node whose value is a DOUBLE tensor (then Cast to FLOAT)."""
    nodes = [
        helper.make_node("Constant", [], ["/c"], name="/Constant_double",
                         value=numpy_helper.from_array(np.array([1.0, 2.0, 3.0, 4.0], dtype=np.float64), "cval")),
        helper.make_node("Cast", ["/c"], ["/cf"], name="/Cast", to=F),
        helper.make_node("Add", ["x", "/cf"], ["y"], name="/Add"),
    ]
    g = helper.make_graph(
        nodes, "torch_jit",
        [helper.make_tensor_value_info("x", F, [1, 4])],
        [helper.make_tensor_value_info("y", F, [1, 4])])
    return model(g)


# name -> (builder, whether onnx 1.12's checker must accept it)
GOOD = {
    "mlp": (mlp, True),
    "matmul_add": (matmul_add, True),
    "ops": (ops, True),
    "reshape_chain": (reshape_chain, True),
    "float_data": (float_data, True),
}
BAD = {
    "bad_external_data": (external_data, False),  # the checker looks for weights.bin
    "bad_opset12": (lambda: relu_model(opset=12), True),
    "bad_opset19": (lambda: relu_model(opset=19, ir_version=9), False),  # newer than onnx 1.12
    "bad_ir6": (lambda: relu_model(ir_version=6), True),
    "bad_domain": (lambda: relu_model(domain="com.microsoft", extra_opsets=[("com.microsoft", 1)]), True),
    "bad_double_init": (lambda: relu_model(init=numpy_helper.from_array(
        np.array([[1.0, 2.0, 3.0, 4.0]], dtype=np.float64), "w_double")), True),
    "bad_int32_init": (lambda: relu_model(init=numpy_helper.from_array(
        np.array([[1, 2, 3, 4]], dtype=np.int32), "w_int32")), True),
    "bad_float16_init": (lambda: relu_model(init=numpy_helper.from_array(
        np.array([[1, 2, 3, 4]], dtype=np.float16), "w_half")), True),
    "bad_sparse_init": (sparse_initializer, True),
    "bad_graph_attr": (graph_attr, True),
    "bad_constant_double": (constant_double, True),
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    os.makedirs(out, exist_ok=True)
    for table in (GOOD, BAD):
        for name, (build, valid) in table.items():
            m = build()
            if valid:
                checker.check_model(m, full_check=True)
            with open(os.path.join(out, name + ".onnx"), "wb") as f:
                f.write(m.SerializeToString(deterministic=True))
    print("onnx %s: wrote %d fixtures to %s" % (onnx.__version__, len(GOOD) + len(BAD), out))


if __name__ == "__main__":
    main()
