package frontend

import (
	"sort"

	"github.com/muscles/referee/compiler/ir"
	"github.com/muscles/referee/compiler/python"
)

// Compile parses src and traces its forward function. Errors are
// *python.Error values.
func Compile(filename string, src []byte) (*ir.Model, error) {
	mod, err := python.Parse(filename, src)
	if err != nil {
		return nil, err
	}
	return CompileModule(mod)
}

// CompileModule traces the forward function of a parsed module.
func CompileModule(mod *python.Module) (m *ir.Model, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bailout)
			if !ok {
				panic(r)
			}
			m, err = nil, b.err
		}
	}()
	t := newTracer(mod)
	t.module()
	fn := t.forwardDef()
	var shape ir.Shape
	if s, ok := t.inputShape(); ok {
		shape = s
	} else if s, ok := t.annotatedShape(fn); ok {
		shape = s
	}
	for {
		out, ok := t.traceForward(fn, shape)
		if ok {
			m := t.model(fn, out)
			t.traceLoss(m)
			m.Sources = t.sources
			return m, nil
		}
		shape = t.inferredShape
	}
}

func (t *tracer) model(fn *python.FuncDef, out *ir.Value) *ir.Model {
	t.g.Output = out
	m := &ir.Model{
		File:         t.file,
		Graph:        t.g,
		InputName:    fn.Params[0].Name,
		InputShape:   t.input.Shape,
		OutputShape:  out.Shape,
		LearningRate: t.learningRate(),
	}
	for name, v := range t.params {
		m.Params = append(m.Params, ir.Param{Name: name, Shape: v.Shape, Init: v.Data, Trainable: v.Trainable, Value: v})
	}
	sort.Slice(m.Params, func(i, j int) bool { return t.order[m.Params[i].Name] < t.order[m.Params[j].Name] })
	return m
}
