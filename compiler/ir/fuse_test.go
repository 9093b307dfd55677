package ir

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// denseGraph builds act(x @ W + bias) with x of shape in, W (n, m) and the
// given bias; build adds the activation.
type fuseCase struct {
	name  string
	build func(g *Graph, x, w *Value) *Value
	in    Shape
	w     Shape
	dense int    // OpDense values after the passes
	act   Act    // of the output, if it is an OpDense
	ops   []Op   // other ops that must remain
	none  []Op   // ops that must be gone
	extra string // substring of the dump
}

func addBias(g *Graph, mm *Value, b *Value) *Value { return must(g.Binary(OpAdd, mm, b)) }

func fuseCases() []fuseCase {
	zero := func(g *Graph) *Value { return g.Scalar(0) }
	vec := func(g *Graph, m int) *Value {
		d := make([]float32, m)
		for i := range d {
			d[i] = float32(i)/4 - 0.3
		}
		return g.Param("b", Shape{m}, d, true)
	}
	return []fuseCase{
		{name: "relu max(0,x) vector bias", in: Shape{4}, w: Shape{4, 3},
			build: func(g *Graph, x, w *Value) *Value {
				return must(g.Binary(OpMax, zero(g), addBias(g, must(g.MatMul(x, w)), vec(g, 3))))
			}, dense: 1, act: ActReluZeroX, none: []Op{OpMatMul, OpAdd, OpMax}},
		{name: "relu max(x,0) bias first", in: Shape{4}, w: Shape{4, 3},
			build: func(g *Graph, x, w *Value) *Value {
				return must(g.Binary(OpMax, addBias(g, vec(g, 3), must(g.MatMul(x, w))), zero(g)))
			}, dense: 1, act: ActReluXZero, none: []Op{OpMatMul, OpAdd, OpMax}},
		{name: "tanh scalar bias", in: Shape{4}, w: Shape{4, 3},
			build: func(g *Graph, x, w *Value) *Value {
				return must(g.Unary(OpTanh, addBias(g, must(g.MatMul(x, w)), g.Param("b", nil, []float32{0.25}, true))))
			}, dense: 1, act: ActTanh, none: []Op{OpMatMul, OpAdd, OpTanh}},
		{name: "no activation constant bias", in: Shape{4}, w: Shape{4, 3},
			build: func(g *Graph, x, w *Value) *Value {
				return addBias(g, must(g.MatMul(x, w)), g.Const(Shape{3}, []float32{1, 2, 3}))
			}, dense: 1, act: ActNone, none: []Op{OpMatMul, OpAdd}},
		{name: "batch relu vector bias", in: Shape{2, 4}, w: Shape{4, 3},
			build: func(g *Graph, x, w *Value) *Value {
				return must(g.Binary(OpMax, addBias(g, must(g.MatMul(x, w)), vec(g, 3)), zero(g)))
			}, dense: 1, act: ActReluXZero, none: []Op{OpMatMul, OpAdd, OpMax}},
		{name: "batch tanh scalar constant bias", in: Shape{2, 4}, w: Shape{4, 3},
			build: func(g *Graph, x, w *Value) *Value {
				return must(g.Unary(OpTanh, addBias(g, must(g.MatMul(x, w)), g.Scalar(0.5))))
			}, dense: 1, act: ActTanh, none: []Op{OpMatMul, OpAdd, OpTanh}},
		{name: "scalar output", in: Shape{4}, w: Shape{4},
			build: func(g *Graph, x, w *Value) *Value {
				return must(g.Binary(OpMax, zero(g), addBias(g, must(g.MatMul(x, w)), g.Param("b", nil, []float32{0.1}, true))))
			}, dense: 1, act: ActReluZeroX, none: []Op{OpMatMul, OpAdd, OpMax}},
		{name: "matmul has another user", in: Shape{4}, w: Shape{4, 3},
			build: func(g *Graph, x, w *Value) *Value {
				mm := must(g.MatMul(x, w))
				r := must(g.Binary(OpMax, zero(g), addBias(g, mm, vec(g, 3))))
				return must(g.Binary(OpMul, r, mm))
			}, dense: 0, ops: []Op{OpMatMul, OpAdd, OpMax, OpMul}},
		{name: "sum has another user", in: Shape{4}, w: Shape{4, 3},
			// the relu stays a separate op; matmul + bias (whose matmul
			// is single-use) still fuses, with no activation
			build: func(g *Graph, x, w *Value) *Value {
				s := addBias(g, must(g.MatMul(x, w)), vec(g, 3))
				r := must(g.Binary(OpMax, zero(g), s))
				return must(g.Binary(OpMul, r, s))
			}, dense: 1, ops: []Op{OpMax, OpMul}, none: []Op{OpMatMul, OpAdd}, extra: "act=none"},
		{name: "sum is the output and feeds tanh", in: Shape{4}, w: Shape{4, 3},
			build: func(g *Graph, x, w *Value) *Value {
				s := addBias(g, must(g.MatMul(x, w)), vec(g, 3))
				must(g.Unary(OpTanh, s)) // dead
				return s
			}, dense: 1, act: ActNone, none: []Op{OpMatMul, OpAdd, OpTanh}},
		{name: "bias broadcast changes the matmul's shape", in: Shape{4}, w: Shape{4},
			build: func(g *Graph, x, w *Value) *Value {
				return addBias(g, must(g.MatMul(x, w)), vec(g, 3))
			}, dense: 0, ops: []Op{OpMatMul, OpAdd, OpBroadcast}},
		{name: "sub is not a bias add", in: Shape{4}, w: Shape{4, 3},
			build: func(g *Graph, x, w *Value) *Value {
				return must(g.Binary(OpSub, must(g.MatMul(x, w)), vec(g, 3)))
			}, dense: 0, ops: []Op{OpMatMul, OpSub}},
		{name: "two layers", in: Shape{2, 4}, w: Shape{4, 4},
			build: func(g *Graph, x, w *Value) *Value {
				h := must(g.Binary(OpMax, zero(g), addBias(g, must(g.MatMul(x, w)), vec(g, 4))))
				return must(g.Unary(OpTanh, addBias(g, must(g.MatMul(h, w)), g.Scalar(-0.5))))
			}, dense: 2, act: ActTanh, none: []Op{OpMatMul, OpAdd, OpMax, OpTanh}},
	}
}

func randData(r *rand.Rand, n int) []float32 {
	d := make([]float32, n)
	for i := range d {
		d[i] = float32(r.NormFloat64())
	}
	return d
}

func TestFuse(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, tc := range fuseCases() {
		t.Run(tc.name, func(t *testing.T) {
			g := New()
			x := g.Input("x", tc.in)
			w := g.Param("W", tc.w, randData(r, tc.w.Size()), true)
			g.Output = tc.build(g, x, w)
			inputs := [][]float32{randData(r, tc.in.Size()), randData(r, tc.in.Size()), make([]float32, tc.in.Size())}
			var before [][]float32
			for _, in := range inputs {
				y, err := Eval(g, in, nil)
				if err != nil {
					t.Fatal(err)
				}
				before = append(before, y)
			}
			if err := RunPasses(g, Passes, ""); err != nil {
				t.Fatal(err)
			}
			dump := g.String()
			if n := countOp(g, OpDense); n != tc.dense {
				t.Errorf("%d dense ops, want %d:\n%s", n, tc.dense, dump)
			}
			if tc.dense > 0 && g.Output.Op == OpDense && g.Output.Act != tc.act {
				t.Errorf("output act %s, want %s:\n%s", g.Output.Act, tc.act, dump)
			}
			for _, op := range tc.ops {
				if countOp(g, op) == 0 {
					t.Errorf("op %s was removed:\n%s", op, dump)
				}
			}
			for _, op := range tc.none {
				if n := countOp(g, op); n != 0 {
					t.Errorf("%d %s ops remain:\n%s", n, op, dump)
				}
			}
			if !strings.Contains(dump, tc.extra) {
				t.Errorf("dump lacks %q:\n%s", tc.extra, dump)
			}
			for i, in := range inputs {
				y, err := Eval(g, in, nil)
				if err != nil {
					t.Fatal(err)
				}
				if !sameBits(y, before[i]) {
					t.Errorf("input %d: fused %v, unfused %v", i, y, before[i])
				}
			}
		})
	}
}

func sameBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

// TestFuseKernelSignedZero: the two relu forms keep np.maximum's
// argument order, which the interpreter distinguishes on -0.
func TestFuseKernelSignedZero(t *testing.T) {
	for _, act := range []Act{ActReluZeroX, ActReluXZero} {
		g := New()
		x := g.Input("x", Shape{1})
		w := g.Param("W", Shape{1, 1}, []float32{1}, true)
		b := g.Const(Shape{1}, []float32{float32(math.Copysign(0, -1))})
		s := addBias(g, must(g.MatMul(x, w)), b)
		if act == ActReluZeroX {
			g.Output = must(g.Binary(OpMax, g.Scalar(0), s))
		} else {
			g.Output = must(g.Binary(OpMax, s, g.Scalar(0)))
		}
		in := []float32{float32(math.Copysign(0, -1))}
		want, _ := Eval(g, in, nil)
		Fuse(g)
		DCE(g)
		if countOp(g, OpDense) != 1 || g.Output.Act != act {
			t.Fatalf("not fused as %s:\n%s", act, g)
		}
		got, _ := Eval(g, in, nil)
		if !sameBits(got, want) {
			t.Errorf("%s: got %v (bits %x), want bits %x", act, got, math.Float32bits(got[0]), math.Float32bits(want[0]))
		}
	}
}

// TestFuseAfterDump: musclec ir --after fuse shows the fused op.
func TestFuseAfterDump(t *testing.T) {
	g := New()
	x := g.Input("x", Shape{4})
	w := g.Param("W", Shape{4}, []float32{1, 2, 3, 4}, true)
	g.Output = must(g.Binary(OpMax, g.Scalar(0), addBias(g, must(g.MatMul(x, w)), g.Param("b", nil, []float32{0.1}, true))))
	if err := RunPasses(g, Passes, "fuse"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(g.String(), "%6 = dense %0 %1 %4 act=max(0,x) ()") {
		t.Errorf("dump after fuse:\n%s", g)
	}
	var names []string
	for _, p := range Passes {
		names = append(names, p.Name)
	}
	if strings.Join(names, " ") != "fold simplify fold2 fuse dce" {
		t.Errorf("passes %v", names)
	}
}

// TestFuseOutputs: under RunPassesOutputs every result counts as a use.
func TestFuseOutputs(t *testing.T) {
	g := New()
	x := g.Input("x", Shape{4})
	w := g.Param("W", Shape{4, 2}, []float32{1, 2, 3, 4, 5, 6, 7, 8}, true)
	mm := must(g.MatMul(x, w))
	s := addBias(g, mm, g.Const(Shape{2}, []float32{1, -1}))
	g.Output = must(g.Unary(OpTanh, s))
	outs, err := RunPassesOutputs(g, Passes, []*Value{mm})
	if err != nil {
		t.Fatal(err)
	}
	if countOp(g, OpDense) != 0 || outs[0].Op != OpMatMul {
		t.Errorf("fused a matmul that is a result:\n%s", g)
	}
}
