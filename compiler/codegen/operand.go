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
	if o.cons == nil || len(o.cons) == 0 || !uniformData(o.cons) {
		return 0, false
	}
	return o.cons[0], true
}

// uniformData reports whether every element of d has the same bits.
func uniformData(d []float32) bool {
	for _, f := range d {
		if math.Float32bits(f) != math.Float32bits(d[0]) {
			return false
		}
	}
	return true
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

// splat reports whether o is one element of memory read everywhere (a
// broadcast scalar that is not a constant).
func (o operand) splat() bool {
	if o.cons != nil || o.idx == nil {
		return false
	}
	for _, j := range o.idx {
		if j != o.idx[0] {
			return false
		}
	}
	return true
}

// rowChunks reports whether each of o's first q chunks of four elements
// is four consecutive elements of memory (a row broadcast whose rows are
// multiples of four long, say), so that one 16-byte load reads it.
func (o operand) rowChunks(q int) bool {
	if o.cons != nil {
		return false
	}
	for c := range q {
		for l := 1; l < 4; l++ {
			if o.at(4*c+l) != o.at(4*c)+l {
				return false
			}
		}
	}
	return true
}
