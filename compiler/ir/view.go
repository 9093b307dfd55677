package ir

// ViewSource returns, for a view (Reshape, Transpose, Broadcast or Slice),
// the flat index in its operand of each of its elements, in row-major
// order; ok is false for any other op. The interpreter and the code
// generator both read views through it.
func ViewSource(v *Value) (src []int, ok bool) {
	if len(v.Args) == 0 {
		return nil, false
	}
	in := v.Args[0].Shape
	src = make([]int, v.Shape.Size())
	switch v.Op {
	case OpReshape:
		for i := range src {
			src[i] = i
		}
	case OpTranspose:
		st := in.strides()
		forEach(v.Shape, func(idx []int, flat int) {
			p := 0
			for i, j := range idx {
				p += j * st[len(st)-1-i]
			}
			src[flat] = p
		})
	case OpBroadcast:
		st := in.strides()
		lead := len(v.Shape) - len(in)
		forEach(v.Shape, func(idx []int, flat int) {
			p := 0
			for i := range in {
				if in[i] != 1 {
					p += idx[lead+i] * st[i]
				}
			}
			src[flat] = p
		})
	case OpSlice:
		st := in.strides()
		forEach(v.Shape, func(idx []int, flat int) {
			p, k := 0, 0
			for i, s := range v.Index {
				j := s.Start
				if !s.Drop {
					j += idx[k] * s.Step
					k++
				}
				p += j * st[i]
			}
			src[flat] = p
		})
	default:
		return nil, false
	}
	return src, true
}
