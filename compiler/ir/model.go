package ir

import "fmt"

// DefaultLearningRate is the SGD step of a model that names none.
const DefaultLearningRate = 0.01

// Param is one parameter of a model: a named tensor the forward graph
// reads through an OpParam node, with its initial value.
type Param struct {
	Name      string
	Shape     Shape
	Init      []float32 // initial value, row-major
	Trainable bool      // false for a frozen parameter
	Value     *Value    // its OpParam node in Model.Graph
}

// Model is what every front end (Family Python, ONNX) produces and
// autodiff and codegen consume: the forward graph, its parameters, its
// input and output, and how it learns.
type Model struct {
	// File names the model's source in messages.
	File string
	// Graph is the forward graph: one OpInput, the parameters as OpParam
	// nodes, and Output.
	Graph       *Graph
	InputName   string
	InputShape  Shape
	OutputShape Shape
	// Params are the parameters, in the order the source defines them:
	// the state buffer lays them out in this order.
	Params       []Param
	LearningRate float64
	// Loss is the training loss as a graph of its own: two inputs named
	// LossY and LossTarget, both of OutputShape, and a scalar Output; it
	// reads a model parameter through an OpParam of the same name and
	// shape (so the gradient through the loss counts). Nil means the mean
	// squared error, np.mean((y - target) ** 2).
	Loss *Graph
	// Sources are the files the front end read besides File (weights),
	// with their BLAKE3 hashes, for the sealed muscle's provenance: each
	// file once, in the order first read.
	Sources []Source
}

// The names of a loss graph's inputs.
const (
	LossY      = "y"
	LossTarget = "target"
)

// Source is a file a model was read from.
type Source struct {
	// Path is the file's path as the model wrote it (Family Python's
	// np.load: relative to the directory of File).
	Path   string
	BLAKE3 [32]byte // of the file's bytes
}

// Check verifies the model's own invariants and its graphs (Graph.Check):
// the forward graph's only input is the model's, every OpParam is a listed
// parameter of the same shape, and a loss graph has the two inputs and a
// scalar output.
func (m *Model) Check() error {
	if m.Graph == nil || m.Graph.Output == nil {
		return fmt.Errorf("ir: model %s has no forward graph", m.File)
	}
	if err := m.Graph.Check(); err != nil {
		return fmt.Errorf("forward: %w", err)
	}
	ins := m.Graph.Inputs()
	if len(ins) > 1 {
		return fmt.Errorf("ir: forward graph has %d inputs, want at most one", len(ins))
	}
	if len(ins) == 1 && (ins[0].Name != m.InputName || !ins[0].Shape.Equal(m.InputShape)) {
		return fmt.Errorf("ir: forward input %s %s is not the model's %s %s", ins[0].Name, ins[0].Shape, m.InputName, m.InputShape)
	}
	if !m.Graph.Output.Shape.Equal(m.OutputShape) {
		return fmt.Errorf("ir: forward output %s is not the model's %s", m.Graph.Output.Shape, m.OutputShape)
	}
	params := map[string]Param{}
	for _, p := range m.Params {
		if _, dup := params[p.Name]; dup {
			return fmt.Errorf("ir: parameter %s listed twice", p.Name)
		}
		if len(p.Init) != p.Shape.Size() {
			return fmt.Errorf("ir: parameter %s %s has %d initial values", p.Name, p.Shape, len(p.Init))
		}
		params[p.Name] = p
	}
	checkParams := func(g *Graph, what string) error {
		for _, v := range g.Params() {
			p, ok := params[v.Name]
			if !ok || !p.Shape.Equal(v.Shape) {
				return fmt.Errorf("ir: %s reads parameter %s %s, which the model does not list with that shape", what, v.Name, v.Shape)
			}
		}
		return nil
	}
	if err := checkParams(m.Graph, "forward"); err != nil {
		return err
	}
	if m.Loss == nil {
		return nil
	}
	if err := m.Loss.Check(); err != nil {
		return fmt.Errorf("loss: %w", err)
	}
	if m.Loss.Output == nil || len(m.Loss.Output.Shape) != 0 {
		return fmt.Errorf("ir: the loss graph has no scalar output")
	}
	for _, in := range m.Loss.Inputs() {
		if (in.Name != LossY && in.Name != LossTarget) || !in.Shape.Equal(m.OutputShape) {
			return fmt.Errorf("ir: loss input %s %s: want %s and %s, both %s", in.Name, in.Shape, LossY, LossTarget, m.OutputShape)
		}
	}
	return checkParams(m.Loss, "the loss")
}

// Clone is a deep copy of g: the same values, IDs and output, sharing
// nothing that a pass changes.
func (g *Graph) Clone() *Graph {
	c := &Graph{nextID: g.nextID}
	copied := make(map[*Value]*Value, len(g.Values))
	for _, v := range g.Values {
		n := *v
		n.Shape = v.Shape.clone()
		n.Data = append([]float32(nil), v.Data...)
		n.Index = append([]Sel(nil), v.Index...)
		n.Args = make([]*Value, len(v.Args))
		for i, a := range v.Args {
			n.Args[i] = copied[a]
		}
		copied[v] = &n
		c.Values = append(c.Values, &n)
	}
	c.Output = copied[g.Output]
	return c
}

// Clone is a deep copy of m (its graphs cloned, its parameters pointing
// into the copy).
func (m *Model) Clone() *Model {
	c := *m
	c.Graph = m.Graph.Clone()
	byName := map[string]*Value{}
	for _, v := range c.Graph.Params() {
		byName[v.Name] = v
	}
	c.Params = append([]Param(nil), m.Params...)
	for i := range c.Params {
		c.Params[i].Value = byName[c.Params[i].Name]
	}
	if m.Loss != nil {
		c.Loss = m.Loss.Clone()
	}
	c.Sources = append([]Source(nil), m.Sources...)
	return &c
}
