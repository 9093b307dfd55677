package codegen

import (
	"math"

	"github.com/muscles/referee/compiler/ir"
)

// operand is where a Value's elements are: either folded constants, or
// memory with an index map. Views (Reshape, Transpose, Broadcast, Slice)
// produce no code: they only compose index maps (or permute the
// constant's data), and the consuming kernel reads through them.
type operand struct {
	shape ir.Shape
	cons  []float32 // constant data (row-major), if non-nil
	mem   loc
	idx   []int // element i of the value is element idx[i] of mem; nil = identity
}

func (o operand) size() int { return o.shape.Size() }

func (o operand) isConst() bool { return o.cons != nil }

// contiguous reports whether the value is laid out row-major at mem.
func (o operand) contiguous() bool { return o.cons == nil && o.idx == nil }

// uniform reports whether o is a constant with one value everywhere.
func (o operand) uniform() (float32, bool) {
	if o.cons == nil {
		return 0, false
	}
	for _, f := range o.cons {
		if math.Float32bits(f) != math.Float32bits(o.cons[0]) {
			return 0, false
		}
	}
	return o.cons[0], true
}

// at returns the storage element index of element i.
func (o operand) at(i int) int {
	if o.idx == nil {
		return i
	}
	return o.idx[i]
}

// view applies a source-index map (out element i comes from element
// src[i] of o) and gives the result the shape s.
func (o operand) view(s ir.Shape, src []int) operand {
	r := operand{shape: s, mem: o.mem}
	if o.cons != nil {
		r.cons = make([]float32, len(src))
		for i, j := range src {
			r.cons[i] = o.cons[j]
		}
		return r
	}
	r.idx = make([]int, len(src))
	identity := true
	for i, j := range src {
		r.idx[i] = o.at(j)
		if r.idx[i] != i {
			identity = false
		}
	}
	if identity {
		r.idx = nil
	}
	return r
}

// strides returns the row-major element strides of s.
func strides(s ir.Shape) []int {
	st := make([]int, len(s))
	n := 1
	for i := len(s) - 1; i >= 0; i-- {
		st[i] = n
		n *= s[i]
	}
	return st
}

// multiIndex calls f for every multi-index of s in row-major order.
func multiIndex(s ir.Shape, f func(idx []int, flat int)) {
	idx := make([]int, len(s))
	for flat := 0; flat < s.Size(); flat++ {
		f(idx, flat)
		for d := len(s) - 1; d >= 0; d-- {
			idx[d]++
			if idx[d] < s[d] {
				break
			}
			idx[d] = 0
		}
	}
}

// viewMap returns, for a view op v, the source element of each output
// element, or ok=false if v is not a view.
func viewMap(v *ir.Value) (src []int, ok bool) {
	in := v.Args[0].Shape
	out := make([]int, v.Shape.Size())
	switch v.Op {
	case ir.OpReshape:
		for i := range out {
			out[i] = i
		}
	case ir.OpTranspose:
		st := strides(in)
		multiIndex(v.Shape, func(idx []int, flat int) {
			p := 0
			for i, j := range idx {
				p += j * st[len(st)-1-i]
			}
			out[flat] = p
		})
	case ir.OpBroadcast:
		st := strides(in)
		lead := len(v.Shape) - len(in)
		multiIndex(v.Shape, func(idx []int, flat int) {
			p := 0
			for i := range in {
				if in[i] != 1 {
					p += idx[lead+i] * st[i]
				}
			}
			out[flat] = p
		})
	case ir.OpSlice:
		st := strides(in)
		multiIndex(v.Shape, func(idx []int, flat int) {
			p, k := 0, 0
			for i, s := range v.Index {
				j := s.Start
				if !s.Drop {
					j += idx[k] * s.Step
					k++
				}
				p += j * st[i]
			}
			out[flat] = p
		})
	default:
		return nil, false
	}
	return out, true
}
