package codegen

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/muscles/referee/compiler/ir"
	"github.com/muscles/referee/compiler/numpytest"
)

// opCase builds a graph on input x (and parameter P) and returns its output.
type opCase struct {
	name  string
	in    ir.Shape
	p     ir.Shape // parameter shape, or nil
	build func(g *ir.Graph, x, p *ir.Value) (*ir.Value, error)
}

func bin(op ir.Op) func(g *ir.Graph, x, p *ir.Value) (*ir.Value, error) {
	return func(g *ir.Graph, x, p *ir.Value) (*ir.Value, error) { return g.Binary(op, x, p) }
}

func opCases() []opCase {
	var cs []opCase
	for _, op := range []ir.Op{ir.OpAdd, ir.OpSub, ir.OpMul, ir.OpDiv, ir.OpMax, ir.OpMin,
		ir.OpLess, ir.OpLessEq, ir.OpGreater, ir.OpGreaterEq, ir.OpEqual, ir.OpNotEqual} {
		for _, n := range []int{3, 10, 70} { // scalar, vector+tail, vector
			cs = append(cs, opCase{fmt.Sprintf("%s/%d", op, n), ir.Shape{n}, ir.Shape{n}, bin(op)})
		}
		cs = append(cs, opCase{fmt.Sprintf("%s/bcast", op), ir.Shape{2, 3}, ir.Shape{3}, bin(op)})
	}
	for _, op := range []ir.Op{ir.OpNeg, ir.OpAbs, ir.OpSqrt, ir.OpExp, ir.OpTanh} {
		for _, n := range []int{5, 12, 80} {
			cs = append(cs, opCase{fmt.Sprintf("%s/%d", op, n), ir.Shape{n}, nil, func(g *ir.Graph, x, _ *ir.Value) (*ir.Value, error) {
				if op == ir.OpSqrt {
					a, _ := g.Unary(ir.OpAbs, x)
					return g.Unary(op, a)
				}
				return g.Unary(op, x)
			}})
		}
	}
	cs = append(cs, opCase{"log", ir.Shape{9}, nil, func(g *ir.Graph, x, _ *ir.Value) (*ir.Value, error) {
		a, _ := g.Unary(ir.OpAbs, x)
		b, _ := g.Binary(ir.OpAdd, a, g.Scalar(0.01))
		return g.Unary(ir.OpLog, b)
	}})
	for _, e := range []float64{0, 1, 2, 3, 5, -1, -2, 0.5} {
		cs = append(cs, opCase{fmt.Sprintf("pow%v", e), ir.Shape{6}, nil, func(g *ir.Graph, x, _ *ir.Value) (*ir.Value, error) {
			if e == 0.5 || e < 0 {
				a, _ := g.Unary(ir.OpAbs, x)
				x, _ = g.Binary(ir.OpAdd, a, g.Scalar(0.5))
			}
			return g.Pow(x, e), nil
		}})
	}
	// NEON operands read through views: a computed scalar broadcast (a
	// splat: FMUL by element for a product, DUP otherwise), unrolled and
	// looped, and rows of four or eight broadcast over a matrix.
	for _, op := range []ir.Op{ir.OpMul, ir.OpSub, ir.OpGreater} {
		for _, n := range []int{6, 8, 70} {
			cs = append(cs, opCase{fmt.Sprintf("%s/splat%d", op, n), ir.Shape{n}, ir.Shape{1}, func(g *ir.Graph, x, p *ir.Value) (*ir.Value, error) {
				s, _ := g.Binary(ir.OpAdd, p, g.Scalar(0.5)) // computed: in scratch
				return g.Binary(op, s, x)
			}})
		}
		// A slice starting one element in: chunks four consecutive
		// elements apart from a 16-byte boundary.
		cs = append(cs, opCase{fmt.Sprintf("%s/slice", op), ir.Shape{10}, ir.Shape{8}, func(g *ir.Graph, x, p *ir.Value) (*ir.Value, error) {
			s, err := g.Slice(x, []ir.Sel{{Start: 1, Step: 1, Len: 8}})
			if err != nil {
				return nil, err
			}
			return g.Binary(op, s, p)
		}})
		for _, rows := range [][2]int{{3, 4}, {2, 8}, {2, 6}} {
			cs = append(cs, opCase{fmt.Sprintf("%s/rows%dx%d", op, rows[0], rows[1]), ir.Shape{rows[0], rows[1]}, ir.Shape{rows[1]}, bin(op)})
		}
	}
	for _, n := range []int{7, 20} {
		cs = append(cs, opCase{fmt.Sprintf("where/%d", n), ir.Shape{n}, ir.Shape{n}, func(g *ir.Graph, x, p *ir.Value) (*ir.Value, error) {
			c, _ := g.Binary(ir.OpGreater, x, g.Scalar(0))
			return g.Where(c, x, p)
		}})
	}
	// A transposed left operand with rows in fours (matmulColumns).
	for _, sh := range [][3]int{{2, 4, 3}, {3, 8, 5}, {1, 4, 1}} {
		cs = append(cs, opCase{fmt.Sprintf("matmul(x.T)%v", sh), ir.Shape{sh[0], sh[1]}, ir.Shape{sh[0], sh[2]}, func(g *ir.Graph, x, p *ir.Value) (*ir.Value, error) {
			return g.MatMul(g.Transpose(x), p)
		}})
	}
	// MatMul: every 1-D/2-D combination, unrolled and looped, with tails.
	mm := func(a, b ir.Shape, transposeP bool) opCase {
		ps := b
		if transposeP {
			ps = ir.Shape{b[1], b[0]}
		}
		return opCase{fmt.Sprintf("matmul%v%v/T=%v", a, b, transposeP), a, ps, func(g *ir.Graph, x, p *ir.Value) (*ir.Value, error) {
			if transposeP {
				p = g.Transpose(p)
			}
			return g.MatMul(x, p)
		}}
	}
	cs = append(cs,
		mm(ir.Shape{4}, ir.Shape{4}, false), mm(ir.Shape{4}, ir.Shape{4, 3}, false),
		mm(ir.Shape{2, 4}, ir.Shape{4}, false), mm(ir.Shape{2, 4}, ir.Shape{4, 5}, false),
		mm(ir.Shape{2, 4}, ir.Shape{4, 5}, true),
		mm(ir.Shape{70}, ir.Shape{70}, false), mm(ir.Shape{70}, ir.Shape{70, 3}, false),
		mm(ir.Shape{3, 70}, ir.Shape{70}, false), mm(ir.Shape{3, 66}, ir.Shape{66, 45}, false),
		mm(ir.Shape{2, 5}, ir.Shape{5, 67}, true), mm(ir.Shape{5}, ir.Shape{5, 100}, false),
		// Loops over rows (more than unrollMACs multiply-adds), B
		// through its view (transposed: matmulT), NEON.
		mm(ir.Shape{9, 3}, ir.Shape{3, 2}, false), mm(ir.Shape{9, 4}, ir.Shape{4, 3}, false),
		mm(ir.Shape{9, 5}, ir.Shape{5, 3}, false), mm(ir.Shape{10, 4}, ir.Shape{4, 5}, true),
		mm(ir.Shape{9, 2}, ir.Shape{2, 70}, false), mm(ir.Shape{12, 66}, ir.Shape{66, 5}, false),
		// Four-register LD1 loops (rowBlockLD1): blocks of 32 and 16
		// columns, no loop at all (n = 4), and in a loop over rows.
		mm(ir.Shape{12}, ir.Shape{12, 32}, false), mm(ir.Shape{4}, ir.Shape{4, 80}, false),
		mm(ir.Shape{3, 8}, ir.Shape{8, 48}, false), mm(ir.Shape{2, 16}, ir.Shape{16, 16}, false),
		// Six and eight rows an iteration (ld1Rows), with 2 or 4 rows
		// before the loop, alone and in a loop over rows.
		mm(ir.Shape{16}, ir.Shape{16, 32}, false), mm(ir.Shape{20}, ir.Shape{20, 48}, false),
		mm(ir.Shape{2, 24}, ir.Shape{24, 16}, false), mm(ir.Shape{2, 36}, ir.Shape{36, 16}, false),
		// Four-row loops with a tail (rowBlockTail), alone and in a
		// loop over rows.
		mm(ir.Shape{64}, ir.Shape{64, 10}, false), mm(ir.Shape{3, 8}, ir.Shape{8, 13}, false))
	// NEON loops (vecLoopChunks chunks or more) with leftover chunks and tail.
	for _, op := range []ir.Op{ir.OpSub, ir.OpLess, ir.OpNotEqual} {
		cs = append(cs, opCase{fmt.Sprintf("%s/loop", op), ir.Shape{150}, ir.Shape{150}, bin(op)})
	}
	cs = append(cs, opCase{"neg/loop", ir.Shape{131}, nil, func(g *ir.Graph, x, _ *ir.Value) (*ir.Value, error) {
		return g.Unary(ir.OpNeg, x)
	}}, opCase{"where/loop", ir.Shape{150}, ir.Shape{150}, func(g *ir.Graph, x, p *ir.Value) (*ir.Value, error) {
		c, _ := g.Binary(ir.OpGreater, x, g.Scalar(0))
		return g.Where(c, x, p)
	}}, opCase{"mul-uniform/loop", ir.Shape{2, 64}, nil, func(g *ir.Graph, x, _ *ir.Value) (*ir.Value, error) {
		return g.Binary(ir.OpMul, x, g.Scalar(0.75))
	}})
	for _, op := range []ir.Op{ir.OpReduceSum, ir.OpReduceMean, ir.OpReduceMax, ir.OpReduceMin} {
		for _, ax := range []int{-1, 0, 1, 2} {
			cs = append(cs, opCase{fmt.Sprintf("%s/axis%d", op, ax), ir.Shape{2, 3, 4}, nil, func(g *ir.Graph, x, _ *ir.Value) (*ir.Value, error) {
				return g.Reduce(op, x, max(ax, 0), ax < 0, ax == 1)
			}})
		}
	}
	// Reduction loops (reduceLoopMin elements or more): strided, and rows.
	for _, op := range []ir.Op{ir.OpReduceSum, ir.OpReduceMean, ir.OpReduceMax} {
		cs = append(cs, opCase{fmt.Sprintf("%s/loop-strided", op), ir.Shape{3, 70, 2}, nil, func(g *ir.Graph, x, _ *ir.Value) (*ir.Value, error) {
			return g.Reduce(op, x, 1, false, false)
		}}, opCase{fmt.Sprintf("%s/loop-rows", op), ir.Shape{4, 66}, nil, func(g *ir.Graph, x, _ *ir.Value) (*ir.Value, error) {
			return g.Reduce(op, x, 1, false, true)
		}}, opCase{fmt.Sprintf("%s/loop-all-of-view", op), ir.Shape{9, 10}, nil, func(g *ir.Graph, x, _ *ir.Value) (*ir.Value, error) {
			return g.Reduce(op, g.Transpose(x), 0, true, false)
		}})
	}
	// Copy loops: a transposed output, a row broadcast, a reversed slice.
	cs = append(cs, opCase{"output is transposed view/loop", ir.Shape{9, 10}, nil, func(g *ir.Graph, x, _ *ir.Value) (*ir.Value, error) {
		return g.Transpose(x), nil
	}}, opCase{"transposed operand/loop", ir.Shape{9, 12}, ir.Shape{12, 9}, func(g *ir.Graph, x, p *ir.Value) (*ir.Value, error) {
		return g.Binary(ir.OpSub, g.Transpose(x), p)
	}}, opCase{"reversed slice/loop", ir.Shape{70}, nil, func(g *ir.Graph, x, _ *ir.Value) (*ir.Value, error) {
		return g.Slice(x, []ir.Sel{{Start: 69, Step: -1, Len: 70}})
	}})
	cs = append(cs, opCase{"slice+reshape", ir.Shape{4, 3}, nil, func(g *ir.Graph, x, _ *ir.Value) (*ir.Value, error) {
		s, err := g.Slice(x, []ir.Sel{{Start: 3, Step: -2, Len: 2}, {Start: 1, Step: 1, Len: 1, Drop: true}})
		if err != nil {
			return nil, err
		}
		return g.Reshape(s, ir.Shape{1, 2})
	}})
	cs = append(cs, opCase{"output is input view", ir.Shape{2, 3}, nil, func(g *ir.Graph, x, _ *ir.Value) (*ir.Value, error) {
		return g.Transpose(x), nil
	}})
	return cs
}

// compileCase compiles the graph build makes of an input x of shape in and,
// unless ps is nil, a trainable parameter P of shape ps starting at init.
func compileCase(t *testing.T, in, ps ir.Shape, init []float32, build func(g *ir.Graph, x, p *ir.Value) (*ir.Value, error)) (*ir.Graph, *Code) {
	t.Helper()
	g := ir.New()
	x := g.Input("x", in)
	var p *ir.Value
	var params []ir.Param
	if ps != nil {
		p = g.Param("P", ps, init, true)
		params = []ir.Param{{Name: "P", Shape: ps, Init: init, Trainable: true, Value: p}}
	}
	out, err := build(g, x, p)
	if err != nil {
		t.Fatal(err)
	}
	g.Output = out
	c, err := Compile(g, params)
	if err != nil {
		t.Fatal(err)
	}
	return g, c
}

// TestOps runs each supported op, in each kernel strategy, against the
// ir interpreter (NumPy is checked on the models).
func TestOps(t *testing.T) {
	needRunner(t)
	r := rand.New(rand.NewPCG(1, 2))
	for _, tc := range opCases() {
		t.Run(tc.name, func(t *testing.T) {
			var init []float32
			if tc.p != nil {
				init = make([]float32, tc.p.Size())
				for i := range init {
					init[i] = float32(r.IntN(65)-32) / 16
				}
			}
			g, c := compileCase(t, tc.in, tc.p, init, tc.build)
			inputs := testInputs(tc.in, 4, 9)
			got := execCode(t, c, inputs)
			for k, in := range inputs {
				ref, err := ir.Eval(g, in, nil)
				if err != nil {
					t.Fatal(err)
				}
				want := make([]float64, len(ref))
				for i, f := range ref {
					want[i] = float64(f)
				}
				if err := numpytest.CloseTo(got[k], want, 1e-5); err != nil {
					t.Errorf("input %v: %v\n%s", in, err, c.Listing)
				}
			}
		})
	}
}

func TestUnsupported(t *testing.T) {
	for _, tc := range []struct {
		build func(g *ir.Graph, x *ir.Value) *ir.Value
		want  string
	}{
		{func(g *ir.Graph, x *ir.Value) *ir.Value { v, _ := g.Binary(ir.OpMod, x, g.Scalar(2)); return v }, "op mod is not supported"},
		{func(g *ir.Graph, x *ir.Value) *ir.Value { v, _ := g.Binary(ir.OpFloorDiv, x, g.Scalar(2)); return v }, "op floordiv is not supported"},
		{func(g *ir.Graph, x *ir.Value) *ir.Value { return g.Pow(x, 1.25) }, "pow with exponent 1.25 is not supported"},
	} {
		g := ir.New()
		x := g.Input("x", ir.Shape{3})
		g.Output = tc.build(g, x)
		_, err := Compile(g, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got error %v, want one containing %q", err, tc.want)
		}
	}
}

// TestParamLayout checks the documented state layout.
func TestParamLayout(t *testing.T) {
	slots, size := ParamLayout([]ir.Param{{Name: "a", Shape: ir.Shape{3}}, {Name: "b"}, {Name: "c", Shape: ir.Shape{2, 2}}})
	var got []int
	for _, s := range slots {
		got = append(got, s.Offset, s.Bytes)
	}
	if fmt.Sprint(got, size) != "[0 12 16 4 32 16] 48" {
		t.Errorf("layout %v size %d", got, size)
	}
}
