package autodiff

import (
	"github.com/muscles/referee/compiler/ir"
)

// The rules for the ops that move data between axes: matrix products,
// reductions, broadcasts and slices.

// matmulRule differentiates NumPy's dot for every 1-D/2-D combination.
func matmulRule(b builder, v *ir.Value, k int, gv *ir.Value) *ir.Value {
	x, w := v.Args[0], v.Args[1]
	switch {
	case len(x.Shape) == 1 && len(w.Shape) == 1: // (n)·(n) → ()
		return b.mul(gv, v.Args[1-k])
	case len(x.Shape) == 1: // (n)·(n,m) → (m)
		if k == 0 {
			return b.matmul(w, gv) // (n,m)·(m) → (n)
		}
		return outer(b, x, gv)
	case len(w.Shape) == 1: // (k,n)·(n) → (k)
		if k == 0 {
			return outer(b, gv, w)
		}
		return b.matmul(gv, x) // (k)·(k,n) → (n)
	default: // (k,n)·(n,m) → (k,m)
		if k == 0 {
			return b.matmul(gv, b.g.Transpose(w))
		}
		return b.matmul(b.g.Transpose(x), gv)
	}
}

// outer returns the outer product of two vectors, (n)×(m) → (n,m), as a
// (n,1)·(1,m) matrix product.
func outer(b builder, p, q *ir.Value) *ir.Value {
	return b.matmul(b.reshape(p, ir.Shape{p.Shape[0], 1}), b.reshape(q, ir.Shape{1, q.Shape[0]}))
}

// reduceRule spreads the adjoint of a reduction back over its operand:
// evenly for sum, divided by the count for mean, and for max and min
// shared equally among the elements equal to the result.
func reduceRule(b builder, v *ir.Value, gv *ir.Value) *ir.Value {
	x := v.Args[0]
	keep := append(ir.Shape{}, x.Shape...)
	n := 1
	for i := range keep {
		if v.AllAxes || i == v.Axis {
			n *= keep[i]
			keep[i] = 1
		}
	}
	spread := b.broadcast(b.reshape(gv, keep), x.Shape)
	switch v.Op {
	case ir.OpReduceSum:
		return spread
	case ir.OpReduceMean:
		return b.div(spread, b.scalar(float64(n)))
	}
	hit := b.bin(ir.OpEqual, x, b.reshape(v, keep))
	count := must(b.g.Reduce(ir.OpReduceSum, hit, v.Axis, v.AllAxes, true))
	return b.div(b.mul(hit, spread), count)
}

// unbroadcast sums gv (of a broadcast's result shape) over the axes the
// broadcast added or stretched, giving shape in.
func unbroadcast(b builder, gv *ir.Value, in ir.Shape) *ir.Value {
	x := gv
	for len(x.Shape) > len(in) {
		x = b.sum(x, 0, false, false)
	}
	for i, d := range in {
		if d == 1 && x.Shape[i] != 1 {
			x = b.sum(x, i, false, true)
		}
	}
	return x
}

// sliceRule scatters the adjoint of a slice back into a zero tensor of the
// operand's shape. There is no scatter op, so this is the product of the
// flattened adjoint (M) with a constant 0/1 selection matrix (M, N), M and
// N the sizes of the slice and of its operand: M·N work, which is fine for
// the small slices of Family Python models.
func sliceRule(b builder, v *ir.Value, gv *ir.Value) *ir.Value {
	in := v.Args[0].Shape
	m, n := v.Shape.Size(), in.Size()
	sel := make([]float32, m*n)
	for j, p := range slicePositions(v) {
		sel[j*n+p] = 1
	}
	flat := b.reshape(gv, ir.Shape{m})
	g := b.matmul(flat, b.g.Const(ir.Shape{m, n}, sel))
	return b.reshape(g, in)
}

// slicePositions lists, for each element of the slice v in row-major
// order, its flat position in the operand.
func slicePositions(v *ir.Value) []int {
	in := v.Args[0].Shape
	strides := make([]int, len(in))
	s := 1
	for i := len(in) - 1; i >= 0; i-- {
		strides[i] = s
		s *= in[i]
	}
	// the kept axes, in order, with their step and stride
	type axis struct{ len, step, stride int }
	var kept []axis
	base := 0
	for i, sel := range v.Index {
		base += sel.Start * strides[i]
		if !sel.Drop {
			kept = append(kept, axis{sel.Len, sel.Step, strides[i]})
		}
	}
	pos := []int{base}
	for _, ax := range kept {
		var next []int
		for _, p := range pos {
			for j := range ax.len {
				next = append(next, p+j*ax.step*ax.stride)
			}
		}
		pos = next
	}
	return pos
}
