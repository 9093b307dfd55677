package frontend

import (
	"math"

	"github.com/muscles/referee/compiler/ir"
	"github.com/muscles/referee/compiler/python"
)

// constructor evaluates the array constructors np.array, np.asarray,
// np.zeros, np.ones, np.full, np.eye, np.arange and np.linspace, which
// only take compile-time arguments.
func (t *tracer) constructor(c *python.Call, name string) (val, bool) {
	construct := "np." + name
	var res val
	switch name {
	case "array", "asarray":
		a := t.bind(c, construct, []string{"object", "dtype"}, 1)
		v := t.eval(a[0])
		res = t.toTensor(c.Pos, construct, v)
		return t.withDtype(construct, res, a[1]), true
	case "zeros", "ones":
		a := t.bind(c, construct, []string{"shape", "dtype"}, 1)
		s := t.shapeArg(c.Pos, construct, a[0])
		fill := 0.0
		if name == "ones" {
			fill = 1
		}
		return t.withDtype(construct, filled(s, fill, false), a[1]), true
	case "full":
		a := t.bind(c, construct, []string{"shape", "fill_value", "dtype"}, 2)
		s := t.shapeArg(c.Pos, construct, a[0])
		f := t.scalarArg(construct, a[1])
		return t.withDtype(construct, filled(s, f.t.data[0], f.t.isInt), a[2]), true
	case "eye":
		a := t.bind(c, construct, []string{"N", "M", "k", "dtype"}, 1)
		n := t.intOf(a[0], construct+" N")
		m, k := n, 0
		if a[1] != nil {
			m = t.intOf(a[1], construct+" M")
		}
		if a[2] != nil {
			k = t.intOf(a[2], construct+" k")
		}
		if n < 0 || m < 0 {
			t.fail(c.Pos, construct, "%s: negative dimensions are not allowed", construct)
		}
		res = filled(ir.Shape{n, m}, 0, false)
		for i := range n {
			if j := i + k; j >= 0 && j < m {
				res.t.data[i*m+j] = 1
			}
		}
		return t.withDtype(construct, res, a[3]), true
	case "arange":
		a := t.bind(c, construct, []string{"start", "stop", "step", "dtype"}, 1)
		start, stop, step := 0.0, 0.0, 1.0
		isInt := true
		num := func(e python.Expr) float64 {
			v := t.scalarArg(construct, e)
			isInt = isInt && v.t.isInt
			return v.t.data[0]
		}
		if a[1] == nil {
			stop = num(a[0])
		} else {
			start, stop = num(a[0]), num(a[1])
		}
		if a[2] != nil {
			step = num(a[2])
		}
		if step == 0 {
			t.fail(c.Pos, construct, "%s: step must not be zero", construct)
		}
		n := max(int(math.Ceil((stop-start)/step)), 0)
		res = filled(ir.Shape{n}, 0, isInt)
		for i := range n {
			res.t.data[i] = start + float64(i)*step
		}
		return t.withDtype(construct, res, a[3]), true
	case "linspace":
		a := t.bind(c, construct, []string{"start", "stop", "num", "endpoint", "dtype"}, 2)
		start := t.scalarArg(construct, a[0]).t.data[0]
		stop := t.scalarArg(construct, a[1]).t.data[0]
		n := 50
		if a[2] != nil {
			n = t.intOf(a[2], construct+" num")
		}
		if n < 0 {
			t.fail(c.Pos, construct, "%s: num must be non-negative", construct)
		}
		endpoint := true
		if a[3] != nil {
			ev := t.eval(a[3])
			if ev.k != kBool {
				t.fail(a[3].Position(), construct, "%s: endpoint must be True or False", construct)
			}
			endpoint = ev.b
		}
		div := n
		if endpoint {
			div = n - 1
		}
		res = filled(ir.Shape{n}, 0, false)
		step := 0.0
		if div > 0 {
			step = (stop - start) / float64(div)
		}
		for i := range n {
			res.t.data[i] = start + float64(i)*step
		}
		if endpoint && n > 1 {
			res.t.data[n-1] = stop
		}
		return t.withDtype(construct, res, a[4]), true
	}
	return val{}, false
}

func filled(s ir.Shape, f float64, isInt bool) val {
	d := make([]float64, s.Size())
	for i := range d {
		d[i] = f
	}
	return constVal(s, d, isInt)
}

// shapeArg reads a shape argument: an int or a tuple of ints.
func (t *tracer) shapeArg(pos python.Pos, construct string, e python.Expr) ir.Shape {
	s, ok := intsOf(t.eval(e))
	if !ok {
		t.fail(e.Position(), construct, "%s: the shape must be an int or a tuple of ints", construct)
	}
	if len(s) > ir.MaxRank {
		t.fail(pos, construct, "%s: rank %d is above the supported %d", construct, len(s), ir.MaxRank)
	}
	for _, d := range s {
		if d < 0 {
			t.fail(pos, construct, "%s: negative dimensions are not allowed", construct)
		}
	}
	return ir.Shape(s)
}

// scalarArg reads a compile-time number.
func (t *tracer) scalarArg(construct string, e python.Expr) val {
	v := t.eval(e)
	if v.k != kConst || len(v.t.shape) != 0 {
		t.fail(e.Position(), construct, "%s: expected a compile-time number, got a %s", construct, v.describe())
	}
	return v
}

// withDtype applies an optional dtype= (float32/float64/float or
// int32/int64/int); integer dtypes truncate toward zero as NumPy does.
func (t *tracer) withDtype(construct string, v val, e python.Expr) val {
	if e == nil {
		return v
	}
	switch dottedName(e) {
	case "float", "np.float32", "np.float64":
		v.t.isInt = false
	case "int", "np.int32", "np.int64":
		v.t.isInt = true
		for i, x := range v.t.data {
			v.t.data[i] = math.Trunc(x)
		}
	default:
		t.fail(e.Position(), construct, "%s: dtype %s is not supported", construct, python.ExprString(e))
	}
	return v
}

// toTensor converts a number or a (nested) list of numbers to an array.
func (t *tracer) toTensor(pos python.Pos, construct string, v val) val {
	switch v.k {
	case kConst:
		return constVal(v.t.shape, append([]float64{}, v.t.data...), v.t.isInt)
	case kBool:
		b := 0.0
		if v.b {
			b = 1
		}
		return scalarVal(b, true)
	case kSeq:
	case kTraced, kPending:
		t.fail(pos, construct, "%s of a traced value is not supported (use the value itself)", construct)
	default:
		t.fail(pos, construct, "%s: expected numbers or lists of numbers, got a %s", construct, v.describe())
	}
	if len(v.elts) == 0 {
		return constVal(ir.Shape{0}, nil, false)
	}
	var shape ir.Shape
	var data []float64
	isInt := true
	for i, e := range v.elts {
		sub := t.toTensor(pos, construct, e)
		if i == 0 {
			shape = append(ir.Shape{len(v.elts)}, sub.t.shape...)
		} else if !sub.t.shape.Equal(shape[1:]) {
			t.fail(pos, construct, "%s: the nested lists are not rectangular", construct)
		}
		isInt = isInt && sub.t.isInt
		data = append(data, sub.t.data...)
	}
	if len(shape) > ir.MaxRank {
		t.fail(pos, construct, "%s: rank %d is above the supported %d", construct, len(shape), ir.MaxRank)
	}
	return constVal(shape, data, isInt)
}
