package codegen

import (
	"math"
	"testing"

	"github.com/muscles/referee/compiler/ir"
)

// unaryCode compiles y = op(x) for x of n elements (the scalar-loop
// kernel, since n >= 64).
func unaryCode(t *testing.T, op ir.Op, n int) *Code {
	t.Helper()
	_, c := compileCase(t, ir.Shape{n}, nil, nil, func(g *ir.Graph, x, _ *ir.Value) (*ir.Value, error) {
		return g.Unary(op, x)
	})
	return c
}

// sweep runs op's machine code over pts and returns the outputs.
func sweep(t *testing.T, op ir.Op, pts []float32) []float32 {
	const n = 4096
	c := unaryCode(t, op, n)
	var inputs [][]float32
	for i := 0; i < len(pts); i += n {
		in := make([]float32, n)
		copy(in, pts[i:min(len(pts), i+n)])
		inputs = append(inputs, in)
	}
	var out []float32
	for _, o := range execCode(t, c, inputs) {
		out = append(out, o...)
	}
	return out[:len(pts)]
}

func linspace(lo, hi float64, n int) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(lo + (hi-lo)*float64(i)/float64(n-1))
	}
	return out
}

// TestApproximations measures the maximum error of the exp, log and tanh
// sequences over dense sweeps against float64 math and checks the bounds
// documented in the package comment.
func TestApproximations(t *testing.T) {
	needRunner(t)

	// exp: relative error over [-87.3, 88.37].
	pts := linspace(-87.3, 88.37, 1<<18)
	pts = append(pts, linspace(-1, 1, 1<<16)...)
	got := sweep(t, ir.OpExp, pts)
	maxRel := 0.0
	for i, x := range pts {
		w := math.Exp(float64(x))
		maxRel = math.Max(maxRel, math.Abs(float64(got[i])-w)/w)
	}
	t.Logf("exp: max relative error %.3g over %d points", maxRel, len(pts))
	if maxRel > 1.5e-7 {
		t.Errorf("exp: max relative error %g > 1.5e-7", maxRel)
	}

	// log: log-spaced over the normal range plus a dense sweep near 1.
	pts = pts[:0]
	for i := range 1 << 18 {
		e := -125.9 + 253.8*float64(i)/(1<<18-1)
		pts = append(pts, float32(math.Exp2(e)))
	}
	pts = append(pts, linspace(0.5, 2, 1<<17)...)
	got = sweep(t, ir.OpLog, pts)
	maxAbs, maxRel := 0.0, 0.0
	for i, x := range pts {
		w := math.Log(float64(x))
		d := math.Abs(float64(got[i]) - w)
		maxAbs = math.Max(maxAbs, d/math.Max(1, math.Abs(w)))
		if math.Abs(w) >= 0.01 {
			maxRel = math.Max(maxRel, d/math.Abs(w))
		}
	}
	t.Logf("log: max error %.3g (absolute, relative above |log x| = 1), relative (|log x| >= 0.01) %.3g over %d points", maxAbs, maxRel, len(pts))
	if maxAbs > 1.5e-7 || maxRel > 3e-7 {
		t.Errorf("log: errors %g, %g exceed 1.5e-7, 3e-7", maxAbs, maxRel)
	}
	specials := []float32{float32(math.Inf(1)), 0, float32(math.Copysign(0, -1)), -1, float32(math.NaN())}
	got = sweep(t, ir.OpLog, specials)
	if !math.IsInf(float64(got[0]), 1) || !math.IsInf(float64(got[1]), -1) || !math.IsInf(float64(got[2]), -1) ||
		!math.IsNaN(float64(got[3])) || !math.IsNaN(float64(got[4])) {
		t.Errorf("log special cases: got %v for %v", got, specials)
	}

	// tanh: absolute error over [-20, 20].
	pts = linspace(-20, 20, 1<<18)
	pts = append(pts, linspace(-1, 1, 1<<16)...)
	got = sweep(t, ir.OpTanh, pts)
	maxAbs = 0
	for i, x := range pts {
		maxAbs = math.Max(maxAbs, math.Abs(float64(got[i])-math.Tanh(float64(x))))
	}
	t.Logf("tanh: max absolute error %.3g over %d points", maxAbs, len(pts))
	if maxAbs > 2e-7 {
		t.Errorf("tanh: max absolute error %g > 2e-7", maxAbs)
	}
}
