package codegen

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/arch/arm64/arm64asm"

	"github.com/muscles/referee/compiler/codegen/run"
	"github.com/muscles/referee/compiler/frontend"
	"github.com/muscles/referee/compiler/ir"
	"github.com/muscles/referee/compiler/numpytest"
)

// modelFiles are the example models: the front end's and this
// package's 784→128→10 MLP and transposed-weight MLP.
var modelFiles = []string{
	"../frontend/testdata/models/single_neuron.py",
	"../frontend/testdata/models/relu_mlp.py",
	"../frontend/testdata/models/tanh_mlp.py",
	"../frontend/testdata/models/sigmoid.py",
	"../frontend/testdata/models/softmax.py",
	"../frontend/testdata/models/where_broadcast.py",
	"../frontend/testdata/models/batch.py",
	"../frontend/testdata/models/reductions.py",
	"../frontend/testdata/models/misc_ops.py",
	"../frontend/testdata/models/npz_mlp.py",
	"testdata/mlp784.py",
	"testdata/transposed.py",
}

func loadModel(t *testing.T, path string) *ir.Model {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The path, not its base name: np.load reads files beside the model.
	m, err := frontend.Compile(path, src)
	if err != nil {
		t.Fatalf("frontend: %v", err)
	}
	if err := ir.RunPasses(m.Graph, ir.Passes, ""); err != nil {
		t.Fatal(err)
	}
	return m
}

func compileModel(t *testing.T, path string) (*ir.Model, *Code) {
	t.Helper()
	m := loadModel(t, path)
	c, err := Compile(m.Graph, m.Params)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return m, c
}

func needRunner(t *testing.T) {
	t.Helper()
	if err := run.Available(); err != nil {
		t.Fatalf("cannot run AArch64 code here (make test installs the tools): %v", err)
	}
}

func execCode(t *testing.T, c *Code, inputs [][]float32) [][]float32 {
	t.Helper()
	outs, err := run.Forward(run.Program{Code: c.Bytes, Entry: c.Entry, State: c.InitialState(),
		InputSize: c.InputSize, OutputSize: c.OutputSize, ScratchSize: c.ScratchSize}, inputs)
	if err != nil {
		t.Fatal(err)
	}
	return outs
}

// testInputs: multiples of 1/16 in [-2, 2], exact in float32 and float64.
func testInputs(shape ir.Shape, n int, seed uint64) [][]float32 {
	return numpytest.Sixteenths(rand.New(rand.NewPCG(seed, 11)), n, shape.Size())
}

func numpyForward(t *testing.T, path string, shape ir.Shape, inputs [][]float32) [][]float64 {
	t.Helper()
	var rep struct{ Outputs [][]float64 }
	req := map[string]any{"shape": append([]int{}, shape...), "inputs": inputs}
	numpytest.Run(t, "../frontend/testdata/numpy_forward.py", []string{path}, req, &rep)
	return rep.Outputs
}

func usesTranscendental(g *ir.Graph) bool {
	for _, v := range g.Values {
		if v.Op == ir.OpExp || v.Op == ir.OpLog || v.Op == ir.OpTanh {
			return true
		}
	}
	return false
}

// TestModels compiles every example model, runs the machine code on
// several inputs and compares it with the ir interpreter and NumPy.
func TestModels(t *testing.T) {
	needRunner(t)
	for _, path := range modelFiles {
		t.Run(filepath.Base(path), func(t *testing.T) {
			m, c := compileModel(t, path)
			tol := 1e-5
			if usesTranscendental(m.Graph) {
				tol = 1e-4
			}
			inputs := testInputs(m.InputShape, 6, uint64(len(path)))
			got := execCode(t, c, inputs)
			want := numpyForward(t, path, m.InputShape, inputs)
			for k, x := range inputs {
				ref, err := ir.Eval(m.Graph, x, nil)
				if err != nil {
					t.Fatal(err)
				}
				wantIR := make([]float64, len(ref))
				for i, f := range ref {
					wantIR[i] = float64(f)
				}
				if err := numpytest.CloseTo(got[k], wantIR, tol); err != nil {
					t.Errorf("input %d vs ir.Eval: %v", k, err)
				}
				if err := numpytest.CloseTo(got[k], want[k], tol); err != nil {
					t.Errorf("input %d vs NumPy: %v", k, err)
				}
			}
			t.Logf("%s: %d instructions, %d code bytes, state %d B, scratch %d B",
				filepath.Base(path), len(c.Instrs), len(c.Bytes), c.StateSize, c.ScratchSize)
		})
	}
}

// TestDecodable decodes every emitted word with arm64asm and checks the
// static ABI scan passes.
func TestDecodable(t *testing.T) {
	for _, path := range modelFiles {
		_, c := compileModel(t, path)
		for i := 0; i < len(c.Bytes); i += 4 {
			if _, err := arm64asm.Decode(c.Bytes[i:]); err != nil {
				t.Fatalf("%s: word %d (%s) does not decode: %v", path, i/4, c.Instrs[i/4], err)
			}
		}
		if err := CheckABI(c.Instrs); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
}

func TestDeterministic(t *testing.T) {
	for _, path := range modelFiles {
		_, a := compileModel(t, path)
		_, b := compileModel(t, path)
		if !bytes.Equal(a.Bytes, b.Bytes) || a.Listing != b.Listing {
			t.Errorf("%s: two compilations differ", path)
		}
	}
}
