package frontend

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/muscles/referee/compiler/ir"
	"github.com/muscles/referee/compiler/numpytest"
)

type paramWant struct {
	name      string
	trainable bool
}

// modelCase is one example model under testdata/models.
type modelCase struct {
	file   string
	in     ir.Shape
	out    ir.Shape
	params []paramWant
	lr     float64
	tol    float64 // relative tolerance against NumPy
}

var modelCases = []modelCase{
	{"single_neuron.py", ir.Shape{4}, ir.Shape{}, []paramWant{{"W", true}, {"b", true}}, 0.01, 1e-5},
	{"relu_mlp.py", ir.Shape{4}, ir.Shape{2}, []paramWant{{"W1", true}, {"b1", true}, {"W2", true}, {"b2", true}}, 0.05, 1e-5},
	{"tanh_mlp.py", ir.Shape{3}, ir.Shape{2}, []paramWant{{"W1", true}, {"b1", true}, {"W2", true}, {"b2", true}}, 0.01, 1e-4},
	{"sigmoid.py", ir.Shape{5}, ir.Shape{}, []paramWant{{"W", true}, {"b", false}}, 0.01, 1e-4},
	{"softmax.py", ir.Shape{4}, ir.Shape{3}, []paramWant{{"W", true}, {"b", true}}, 0.01, 1e-4},
	{"where_broadcast.py", ir.Shape{3}, ir.Shape{2, 3}, []paramWant{{"M", true}, {"c", true}, {"ALPHA", true}}, 0.01, 1e-5},
	{"batch.py", ir.Shape{2, 3}, ir.Shape{4, 3}, []paramWant{{"W", true}, {"b", true}}, 0.01, 1e-5},
	{"reductions.py", ir.Shape{2, 3}, ir.Shape{2, 3}, []paramWant{{"scale", true}}, 0.01, 1e-5},
	{"misc_ops.py", ir.Shape{4}, ir.Shape{2, 2}, []paramWant{{"SEL", true}, {"K", false}, {"E", true}}, 0.1, 1e-4},
	{"npz_mlp.py", ir.Shape{4}, ir.Shape{3}, []paramWant{{"W1", true}, {"b1", true}, {"W2", true}, {"b2", true}}, 0.05, 1e-5},
}

func compileFile(t *testing.T, file string) *ir.Model {
	t.Helper()
	path := filepath.Join("testdata", "models", file)
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The path, not the base name: np.load reads files beside the model.
	m, err := Compile(path, src)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return m
}

// testInputs returns n inputs of the shape, multiples of 1/16 in [-2, 2]
// (exact in float32 and float64).
func testInputs(shape ir.Shape, n int, seed uint64) [][]float32 {
	return numpytest.Sixteenths(rand.New(rand.NewPCG(seed, 7)), n, shape.Size())
}

type numpyReply struct {
	Outputs [][]float64
	Globals map[string][]float64
}

// numpyForward runs forward and reads globals under CPython + NumPy.
func numpyForward(t *testing.T, file string, shape ir.Shape, inputs [][]float32, globals []string) numpyReply {
	t.Helper()
	var rep numpyReply
	req := map[string]any{"shape": append([]int{}, shape...), "inputs": inputs, "globals": globals}
	numpytest.Run(t, filepath.Join("testdata", "numpy_forward.py"), []string{filepath.Join("testdata", "models", file)}, req, &rep)
	return rep
}

func TestModelsAgainstNumPy(t *testing.T) {
	for _, tc := range modelCases {
		t.Run(tc.file, func(t *testing.T) {
			m := compileFile(t, tc.file)
			if !m.InputShape.Equal(tc.in) || !m.OutputShape.Equal(tc.out) {
				t.Fatalf("shapes: input %s output %s, want %s %s", m.InputShape, m.OutputShape, tc.in, tc.out)
			}
			if m.LearningRate != tc.lr {
				t.Errorf("learning rate %v, want %v", m.LearningRate, tc.lr)
			}
			var got []paramWant
			var names []string
			for _, p := range m.Params {
				got = append(got, paramWant{p.Name, p.Trainable})
				names = append(names, p.Name)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.params) {
				t.Fatalf("params %v, want %v", got, tc.params)
			}
			inputs := testInputs(m.InputShape, 5, uint64(len(tc.file)))
			ref := numpyForward(t, tc.file, m.InputShape, inputs, names)
			for _, p := range m.Params {
				if err := numpytest.CloseTo(p.Init, ref.Globals[p.Name], 1e-6); err != nil {
					t.Errorf("initial value of %s: %v", p.Name, err)
				}
			}
			// Trace output, then the output after each pass: all must match
			// NumPy, and every pass must leave the interpreter's output
			// bit for bit unchanged.
			before := evalAll(t, m.Graph, inputs)
			check := func(stage string, outs [][]float32) {
				for i := range inputs {
					if err := numpytest.CloseTo(outs[i], ref.Outputs[i], tc.tol); err != nil {
						t.Errorf("%s, input %v: %v\n%s", stage, inputs[i], err, m.Graph)
					}
					if fmt.Sprint(outs[i]) != fmt.Sprint(before[i]) {
						t.Errorf("%s changed the output on input %v: %v, was %v", stage, inputs[i], outs[i], before[i])
					}
				}
			}
			check("traced graph", before)
			for _, p := range ir.Passes {
				p.Run(m.Graph)
				check("after "+p.Name, evalAll(t, m.Graph, inputs))
			}
		})
	}
}

func evalAll(t *testing.T, g *ir.Graph, inputs [][]float32) [][]float32 {
	t.Helper()
	var outs [][]float32
	for _, x := range inputs {
		y, err := ir.Eval(g, x, nil)
		if err != nil {
			t.Fatalf("Eval: %v", err)
		}
		outs = append(outs, y)
	}
	return outs
}

func TestDeterministic(t *testing.T) {
	for _, tc := range modelCases {
		a, b := compileFile(t, tc.file), compileFile(t, tc.file)
		if a.Graph.String() != b.Graph.String() {
			t.Errorf("%s: two traces differ:\n%s\n---\n%s", tc.file, a.Graph, b.Graph)
		}
		ir.RunPasses(a.Graph, ir.Passes, "")
		ir.RunPasses(b.Graph, ir.Passes, "")
		if a.Graph.String() != b.Graph.String() {
			t.Errorf("%s: two optimised graphs differ", tc.file)
		}
	}
}

// TestSingleNeuronIR pins the IR of the project's first model, before
// fusion and after every pass (one fused dense layer).
func TestSingleNeuronIR(t *testing.T) {
	for _, tc := range []struct{ after, want string }{
		{"fold2", `
%0 = input inputs (4,)
%1 = param W (4,) trainable [0.5 -0.25 0.75 -1]
%2 = matmul %0 %1 ()
%3 = param b () trainable [0.1]
%4 = add %2 %3 ()
%5 = const () [0]
%6 = max %5 %4 ()
return %6`},
		{"", `
%0 = input inputs (4,)
%1 = param W (4,) trainable [0.5 -0.25 0.75 -1]
%2 = param b () trainable [0.1]
%3 = dense %0 %1 %2 act=max(0,x) ()
return %3`},
	} {
		m := compileFile(t, "single_neuron.py")
		traced := m.Graph.String()
		if err := ir.RunPasses(m.Graph, ir.Passes, tc.after); err != nil {
			t.Fatal(err)
		}
		if got, want := strings.TrimSpace(m.Graph.String()), strings.TrimSpace(tc.want); got != want {
			t.Errorf("IR after %q:\n%s\nwant:\n%s\ntraced:\n%s", tc.after, got, want, traced)
		}
	}
}
