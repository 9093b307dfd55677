package ir

// Value is one node of a Graph.
type Value struct {
	ID    int
	Op    Op
	Args  []*Value
	Shape Shape

	Data      []float32 // OpConst payload, OpParam initial value (row-major)
	Name      string    // OpInput, OpParam
	Trainable bool      // OpParam

	Exponent float64 // OpPow
	Axis     int     // reductions, when !AllAxes (non-negative)
	AllAxes  bool    // reductions over every axis
	KeepDims bool    // reductions
	Index    []Sel   // OpSlice, one per axis of Args[0]
	Act      Act     // OpDense
}

// Graph is a list of Values in SSA order and the Value forward returns.
type Graph struct {
	Values []*Value
	Output *Value
	nextID int
}

// New returns an empty graph.
func New() *Graph { return &Graph{} }

func (g *Graph) add(v *Value) *Value {
	v.ID = g.nextID
	g.nextID++
	g.Values = append(g.Values, v)
	return v
}

// Input adds the model input.
func (g *Graph) Input(name string, s Shape) *Value {
	return g.add(&Value{Op: OpInput, Name: name, Shape: s.clone()})
}

// Param adds a named parameter with its initial value.
func (g *Graph) Param(name string, s Shape, init []float32, trainable bool) *Value {
	return g.add(&Value{Op: OpParam, Name: name, Shape: s.clone(), Data: append([]float32{}, init...), Trainable: trainable})
}

// Const adds a constant; len(data) must be s.Size().
func (g *Graph) Const(s Shape, data []float32) *Value {
	if len(data) != s.Size() {
		panic("ir.Const: payload size does not match shape")
	}
	return g.add(&Value{Op: OpConst, Shape: s.clone(), Data: append([]float32{}, data...)})
}

// Scalar adds a scalar constant.
func (g *Graph) Scalar(f float32) *Value { return g.Const(nil, []float32{f}) }

// Inputs returns the graph's OpInput values.
func (g *Graph) Inputs() []*Value { return g.byOp(OpInput) }

// Params returns the graph's OpParam values in order.
func (g *Graph) Params() []*Value { return g.byOp(OpParam) }

func (g *Graph) byOp(op Op) []*Value {
	var out []*Value
	for _, v := range g.Values {
		if v.Op == op {
			out = append(out, v)
		}
	}
	return out
}

// renumber gives the values IDs 0, 1, ... in order.
func (g *Graph) renumber() {
	for i, v := range g.Values {
		v.ID = i
	}
	g.nextID = len(g.Values)
}

// ReduceGeometry views a reduction's argument as [outer, n, inner] with the
// reduced axis (or, for AllAxes, every element) in the middle: element
// (o, j, i) is at (o·n + j)·inner + i.
func (v *Value) ReduceGeometry() (outer, n, inner int) {
	s := v.Args[0].Shape
	if v.AllAxes {
		return 1, s.Size(), 1
	}
	outer, n, inner = 1, s[v.Axis], 1
	for i, d := range s {
		if i < v.Axis {
			outer *= d
		} else if i > v.Axis {
			inner *= d
		}
	}
	return outer, n, inner
}
