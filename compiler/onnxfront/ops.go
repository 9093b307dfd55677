package onnxfront

import (
	"fmt"

	"sort"

	"github.com/muscles/referee/compiler/ir"
	"github.com/muscles/referee/compiler/onnx"
)

// lowerings holds one function per supported operator.
var lowerings map[string]func(*lowerer, *onnx.Node) error

func init() {
	lowerings = map[string]func(*lowerer, *onnx.Node) error{
		"Gemm": (*lowerer).gemm, "MatMul": (*lowerer).matmul,
		"Add": binary(ir.OpAdd), "Sub": binary(ir.OpSub), "Mul": binary(ir.OpMul), "Div": binary(ir.OpDiv),
		"Relu": (*lowerer).relu, "LeakyRelu": (*lowerer).leakyRelu, "Sigmoid": (*lowerer).sigmoid,
		"Tanh": unary(ir.OpTanh), "Softmax": (*lowerer).softmax, "LogSoftmax": (*lowerer).logSoftmax,
		"Clip": (*lowerer).clip, "Flatten": (*lowerer).flatten, "Reshape": (*lowerer).reshape,
		"Identity": (*lowerer).identity, "Constant": (*lowerer).constant,
		"Shape": (*lowerer).shape, "Gather": (*lowerer).gather, "Unsqueeze": (*lowerer).unsqueeze, "Concat": (*lowerer).concat,
	}
}

func sortStrings(s []string) { sort.Strings(s) }

func (l *lowerer) node(n *onnx.Node) error {
	if n.Domain != "" && n.Domain != "ai.onnx" {
		return unsupported("%s: domain %q is not the default ONNX domain", n.Desc(), n.Domain)
	}
	f, ok := lowerings[n.OpType]
	if !ok {
		return unsupported("%s: operator %s is not supported (the subset: %s)", n.Desc(), n.OpType, known())
	}
	return f(l, n)
}

func binary(op ir.Op) func(*lowerer, *onnx.Node) error {
	return func(l *lowerer, n *onnx.Node) error {
		a, err := l.input(n, 0)
		if err != nil {
			return err
		}
		b, err := l.input(n, 1)
		if err != nil {
			return err
		}
		if !a.traced() && !b.traced() && !a.isInt && !b.isInt {
			return l.foldBinary(n, op, a, b)
		}
		x, err := l.tensor(a)
		if err != nil {
			return err
		}
		y, err := l.tensor(b)
		if err != nil {
			return err
		}
		v, err := l.g.Binary(op, x, y)
		return l.setTensor(n, v, err)
	}
}

// foldBinary computes an op on two float constants that are not both
// parameters: exporters fold such arithmetic rarely, but it must not turn
// a weight into a constant. Two constants at least one of which is a
// parameter stay in the graph.
func (l *lowerer) foldBinary(n *onnx.Node, op ir.Op, a, b value) error {
	if a.param != "" || b.param != "" {
		x, err := l.tensor(a)
		if err != nil {
			return err
		}
		y, err := l.tensor(b)
		if err != nil {
			return err
		}
		v, err := l.g.Binary(op, x, y)
		return l.setTensor(n, v, err)
	}
	g := ir.New()
	v, err := g.Binary(op, g.Const(a.shape, narrow(a.floats)), g.Const(b.shape, narrow(b.floats)))
	if err != nil {
		return err
	}
	g.Output = v
	out, err := ir.Eval(g, nil, nil)
	if err != nil {
		return err
	}
	return l.set(n, value{shape: v.Shape, floats: widen(out)})
}

func unary(op ir.Op) func(*lowerer, *onnx.Node) error {
	return func(l *lowerer, n *onnx.Node) error {
		x, err := l.tensorInput(n, 0)
		if err != nil {
			return err
		}
		v, err := l.g.Unary(op, x)
		return l.setTensor(n, v, err)
	}
}

func (l *lowerer) identity(n *onnx.Node) error {
	x, err := l.input(n, 0)
	if err != nil {
		return err
	}
	return l.set(n, x)
}

// gemm: alpha · A' @ B' + beta · C, A' and B' transposed as transA and
// transB say (nn.Linear exports transB=1).
func (l *lowerer) gemm(n *onnx.Node) error {
	alpha, err := n.AttrFloat("alpha", 1)
	if err != nil {
		return err
	}
	beta, err := n.AttrFloat("beta", 1)
	if err != nil {
		return err
	}
	transA, err := n.AttrInt("transA", 0)
	if err != nil {
		return err
	}
	transB, err := n.AttrInt("transB", 0)
	if err != nil {
		return err
	}
	a, err := l.tensorInput(n, 0)
	if err != nil {
		return err
	}
	b, err := l.tensorInput(n, 1)
	if err != nil {
		return err
	}
	if len(a.Shape) != 2 || len(b.Shape) != 2 {
		return fmt.Errorf("Gemm takes 2-D A and B, not %s and %s", a.Shape, b.Shape)
	}
	if transA != 0 {
		a = l.g.Transpose(a)
	}
	if transB != 0 {
		b = l.g.Transpose(b)
	}
	y, err := l.g.MatMul(a, b)
	if err != nil {
		return err
	}
	if alpha != 1 {
		if y, err = l.g.Binary(ir.OpMul, y, l.g.Scalar(alpha)); err != nil {
			return err
		}
	}
	cv, ok, err := l.optional(n, 2)
	if err != nil {
		return err
	}
	if ok && beta != 0 {
		c, err := l.tensor(cv)
		if err != nil {
			return err
		}
		if beta != 1 {
			if c, err = l.g.Binary(ir.OpMul, c, l.g.Scalar(beta)); err != nil {
				return err
			}
		}
		y, err = l.g.Binary(ir.OpAdd, y, c)
		if err != nil {
			return err
		}
	}
	return l.setTensor(n, y, nil)
}

// matmul: np.matmul; a rank-3 left operand is flattened to rank 2 around
// the product (the IR multiplies ranks 1 and 2).
func (l *lowerer) matmul(n *onnx.Node) error {
	a, err := l.tensorInput(n, 0)
	if err != nil {
		return err
	}
	b, err := l.tensorInput(n, 1)
	if err != nil {
		return err
	}
	if len(a.Shape) == 3 && len(b.Shape) <= 2 {
		s := a.Shape
		flat, err := l.g.Reshape(a, ir.Shape{s[0] * s[1], s[2]})
		if err != nil {
			return err
		}
		y, err := l.g.MatMul(flat, b)
		if err != nil {
			return err
		}
		out := ir.Shape{s[0], s[1]}
		if len(b.Shape) == 2 {
			out = append(out, b.Shape[1])
		}
		v, err := l.g.Reshape(y, out)
		return l.setTensor(n, v, err)
	}
	if len(a.Shape) > 2 || len(b.Shape) > 2 {
		return fmt.Errorf("MatMul of %s and %s: only ranks 1 and 2, and a rank-3 left operand with a rank-1 or -2 right one, are supported", a.Shape, b.Shape)
	}
	v, err := l.g.MatMul(a, b)
	return l.setTensor(n, v, err)
}

// relu is np.maximum(x, 0), the form the IR fuses into a dense layer.
func (l *lowerer) relu(n *onnx.Node) error {
	x, err := l.tensorInput(n, 0)
	if err != nil {
		return err
	}
	v, err := l.g.Binary(ir.OpMax, x, l.g.Scalar(0))
	return l.setTensor(n, v, err)
}

// leakyRelu is np.where(x < 0, x * alpha, x).
func (l *lowerer) leakyRelu(n *onnx.Node) error {
	alpha, err := n.AttrFloat("alpha", 0.01)
	if err != nil {
		return err
	}
	x, err := l.tensorInput(n, 0)
	if err != nil {
		return err
	}
	// The comparison right before the where, as Family Python writes
	// it (np.where(x < 0, ...)), so that an imported file traces to the
	// same graph.
	scaled, err := l.g.Binary(ir.OpMul, x, l.g.Scalar(alpha))
	if err != nil {
		return err
	}
	neg, err := l.g.Binary(ir.OpLess, x, l.g.Scalar(0))
	if err != nil {
		return err
	}
	v, err := l.g.Where(neg, scaled, x)
	return l.setTensor(n, v, err)
}

// sigmoid is 1 / (1 + np.exp(-x)).
func (l *lowerer) sigmoid(n *onnx.Node) error {
	x, err := l.tensorInput(n, 0)
	if err != nil {
		return err
	}
	nx, err := l.g.Unary(ir.OpNeg, x)
	if err != nil {
		return err
	}
	e, err := l.g.Unary(ir.OpExp, nx)
	if err != nil {
		return err
	}
	d, err := l.g.Binary(ir.OpAdd, l.g.Scalar(1), e)
	if err != nil {
		return err
	}
	v, err := l.g.Binary(ir.OpDiv, l.g.Scalar(1), d)
	return l.setTensor(n, v, err)
}

// axisOf resolves a Softmax/LogSoftmax axis (default -1 from opset 13 on).
func (l *lowerer) axisOf(n *onnx.Node, rank int) (int, error) {
	a, err := n.AttrInt("axis", -1)
	if err != nil {
		return 0, err
	}
	if a < 0 {
		a += int64(rank)
	}
	if a < 0 || a >= int64(rank) {
		return 0, fmt.Errorf("axis out of range for a rank-%d input", rank)
	}
	return int(a), nil
}

// shifted is x - max(x, axis), and its exp.
func (l *lowerer) shifted(n *onnx.Node) (z, e *ir.Value, axis int, err error) {
	x, err := l.tensorInput(n, 0)
	if err != nil {
		return nil, nil, 0, err
	}
	if len(x.Shape) == 0 {
		return nil, nil, 0, fmt.Errorf("a scalar input")
	}
	if axis, err = l.axisOf(n, len(x.Shape)); err != nil {
		return nil, nil, 0, err
	}
	m, err := l.g.Reduce(ir.OpReduceMax, x, axis, false, true)
	if err != nil {
		return nil, nil, 0, err
	}
	if z, err = l.g.Binary(ir.OpSub, x, m); err != nil {
		return nil, nil, 0, err
	}
	e, err = l.g.Unary(ir.OpExp, z)
	return z, e, axis, err
}

func (l *lowerer) softmax(n *onnx.Node) error {
	_, e, axis, err := l.shifted(n)
	if err != nil {
		return err
	}
	s, err := l.g.Reduce(ir.OpReduceSum, e, axis, false, true)
	if err != nil {
		return err
	}
	v, err := l.g.Binary(ir.OpDiv, e, s)
	return l.setTensor(n, v, err)
}

func (l *lowerer) logSoftmax(n *onnx.Node) error {
	z, e, axis, err := l.shifted(n)
	if err != nil {
		return err
	}
	s, err := l.g.Reduce(ir.OpReduceSum, e, axis, false, true)
	if err != nil {
		return err
	}
	ls, err := l.g.Unary(ir.OpLog, s)
	if err != nil {
		return err
	}
	v, err := l.g.Binary(ir.OpSub, z, ls)
	return l.setTensor(n, v, err)
}

// clip: its bounds (inputs from opset 11 on) must be compile-time scalars;
// a missing one is no bound.
func (l *lowerer) clip(n *onnx.Node) error {
	x, err := l.tensorInput(n, 0)
	if err != nil {
		return err
	}
	v := x
	for i, op := range []ir.Op{ir.OpMax, ir.OpMin} {
		if _, ok, err := l.optional(n, i+1); err != nil {
			return err
		} else if !ok {
			continue
		}
		b, err := l.constFloat(n, i+1)
		if err != nil {
			return err
		}
		if len(b.floats) != 1 {
			return fmt.Errorf("Clip bound %d has %d values, want a scalar", i+1, len(b.floats))
		}
		if v, err = l.g.Binary(op, v, l.g.Scalar(float32(b.floats[0]))); err != nil {
			return err
		}
	}
	return l.setTensor(n, v, nil)
}

func (l *lowerer) flatten(n *onnx.Node) error {
	x, err := l.tensorInput(n, 0)
	if err != nil {
		return err
	}
	a, err := n.AttrInt("axis", 1)
	if err != nil {
		return err
	}
	r := int64(len(x.Shape))
	if a < 0 {
		a += r
	}
	if a < 0 || a > r {
		return fmt.Errorf("axis %d out of range for rank %d", a, r)
	}
	outer := 1
	for _, d := range x.Shape[:a] {
		outer *= d
	}
	v, err := l.g.Reshape(x, ir.Shape{outer, x.Shape.Size() / outer})
	return l.setTensor(n, v, err)
}

// reshape with a constant shape: 0 copies the input's dimension, -1 is
// inferred.
func (l *lowerer) reshape(n *onnx.Node) error {
	x, err := l.tensorInput(n, 0)
	if err != nil {
		return err
	}
	dims, err := l.constInts(n, 1)
	if err != nil {
		return err
	}
	allowZero, err := n.AttrInt("allowzero", 0)
	if err != nil {
		return err
	}
	s, err := reshapeDims(x.Shape, dims, allowZero != 0)
	if err != nil {
		return err
	}
	v, err := l.g.Reshape(x, s)
	return l.setTensor(n, v, err)
}

func reshapeDims(in ir.Shape, dims []int64, allowZero bool) (ir.Shape, error) {
	s := make(ir.Shape, len(dims))
	infer := -1
	known := 1
	for i, d := range dims {
		switch {
		case d == -1:
			if infer >= 0 {
				return nil, fmt.Errorf("shape %v has more than one -1", dims)
			}
			infer = i
			continue
		case d == 0 && !allowZero:
			if i >= len(in) {
				return nil, fmt.Errorf("shape %v copies dimension %d of a rank-%d input", dims, i, len(in))
			}
			s[i] = in[i]
		case d <= 0:
			return nil, fmt.Errorf("shape %v has a dimension %d", dims, d)
		default:
			s[i] = int(d)
		}
		known *= s[i]
	}
	if infer >= 0 {
		if known == 0 || in.Size()%known != 0 {
			return nil, fmt.Errorf("cannot reshape %s to %v", in, dims)
		}
		s[infer] = in.Size() / known
	}
	if s.Size() != in.Size() {
		return nil, fmt.Errorf("cannot reshape %s to %v", in, dims)
	}
	return s, nil
}

// constant: a FLOAT or INT64 tensor (value), or value_float(s) and
// value_int(s).
func (l *lowerer) constant(n *onnx.Node) error {
	t, err := n.AttrTensor("value")
	if err != nil {
		return err
	}
	if t != nil {
		x := value{shape: shapeOf(t.Dims)}
		if t.Type == onnx.Int64 {
			x.ints, x.isInt = t.Int64s, true
		} else {
			x.floats = widen(t.Floats)
		}
		return l.set(n, x)
	}
	if a := n.Attrs["value_float"]; a != nil {
		return l.set(n, value{floats: []float64{float64(a.F)}})
	}
	if a := n.Attrs["value_floats"]; a != nil {
		return l.set(n, value{shape: ir.Shape{len(a.Floats)}, floats: widen(a.Floats)})
	}
	if a := n.Attrs["value_int"]; a != nil {
		return l.set(n, value{ints: []int64{a.I}, isInt: true})
	}
	if a := n.Attrs["value_ints"]; a != nil {
		return l.set(n, value{shape: ir.Shape{len(a.Ints)}, ints: a.Ints, isInt: true})
	}
	return fmt.Errorf("Constant has no value attribute this front end reads (value, value_float(s), value_int(s))")
}

// shape folds Shape(x) to the static shape (with start and end).
func (l *lowerer) shape(n *onnx.Node) error {
	x, err := l.input(n, 0)
	if err != nil {
		return err
	}
	s := x.shape
	if x.traced() {
		s = x.v.Shape
	}
	r := int64(len(s))
	start, err := n.AttrInt("start", 0)
	if err != nil {
		return err
	}
	end, err := n.AttrInt("end", r)
	if err != nil {
		return err
	}
	clamp := func(i int64) int64 {
		if i < 0 {
			i += r
		}
		return max(0, min(i, r))
	}
	start, end = clamp(start), clamp(end)
	var dims []int64
	for _, d := range s[start:max(start, end)] {
		dims = append(dims, int64(d))
	}
	return l.set(n, value{shape: ir.Shape{len(dims)}, ints: dims, isInt: true})
}

// gather folds Gather on constant INT64 data along axis 0.
func (l *lowerer) gather(n *onnx.Node) error {
	data, err := l.input(n, 0)
	if err != nil {
		return err
	}
	if !data.isInt {
		return fmt.Errorf("Gather of a float tensor is not supported (only the folding of constant shapes)")
	}
	idx, err := l.constInts(n, 1)
	if err != nil {
		return err
	}
	axis, err := n.AttrInt("axis", 0)
	if err != nil {
		return err
	}
	if axis != 0 || len(data.shape) != 1 {
		return fmt.Errorf("Gather along axis %d of a rank-%d tensor: only axis 0 of a 1-D shape tensor is folded", axis, len(data.shape))
	}
	ix, _ := l.input(n, 1)
	var out []int64
	for _, i := range idx {
		if i < 0 {
			i += int64(len(data.ints))
		}
		if i < 0 || i >= int64(len(data.ints)) {
			return fmt.Errorf("index %d out of range for %d elements", i, len(data.ints))
		}
		out = append(out, data.ints[i])
	}
	return l.set(n, value{shape: ix.shape, ints: out, isInt: true})
}

// unsqueeze: axes as an input (opset 13 on); on a constant shape tensor it
// folds, on a traced one it is a reshape.
func (l *lowerer) unsqueeze(n *onnx.Node) error {
	x, err := l.input(n, 0)
	if err != nil {
		return err
	}
	axes, err := l.constInts(n, 1)
	if err != nil {
		return err
	}
	in := x.shape
	if x.traced() {
		in = x.v.Shape
	}
	r := len(in) + len(axes)
	out := make([]int, r)
	for _, a := range axes {
		if a < 0 {
			a += int64(r)
		}
		if a < 0 || a >= int64(r) || out[a] != 0 {
			return fmt.Errorf("axes %v out of range or repeated for a result of rank %d", axes, r)
		}
		out[a] = 1
	}
	s := make(ir.Shape, r)
	j := 0
	for i := range s {
		if out[i] == 1 {
			s[i] = 1
			continue
		}
		s[i] = in[j]
		j++
	}
	if x.traced() {
		v, err := l.g.Reshape(x.v, s)
		return l.setTensor(n, v, err)
	}
	x.shape = s
	return l.set(n, x)
}

// concat folds Concat of constant INT64 vectors (a shape being built).
func (l *lowerer) concat(n *onnx.Node) error {
	var out []int64
	for i := range n.Inputs {
		x, err := l.input(n, i)
		if err != nil {
			return err
		}
		if !x.isInt || len(x.shape) != 1 {
			return fmt.Errorf("Concat of %q: only constant 1-D INT64 tensors (shapes) are folded; tensors cannot be concatenated", n.Inputs[i])
		}
		out = append(out, x.ints...)
	}
	return l.set(n, value{shape: ir.Shape{len(out)}, ints: out, isInt: true})
}
