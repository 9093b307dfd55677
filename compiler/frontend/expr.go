package frontend

import (
	"math"
	"strconv"
	"strings"

	"github.com/muscles/referee/compiler/ir"
	"github.com/muscles/referee/compiler/python"
)

var binaryOps = map[string]ir.Op{
	"+": ir.OpAdd, "-": ir.OpSub, "*": ir.OpMul, "/": ir.OpDiv,
	"//": ir.OpFloorDiv, "%": ir.OpMod,
}

var compareOps = map[string]ir.Op{
	"<": ir.OpLess, "<=": ir.OpLessEq, ">": ir.OpGreater, ">=": ir.OpGreaterEq,
	"==": ir.OpEqual, "!=": ir.OpNotEqual,
}

// eval evaluates an expression.
func (t *tracer) eval(e python.Expr) val {
	switch e := e.(type) {
	case *python.Num:
		return t.number(e)
	case *python.Name:
		return t.lookup(e)
	case *python.Str:
		if strings.Contains(e.Prefix, "f") || strings.Contains(e.Prefix, "b") {
			t.fail(e.Pos, "string", "%s-strings are not supported here", e.Prefix)
		}
		return val{k: kStr, s: e.Value}
	case *python.Const:
		switch e.Value {
		case "True":
			return val{k: kBool, b: true}
		case "False":
			return val{k: kBool}
		}
		return val{k: kNone}
	case *python.Tuple:
		return t.seq(e.Elts)
	case *python.List:
		return t.seq(e.Elts)
	case *python.Unary:
		x := t.eval(e.X)
		if e.Op == "+" {
			t.tensorArg(e.Pos, "unary +", x)
			return x
		}
		return t.apply(e.Pos, "unary -", []val{x}, isIntAll, func(g *ir.Graph, v []*ir.Value) (*ir.Value, error) {
			return g.Unary(ir.OpNeg, v[0])
		})
	case *python.Binary:
		return t.binary(e)
	case *python.Compare:
		t.fail(e.OpPos, "comparison", "comparisons are only supported as the condition of np.where")
	case *python.Call:
		return t.callExpr(e)
	case *python.Attribute:
		return t.attribute(e)
	case *python.Subscript:
		return t.subscript(e)
	case *python.Slice:
		t.fail(e.Pos, "slice", "a slice is only allowed inside [ ]")
	case *python.Ellipsis:
		t.fail(e.Pos, "...", "... is not supported")
	}
	t.fail(e.Position(), "expression", "this expression is not supported")
	return val{}
}

func (t *tracer) seq(elts []python.Expr) val {
	out := val{k: kSeq}
	for _, x := range elts {
		out.elts = append(out.elts, t.eval(x))
	}
	return out
}

func (t *tracer) number(e *python.Num) val {
	if !e.Float {
		i, err := strconv.ParseInt(e.Text, 0, 64)
		if err == nil && math.Abs(float64(i)) < 1<<53 {
			return scalarVal(float64(i), true)
		}
		t.fail(e.Pos, "number", "integer %s is too large", e.Text)
	}
	f, err := strconv.ParseFloat(e.Text, 64)
	if err != nil {
		t.fail(e.Pos, "number", "number %s is not supported", e.Text)
	}
	return scalarVal(f, false)
}

func (t *tracer) binary(e *python.Binary) val {
	x, y := t.eval(e.X), t.eval(e.Y)
	construct := "operator " + e.Op
	switch e.Op {
	case "@":
		return t.matmul(e.OpPos, construct, x, y)
	case "**":
		return t.pow(e.OpPos, construct, x, y)
	}
	op, ok := binaryOps[e.Op]
	if !ok {
		t.fail(e.OpPos, construct, "operator %s is not supported", e.Op)
	}
	isInt := isIntAll
	if op == ir.OpDiv {
		isInt = isIntNever
	}
	return t.apply(e.OpPos, construct, []val{x, y}, isInt, func(g *ir.Graph, v []*ir.Value) (*ir.Value, error) {
		return g.Binary(op, v[0], v[1])
	})
}

func (t *tracer) pow(pos python.Pos, construct string, x, y val) val {
	ty := t.tensorArg(pos, construct, y)
	if ty.k != kConst || len(ty.t.data) != 1 {
		t.fail(pos, construct, "the exponent of ** must be a compile-time scalar constant")
	}
	e := ty.t.data[0]
	isInt := isIntNever
	if ty.t.isInt && e >= 0 {
		isInt = isIntAll
	}
	return t.apply(pos, construct, []val{x}, isInt, func(g *ir.Graph, v []*ir.Value) (*ir.Value, error) {
		return g.Pow(v[0], e), nil
	})
}

func (t *tracer) matmul(pos python.Pos, construct string, x, y val) val {
	t.inferFromMatmul(pos, construct, x, y)
	return t.apply(pos, construct, []val{x, y}, isIntAll, func(g *ir.Graph, v []*ir.Value) (*ir.Value, error) {
		return g.MatMul(v[0], v[1])
	})
}

// inferFromMatmul fixes the input's shape from a product with it.
func (t *tracer) inferFromMatmul(pos python.Pos, construct string, x, y val) {
	switch {
	case x.k == kPending && (y.k == kConst || y.k == kTraced) && len(y.shape()) >= 1 && len(y.shape()) <= 2:
		panic(inferred{ir.Shape{y.shape()[0]}})
	case y.k == kPending && (x.k == kConst || x.k == kTraced) && len(x.shape()) >= 1 && len(x.shape()) <= 2:
		s := x.shape()
		panic(inferred{ir.Shape{s[len(s)-1]}})
	}
}

func (t *tracer) attribute(e *python.Attribute) val {
	if n, ok := e.X.(*python.Name); ok && n.Name == "np" && t.isNumpy(n) {
		switch e.Name {
		case "pi":
			return scalarVal(math.Pi, false)
		case "e":
			return scalarVal(math.E, false)
		case "inf":
			return scalarVal(math.Inf(1), false)
		}
		t.fail(e.Pos, "np."+e.Name, "np.%s is not supported", e.Name)
	}
	x := t.eval(e.X)
	construct := "." + e.Name
	switch e.Name {
	case "T":
		return t.apply(e.Pos, construct, []val{x}, isIntAll, func(g *ir.Graph, v []*ir.Value) (*ir.Value, error) {
			return g.Transpose(v[0]), nil
		})
	case "shape", "ndim", "size":
		s := t.tensorArg(e.Pos, construct, x).shape()
		switch e.Name {
		case "ndim":
			return scalarVal(float64(len(s)), true)
		case "size":
			return scalarVal(float64(s.Size()), true)
		}
		out := val{k: kSeq}
		for _, d := range s {
			out.elts = append(out.elts, scalarVal(float64(d), true))
		}
		return out
	}
	t.fail(e.Pos, construct, "attribute .%s is not supported", e.Name)
	return val{}
}

// isNumpy reports whether n refers to the numpy module (not shadowed).
func (t *tracer) isNumpy(n *python.Name) bool {
	if len(t.scopes) > 0 {
		if _, ok := t.scopes[len(t.scopes)-1][n.Name]; ok {
			return false
		}
	}
	_, ok := t.globals[n.Name]
	return !ok
}

func (t *tracer) subscript(e *python.Subscript) val {
	x := t.eval(e.X)
	items := []python.Expr{e.Index}
	if tup, ok := e.Index.(*python.Tuple); ok {
		items = tup.Elts
	}
	if x.k == kArchive {
		return t.archiveKey(e, x, items)
	}
	if x.k == kSeq {
		if len(items) != 1 {
			t.fail(e.Pos, "indexing", "a tuple takes one index")
		}
		if _, ok := items[0].(*python.Slice); ok {
			t.fail(e.Pos, "indexing", "slicing a tuple is not supported")
		}
		i := t.intOf(items[0], "index")
		n := len(x.elts)
		if i < -n || i >= n {
			t.fail(items[0].Position(), "indexing", "tuple index %d out of range", i)
		}
		return x.elts[(i+n)%n]
	}
	s := t.tensorArg(e.Pos, "indexing", x).shape()
	if len(items) > len(s) {
		t.fail(e.Pos, "indexing", "too many indices for array: array is %d-dimensional, but %d were indexed", len(s), len(items))
	}
	var sels []ir.Sel
	for k, it := range items {
		var sel ir.Sel
		var err error
		if sl, ok := it.(*python.Slice); ok {
			part := func(p python.Expr) *int {
				if p == nil {
					return nil
				}
				if c, ok := p.(*python.Const); ok && c.Value == "None" {
					return nil
				}
				i := t.intOf(p, "slice bound")
				return &i
			}
			sel, err = ir.SliceSel(part(sl.Lo), part(sl.Hi), part(sl.Step), s[k])
		} else {
			sel, err = ir.IndexSel(t.intOf(it, "index"), s[k])
		}
		if err != nil {
			t.fail(it.Position(), "indexing", "%v", err)
		}
		sels = append(sels, sel)
	}
	return t.apply(e.Pos, "indexing", []val{x}, isIntAll, func(g *ir.Graph, v []*ir.Value) (*ir.Value, error) {
		return g.Slice(v[0], sels)
	})
}

// intOf evaluates e to a compile-time Python int.
func (t *tracer) intOf(e python.Expr, what string) int {
	v := t.eval(e)
	if v.k != kConst || !v.t.isInt || len(v.t.shape) != 0 {
		t.fail(e.Position(), what, "%s must be a compile-time integer, not a %s", what, v.describe())
	}
	return int(v.t.data[0])
}

// intsOf reads an int or a tuple/list of ints.
func intsOf(v val) ([]int, bool) {
	if v.k == kConst && v.t.isInt && len(v.t.shape) == 0 {
		return []int{int(v.t.data[0])}, true
	}
	if v.k != kSeq {
		return nil, false
	}
	var out []int
	for _, e := range v.elts {
		if e.k != kConst || !e.t.isInt || len(e.t.shape) != 0 {
			return nil, false
		}
		out = append(out, int(e.t.data[0]))
	}
	return out, true
}
