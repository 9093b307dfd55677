package ir

import (
	"fmt"
	"strings"
)

// MaxRank is the largest rank a Value may have.
const MaxRank = 3

// Shape is a static tensor shape; the empty shape is a scalar.
type Shape []int

// Size is the number of elements.
func (s Shape) Size() int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// Equal reports whether s and t are the same shape.
func (s Shape) Equal(t Shape) bool {
	if len(s) != len(t) {
		return false
	}
	for i := range s {
		if s[i] != t[i] {
			return false
		}
	}
	return true
}

// String prints s as a Python tuple: (), (3,), (2, 3).
func (s Shape) String() string {
	if len(s) == 1 {
		return fmt.Sprintf("(%d,)", s[0])
	}
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = fmt.Sprint(d)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func (s Shape) clone() Shape { return append(Shape{}, s...) }

// strides returns row-major element strides.
func (s Shape) strides() []int {
	st := make([]int, len(s))
	n := 1
	for i := len(s) - 1; i >= 0; i-- {
		st[i] = n
		n *= s[i]
	}
	return st
}

// BroadcastShapes returns the shape NumPy broadcasting gives a and b, or
// NumPy's error.
func BroadcastShapes(a, b Shape) (Shape, error) {
	n := max(len(a), len(b))
	out := make(Shape, n)
	for i := 1; i <= n; i++ {
		da, db := 1, 1
		if i <= len(a) {
			da = a[len(a)-i]
		}
		if i <= len(b) {
			db = b[len(b)-i]
		}
		switch {
		case da == db || db == 1:
			out[n-i] = da
		case da == 1:
			out[n-i] = db
		default:
			return nil, fmt.Errorf("operands could not be broadcast together with shapes %s %s", a, b)
		}
	}
	return out, nil
}

// canBroadcastTo reports whether s broadcasts to t without changing t.
func canBroadcastTo(s, t Shape) bool {
	if len(s) > len(t) {
		return false
	}
	for i := 1; i <= len(s); i++ {
		d := s[len(s)-i]
		if d != 1 && d != t[len(t)-i] {
			return false
		}
	}
	return true
}

// forEach calls f with every multi-index of s in row-major order and its
// flat position.
func forEach(s Shape, f func(idx []int, flat int)) {
	n := s.Size()
	idx := make([]int, len(s))
	for flat := 0; flat < n; flat++ {
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
