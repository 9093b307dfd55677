package codegen

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/arch/arm64/arm64asm"

	"github.com/muscles/referee/compiler/autodiff"
	"github.com/muscles/referee/compiler/ir"
	"github.com/muscles/referee/compiler/numpytest"
)

// denseCase is act(x @ W + bias) on input shape in, W of shape w.
type denseCase struct {
	in, w ir.Shape
	bias  string // "param", "scalar", "const", "uniform", "column"
	act   ir.Act
}

// TestDenseOps runs fused dense layers in both matmul strategies (and
// every bias form each handles differently) against the interpreter on
// the unfused graph.
func TestDenseOps(t *testing.T) {
	needRunner(t)
	var cs []denseCase
	shapes := [][2]ir.Shape{
		{{4}, {4, 3}}, {{4}, {4}}, {{2, 4}, {4, 5}}, {{3, 6}, {6, 8}}, // unrolled
		{{4}, {4, 4}}, {{2, 3}, {3, 4}}, {{5, 2}, {2, 12}}, // unrolled, four columns at a time (denseByElem)
		{{70}, {70, 5}}, {{5}, {5, 100}}, {{3, 66}, {66, 45}}, {{2, 70}, {70, 36}}, // loops (with tails)
		{{12}, {12, 32}}, {{3, 8}, {8, 48}}, // four-register LD1 loops (rowBlockLD1)
		{{16}, {16, 32}}, {{20}, {20, 48}}, {{24}, {24, 16}}, // LD1 loops of 6 and 8 rows, with 4 and 2 rows first
		{{68}, {68, 10}}, {{2, 64}, {64, 22}}, {{72}, {72, 33}}, // four-row loops with a tail (rowBlockTail: 4 rows, 2 rows, a tail alone)
	}
	for _, s := range shapes {
		for _, bias := range []string{"param", "scalar", "const", "uniform", "column"} {
			if bias == "column" && len(s[0]) != 2 {
				continue
			}
			for _, act := range []ir.Act{ir.ActNone, ir.ActReluZeroX, ir.ActReluXZero, ir.ActTanh} {
				cs = append(cs, denseCase{s[0], s[1], bias, act})
			}
		}
	}
	r := rand.New(rand.NewPCG(5, 6))
	for _, tc := range cs {
		t.Run(fmt.Sprintf("%v%v/%s/%s", tc.in, tc.w, tc.bias, tc.act), func(t *testing.T) {
			g := ir.New()
			x := g.Input("x", tc.in)
			wInit := make([]float32, tc.w.Size())
			for i := range wInit {
				wInit[i] = float32(r.IntN(65)-32) / 64
			}
			w := g.Param("W", tc.w, wInit, true)
			params := []ir.Param{{Name: "W", Shape: tc.w, Init: wInit, Trainable: true, Value: w}}
			mm := must(g.MatMul(x, w))
			var b *ir.Value
			switch tc.bias {
			case "param", "column":
				var bs ir.Shape
				switch {
				case tc.bias == "column":
					bs = ir.Shape{mm.Shape[0], 1}
				case len(mm.Shape) > 0:
					bs = ir.Shape{mm.Shape[len(mm.Shape)-1]}
				}
				init := make([]float32, bs.Size())
				for i := range init {
					init[i] = float32(r.IntN(33)-16) / 16
				}
				b = g.Param("b", bs, init, true)
				params = append(params, ir.Param{Name: "b", Shape: bs, Init: init, Trainable: true, Value: b})
			case "scalar":
				b = g.Param("b", nil, []float32{0.375}, true)
				params = append(params, ir.Param{Name: "b", Init: []float32{0.375}, Trainable: true, Value: b})
			case "const":
				d := make([]float32, mm.Shape.Size())
				for i := range d {
					d[i] = float32(i%7)/8 - 0.25
				}
				b = g.Const(mm.Shape, d)
			case "uniform":
				b = g.Scalar(-0.625)
			}
			s := must(g.Binary(ir.OpAdd, mm, b))
			switch tc.act {
			case ir.ActNone:
				g.Output = s
			case ir.ActReluZeroX:
				g.Output = must(g.Binary(ir.OpMax, g.Scalar(0), s))
			case ir.ActReluXZero:
				g.Output = must(g.Binary(ir.OpMax, s, g.Scalar(0)))
			case ir.ActTanh:
				g.Output = must(g.Unary(ir.OpTanh, s))
			}
			inputs := testInputs(tc.in, 3, 11)
			var want [][]float32
			for _, in := range inputs {
				y, err := ir.Eval(g, in, nil)
				if err != nil {
					t.Fatal(err)
				}
				want = append(want, y)
			}
			if err := ir.RunPasses(g, ir.Passes, ""); err != nil {
				t.Fatal(err)
			}
			if g.Output.Op != ir.OpDense || g.Output.Act != tc.act {
				t.Fatalf("not fused:\n%s", g)
			}
			c, err := Compile(g, params)
			if err != nil {
				t.Fatal(err)
			}
			checkCode(t, c)
			got := execCode(t, c, inputs)
			tol := 1e-5
			if tc.act == ir.ActTanh {
				tol = 1e-4
			}
			for k := range inputs {
				if err := numpytest.CloseTo(got[k], widen(want[k]), tol); err != nil {
					t.Errorf("input %v: %v\n%s", inputs[k], err, c.Listing)
				}
			}
		})
	}
}

func must(v *ir.Value, err error) *ir.Value {
	if err != nil {
		panic(err)
	}
	return v
}

func checkCode(t *testing.T, c *Code) {
	t.Helper()
	for i := 0; i < len(c.Bytes); i += 4 {
		if _, err := arm64asm.Decode(c.Bytes[i:]); err != nil {
			t.Fatalf("word %d does not decode: %v", i/4, err)
		}
	}
	if err := CheckABI(c.Instrs); err != nil {
		t.Fatal(err)
	}
}

// withoutFuse runs f with the fuse pass removed from ir.Passes (which
// autodiff.TrainFile also reads). The tests that call it are not
// parallel, so no other test sees the change.
func withoutFuse(f func()) {
	saved := ir.Passes
	defer func() { ir.Passes = saved }()
	ir.Passes = slices.DeleteFunc(slices.Clone(saved), func(p ir.Pass) bool { return p.Name == "fuse" })
	f()
}

// compileMuscleFile is the musclec pipeline on a model file.
func compileMuscleFile(t *testing.T, path string) (*Muscle, *ir.Model, *autodiff.TrainGraph) {
	t.Helper()
	m, tg := loadTrain(t, path)
	mu, err := CompileMuscle(m, tg)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return mu, m, tg
}

func countDense(g *ir.Graph) int {
	n := 0
	for _, v := range g.Values {
		if v.Op == ir.OpDense {
			n++
		}
	}
	return n
}

// TestDenseInstructionCounts compiles every example model with and
// without the fuse pass: fusion never increases the instructions either
// entry executes, and the fused code decodes and follows the ABI.
func TestDenseInstructionCounts(t *testing.T) {
	paths := []string{"testdata/mlp784.py"}
	for _, tm := range trainModels {
		paths = append(paths, tm.path)
	}
	for _, p := range paths {
		var before *Muscle
		withoutFuse(func() { before, _, _ = compileMuscleFile(t, p) })
		after, m, tg := compileMuscleFile(t, p)
		checkMuscleCode(t, p, after)
		t.Logf("%-22s forward %7d -> %7d   train %7d -> %7d   dense ops: forward %d, train %d",
			filepath.Base(p), before.ForwardExecuted, after.ForwardExecuted, before.TrainExecuted, after.TrainExecuted,
			countDense(m.Graph), countDense(tg.Graph))
		if after.ForwardExecuted > before.ForwardExecuted || after.TrainExecuted > before.TrainExecuted {
			t.Errorf("%s: fusion increased the executed instructions: forward %d -> %d, train %d -> %d", p,
				before.ForwardExecuted, after.ForwardExecuted, before.TrainExecuted, after.TrainExecuted)
		}
	}
	if _, err := os.Stat("testdata/mlp784.py"); err != nil {
		t.Fatal(err)
	}
}
