package frontend

import (
	"github.com/muscles/referee/compiler/ir"
	"github.com/muscles/referee/compiler/python"
)

// maxInlineDepth bounds the inlining of helper functions (no recursion).
const maxInlineDepth = 16

// tracer evaluates a module and traces its forward function.
type tracer struct {
	file    string
	mod     *python.Module
	globals map[string]val
	order   map[string]int // definition order of globals
	funcs   map[string]*python.FuncDef
	frozen  map[string]bool
	// data are the files np.load read, by their cleaned path; sources
	// lists them, as written, in the order first read (Model.Sources).
	data    map[string]*dataFile
	sources []ir.Source

	// per trace of forward
	g             *ir.Graph
	input         *ir.Value
	inputName     string
	params        map[string]*ir.Value
	scopes        []map[string]val // innermost last; empty at module level
	inferredShape ir.Shape
	// paramsOnly, while the loss is traced, names the constants that are
	// parameters (forward's); others the loss reads become constants.
	paramsOnly map[string]bool
}

func newTracer(mod *python.Module) *tracer {
	return &tracer{file: mod.File, mod: mod, globals: map[string]val{}, order: map[string]int{}, funcs: map[string]*python.FuncDef{}, data: map[string]*dataFile{}}
}

// module evaluates the module-level statements.
func (t *tracer) module() {
	for _, s := range t.mod.Body {
		switch s := s.(type) {
		case *python.Import, *python.Ignored, *python.Pass:
		case *python.Assign:
			t.assign(s, t.eval(s.Value))
		case *python.FuncDef:
			t.funcs[s.Name] = s
			delete(t.globals, s.Name)
		default:
			t.fail(s.Position(), "statement", "this statement is not supported at module level")
		}
	}
	t.frozen = map[string]bool{}
	if f, ok := t.globals["FROZEN"]; ok {
		pos := t.globalPos("FROZEN")
		if f.k != kSeq {
			t.fail(pos, "FROZEN", "FROZEN must be a tuple of parameter names, not a %s", f.describe())
		}
		for _, e := range f.elts {
			if e.k != kStr {
				t.fail(pos, "FROZEN", "FROZEN must be a tuple of parameter names, not of %s", e.describe())
			}
			if g, ok := t.globals[e.s]; !ok || g.k != kConst {
				t.fail(pos, "FROZEN", "FROZEN names %q, which is not a module-level constant", e.s)
			}
			t.frozen[e.s] = true
		}
	}
}

// globalPos is where the module assigns name last (for errors).
func (t *tracer) globalPos(name string) python.Pos {
	pos := python.Pos{Line: 1, Col: 1}
	for _, s := range t.mod.Body {
		if a, ok := s.(*python.Assign); ok {
			for _, n := range a.Targets {
				if n.Name == name {
					pos = n.Pos
				}
			}
		}
	}
	return pos
}

// assign binds the targets of s to v in the current scope.
func (t *tracer) assign(s *python.Assign, v val) {
	bind := func(n *python.Name, v val) {
		if len(t.scopes) == 0 {
			if _, ok := t.order[n.Name]; !ok {
				t.order[n.Name] = len(t.order)
			}
			t.globals[n.Name] = v
		} else {
			t.scopes[len(t.scopes)-1][n.Name] = v
		}
	}
	if !s.Tuple && len(s.Targets) == 1 {
		bind(s.Targets[0], v)
		return
	}
	if v.k != kSeq {
		t.fail(s.Pos, "tuple assignment", "unpacking a %s is not supported", v.describe())
	}
	if len(v.elts) != len(s.Targets) {
		t.fail(s.Pos, "tuple assignment", "cannot unpack %d values into %d names", len(v.elts), len(s.Targets))
	}
	for i, n := range s.Targets {
		bind(n, v.elts[i])
	}
}

func (t *tracer) forwardDef() *python.FuncDef {
	fn, ok := t.funcs["forward"]
	if !ok {
		t.fail(python.Pos{Line: 1, Col: 1}, "forward", "the module has no def forward(x)")
	}
	if len(fn.Params) != 1 {
		t.fail(fn.Pos, "forward", "forward must take exactly one argument (the input), not %d", len(fn.Params))
	}
	return fn
}

// inputShape returns INPUT_SHAPE if the module defines it.
func (t *tracer) inputShape() (ir.Shape, bool) {
	v, ok := t.globals["INPUT_SHAPE"]
	if !ok {
		return nil, false
	}
	pos := t.globalPos("INPUT_SHAPE")
	s, ok := intsOf(v)
	if !ok {
		t.fail(pos, "INPUT_SHAPE", "INPUT_SHAPE must be a tuple of positive ints, not a %s", v.describe())
	}
	if len(s) > ir.MaxRank {
		t.fail(pos, "INPUT_SHAPE", "INPUT_SHAPE has rank %d; at most %d is supported", len(s), ir.MaxRank)
	}
	for _, d := range s {
		if d <= 0 {
			t.fail(pos, "INPUT_SHAPE", "INPUT_SHAPE must be a tuple of positive ints, not %v", s)
		}
	}
	return ir.Shape(s), true
}

// annotatedShape reads the input shape from forward's parameter annotation
// when it is a shape, def forward(x: (2, 3)) or def forward(x: 4); other
// annotations (np.ndarray, say) say nothing about the shape.
func (t *tracer) annotatedShape(fn *python.FuncDef) (ir.Shape, bool) {
	a := fn.Params[0].Annotation
	switch a.(type) {
	case *python.Tuple, *python.Num:
	default:
		return nil, false
	}
	s := t.shapeArg(a.Position(), "shape annotation", a)
	for _, d := range s {
		if d == 0 {
			t.fail(a.Position(), "shape annotation", "the input shape %v has a zero dimension", s)
		}
	}
	return s, true
}

func (t *tracer) learningRate() float64 {
	v, ok := t.globals["LEARNING_RATE"]
	if !ok {
		return ir.DefaultLearningRate
	}
	if v.k != kConst || len(v.t.data) != 1 {
		t.fail(t.globalPos("LEARNING_RATE"), "LEARNING_RATE", "LEARNING_RATE must be a number, not a %s", v.describe())
	}
	return v.t.data[0]
}

// traceForward traces fn with the input of the given shape (nil: not
// known yet). It returns false if the shape was inferred on the way; the
// caller then traces again with t.inferredShape.
func (t *tracer) traceForward(fn *python.FuncDef, shape ir.Shape) (out *ir.Value, ok bool) {
	t.g = ir.New()
	t.params = map[string]*ir.Value{}
	t.input = nil
	t.inputName = fn.Params[0].Name
	in := val{k: kPending}
	if shape != nil {
		t.input = t.g.Input(t.inputName, shape)
		in = val{k: kTraced, v: t.input}
	}
	defer func() {
		if r := recover(); r != nil {
			inf, isInf := r.(inferred)
			if !isInf || shape != nil {
				panic(r)
			}
			t.inferredShape, ok = inf.shape, false
		}
	}()
	res := t.call(fn, []val{in}, fn.Pos)
	switch res.k {
	case kTraced:
		out = res.v
	case kConst:
		out = t.g.Const(res.t.shape, toFloat32(res.t.data))
	case kPending:
		t.fail(fn.Pos, "forward", "cannot infer the shape of input %s: forward returns it unchanged; add INPUT_SHAPE = (...)", t.inputName)
	default:
		t.fail(fn.Pos, "forward", "forward must return one array, not a %s", res.describe())
	}
	if t.input == nil {
		t.fail(fn.Pos, "forward", "cannot infer the shape of input %s: forward does not use it; add INPUT_SHAPE = (...)", t.inputName)
	}
	return out, true
}

// call runs fn's body (forward or an inlined helper) on args.
func (t *tracer) call(fn *python.FuncDef, args []val, pos python.Pos) val {
	if len(t.scopes) >= maxInlineDepth {
		t.fail(pos, "call", "calls nest deeper than %d (recursion is not supported)", maxInlineDepth)
	}
	if len(args) != len(fn.Params) {
		t.fail(pos, "call", "%s() takes %d arguments, got %d", fn.Name, len(fn.Params), len(args))
	}
	scope := map[string]val{}
	for i, p := range fn.Params {
		scope[p.Name] = args[i]
	}
	t.scopes = append(t.scopes, scope)
	defer func() { t.scopes = t.scopes[:len(t.scopes)-1] }()
	for _, s := range fn.Body {
		switch s := s.(type) {
		case *python.Pass, *python.Ignored:
		case *python.Assign:
			t.assign(s, t.eval(s.Value))
		case *python.Return:
			return t.eval(s.Value)
		default:
			t.fail(s.Position(), "statement", "this statement is not supported in a function body")
		}
	}
	t.fail(fn.Pos, "def", "%s has no return statement", fn.Name)
	return val{}
}

// lookup resolves a name: locals, then globals (float constants read by
// forward become parameters).
func (t *tracer) lookup(n *python.Name) val {
	if len(t.scopes) > 0 {
		if v, ok := t.scopes[len(t.scopes)-1][n.Name]; ok {
			return v
		}
	}
	v, ok := t.globals[n.Name]
	if !ok {
		if _, isFn := t.funcs[n.Name]; isFn {
			t.fail(n.Pos, n.Name, "function %s can only be called", n.Name)
		}
		if n.Name == "np" {
			t.fail(n.Pos, "np", "np can only be used as np.NAME")
		}
		t.fail(n.Pos, n.Name, "name %s is not defined", n.Name)
	}
	if len(t.scopes) == 0 || v.k != kConst || v.t.isInt || n.Name == "LEARNING_RATE" {
		return v
	}
	p, ok := t.params[n.Name]
	if !ok {
		if t.paramsOnly != nil && !t.paramsOnly[n.Name] {
			p = t.g.Const(v.t.shape, toFloat32(v.t.data))
		} else {
			p = t.g.Param(n.Name, v.t.shape, toFloat32(v.t.data), !t.frozen[n.Name])
		}
		t.params[n.Name] = p
	}
	return val{k: kTraced, v: p}
}
