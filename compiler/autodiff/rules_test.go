package autodiff

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/muscles/referee/compiler/ir"
	"github.com/muscles/referee/compiler/numpytest"
)

// ruleCase is a tiny forward graph: input x and trainable parameters of
// the given shapes; f builds the output.
type ruleCase struct {
	name   string
	in     ir.Shape
	params []ir.Shape
	f      func(g *ir.Graph, x *ir.Value, p []*ir.Value) (*ir.Value, error)
}

func bin(op ir.Op) func(g *ir.Graph, x *ir.Value, p []*ir.Value) (*ir.Value, error) {
	return func(g *ir.Graph, x *ir.Value, p []*ir.Value) (*ir.Value, error) {
		a, err := g.Binary(ir.OpMul, x, p[0])
		if err != nil {
			return nil, err
		}
		return g.Binary(op, a, p[1])
	}
}

func un(op ir.Op, pre func(g *ir.Graph, v *ir.Value) *ir.Value) func(g *ir.Graph, x *ir.Value, p []*ir.Value) (*ir.Value, error) {
	return func(g *ir.Graph, x *ir.Value, p []*ir.Value) (*ir.Value, error) {
		a, err := g.Binary(ir.OpAdd, x, p[0])
		if err != nil {
			return nil, err
		}
		if pre != nil {
			a = pre(g, a)
		}
		return g.Unary(op, a)
	}
}

// positive maps v to exp(v) + 0.1, for log and sqrt.
func positive(g *ir.Graph, v *ir.Value) *ir.Value {
	e, _ := g.Unary(ir.OpExp, v)
	r, _ := g.Binary(ir.OpAdd, e, g.Scalar(0.1))
	return r
}

func reduceCase(op ir.Op, axis int, all, keep bool) func(g *ir.Graph, x *ir.Value, p []*ir.Value) (*ir.Value, error) {
	return func(g *ir.Graph, x *ir.Value, p []*ir.Value) (*ir.Value, error) {
		a, err := g.Binary(ir.OpMul, x, p[0])
		if err != nil {
			return nil, err
		}
		return g.Reduce(op, a, axis, all, keep)
	}
}

func matmulCase(g *ir.Graph, x *ir.Value, p []*ir.Value) (*ir.Value, error) {
	return g.MatMul(p[0], p[1])
}

var ruleCases = []ruleCase{
	{"add same shape", ir.Shape{3}, []ir.Shape{{3}, {3}}, bin(ir.OpAdd)},
	{"add broadcast row", ir.Shape{2, 3}, []ir.Shape{{2, 3}, {3}}, bin(ir.OpAdd)},
	{"add broadcast column", ir.Shape{2, 3}, []ir.Shape{{2, 1}, {2, 1}}, bin(ir.OpAdd)},
	{"sub broadcast scalar", ir.Shape{2, 3}, []ir.Shape{{}, {1, 3}}, bin(ir.OpSub)},
	{"mul broadcast rank 3", ir.Shape{2, 2, 3}, []ir.Shape{{2, 1, 3}, {3}}, bin(ir.OpMul)},
	{"div", ir.Shape{2, 3}, []ir.Shape{{3}, {2, 1}}, func(g *ir.Graph, x *ir.Value, p []*ir.Value) (*ir.Value, error) {
		a, _ := g.Binary(ir.OpMul, x, p[0])
		return g.Binary(ir.OpDiv, a, positive(g, p[1]))
	}},
	{"max", ir.Shape{4}, []ir.Shape{{4}, {4}}, bin(ir.OpMax)},
	{"max broadcast", ir.Shape{2, 3}, []ir.Shape{{3}, {2, 1}}, bin(ir.OpMax)},
	{"min", ir.Shape{4}, []ir.Shape{{4}, {}}, bin(ir.OpMin)},
	{"mod", ir.Shape{4}, []ir.Shape{{4}, {}}, func(g *ir.Graph, x *ir.Value, p []*ir.Value) (*ir.Value, error) {
		a, _ := g.Binary(ir.OpMul, x, p[0])
		return g.Binary(ir.OpMod, a, positive(g, p[1]))
	}},
	{"neg", ir.Shape{3}, []ir.Shape{{3}}, un(ir.OpNeg, nil)},
	{"exp", ir.Shape{3}, []ir.Shape{{3}}, un(ir.OpExp, nil)},
	{"log", ir.Shape{3}, []ir.Shape{{3}}, un(ir.OpLog, positive)},
	{"tanh", ir.Shape{3}, []ir.Shape{{3}}, un(ir.OpTanh, nil)},
	{"sqrt", ir.Shape{3}, []ir.Shape{{3}}, un(ir.OpSqrt, positive)},
	{"abs", ir.Shape{2, 3}, []ir.Shape{{2, 3}}, un(ir.OpAbs, nil)},
	{"pow 3", ir.Shape{3}, []ir.Shape{{3}}, func(g *ir.Graph, x *ir.Value, p []*ir.Value) (*ir.Value, error) {
		a, _ := g.Binary(ir.OpAdd, x, p[0])
		return g.Pow(a, 3), nil
	}},
	{"pow -1.5", ir.Shape{3}, []ir.Shape{{3}}, func(g *ir.Graph, x *ir.Value, p []*ir.Value) (*ir.Value, error) {
		a, _ := g.Binary(ir.OpAdd, x, p[0])
		return g.Pow(positive(g, a), -1.5), nil
	}},
	{"matmul (n)·(n)", ir.Shape{1}, []ir.Shape{{3}, {3}}, matmulCase},
	{"matmul (n)·(n,m)", ir.Shape{1}, []ir.Shape{{3}, {3, 2}}, matmulCase},
	{"matmul (k,n)·(n)", ir.Shape{1}, []ir.Shape{{2, 3}, {3}}, matmulCase},
	{"matmul (k,n)·(n,m)", ir.Shape{1}, []ir.Shape{{2, 3}, {3, 4}}, matmulCase},
	{"sum all", ir.Shape{2, 3}, []ir.Shape{{2, 3}}, reduceCase(ir.OpReduceSum, 0, true, false)},
	{"sum axis 0", ir.Shape{2, 3}, []ir.Shape{{2, 3}}, reduceCase(ir.OpReduceSum, 0, false, false)},
	{"sum axis 1 keepdims", ir.Shape{2, 3}, []ir.Shape{{3}}, reduceCase(ir.OpReduceSum, 1, false, true)},
	{"mean axis 1 rank 3", ir.Shape{2, 3, 2}, []ir.Shape{{3, 2}}, reduceCase(ir.OpReduceMean, 1, false, false)},
	{"mean all keepdims", ir.Shape{2, 3}, []ir.Shape{{2, 1}}, reduceCase(ir.OpReduceMean, 0, true, true)},
	{"max axis 0", ir.Shape{3, 2}, []ir.Shape{{3, 2}}, reduceCase(ir.OpReduceMax, 0, false, false)},
	{"min axis 1 keepdims", ir.Shape{2, 3}, []ir.Shape{{2, 3}}, reduceCase(ir.OpReduceMin, 1, false, true)},
	{"max all", ir.Shape{2, 3}, []ir.Shape{{3}}, reduceCase(ir.OpReduceMax, 0, true, false)},
	{"transpose", ir.Shape{4, 3}, []ir.Shape{{2, 3}}, func(g *ir.Graph, x *ir.Value, p []*ir.Value) (*ir.Value, error) {
		return g.MatMul(x, g.Transpose(p[0]))
	}},
	{"reshape", ir.Shape{2, 3}, []ir.Shape{{6}}, func(g *ir.Graph, x *ir.Value, p []*ir.Value) (*ir.Value, error) {
		r, _ := g.Reshape(p[0], ir.Shape{3, 2})
		return g.MatMul(x, r)
	}},
	{"where", ir.Shape{2, 3}, []ir.Shape{{3}, {2, 1}}, func(g *ir.Graph, x *ir.Value, p []*ir.Value) (*ir.Value, error) {
		c, _ := g.Binary(ir.OpGreater, x, g.Scalar(0))
		return g.Where(c, p[0], p[1])
	}},
	{"slice step and drop", ir.Shape{2}, []ir.Shape{{3, 4}}, func(g *ir.Graph, x *ir.Value, p []*ir.Value) (*ir.Value, error) {
		s, err := g.Slice(p[0], []ir.Sel{{Start: 2, Step: -1, Len: 2}, {Start: 1, Drop: true, Len: 1, Step: 1}})
		if err != nil {
			return nil, err
		}
		return g.Binary(ir.OpMul, s, x)
	}},
	{"slice 2-D window", ir.Shape{2, 2}, []ir.Shape{{3, 4}}, func(g *ir.Graph, x *ir.Value, p []*ir.Value) (*ir.Value, error) {
		s, err := g.Slice(p[0], []ir.Sel{{Start: 1, Step: 1, Len: 2}, {Start: 0, Step: 2, Len: 2}})
		if err != nil {
			return nil, err
		}
		return g.Binary(ir.OpMul, s, x)
	}},
	{"shared parameter", ir.Shape{3}, []ir.Shape{{3}}, func(g *ir.Graph, x *ir.Value, p []*ir.Value) (*ir.Value, error) {
		a, _ := g.Binary(ir.OpMul, p[0], p[0])
		t, _ := g.Unary(ir.OpTanh, p[0])
		b, _ := g.Binary(ir.OpAdd, a, t)
		return g.Binary(ir.OpMul, b, x)
	}},
}

// handModel wraps a hand-built forward graph as a ir.Model with
// learning rate 1 (so an update is p - grad).
func handModel(t *testing.T, rc ruleCase, r *rand.Rand) *ir.Model {
	t.Helper()
	g := ir.New()
	x := g.Input("x", rc.in)
	m := &ir.Model{Graph: g, InputName: "x", InputShape: rc.in, LearningRate: 1}
	var ps []*ir.Value
	for i, s := range rc.params {
		init := make([]float32, s.Size())
		for j := range init {
			init[j] = float32(2*r.Float64() - 1)
		}
		name := string(rune('a' + i))
		p := g.Param(name, s, init, true)
		ps = append(ps, p)
		m.Params = append(m.Params, ir.Param{Name: name, Shape: s, Init: init, Trainable: true, Value: p})
	}
	out, err := rc.f(g, x, ps)
	if err != nil {
		t.Fatalf("building the forward graph: %v", err)
	}
	g.Output = out
	m.OutputShape = out.Shape
	return m
}

// TestGradientRules compares, op by op, the gradient of the training
// graph (evaluated in float64 with ir.Eval64, so the rule and not float32
// rounding is tested) with central finite differences of the loss graph,
// also in float64 (h = 1e-6: truncation ~1e-12, rounding ~1e-10).
func TestGradientRules(t *testing.T) {
	const h, tol = 1e-6, 1e-6
	for i, rc := range ruleCases {
		t.Run(rc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(i), 5))
			m := handModel(t, rc, r)
			tg, err := Train(m)
			if err != nil {
				t.Fatalf("Train: %v\n%s", err, m.Graph)
			}
			if len(tg.Updates) != len(rc.params) {
				t.Fatalf("%d updates, want %d", len(tg.Updates), len(rc.params))
			}
			x := numpytest.Uniform(r, 1, rc.in.Size(), 1)[0]
			target := numpytest.Uniform(r, 1, m.OutputShape.Size(), 1)[0]
			seeds := func(g *ir.Graph, p map[string][]float64) map[*ir.Value][]float64 {
				s := map[*ir.Value][]float64{}
				for _, v := range g.Inputs() {
					if v.Name == "x" {
						s[v] = widen(x)
					} else {
						s[v] = widen(target)
					}
				}
				for _, v := range g.Params() {
					s[v] = p[v.Name]
				}
				return s
			}
			params := map[string][]float64{}
			for _, p := range m.Params {
				params[p.Name] = widen(p.Init)
			}
			loss := func() float64 {
				l, err := ir.Eval64(tg.LossGraph, seeds(tg.LossGraph, params), tg.LossGraph.Output)
				if err != nil {
					t.Fatal(err)
				}
				return l[0]
			}
			for _, u := range tg.Updates {
				next, err := ir.Eval64(tg.Graph, seeds(tg.Graph, params), u.Value)
				if err != nil {
					t.Fatal(err)
				}
				p := params[u.Name]
				for j := range p {
					keep := p[j]
					p[j] = keep + h
					up := loss()
					p[j] = keep - h
					down := loss()
					p[j] = keep
					fd := (up - down) / (2 * h)
					got := keep - next[j]
					if d := math.Abs(got - fd); !(d <= tol*math.Max(1, math.Abs(fd))) {
						t.Errorf("d loss / d %s[%d] = %v, finite differences %v\n%s", u.Name, j, got, fd, tg)
					}
				}
			}
		})
	}
}

func widen(d []float32) []float64 {
	out := make([]float64, len(d))
	for i, v := range d {
		out[i] = float64(v)
	}
	return out
}
