package frontend

import (
	"github.com/muscles/referee/compiler/ir"
	"github.com/muscles/referee/compiler/python"
)

// dottedName spells a call's function as written (np.fft.fft), or "".
func dottedName(e python.Expr) string {
	switch e := e.(type) {
	case *python.Name:
		return e.Name
	case *python.Attribute:
		if x := dottedName(e.X); x != "" {
			return x + "." + e.Name
		}
	}
	return ""
}

// bind matches a call's arguments to the named slots (positional first,
// then keywords); the first required slots must be given.
func (t *tracer) bind(c *python.Call, construct string, slots []string, required int) []python.Expr {
	out := make([]python.Expr, len(slots))
	if len(c.Args) > len(slots) {
		t.fail(c.Pos, construct, "%s takes at most %d arguments, got %d", construct, len(slots), len(c.Args))
	}
	copy(out, c.Args)
	for _, kw := range c.Keywords {
		found := false
		for i, s := range slots {
			if s == kw.Name && i >= len(c.Args) {
				out[i], found = kw.Value, true
			}
		}
		if !found {
			t.fail(kw.Pos, construct, "%s: keyword argument %s= is not supported", construct, kw.Name)
		}
	}
	for i := range required {
		if out[i] == nil {
			t.fail(c.Pos, construct, "%s: missing argument %s", construct, slots[i])
		}
	}
	return out
}

func (t *tracer) callExpr(c *python.Call) val {
	switch f := c.Func.(type) {
	case *python.Name:
		if fn, ok := t.funcs[f.Name]; ok && !t.shadowed(f.Name) {
			if len(c.Keywords) > 0 {
				t.fail(c.Keywords[0].Pos, f.Name, "keyword arguments to %s are not supported", f.Name)
			}
			args := make([]val, len(c.Args))
			for i, a := range c.Args {
				args[i] = t.eval(a)
			}
			return t.call(fn, args, c.Pos)
		}
		t.fail(c.Pos, f.Name, "calling %s is not supported", f.Name)
	case *python.Attribute:
		if n, ok := f.X.(*python.Name); ok && n.Name == "np" && t.isNumpy(n) {
			return t.numpyCall(c, f.Name)
		}
		if name := dottedName(f); len(name) > 3 && name[:3] == "np." {
			t.fail(c.Pos, name, "%s is not supported", name)
		}
		return t.method(c, f)
	}
	t.fail(c.Pos, "call", "this call is not supported")
	return val{}
}

func (t *tracer) shadowed(name string) bool {
	if len(t.scopes) > 0 {
		if _, ok := t.scopes[len(t.scopes)-1][name]; ok {
			return true
		}
	}
	_, ok := t.globals[name]
	return ok
}

var unaryFuncs = map[string]ir.Op{
	"exp": ir.OpExp, "log": ir.OpLog, "tanh": ir.OpTanh, "sqrt": ir.OpSqrt,
	"abs": ir.OpAbs, "absolute": ir.OpAbs, "negative": ir.OpNeg,
}

var reduceFuncs = map[string]ir.Op{
	"sum": ir.OpReduceSum, "mean": ir.OpReduceMean,
	"max": ir.OpReduceMax, "amax": ir.OpReduceMax,
	"min": ir.OpReduceMin, "amin": ir.OpReduceMin,
}

func (t *tracer) numpyCall(c *python.Call, name string) val {
	construct := "np." + name
	if op, ok := unaryFuncs[name]; ok {
		a := t.bind(c, construct, []string{"x"}, 1)
		return t.unary(c.Pos, construct, op, t.eval(a[0]))
	}
	if op, ok := reduceFuncs[name]; ok {
		a := t.bind(c, construct, []string{"a", "axis", "keepdims"}, 1)
		return t.reduce(c.Pos, construct, op, t.eval(a[0]), a[1], a[2])
	}
	switch name {
	case "dot", "matmul":
		a := t.bind(c, construct, []string{"a", "b"}, 2)
		return t.matmul(c.Pos, construct, t.eval(a[0]), t.eval(a[1]))
	case "maximum", "minimum":
		a := t.bind(c, construct, []string{"x1", "x2"}, 2)
		op := ir.OpMax
		if name == "minimum" {
			op = ir.OpMin
		}
		return t.apply(c.Pos, construct, []val{t.eval(a[0]), t.eval(a[1])}, isIntAll, func(g *ir.Graph, v []*ir.Value) (*ir.Value, error) {
			return g.Binary(op, v[0], v[1])
		})
	case "clip":
		a := t.bind(c, construct, []string{"a", "a_min", "a_max"}, 3)
		return t.apply(c.Pos, construct, []val{t.eval(a[0]), t.eval(a[1]), t.eval(a[2])}, isIntAll, func(g *ir.Graph, v []*ir.Value) (*ir.Value, error) {
			return g.Clip(v[0], v[1], v[2])
		})
	case "where":
		a := t.bind(c, construct, []string{"condition", "x", "y"}, 3)
		cond := t.condition(a[0])
		return t.apply(c.Pos, construct, []val{cond, t.eval(a[1]), t.eval(a[2])}, func(v []val) bool { return isIntAll(v[1:]) }, func(g *ir.Graph, v []*ir.Value) (*ir.Value, error) {
			return g.Where(v[0], v[1], v[2])
		})
	case "transpose":
		a := t.bind(c, construct, []string{"a"}, 1)
		return t.transpose(c.Pos, construct, t.eval(a[0]))
	case "reshape":
		a := t.bind(c, construct, []string{"a", "newshape"}, 2)
		return t.reshape(c.Pos, construct, t.eval(a[0]), t.eval(a[1]))
	case "load":
		return t.load(c)
	}
	if k, ok := t.constructor(c, name); ok {
		return k
	}
	t.fail(c.Pos, construct, "%s is not supported", construct)
	return val{}
}

// method handles x.sum(...), x.reshape(...) and the like.
func (t *tracer) method(c *python.Call, f *python.Attribute) val {
	construct := "." + f.Name + "()"
	if op, ok := reduceFuncs[f.Name]; ok && f.Name[0] != 'a' {
		a := t.bind(c, construct, []string{"axis", "keepdims"}, 0)
		return t.reduce(c.Pos, construct, op, t.eval(f.X), a[0], a[1])
	}
	switch f.Name {
	case "reshape":
		if len(c.Keywords) > 0 {
			t.fail(c.Keywords[0].Pos, construct, "%s: keyword arguments are not supported", construct)
		}
		x := t.eval(f.X)
		shape := val{k: kSeq}
		if len(c.Args) == 1 {
			shape = t.eval(c.Args[0])
		} else {
			for _, a := range c.Args {
				shape.elts = append(shape.elts, t.eval(a))
			}
		}
		return t.reshape(c.Pos, construct, x, shape)
	case "transpose":
		t.bind(c, construct, nil, 0)
		return t.transpose(c.Pos, construct, t.eval(f.X))
	case "dot":
		a := t.bind(c, construct, []string{"b"}, 1)
		return t.matmul(c.Pos, construct, t.eval(f.X), t.eval(a[0]))
	}
	t.fail(c.Pos, construct, "method %s is not supported", construct)
	return val{}
}

// condition evaluates np.where's condition: a comparison or a 0/1 mask.
func (t *tracer) condition(e python.Expr) val {
	cmp, ok := e.(*python.Compare)
	if !ok {
		return t.eval(e)
	}
	op := compareOps[cmp.Op]
	return t.apply(cmp.OpPos, "comparison "+cmp.Op, []val{t.eval(cmp.X), t.eval(cmp.Y)}, isIntNever, func(g *ir.Graph, v []*ir.Value) (*ir.Value, error) {
		return g.Binary(op, v[0], v[1])
	})
}

func (t *tracer) unary(pos python.Pos, construct string, op ir.Op, x val) val {
	rule := isIntNever
	if op == ir.OpAbs || op == ir.OpNeg {
		rule = isIntAll
	}
	return t.apply(pos, construct, []val{x}, rule, func(g *ir.Graph, v []*ir.Value) (*ir.Value, error) {
		return g.Unary(op, v[0])
	})
}

func (t *tracer) reduce(pos python.Pos, construct string, op ir.Op, x val, axisExpr, keepExpr python.Expr) val {
	all, axis := true, 0
	if axisExpr != nil {
		av := t.eval(axisExpr)
		if av.k != kNone {
			if av.k != kConst || !av.t.isInt || len(av.t.shape) != 0 {
				t.fail(axisExpr.Position(), construct, "%s: axis must be an int or None (axis tuples are not supported)", construct)
			}
			all, axis = false, int(av.t.data[0])
		}
	}
	keep := false
	if keepExpr != nil {
		kv := t.eval(keepExpr)
		if kv.k != kBool {
			t.fail(keepExpr.Position(), construct, "%s: keepdims must be True or False", construct)
		}
		keep = kv.b
	}
	rule := isIntAll
	if op == ir.OpReduceMean {
		rule = isIntNever
	}
	return t.apply(pos, construct, []val{x}, rule, func(g *ir.Graph, v []*ir.Value) (*ir.Value, error) {
		return g.Reduce(op, v[0], axis, all, keep)
	})
}

func (t *tracer) transpose(pos python.Pos, construct string, x val) val {
	return t.apply(pos, construct, []val{x}, isIntAll, func(g *ir.Graph, v []*ir.Value) (*ir.Value, error) {
		return g.Transpose(v[0]), nil
	})
}

func (t *tracer) reshape(pos python.Pos, construct string, x, shape val) val {
	s, ok := intsOf(shape)
	if !ok {
		t.fail(pos, construct, "%s: the shape must be compile-time ints", construct)
	}
	return t.apply(pos, construct, []val{x}, isIntAll, func(g *ir.Graph, v []*ir.Value) (*ir.Value, error) {
		return g.Reshape(v[0], ir.Shape(s))
	})
}
