package onnxfront_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/muscles/referee/compiler/codegen"
	"github.com/muscles/referee/compiler/codegen/run"
	"github.com/muscles/referee/compiler/ir"
	"github.com/muscles/referee/compiler/numpytest"
	"github.com/muscles/referee/compiler/onnx"
	"github.com/muscles/referee/compiler/onnxtest"
	"github.com/muscles/referee/compiler/pipeline"
	"github.com/muscles/referee/compiler/pyexport"
)

// The good fixtures of compiler/onnx (made by its make_fixtures.py, shaped
// as PyTorch exports them), each with whether it computes exp or tanh
// (the looser tolerance).
var fixtures = []struct {
	name      string
	transcend bool
}{
	{"mlp", true}, {"matmul_add", false}, {"ops", true}, {"reshape_chain", false}, {"float_data", false},
	{"classifier", true}, // the example model make qemu bundles
}

const (
	tolPlain = 1e-5
	tolExp   = 1e-4
	trainTol = 1e-3 // the NumPy finite-difference reference, as compiler/codegen's
	steps    = 3
)

// example is the example ONNX model (make_examples.py writes it).
const example = "../frontend/testdata/models/classifier.onnx"

func fixture(name string) string {
	if name == "classifier" {
		return example
	}
	return filepath.Join("..", "onnx", "testdata", name+".onnx")
}

// TestExampleUpToDate: make_examples.py writes exactly the committed
// example model.
func TestExampleUpToDate(t *testing.T) {
	out := filepath.Join(t.TempDir(), "classifier.onnx")
	if b, err := exec.Command("/usr/bin/python3", "-B", filepath.Join("testdata", "make_examples.py"), out).CombinedOutput(); err != nil {
		t.Fatalf("make_examples.py (qemu/deps.sh installs python3-onnx): %v\n%s", err, b)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("make_examples.py writes another %s than the committed one: run it again", example)
	}
}

func compile(t *testing.T, path string) *pipeline.Result {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := pipeline.Compile(path, src, pipeline.Options{})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return r
}

func program(mu *codegen.Muscle, entry int) run.Program {
	return run.Program{Code: mu.Code, Entry: entry, State: mu.InitialState(), InputSize: mu.InputSize, OutputSize: mu.OutputSize, ScratchSize: mu.ScratchSize}
}

// onnxInput is the fixture's input name.
func onnxInput(t *testing.T, path string) string {
	m, err := onnx.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return m.Graph.Inputs[0].Name
}

// TestFixturesMatchONNXRuntime: every fixture compiled to machine code and
// run under qemu-aarch64 gives ONNX Runtime's outputs.
func TestFixturesMatchONNXRuntime(t *testing.T) {
	if err := run.Available(); err != nil {
		t.Fatalf("cannot run AArch64 code here (make test installs the tools): %v", err)
	}
	for i, f := range fixtures {
		t.Run(f.name, func(t *testing.T) {
			path := fixture(f.name)
			r := compile(t, path)
			xs := numpytest.Uniform(rand.New(rand.NewPCG(uint64(i), 7)), 3, r.Muscle.InputSize/4, 2)
			outs, err := run.Forward(program(r.Muscle, r.Muscle.ForwardEntry), xs)
			if err != nil {
				t.Fatal(err)
			}
			tol := tolPlain
			if f.transcend {
				tol = tolExp
			}
			name := onnxInput(t, path)
			for k, x := range xs {
				ref := onnxtest.Run(t, path, map[string]onnxtest.Tensor{name: {Dims: r.Model.InputShape, Data: x}})
				if len(ref) != 1 {
					t.Fatalf("ONNX Runtime gave %d outputs", len(ref))
				}
				for _, want := range ref {
					onnxtest.Close(t, outs[k], want.Data, tol)
				}
			}
		})
	}
}

// TestImport: musclec import's Family Python of every fixture compiles to
// the same code bytes, and real NumPy's training on that file (gradients
// by finite differences) matches the ONNX muscle's train entry.
func TestImport(t *testing.T) {
	numpytest.Need(t)
	for i, f := range fixtures {
		t.Run(f.name, func(t *testing.T) {
			path := fixture(f.name)
			r := compile(t, path)
			traced, err := pipeline.Run(path, r.Source, pipeline.Options{}, "trace")
			if err != nil {
				t.Fatal(err)
			}
			for _, npz := range []bool{false, true} {
				dir := t.TempDir()
				py := filepath.Join(dir, f.name+".py")
				opt := pyexport.Options{}
				if npz {
					opt.NPZ = f.name + ".npz"
					b, err := pyexport.NPZ(traced.Model)
					if err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(filepath.Join(dir, opt.NPZ), b, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				src, err := pyexport.Write(traced.Model, opt)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(py, src, 0o644); err != nil {
					t.Fatal(err)
				}
				p := compile(t, py)
				if !bytes.Equal(p.Muscle.Code, r.Muscle.Code) || !bytes.Equal(p.Muscle.InitialState(), r.Muscle.InitialState()) {
					t.Fatalf("npz %v: the imported Python compiles to other code (%d bytes) or state than the ONNX file (%d bytes):\n%s", npz, len(p.Muscle.Code), len(r.Muscle.Code), src)
				}
				if npz {
					continue
				}
				// Training: the compiled ONNX muscle against NumPy on the
				// imported file.
				if err := run.Available(); err != nil {
					t.Fatal(err)
				}
				mu := r.Muscle
				rng := rand.New(rand.NewPCG(uint64(i), 11))
				xs := numpytest.Uniform(rng, steps, mu.InputSize/4, 1.5)
				ts := numpytest.Uniform(rng, steps, mu.TargetSize/4, 0.5)
				_, final, err := run.Train(run.TrainProgram{Program: program(mu, mu.TrainEntry), TargetSize: mu.TargetSize}, xs, ts, mu.InitialState(), steps)
				if err != nil {
					t.Fatal(err)
				}
				names := []string{}
				for _, prm := range r.Model.Params {
					names = append(names, prm.Name)
				}
				var ref struct {
					Params    map[string][]float64
					Trainable []string
				}
				numpytest.Run(t, "../autodiff/testdata/numpy_sgd.py", []string{py}, map[string]any{
					"shape": r.Model.InputShape, "target_shape": r.Model.OutputShape,
					"params": names, "xs": xs, "targets": ts, "eps": 1e-4,
				}, &ref)
				for _, n := range names {
					s, _ := mu.Slot(n)
					got := slot(final, s)
					if err := numpytest.CloseTo(got, ref.Params[n], trainTol); err != nil {
						t.Errorf("%s after %d steps vs NumPy: %v", n, steps, err)
					}
				}
			}
		})
	}
}

func slot(state []byte, s codegen.Slot) []float32 {
	out := make([]float32, s.Bytes/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(state[s.Offset+4*i:]))
	}
	return out
}

// refusals are models outside the subset, made with onnx.helper, and what
// the error must say.
var refusals = []struct {
	name, python, want string
}{
	{"conv", `X = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 4])
W = numpy_helper.from_array(np.ones((1, 1, 2), np.float32), "w")
n = helper.make_node("Conv", ["x", "w"], ["y"], name="conv0")
Y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
g = helper.make_graph([n], "g", [X], [Y], [W])`, `node "conv0" (Conv): operator Conv is not supported`},
	{"dynamic", `X = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "features"])
n = helper.make_node("Relu", ["x"], ["y"], name="r")
Y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
g = helper.make_graph([n], "g", [X], [Y])`, `dimension 1 (features) is dynamic and cannot be fixed`},
	{"concat_tensors", `X = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3])
n = helper.make_node("Concat", ["x", "x"], ["y"], name="cat", axis=1)
Y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
g = helper.make_graph([n], "g", [X], [Y])`, `node "cat" (Concat): Concat of "x"`},
	{"rank4", `X = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 2, 2])
n = helper.make_node("Relu", ["x"], ["y"], name="r")
Y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
g = helper.make_graph([n], "g", [X], [Y])`, `has rank 4`},
	{"two_inputs", `X = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3])
Z = helper.make_tensor_value_info("z", TensorProto.FLOAT, [1, 3])
n = helper.make_node("Add", ["x", "z"], ["y"], name="a")
Y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
g = helper.make_graph([n], "g", [X, Z], [Y])`, `2 inputs`},
}

// TestRefusals: each model outside the subset is refused with an error
// naming the node and why, wrapping onnx.ErrUnsupported (exit status 4).
func TestRefusals(t *testing.T) {
	dir := t.TempDir()
	for _, c := range refusals {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, c.name+".onnx")
			script := "import numpy as np\nimport onnx\nfrom onnx import helper, numpy_helper, TensorProto\n" + c.python +
				"\nm = helper.make_model(g, opset_imports=[helper.make_opsetid('', 13)], ir_version=8)\nonnx.save(m, " + quote(path) + ")\n"
			if out, err := exec.Command("/usr/bin/python3", "-c", script).CombinedOutput(); err != nil {
				t.Fatalf("making the model (qemu/deps.sh installs python3-onnx): %v\n%s", err, out)
			}
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			_, err = pipeline.Compile(path, src, pipeline.Options{})
			if err == nil || !errors.Is(err, onnx.ErrUnsupported) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want ErrUnsupported saying %q", err, c.want)
			}
		})
	}
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }

// TestBatch: --batch fixes a symbolic batch dimension.
func TestBatch(t *testing.T) {
	path := fixture("mlp")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := pipeline.Run(path, src, pipeline.Options{Batch: 4}, "trace")
	if err != nil {
		t.Fatal(err)
	}
	if !r.Model.InputShape.Equal(ir.Shape{4, 4}) || r.Model.OutputShape[0] != 4 {
		t.Errorf("batch 4: input %s, output %s", r.Model.InputShape, r.Model.OutputShape)
	}
}
