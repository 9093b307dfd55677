package onnxtest

import (
	"errors"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/muscles/referee/compiler/numpytest"
)

// mlpPy writes the MNIST-shaped MLP x[N,784] → Gemm(W1[128,784]ᵀ)+b1 →
// Relu → Gemm(W2[10,128]ᵀ)+b2 → Softmax(axis=1) → y[N,10] to argv[1],
// its weights drawn from the seed argv[2]; N is symbolic. The weights are
// multiples of 1/256 (W1, b1) and 1/64 (W2, b2), so that on inputs that
// are multiples of 1/16 both Gemms add up exactly in float32, in any
// order (mlpNumPy checks the bounds): only Softmax rounds.
const mlpPy = `
import sys
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(int(sys.argv[2]))
def dyadic(name, shape, k, den):
    return numpy_helper.from_array((rng.integers(-k, k + 1, shape) / den).astype(np.float32), name)

graph = helper.make_graph(
    [
        helper.make_node("Gemm", ["x", "W1", "b1"], ["h"], transB=1),
        helper.make_node("Relu", ["h"], ["r"]),
        helper.make_node("Gemm", ["r", "W2", "b2"], ["logits"], transB=1),
        helper.make_node("Softmax", ["logits"], ["y"], axis=1),
    ],
    "mlp",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 784])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 10])],
    [dyadic("W1", (128, 784), 32, 256), dyadic("b1", (128,), 32, 256),
     dyadic("W2", (10, 128), 8, 64), dyadic("b2", (10,), 8, 64)],
)
model = helper.make_model(graph, producer_name="onnxtest", opset_imports=[helper.make_opsetid("", 13)])
onnx.checker.check_model(model)
onnx.save(model, sys.argv[1])
`

// mlpNumPy computes that MLP in float64 from the weights stored in the
// model argv[1], on the batch {"x": [[...], ...]} on its standard input,
// and the largest sum of absolute terms in each Gemm, which bounds every
// partial sum.
const mlpNumPy = `
import json, sys
import numpy as np
import onnx
from onnx import numpy_helper

w = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in onnx.load(sys.argv[1]).graph.initializer}
x = np.array(json.load(sys.stdin)["x"], dtype=np.float64)
h = np.maximum(x @ w["W1"].T + w["b1"], 0)
l = h @ w["W2"].T + w["b2"]
e = np.exp(l - l.max(axis=1, keepdims=True))
y = e / e.sum(axis=1, keepdims=True)
bounds = [(np.abs(x) @ np.abs(w["W1"]).T + np.abs(w["b1"])).max(), (h @ np.abs(w["W2"]).T + np.abs(w["b2"])).max()]
json.dump({"dims": list(y.shape), "y": y.ravel().tolist(), "bounds": bounds}, sys.stdout)
`

// identityPy writes y = Identity(x) for x of any shape to argv[1].
const identityPy = `
import sys
import onnx
from onnx import TensorProto, helper

graph = helper.make_graph(
    [helper.make_node("Identity", ["x"], ["y"])], "identity",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, None)],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
)
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), sys.argv[1])
`

// makeModel runs the Python source src, which needs onnx (Debian
// python3-onnx), with the output path and args; a missing onnx fails t.
func makeModel(t *testing.T, name, src string, args ...string) string {
	t.Helper()
	numpytest.Need(t)
	if err := exec.Command(numpytest.Python, "-c", "import onnx").Run(); err != nil {
		t.Fatalf("%s with onnx is not available (install python3-onnx: qemu/deps.sh): %v", numpytest.Python, err)
	}
	path := filepath.Join(t.TempDir(), name)
	out, err := exec.Command(numpytest.Python, append([]string{"-c", src, path}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("making %s: %v\n%s", name, err, out)
	}
	return path
}

func TestMLPMatchesNumPy(t *testing.T) {
	model := makeModel(t, "mlp.onnx", mlpPy, "784")
	const batch, in, out = 2, 784, 10
	x := numpytest.Sixteenths(rand.New(rand.NewPCG(11, 12)), batch, in)
	var flat []float32
	for _, row := range x {
		flat = append(flat, row...)
	}

	got := Run(t, model, map[string]Tensor{"x": {Dims: []int{batch, in}, Data: flat}})
	y, ok := got["y"]
	if !ok || len(got) != 1 {
		t.Fatalf("outputs %v, want just y", got)
	}
	if len(y.Dims) != 2 || y.Dims[0] != batch || y.Dims[1] != out {
		t.Fatalf("y dims %v, want [%d %d]", y.Dims, batch, out)
	}

	script := filepath.Join(t.TempDir(), "mlp_numpy.py")
	if err := os.WriteFile(script, []byte(mlpNumPy), 0o644); err != nil {
		t.Fatal(err)
	}
	var want struct {
		Y      []float64 `json:"y"`
		Bounds []float64 `json:"bounds"`
	}
	numpytest.Run(t, script, []string{model}, map[string]any{"x": x}, &want)
	// Terms are multiples of 2⁻¹² in the first Gemm and 2⁻¹⁸ in the
	// second: below 2¹² and 2⁶ every partial sum fits float32's 24 bits.
	if len(want.Bounds) != 2 || want.Bounds[0] >= 1<<12 || want.Bounds[1] >= 1<<6 {
		t.Fatalf("Gemm sums reach %v: not exact in float32", want.Bounds)
	}
	// Only Softmax rounds, and its outputs are below 1, so this is an
	// absolute bound: about one float32 ulp at 1 (1.19e-7), two below it.
	const tol = 1.3e-7
	if err := numpytest.CloseTo(y.Data, want.Y, tol); err != nil {
		t.Fatal(err)
	}
	var maxDiff float64
	for i := range y.Data {
		maxDiff = math.Max(maxDiff, math.Abs(float64(y.Data[i])-want.Y[i]))
	}
	t.Logf("ONNX Runtime vs NumPy (float64): max |diff| %.3g over %d values (tolerance %g; Gemm sums at most %v)", maxDiff, len(y.Data), tol, want.Bounds)
	for b := range batch {
		var sum float64
		for _, p := range y.Data[b*out : (b+1)*out] {
			sum += float64(p)
		}
		if math.Abs(sum-1) > 1e-6 {
			t.Errorf("row %d sums to %v", b, sum)
		}
	}

	// N is symbolic: a batch of one runs too, and gives the first row.
	one := Run(t, model, map[string]Tensor{"x": {Dims: []int{1, in}, Data: x[0]}})["y"]
	if len(one.Dims) != 2 || one.Dims[0] != 1 || one.Dims[1] != out {
		t.Fatalf("batch of one: y dims %v, want [1 %d]", one.Dims, out)
	}
	Close(t, one.Data, y.Data[:out], tol)
}

// Every float32, the special ones too, comes back from Node bit for bit.
func TestFloat32RoundTrip(t *testing.T) {
	model := makeModel(t, "identity.onnx", identityPy)
	in := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 0.1, 1.0 / 3, 16777217,
		math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32, 1.1754942e-38,
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())}
	r := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		in = append(in, math.Float32frombits(r.Uint32()))
	}
	got := Run(t, model, map[string]Tensor{"x": {Dims: []int{len(in)}, Data: in}})["y"]
	if len(got.Dims) != 1 || got.Dims[0] != len(in) || len(got.Data) != len(in) {
		t.Fatalf("y dims %v with %d values, want [%d]", got.Dims, len(got.Data), len(in))
	}
	for i, x := range in {
		g := got.Data[i]
		if math.Float32bits(g) != math.Float32bits(x) && !(x != x && g != g) {
			t.Errorf("value %d: sent %v (%#08x), got %v (%#08x)", i, x, math.Float32bits(x), g, math.Float32bits(g))
		}
	}
	// A scalar: no dims.
	s := Run(t, model, map[string]Tensor{"x": {Data: []float32{2.5}}})["y"]
	if len(s.Dims) != 0 || len(s.Data) != 1 || s.Data[0] != 2.5 {
		t.Errorf("scalar: got %+v, want dims [] data [2.5]", s)
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.onnx")
	_, err := RunErr(missing, nil)
	if err == nil || !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing model: got error %v, want one naming %s as not there", err, missing)
	}

	garbage := filepath.Join(dir, "garbage.onnx")
	if err := os.WriteFile(garbage, []byte("not a model"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = RunErr(garbage, nil)
	if err == nil || !strings.Contains(err.Error(), "ONNX Runtime on "+garbage) || !strings.Contains(err.Error(), "ort_run.js:") {
		t.Errorf("not a model: got error %v, want ONNX Runtime's", err)
	}

	model := makeModel(t, "identity.onnx", identityPy)
	_, err = RunErr(model, map[string]Tensor{"z": {Dims: []int{1}, Data: []float32{1}}})
	if err == nil || !strings.Contains(err.Error(), "has no input z (its inputs: x)") {
		t.Errorf("wrong input name: got error %v", err)
	}
	_, err = RunErr(model, map[string]Tensor{"x": {Dims: []int{2, 2}, Data: []float32{1, 2, 3}}})
	if err == nil || !strings.Contains(err.Error(), "dims [2,2] hold 4 values, data has 3") {
		t.Errorf("data not matching dims: got error %v", err)
	}
	t.Logf("for example: %v", err)
}
