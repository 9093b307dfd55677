// Package onnxfront is the ONNX front end: it lowers a decoded ONNX model
// (compiler/onnx) into the compiler's language-neutral model (ir.Model),
// node by node, with the same builder (and so the same broadcasts) as the
// Family Python front end. The graph's float initializers are the
// parameters (each an OpParam at its first use, as the Python tracer makes
// them); INT64 tensors and the Shape, Gather, Unsqueeze and Concat chains
// that exporters emit for static shapes are folded at compile time. A
// symbolic batch dimension is fixed (1, or Options.Batch); every other
// dynamic shape, operator, attribute or type outside the subset is refused
// with an error naming the node, its op type and why (wrapping
// onnx.ErrUnsupported). compiler/SUBSET.md lists the subset.
package onnxfront

import (
	"errors"
	"fmt"
	"strings"

	"github.com/muscles/referee/compiler/ir"
	"github.com/muscles/referee/compiler/onnx"
	"github.com/muscles/referee/compiler/pyexport"
)

// Options are what an ONNX file does not fix.
type Options struct {
	// Batch is the size a symbolic first dimension of the input takes
	// (0: 1).
	Batch int
}

// value is an ONNX value during lowering: a traced tensor, or a
// compile-time constant (float or int64 data).
type value struct {
	v      *ir.Value // traced
	shape  ir.Shape  // of a constant
	floats []float64 // float constant
	ints   []int64   // int64 constant
	isInt  bool
	// param names the initializer a float constant is, made a parameter
	// at its first use as a tensor.
	param string
}

func (x value) traced() bool { return x.v != nil }

type lowerer struct {
	file   string
	g      *ir.Graph
	vals   map[string]value
	params map[string]*ir.Value // initializer name -> OpParam
	names  map[string]string    // initializer name -> its Python-safe name
	order  []string             // initializers in file order
	inits  map[string]*onnx.Tensor
	opset  int64
}

func unsupported(format string, a ...any) error {
	return fmt.Errorf("%w: %s", onnx.ErrUnsupported, fmt.Sprintf(format, a...))
}

// Lower builds the model of m, read from file.
func Lower(m *onnx.Model, file string, opt Options) (*ir.Model, error) {
	g := m.Graph
	l := &lowerer{file: file, g: ir.New(), vals: map[string]value{}, params: map[string]*ir.Value{},
		names: map[string]string{}, inits: map[string]*onnx.Tensor{}, opset: m.Opset}
	if len(g.Inputs) != 1 {
		return nil, unsupported("%s: the graph has %d inputs; a muscle takes exactly one", file, len(g.Inputs))
	}
	if len(g.Outputs) != 1 {
		return nil, unsupported("%s: the graph has %d outputs; a muscle gives exactly one", file, len(g.Outputs))
	}
	used := map[string]bool{}
	for _, t := range g.Initializers {
		l.inits[t.Name] = t
		l.order = append(l.order, t.Name)
		x := value{shape: shapeOf(t.Dims)}
		if t.Type == onnx.Int64 {
			x.ints, x.isInt = t.Int64s, true
		} else {
			x.floats = widen(t.Floats)
			n := pyexport.Name(t.Name, used)
			l.names[t.Name], x.param = n, t.Name
		}
		l.vals[t.Name] = x
	}
	in := g.Inputs[0]
	shape, err := inputShape(in, opt.Batch)
	if err != nil {
		return nil, err
	}
	if len(shape) > ir.MaxRank {
		return nil, unsupported("input %q has rank %d; at most %d is supported", in.Name, len(shape), ir.MaxRank)
	}
	inName := pyexport.Name(in.Name, used)
	l.vals[in.Name] = value{v: l.g.Input(inName, shape)}
	for _, n := range g.Nodes {
		if err := l.node(n); err != nil {
			if errors.Is(err, onnx.ErrUnsupported) {
				return nil, err
			}
			return nil, unsupported("%s: %v", n.Desc(), err)
		}
	}
	out, ok := l.vals[g.Outputs[0].Name]
	if !ok {
		return nil, unsupported("the graph's output %q is not computed by any node", g.Outputs[0].Name)
	}
	y, err := l.tensor(out)
	if err != nil {
		return nil, unsupported("output %q: %v", g.Outputs[0].Name, err)
	}
	if len(y.Shape) > ir.MaxRank {
		return nil, unsupported("output %q has rank %d; at most %d is supported", g.Outputs[0].Name, len(y.Shape), ir.MaxRank)
	}
	l.g.Output = y
	model := &ir.Model{File: file, Graph: l.g, InputName: inName, InputShape: shape, OutputShape: y.Shape, LearningRate: ir.DefaultLearningRate}
	for _, name := range l.order {
		if p := l.params[name]; p != nil {
			model.Params = append(model.Params, ir.Param{Name: p.Name, Shape: p.Shape, Init: p.Data, Trainable: true, Value: p})
		}
	}
	return model, nil
}

// inputShape fixes the input's shape: a symbolic first dimension is the
// batch; any other unknown dimension cannot be fixed.
func inputShape(in onnx.ValueInfo, batch int) (ir.Shape, error) {
	if !in.Ranked {
		return nil, unsupported("input %q has no shape: a dynamic shape that cannot be fixed", in.Name)
	}
	if batch <= 0 {
		batch = 1
	}
	var s ir.Shape
	for i, d := range in.Dims {
		switch {
		case d.Value > 0:
			s = append(s, int(d.Value))
		case i == 0 && d.Value < 0:
			s = append(s, batch)
		default:
			return nil, unsupported("input %q dimension %d (%s) is dynamic and cannot be fixed (only a first, batch dimension can: --batch)", in.Name, i, d)
		}
	}
	return s, nil
}

func shapeOf(dims []int64) ir.Shape {
	s := make(ir.Shape, len(dims))
	for i, d := range dims {
		s[i] = int(d)
	}
	return s
}

func widen(f []float32) []float64 {
	out := make([]float64, len(f))
	for i, x := range f {
		out[i] = float64(x)
	}
	return out
}

func narrow(f []float64) []float32 {
	out := make([]float32, len(f))
	for i, x := range f {
		out[i] = float32(x)
	}
	return out
}

// tensor makes x a traced value: a parameter at its first use, or a
// constant of the graph.
func (l *lowerer) tensor(x value) (*ir.Value, error) {
	switch {
	case x.traced():
		return x.v, nil
	case x.isInt:
		return nil, fmt.Errorf("an INT64 tensor used as data (only shapes and indices may be INT64)")
	case x.param != "":
		if p := l.params[x.param]; p != nil {
			return p, nil
		}
		if len(x.shape) > ir.MaxRank {
			return nil, fmt.Errorf("initializer %q has rank %d; at most %d is supported", x.param, len(x.shape), ir.MaxRank)
		}
		p := l.g.Param(l.names[x.param], x.shape, narrow(x.floats), true)
		l.params[x.param] = p
		return p, nil
	}
	if len(x.shape) > ir.MaxRank {
		return nil, fmt.Errorf("a constant of rank %d; at most %d is supported", len(x.shape), ir.MaxRank)
	}
	return l.g.Const(x.shape, narrow(x.floats)), nil
}

// input returns node input i (which must be present).
func (l *lowerer) input(n *onnx.Node, i int) (value, error) {
	if i >= len(n.Inputs) || n.Inputs[i] == "" {
		return value{}, fmt.Errorf("input %d is missing", i)
	}
	x, ok := l.vals[n.Inputs[i]]
	if !ok {
		return value{}, fmt.Errorf("input %q is not defined before the node", n.Inputs[i])
	}
	return x, nil
}

// optional returns node input i if present.
func (l *lowerer) optional(n *onnx.Node, i int) (value, bool, error) {
	if i >= len(n.Inputs) || n.Inputs[i] == "" {
		return value{}, false, nil
	}
	x, err := l.input(n, i)
	return x, err == nil, err
}

func (l *lowerer) tensorInput(n *onnx.Node, i int) (*ir.Value, error) {
	x, err := l.input(n, i)
	if err != nil {
		return nil, err
	}
	return l.tensor(x)
}

// constInts returns node input i as compile-time integers.
func (l *lowerer) constInts(n *onnx.Node, i int) ([]int64, error) {
	x, err := l.input(n, i)
	if err != nil {
		return nil, err
	}
	if !x.isInt {
		return nil, fmt.Errorf("input %d (%q) must be a constant INT64 tensor (a static shape)", i, n.Inputs[i])
	}
	return x.ints, nil
}

// constFloat returns node input i as a compile-time float tensor.
func (l *lowerer) constFloat(n *onnx.Node, i int) (value, error) {
	x, err := l.input(n, i)
	if err != nil {
		return value{}, err
	}
	if x.traced() || x.isInt {
		return value{}, fmt.Errorf("input %d (%q) must be a constant float tensor", i, n.Inputs[i])
	}
	return value{shape: x.shape, floats: x.floats}, nil
}

func (l *lowerer) set(n *onnx.Node, x value) error {
	if len(n.Outputs) == 0 || n.Outputs[0] == "" {
		return fmt.Errorf("has no output")
	}
	for _, o := range n.Outputs[1:] {
		if o != "" {
			return fmt.Errorf("its optional output %q is not supported", o)
		}
	}
	l.vals[n.Outputs[0]] = x
	return nil
}

func (l *lowerer) setTensor(n *onnx.Node, v *ir.Value, err error) error {
	if err != nil {
		return err
	}
	if len(v.Shape) > ir.MaxRank {
		return fmt.Errorf("its result has rank %d; at most %d is supported", len(v.Shape), ir.MaxRank)
	}
	return l.set(n, value{v: v})
}

// describe names the ops the front end knows, for the refusal of others.
func known() string {
	var k []string
	for op := range lowerings {
		k = append(k, op)
	}
	sortStrings(k)
	return strings.Join(k, ", ")
}
