package ir

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// must returns v, panicking (failing the test) on a builder error.
func must(v *Value, err error) *Value {
	if err != nil {
		panic(err)
	}
	return v
}

func countOp(g *Graph, op Op) int {
	n := 0
	for _, v := range g.Values {
		if v.Op == op {
			n++
		}
	}
	return n
}

func TestShapeErrors(t *testing.T) {
	g := New()
	a := g.Input("a", Shape{3})
	b := g.Const(Shape{4}, make([]float32, 4))
	m := g.Const(Shape{2, 3}, make([]float32, 6))
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"dot", second(g.MatMul(a, b)), "shapes (3,) and (4,) not aligned"},
		{"matmul 2-D", second(g.MatMul(m, m)), "shapes (2, 3) and (2, 3) not aligned"},
		{"add", second(g.Binary(OpAdd, a, b)), "operands could not be broadcast together with shapes (3,) (4,)"},
		{"axis", second(g.Reduce(OpReduceSum, m, 2, false, false)), "axis 2 is out of bounds for array of dimension 2"},
		{"reshape", second(g.Reshape(m, Shape{4, -1})), "cannot reshape array of size 6 into shape (4, -1)"},
		{"slice", second(g.Slice(a, []Sel{{Start: 0, Step: 1, Len: 1}, {}})), "too many indices for array: array is 1-dimensional, but 2 were indexed"},
	}
	for _, tc := range tests {
		if tc.err == nil || tc.err.Error() != tc.want {
			t.Errorf("%s: error %v, want %q", tc.name, tc.err, tc.want)
		}
	}
}

func second(_ *Value, err error) error { return err }

func TestShapes(t *testing.T) {
	g := New()
	v := g.Input("v", Shape{3})
	m := g.Input("m", Shape{2, 3})
	n := g.Input("n", Shape{3, 4})
	c := g.Input("c", Shape{2, 1})
	tests := []struct {
		v    *Value
		want string
	}{
		{must(g.MatMul(v, v)), "()"},
		{must(g.MatMul(m, v)), "(2,)"},
		{must(g.MatMul(v, n)), "(4,)"},
		{must(g.MatMul(m, n)), "(2, 4)"},
		{must(g.Binary(OpMul, m, c)), "(2, 3)"},
		{must(g.Binary(OpAdd, v, c)), "(2, 3)"},
		{must(g.Reduce(OpReduceSum, m, 1, false, true)), "(2, 1)"},
		{must(g.Reduce(OpReduceMax, m, -2, false, false)), "(3,)"},
		{must(g.Reduce(OpReduceMean, m, 0, true, true)), "(1, 1)"},
		{g.Transpose(m), "(3, 2)"},
		{must(g.Reshape(m, Shape{-1})), "(6,)"},
		{must(g.Where(c, v, m)), "(2, 3)"},
	}
	for i, tc := range tests {
		if got := tc.v.Shape.String(); got != tc.want {
			t.Errorf("case %d (%s): shape %s, want %s", i, tc.v.Op, got, tc.want)
		}
	}
}

func TestEvalKernels(t *testing.T) {
	g := New()
	x := g.Input("x", Shape{2, 3})
	row := g.Const(Shape{3}, []float32{1, 2, 3})
	tests := []struct {
		v    *Value
		want string
	}{
		{must(g.Binary(OpAdd, x, row)), "[1 3 5 4 6 8]"},
		{must(g.Binary(OpMod, x, g.Scalar(-4))), "[0 -3 -2 -1 0 -3]"},
		{must(g.Binary(OpFloorDiv, x, g.Scalar(2))), "[0 0 1 1 2 2]"},
		{must(g.Binary(OpGreater, x, g.Scalar(2))), "[0 0 0 1 1 1]"},
		{must(g.Reduce(OpReduceSum, x, 0, false, false)), "[3 5 7]"},
		{must(g.Reduce(OpReduceMax, x, 1, false, true)), "[2 5]"},
		{must(g.Reduce(OpReduceMean, x, 0, true, false)), "[2.5]"},
		{must(g.Reduce(OpReduceMin, x, -1, false, false)), "[0 3]"},
		{g.Transpose(x), "[0 3 1 4 2 5]"},
		{must(g.MatMul(x, row)), "[8 26]"},
		{must(g.MatMul(g.Transpose(x), g.Const(Shape{2}, []float32{1, -1}))), "[-3 -3 -3]"},
		{must(g.Slice(x, []Sel{{Start: 1, Drop: true}, {Start: 2, Step: -2, Len: 2}})), "[5 3]"},
		{must(g.Where(must(g.Binary(OpLess, x, g.Scalar(3))), x, g.Scalar(-1))), "[0 1 2 -1 -1 -1]"},
		{must(g.Clip(x, g.Scalar(1), g.Scalar(4))), "[1 1 2 3 4 4]"},
		{g.Pow(x, 2), "[0 1 4 9 16 25]"},
		{must(g.Unary(OpNeg, x)), "[-0 -1 -2 -3 -4 -5]"},
		{must(g.Broadcast(must(g.Reshape(row, Shape{3, 1})), Shape{3, 2})), "[1 1 2 2 3 3]"},
	}
	in := []float32{0, 1, 2, 3, 4, 5}
	for i, tc := range tests {
		g.Output = tc.v
		got, err := Eval(g, in, nil)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if fmt.Sprint(got) != tc.want {
			t.Errorf("case %d (%s): got %v, want %s", i, tc.v, got, tc.want)
		}
	}
}

func TestSliceSel(t *testing.T) {
	ip := func(i int) *int { return &i }
	tests := []struct {
		lo, hi, step *int
		want         string
	}{
		{nil, nil, nil, "0:+1*5"},
		{ip(1), ip(-1), nil, "1:+1*3"},
		{nil, nil, ip(-1), "4:+-1*5"},
		{ip(-2), nil, nil, "3:+1*2"},
		{nil, nil, ip(2), "0:+2*3"},
		{ip(3), ip(1), nil, "3:+1*0"},
	}
	for _, tc := range tests {
		s, err := SliceSel(tc.lo, tc.hi, tc.step, 5)
		if err != nil || s.String() != tc.want {
			t.Errorf("slice: got %v %v, want %s", s, err, tc.want)
		}
	}
	if _, err := IndexSel(-6, 5); err == nil {
		t.Error("index -6 on size 5: no error")
	}
}

// smallGraph is x*1 + (2*3) with a dead branch exp(x).
func smallGraph(t *testing.T) (*Graph, *Value) {
	g := New()
	x := g.Input("x", Shape{2})
	one := g.Scalar(1)
	xm := must(g.Binary(OpMul, x, one))
	c := must(g.Binary(OpMul, g.Scalar(2), g.Scalar(3)))
	must(g.Unary(OpExp, x)) // dead
	g.Output = must(g.Binary(OpAdd, xm, c))
	return g, x
}

func TestFold(t *testing.T) {
	g, _ := smallGraph(t)
	Fold(g)
	// 2*3 folded to 6; broadcasts of constants folded too.
	if n := countOp(g, OpBroadcast); n != 0 {
		t.Errorf("%d broadcasts left after fold:\n%s", n, g)
	}
	found := false
	for _, v := range g.Values {
		if v.Op == OpConst && fmt.Sprint(v.Data) == "[6 6]" {
			found = true
		}
	}
	if !found {
		t.Errorf("2*3 not folded:\n%s", g)
	}
	if n := countOp(g, OpMul); n != 1 {
		t.Errorf("fold left %d muls, want 1 (x*1):\n%s", n, g)
	}
}

// negZero32 is float32 -0.
var negZero32 = float32(math.Copysign(0, -1))

func TestSimplify(t *testing.T) {
	g, x := smallGraph(t)
	Simplify(g)
	add := g.Output
	if add.Op != OpAdd || add.Args[0] != x {
		t.Errorf("x*1 not removed:\n%s", g)
	}
	tests := []struct {
		build func(g *Graph, x *Value) *Value
		want  string // the output after Simplify + DCE
	}{
		// x + (-0) is x, but x + (+0) is +0 for x = -0: kept.
		{func(g *Graph, x *Value) *Value { return must(g.Binary(OpAdd, x, g.Scalar(negZero32))) }, "%0 = input x (2,)\nreturn %0\n"},
		{func(g *Graph, x *Value) *Value { return must(g.Binary(OpAdd, g.Scalar(negZero32), x)) }, "%0 = input x (2,)\nreturn %0\n"},
		{func(g *Graph, x *Value) *Value { return must(g.Binary(OpAdd, x, g.Scalar(0))) }, "keep"},
		{func(g *Graph, x *Value) *Value { return must(g.Binary(OpAdd, g.Scalar(0), x)) }, "keep"},
		{func(g *Graph, x *Value) *Value { return must(g.Binary(OpSub, x, g.Scalar(0))) }, "%0 = input x (2,)\nreturn %0\n"},
		{func(g *Graph, x *Value) *Value { return must(g.Binary(OpSub, x, g.Scalar(negZero32))) }, "keep"},
		{func(g *Graph, x *Value) *Value { return must(g.Binary(OpDiv, x, g.Scalar(1))) }, "%0 = input x (2,)\nreturn %0\n"},
		{func(g *Graph, x *Value) *Value { return g.Pow(x, 1) }, "%0 = input x (2,)\nreturn %0\n"},
		{func(g *Graph, x *Value) *Value { return g.Pow(x, 2) }, "%0 = input x (2,)\n%1 = mul %0 %0 (2,)\nreturn %1\n"},
		{func(g *Graph, x *Value) *Value {
			return must(g.Unary(OpNeg, must(g.Unary(OpNeg, x))))
		}, "%0 = input x (2,)\nreturn %0\n"},
		// (-0) - x is -x; (+0) - x is +0 for x = +0: kept.
		{func(g *Graph, x *Value) *Value { return must(g.Binary(OpSub, g.Scalar(negZero32), x)) }, "%0 = input x (2,)\n%1 = neg %0 (2,)\nreturn %1\n"},
		{func(g *Graph, x *Value) *Value { return must(g.Binary(OpSub, g.Scalar(0), x)) }, "keep"},
		{func(g *Graph, x *Value) *Value { return must(g.Broadcast(g.Scalar(3), Shape{2})) }, "%0 = input x (2,)\n%1 = const (2,) [3 3]\nreturn %1\n"},
		// where(comparison, 1, 0) is the comparison; with -0 or the other
		// way round it is kept.
		{func(g *Graph, x *Value) *Value {
			return must(g.Where(must(g.Binary(OpLessEq, x, g.Scalar(0.25))), g.Scalar(1), g.Scalar(0)))
		}, "%0 = input x (2,)\n%1 = const (2,) [0.25 0.25]\n%2 = le %0 %1 (2,)\nreturn %2\n"},
		{func(g *Graph, x *Value) *Value {
			return must(g.Where(must(g.Binary(OpLessEq, x, g.Scalar(0.25))), g.Scalar(1), g.Scalar(float32(math.Copysign(0, -1)))))
		}, "keep"},
		{func(g *Graph, x *Value) *Value {
			return must(g.Where(must(g.Binary(OpLessEq, x, g.Scalar(0.25))), g.Scalar(0), g.Scalar(1)))
		}, "keep"},
		// x*1 where the 1 broadcasts x to a larger shape keeps the broadcast.
		{func(g *Graph, x *Value) *Value {
			return must(g.Binary(OpMul, x, g.Const(Shape{3, 1}, []float32{1, 1, 1})))
		}, "%0 = input x (2,)\n%1 = broadcast %0 (3, 2)\nreturn %1\n"},
	}
	for i, tc := range tests {
		g := New()
		x := g.Input("x", Shape{2})
		g.Output = tc.build(g, x)
		op := g.Output.Op
		// The signed zeros among the inputs: fmt prints -0 as "-0".
		ins := [][]float32{{1.5, -2}, {0, negZero32}}
		var before []string
		for _, in := range ins {
			out, err := Eval(g, in, nil)
			if err != nil {
				t.Fatal(err)
			}
			before = append(before, fmt.Sprint(out))
		}
		Simplify(g)
		DCE(g)
		if tc.want == "keep" {
			if g.Output.Op != op {
				t.Errorf("case %d: %s simplified away:\n%s", i, op, g)
			}
		} else if got := g.String(); got != tc.want {
			t.Errorf("case %d: after simplify+dce:\n%s\nwant:\n%s", i, got, tc.want)
		}
		for j, in := range ins {
			after, err := Eval(g, in, nil)
			if err != nil || fmt.Sprint(after) != before[j] {
				t.Errorf("case %d on %v: output %v %v, was %v", i, in, after, err, before[j])
			}
		}
	}
}

func TestDCE(t *testing.T) {
	g, _ := smallGraph(t)
	g.Param("unused", Shape{}, []float32{1}, true)
	n := len(g.Values)
	DCE(g)
	if countOp(g, OpExp) != 0 {
		t.Errorf("dead exp kept:\n%s", g)
	}
	if countOp(g, OpParam) != 1 || countOp(g, OpInput) != 1 {
		t.Errorf("DCE removed the input or a parameter:\n%s", g)
	}
	if len(g.Values) != n-1 {
		t.Errorf("DCE kept %d of %d values, want %d", len(g.Values), n, n-1)
	}
	for i, v := range g.Values {
		if v.ID != i {
			t.Errorf("value %d has ID %d after DCE", i, v.ID)
		}
	}
}

func TestPipeline(t *testing.T) {
	g, _ := smallGraph(t)
	in := []float32{1, 2}
	want, _ := Eval(g, in, nil)
	if err := RunPasses(g, Passes, "simplify"); err != nil {
		t.Fatal(err)
	}
	if countOp(g, OpExp) != 1 {
		t.Errorf("RunPasses ran past simplify:\n%s", g)
	}
	if err := RunPasses(g, Passes, "nope"); err == nil {
		t.Error("unknown pass name: no error")
	}
	want2 := "%0 = input x (2,)\n%1 = const (2,) [6 6]\n%2 = add %0 %1 (2,)\nreturn %2\n"
	if got := g.String(); got != want2 {
		t.Errorf("after all passes:\n%s\nwant:\n%s", got, want2)
	}
	got, _ := Eval(g, in, nil)
	if fmt.Sprint(got) != fmt.Sprint(want) || fmt.Sprint(got) != "[7 8]" {
		t.Errorf("output %v, want %v", got, want)
	}
}

func TestEvalErrors(t *testing.T) {
	g := New()
	x := g.Input("x", Shape{2})
	p := g.Param("p", Shape{2}, []float32{1, 2}, true)
	g.Output = must(g.Binary(OpAdd, x, p))
	if _, err := Eval(g, []float32{1}, nil); err == nil || !strings.Contains(err.Error(), "input x has shape (2,)") {
		t.Errorf("short input: %v", err)
	}
	got, err := Eval(g, []float32{1, 1}, map[string][]float32{"p": {10, 20}})
	if err != nil || fmt.Sprint(got) != "[11 21]" {
		t.Errorf("params override: %v %v", got, err)
	}
}
