package codegen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	A "github.com/muscles/referee/compiler/arm64"
	"github.com/muscles/referee/compiler/ir"
)

var comparisonOps = []ir.Op{ir.OpLess, ir.OpLessEq, ir.OpGreater, ir.OpGreaterEq, ir.OpEqual, ir.OpNotEqual}

// whereCase is np.where(a OP b, t, f) over an input x of shape in and a
// parameter P of shape p.
type whereCase struct {
	name  string
	in, p ir.Shape
	build func(g *ir.Graph, x, p *ir.Value) (*ir.Value, error)
}

// whereOn returns np.where(a OP b, t, f) built from the operands' builders.
func whereOn(op ir.Op, ab func(g *ir.Graph, x, p *ir.Value) (*ir.Value, *ir.Value), tf func(g *ir.Graph, x, p *ir.Value) (*ir.Value, *ir.Value)) func(g *ir.Graph, x, p *ir.Value) (*ir.Value, error) {
	return func(g *ir.Graph, x, p *ir.Value) (*ir.Value, error) {
		a, b := ab(g, x, p)
		c, err := g.Binary(op, a, b)
		if err != nil {
			return nil, err
		}
		t, f := tf(g, x, p)
		return g.Where(c, t, f)
	}
}

func whereCases() []whereCase {
	xp := func(g *ir.Graph, x, p *ir.Value) (*ir.Value, *ir.Value) { return x, p }
	x0 := func(g *ir.Graph, x, _ *ir.Value) (*ir.Value, *ir.Value) { return x, g.Scalar(0) }
	negZeroX := func(g *ir.Graph, x, _ *ir.Value) (*ir.Value, *ir.Value) {
		return g.Scalar(float32(math.Copysign(0, -1))), x
	}
	// The alternatives: the comparison's own operands (read once), and
	// two computed values (four operands in memory: a loop needs a
	// fourth pointer).
	same := func(g *ir.Graph, x, p *ir.Value) (*ir.Value, *ir.Value) { return x, p }
	computed := func(g *ir.Graph, x, p *ir.Value) (*ir.Value, *ir.Value) {
		t, _ := g.Binary(ir.OpMul, x, g.Scalar(2))
		f, _ := g.Unary(ir.OpNeg, p)
		return t, f
	}
	consts := func(g *ir.Graph, x, _ *ir.Value) (*ir.Value, *ir.Value) {
		return g.Scalar(0.5), x
	}
	var cs []whereCase
	for _, op := range comparisonOps {
		// 1..3 elements: scalar; 4 and 7: NEON (with a tail); 70: the
		// NEON loop, leftover chunk and tail.
		for _, n := range []int{1, 2, 3, 4, 7, 70} {
			s := ir.Shape{n}
			cs = append(cs,
				whereCase{fmt.Sprintf("%s/%d/same", op, n), s, s, whereOn(op, xp, same)},
				whereCase{fmt.Sprintf("%s/%d/computed", op, n), s, s, whereOn(op, xp, computed)},
				whereCase{fmt.Sprintf("%s/%d/zero", op, n), s, s, whereOn(op, x0, consts)},
				whereCase{fmt.Sprintf("%s/%d/zero-left", op, n), s, s, whereOn(op, negZeroX, computed)})
		}
		// A condition broadcast over rows (the Where reads the
		// comparison through a view).
		cs = append(cs, whereCase{fmt.Sprintf("%s/bcast", op), ir.Shape{3}, ir.Shape{2, 3}, func(g *ir.Graph, x, p *ir.Value) (*ir.Value, error) {
			c, err := g.Binary(op, x, g.Scalar(0.5))
			if err != nil {
				return nil, err
			}
			return g.Where(c, p, x)
		}})
		// The comparison also read elsewhere: it keeps its kernel.
		cs = append(cs, whereCase{fmt.Sprintf("%s/other-use", op), ir.Shape{7}, ir.Shape{7}, func(g *ir.Graph, x, p *ir.Value) (*ir.Value, error) {
			c, err := g.Binary(op, x, p)
			if err != nil {
				return nil, err
			}
			w, err := g.Where(c, x, p)
			if err != nil {
				return nil, err
			}
			return g.Binary(ir.OpAdd, w, c)
		}})
	}
	return cs
}

// whereValues are the values the inputs and parameters are drawn from:
// NaN, both zeros, infinities and a few values the others equal.
var whereValues = []float32{float32(math.NaN()), 0, float32(math.Copysign(0, -1)), 1, -1, 0.5, -0.5, 2,
	float32(math.Inf(1)), float32(math.Inf(-1))}

func whereData(r *rand.Rand, n int) []float32 {
	d := make([]float32, n)
	for i := range d {
		d[i] = whereValues[r.IntN(len(whereValues))]
	}
	return d
}

// TestWhereOnComparison runs np.where over each comparison, on NaN, zero
// and infinite operands among others, in each kernel strategy, and checks
// every output's bits against the ir interpreter.
func TestWhereOnComparison(t *testing.T) {
	needRunner(t)
	r := rand.New(rand.NewPCG(7, 8))
	for _, tc := range whereCases() {
		t.Run(tc.name, func(t *testing.T) {
			init := whereData(r, tc.p.Size())
			g, c := compileCase(t, tc.in, tc.p, init, tc.build)
			inputs := make([][]float32, 6)
			for k := range inputs {
				inputs[k] = whereData(r, tc.in.Size())
			}
			got := execCode(t, c, inputs)
			for k, in := range inputs {
				want, err := ir.Eval(g, in, nil)
				if err != nil {
					t.Fatal(err)
				}
				for i := range want {
					if math.Float32bits(got[k][i]) != math.Float32bits(want[i]) {
						t.Fatalf("input %v, P %v: element %d is %v, want %v\n%s", in, init, i, got[k][i], want[i], c.Listing)
					}
				}
			}
		})
	}
}

// TestWhereSelectsOnComparison checks that a Where on a comparison that
// nothing else reads selects on the comparison itself: no 1.0/0.0 is
// materialized and tested again against zero.
func TestWhereSelectsOnComparison(t *testing.T) {
	for _, op := range comparisonOps {
		for _, n := range []int{3, 8, 70} {
			g := ir.New()
			x := g.Input("x", ir.Shape{n})
			p := g.Param("P", ir.Shape{n}, make([]float32, n), true)
			c, _ := g.Binary(op, x, p)
			t2, _ := g.Binary(ir.OpMul, x, g.Scalar(2))
			w, err := g.Where(c, t2, p)
			if err != nil {
				t.Fatal(err)
			}
			g.Output = w
			code, err := Compile(g, []ir.Param{{Name: "P", Shape: ir.Shape{n}, Init: make([]float32, n), Trainable: true, Value: p}})
			if err != nil {
				t.Fatal(err)
			}
			count := map[A.Op]int{}
			for _, in := range code.Instrs {
				count[in.Op]++
			}
			if k := count[A.FCMPZero] + count[A.VFCMEQZero] + count[A.VAND] + count[A.VBIC]; k != 0 {
				t.Errorf("%s/%d: %d instructions materialize or test again the comparison\n%s", op, n, k, code.Listing)
			}
		}
	}
}

// TestComparisonsFirst: a comparison of the input is emitted before the
// kernels on computed values that precede it in the graph, and its
// FCMP+FCSEL come before the Where's.
func TestComparisonsFirst(t *testing.T) {
	g := ir.New()
	x := g.Input("x", ir.Shape{3})
	y, _ := g.Binary(ir.OpMul, x, g.Const(ir.Shape{3}, []float32{0.5, -1, 2}))
	c, _ := g.Binary(ir.OpGreater, y, g.Scalar(0))
	w, _ := g.Where(c, y, g.Scalar(0))
	mask, _ := g.Binary(ir.OpLessEq, x, g.Scalar(0.25))
	out, _ := g.Binary(ir.OpSub, w, mask)
	g.Output = out
	order := comparisonsFirst(g).Values
	if i, j := slices.Index(order, mask), slices.Index(order, y); i < 0 || i > j {
		t.Fatalf("mask at %d, y at %d: %v", i, j, order)
	}
	if len(order) != len(g.Values) || g.Values[len(g.Values)-1] != out {
		t.Fatalf("graph changed or values lost")
	}
	code, err := Compile(g, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The mask's FCMP (against 0.25 in a register) comes before the
	// Where's (against #0.0): the scheduler keeps the flags' order.
	for _, in := range code.Instrs {
		if in.Op == A.FCMPZero {
			t.Fatalf("the Where's FCMP #0.0 comes before the mask's\n%s", code.Listing)
		}
		if in.Op == A.FCMP {
			break
		}
	}
}
