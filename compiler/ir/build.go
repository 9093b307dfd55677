package ir

import (
	"fmt"
	"math"
)

// Binary adds an elementwise binary op, broadcasting a and b first.
func (g *Graph) Binary(op Op, a, b *Value) (*Value, error) {
	if !op.IsBinary() {
		return nil, fmt.Errorf("%s is not a binary op", op)
	}
	s, err := BroadcastShapes(a.Shape, b.Shape)
	if err != nil {
		return nil, err
	}
	if a, err = g.Broadcast(a, s); err != nil {
		return nil, err
	}
	if b, err = g.Broadcast(b, s); err != nil {
		return nil, err
	}
	return g.add(&Value{Op: op, Args: []*Value{a, b}, Shape: s}), nil
}

// Unary adds an elementwise unary op (Neg, Exp, Log, Tanh, Sqrt, Abs).
func (g *Graph) Unary(op Op, x *Value) (*Value, error) {
	if !op.IsUnary() {
		return nil, fmt.Errorf("%s is not a unary op", op)
	}
	return g.add(&Value{Op: op, Args: []*Value{x}, Shape: x.Shape.clone()}), nil
}

// Pow adds x ** e for a constant exponent e.
func (g *Graph) Pow(x *Value, e float64) *Value {
	return g.add(&Value{Op: OpPow, Args: []*Value{x}, Shape: x.Shape.clone(), Exponent: e})
}

// Broadcast returns x broadcast to s (x itself if it already has shape s).
func (g *Graph) Broadcast(x *Value, s Shape) (*Value, error) {
	if x.Shape.Equal(s) {
		return x, nil
	}
	if len(s) > MaxRank {
		return nil, fmt.Errorf("rank %d is above the supported %d", len(s), MaxRank)
	}
	if !canBroadcastTo(x.Shape, s) {
		return nil, fmt.Errorf("could not broadcast shape %s to %s", x.Shape, s)
	}
	return g.add(&Value{Op: OpBroadcast, Args: []*Value{x}, Shape: s.clone()}), nil
}

// MatMul adds NumPy's dot/matmul for ranks 1 and 2: (n)·(n) → (),
// (n)·(n,m) → (m), (k,n)·(n) → (k), (k,n)·(n,m) → (k,m).
func (g *Graph) MatMul(a, b *Value) (*Value, error) {
	ra, rb := len(a.Shape), len(b.Shape)
	if ra == 0 || rb == 0 || ra > 2 || rb > 2 {
		return nil, fmt.Errorf("shapes %s and %s: only 1-D and 2-D operands are supported", a.Shape, b.Shape)
	}
	ka := a.Shape[ra-1]
	kb := b.Shape[0]
	if ka != kb {
		return nil, fmt.Errorf("shapes %s and %s not aligned", a.Shape, b.Shape)
	}
	var s Shape
	if ra == 2 {
		s = append(s, a.Shape[0])
	}
	if rb == 2 {
		s = append(s, b.Shape[1])
	}
	return g.add(&Value{Op: OpMatMul, Args: []*Value{a, b}, Shape: s}), nil
}

// Reduce adds a reduction over axis (negative counts from the end) or over
// every axis if all is set; keep keeps reduced axes with size 1.
func (g *Graph) Reduce(op Op, x *Value, axis int, all, keep bool) (*Value, error) {
	if !op.IsReduce() {
		return nil, fmt.Errorf("%s is not a reduction", op)
	}
	v := &Value{Op: op, Args: []*Value{x}, AllAxes: all, KeepDims: keep}
	r := len(x.Shape)
	if all {
		if (op == OpReduceMax || op == OpReduceMin) && x.Shape.Size() == 0 {
			return nil, fmt.Errorf("zero-size array to reduction operation which has no identity")
		}
		if keep {
			for range r {
				v.Shape = append(v.Shape, 1)
			}
		} else {
			v.Shape = Shape{}
		}
		return g.add(v), nil
	}
	a := axis
	if a < 0 {
		a += r
	}
	if a < 0 || a >= r {
		return nil, fmt.Errorf("axis %d is out of bounds for array of dimension %d", axis, r)
	}
	if (op == OpReduceMax || op == OpReduceMin) && x.Shape[a] == 0 {
		return nil, fmt.Errorf("zero-size array to reduction operation which has no identity")
	}
	v.Axis = a
	v.Shape = Shape{}
	for i, d := range x.Shape {
		switch {
		case i != a:
			v.Shape = append(v.Shape, d)
		case keep:
			v.Shape = append(v.Shape, 1)
		}
	}
	return g.add(v), nil
}

// Transpose adds x.T (the axes reversed); for rank 0 and 1 it returns x.
func (g *Graph) Transpose(x *Value) *Value {
	if len(x.Shape) < 2 {
		return x
	}
	s := make(Shape, len(x.Shape))
	for i, d := range x.Shape {
		s[len(s)-1-i] = d
	}
	return g.add(&Value{Op: OpTranspose, Args: []*Value{x}, Shape: s})
}

// Reshape adds x.reshape(s); one entry of s may be -1 (inferred).
func (g *Graph) Reshape(x *Value, s Shape) (*Value, error) {
	s = s.clone()
	if len(s) > MaxRank {
		return nil, fmt.Errorf("rank %d is above the supported %d", len(s), MaxRank)
	}
	infer, known := -1, 1
	for i, d := range s {
		switch {
		case d == -1 && infer < 0:
			infer = i
		case d < 0:
			return nil, fmt.Errorf("cannot reshape array of size %d into shape %s", x.Shape.Size(), s)
		default:
			known *= d
		}
	}
	if infer >= 0 && known > 0 && x.Shape.Size()%known == 0 {
		s[infer] = x.Shape.Size() / known
	}
	if s.Size() != x.Shape.Size() || (infer >= 0 && s[infer] < 0) {
		return nil, fmt.Errorf("cannot reshape array of size %d into shape %s", x.Shape.Size(), s)
	}
	if s.Equal(x.Shape) {
		return x, nil
	}
	return g.add(&Value{Op: OpReshape, Args: []*Value{x}, Shape: s}), nil
}

// Where adds np.where(c, a, b), broadcasting all three.
func (g *Graph) Where(c, a, b *Value) (*Value, error) {
	s, err := BroadcastShapes(c.Shape, a.Shape)
	if err == nil {
		s, err = BroadcastShapes(s, b.Shape)
	}
	if err != nil {
		return nil, fmt.Errorf("operands could not be broadcast together with shapes %s %s %s", c.Shape, a.Shape, b.Shape)
	}
	args := []*Value{c, a, b}
	for i := range args {
		if args[i], err = g.Broadcast(args[i], s); err != nil {
			return nil, err
		}
	}
	return g.add(&Value{Op: OpWhere, Args: args, Shape: s}), nil
}

// Slice adds static indexing: sels has one Sel per axis of x (missing
// trailing axes are taken whole).
func (g *Graph) Slice(x *Value, sels []Sel) (*Value, error) {
	if len(sels) > len(x.Shape) {
		return nil, fmt.Errorf("too many indices for array: array is %d-dimensional, but %d were indexed", len(x.Shape), len(sels))
	}
	full := append([]Sel{}, sels...)
	for i := len(sels); i < len(x.Shape); i++ {
		full = append(full, Sel{Start: 0, Step: 1, Len: x.Shape[i]})
	}
	var s Shape
	whole := true
	for i, sel := range full {
		if sel.Drop {
			whole = false
			continue
		}
		last := sel.Start + (sel.Len-1)*sel.Step
		if sel.Len > 0 && (sel.Start < 0 || sel.Start >= x.Shape[i] || last < 0 || last >= x.Shape[i]) {
			return nil, fmt.Errorf("slice out of bounds on axis %d of size %d", i, x.Shape[i])
		}
		if sel.Start != 0 || sel.Step != 1 || sel.Len != x.Shape[i] {
			whole = false
		}
		s = append(s, sel.Len)
	}
	if whole {
		return x, nil
	}
	return g.add(&Value{Op: OpSlice, Args: []*Value{x}, Shape: s, Index: full}), nil
}

// Clip adds np.clip(x, lo, hi), lowered to min(max(x, lo), hi).
func (g *Graph) Clip(x, lo, hi *Value) (*Value, error) {
	m, err := g.Binary(OpMax, x, lo)
	if err != nil {
		return nil, err
	}
	return g.Binary(OpMin, m, hi)
}

// isConstAll reports whether v is a constant (or a broadcast of one) whose
// every element equals f.
func isConstAll(v *Value, f float64) bool {
	for v.Op == OpBroadcast {
		v = v.Args[0]
	}
	if v.Op != OpConst || len(v.Data) == 0 {
		return false
	}
	for _, d := range v.Data {
		if float64(d) != f || math.Signbit(float64(d)) != math.Signbit(f) {
			return false
		}
	}
	return true
}
