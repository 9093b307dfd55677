package frontend

import (
	"github.com/muscles/referee/compiler/ir"
	"github.com/muscles/referee/compiler/python"
)

// traceLoss traces the module's def loss(y, target), if it has one, into
// a graph of its own (ir.Model.Loss): inputs ir.LossY and ir.LossTarget of
// the forward output's shape and a scalar output. A module constant the
// loss reads is the model's parameter of that name when forward reads it
// too (so the gradient through the loss counts), a constant otherwise.
func (t *tracer) traceLoss(m *ir.Model) {
	fn, ok := t.funcs["loss"]
	if !ok {
		return
	}
	if len(fn.Params) != 2 {
		t.fail(fn.Pos, "loss", "def loss must take exactly two arguments (y, target), not %d", len(fn.Params))
	}
	forward := map[string]bool{}
	for _, p := range m.Params {
		forward[p.Name] = true
	}
	t.g = ir.New()
	t.params = map[string]*ir.Value{}
	t.paramsOnly = forward
	defer func() { t.paramsOnly = nil }()
	y := t.g.Input(ir.LossY, m.OutputShape)
	target := t.g.Input(ir.LossTarget, m.OutputShape)
	res := t.call(fn, []val{{k: kTraced, v: y}, {k: kTraced, v: target}}, fn.Pos)
	var out *ir.Value
	switch res.k {
	case kTraced:
		out = res.v
	case kConst:
		out = t.g.Const(res.t.shape, toFloat32(res.t.data))
	default:
		t.fail(fn.Pos, "loss", "loss must return a scalar, not a %s", res.describe())
	}
	if len(out.Shape) != 0 {
		t.fail(fn.Pos, "loss", "loss must return a scalar, not an array of shape %s", out.Shape)
	}
	t.g.Output = out
	m.Loss = t.g
}

// LossOf traces def loss(y, target) from a Family Python file of its own
// (musclec --loss FILE) for model m, whatever m's front end: its
// constants are constants, never m's parameters.
func LossOf(filename string, src []byte, m *ir.Model) (g *ir.Graph, err error) {
	mod, err := python.Parse(filename, src)
	if err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bailout)
			if !ok {
				panic(r)
			}
			g, err = nil, b.err
		}
	}()
	t := newTracer(mod)
	t.module()
	if _, ok := t.funcs["loss"]; !ok {
		t.fail(python.Pos{Line: 1, Col: 1}, "loss", "the loss file defines no def loss(y, target)")
	}
	lm := &ir.Model{OutputShape: m.OutputShape}
	t.traceLoss(lm)
	return lm.Loss, nil
}
