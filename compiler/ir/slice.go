package ir

import "fmt"

// Sel selects along one axis: an integer index (Drop, the axis goes away)
// or a slice of Len elements Start, Start+Step, ... (Step may be negative).
type Sel struct {
	Start, Step, Len int
	Drop             bool
}

// IndexSel resolves the Python index i (negative counts from the end) on
// an axis of size n.
func IndexSel(i, n int) (Sel, error) {
	j := i
	if j < 0 {
		j += n
	}
	if j < 0 || j >= n {
		return Sel{}, fmt.Errorf("index %d is out of bounds for axis with size %d", i, n)
	}
	return Sel{Start: j, Step: 1, Len: 1, Drop: true}, nil
}

// SliceSel resolves the Python slice lo:hi:step (nil for an absent part)
// on an axis of size n, as slice.indices does.
func SliceSel(lo, hi, step *int, n int) (Sel, error) {
	st := 1
	if step != nil {
		st = *step
	}
	if st == 0 {
		return Sel{}, fmt.Errorf("slice step cannot be zero")
	}
	clamp := func(p *int, def int) int {
		if p == nil {
			return def
		}
		v := *p
		if v < 0 {
			v += n
		}
		if st > 0 {
			return min(max(v, 0), n)
		}
		return min(max(v, -1), n-1)
	}
	var start, stop int
	if st > 0 {
		start, stop = clamp(lo, 0), clamp(hi, n)
	} else {
		start, stop = clamp(lo, n-1), clamp(hi, -1)
	}
	count := 0
	if st > 0 && stop > start {
		count = (stop - start + st - 1) / st
	} else if st < 0 && start > stop {
		count = (start - stop - st - 1) / -st
	}
	return Sel{Start: start, Step: st, Len: count}, nil
}

// String prints s as Python would write it.
func (s Sel) String() string {
	if s.Drop {
		return fmt.Sprint(s.Start)
	}
	return fmt.Sprintf("%d:+%d*%d", s.Start, s.Step, s.Len)
}
