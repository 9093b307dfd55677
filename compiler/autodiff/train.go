package autodiff

import (
	"fmt"

	"github.com/muscles/referee/compiler/ir"
)

// Update is the new value of one trainable parameter.
type Update struct {
	Name  string
	Param *ir.Value // the OpParam in TrainGraph.Graph
	Value *ir.Value // p - lr * dloss/dp (Param itself if the loss does not depend on p)
}

// TrainGraph is the training step of a model as one ir graph.
type TrainGraph struct {
	// Graph computes forward, loss, gradients and update. Its Output is Y;
	// its other results are the Update values.
	Graph  *ir.Graph
	Input  *ir.Value // OpInput: the model input
	Target *ir.Value // OpInput: the target, of the forward output's shape
	Y      *ir.Value // forward output, with the parameters before the update

	Updates      []Update // the trainable parameters, in the model's order
	Frozen       []string // parameters read but never updated
	LearningRate float64
	CustomLoss   bool // the model's own loss (ir.Model.Loss), not mean squared error

	// LossGraph computes the loss only (Output); its inputs have the same
	// names as Input and Target. Loss and the tests use it.
	LossGraph *ir.Graph
}

// DefaultTargetName names the target input unless the model input has
// that name already (then underscores are appended).
const DefaultTargetName = "target"

// lossFunc appends the loss of y against target to b.g; params maps the
// parameter names of the model to their OpParam values in b.g.
type lossFunc func(b builder, y, target *ir.Value, params map[string]*ir.Value) *ir.Value

// mse is the default loss, np.mean((y - target) ** 2).
func mse(b builder, y, target *ir.Value, _ map[string]*ir.Value) *ir.Value {
	d := b.g.Pow(b.sub(y, target), 2)
	return must(b.g.Reduce(ir.OpReduceMean, d, 0, true, false))
}

// Train builds the training graph of m with its loss (m.Loss), or the
// mean squared error np.mean((y - target) ** 2) if it has none. m is not
// modified.
func Train(m *ir.Model) (*TrainGraph, error) {
	if m.Loss != nil {
		return train(m, graphLoss(m.Loss), true)
	}
	return train(m, mse, false)
}

// forwardLoss is a copy of the forward graph followed by the loss.
type forwardLoss struct {
	g             *ir.Graph
	input, target *ir.Value
	y, loss       *ir.Value
	params        map[string]*ir.Value
}

// buildForwardLoss copies m's forward graph into a new graph, adds the
// target input and appends the loss.
func buildForwardLoss(m *ir.Model, loss lossFunc) *forwardLoss {
	src := m.Graph
	if src == nil || src.Output == nil {
		failf("autodiff: the model has no forward graph")
	}
	trainable := map[string]bool{}
	for _, p := range m.Params {
		trainable[p.Name] = p.Trainable
	}
	b := builder{ir.New()}
	fl := &forwardLoss{g: b.g, params: map[string]*ir.Value{}}
	copied := map[*ir.Value]*ir.Value{}
	for _, v := range src.Values {
		args := make([]*ir.Value, len(v.Args))
		for i, a := range v.Args {
			args[i] = copied[a]
			if args[i] == nil {
				failf("autodiff: %%%d uses %%%d before it is defined", v.ID, a.ID)
			}
		}
		switch v.Op {
		case ir.OpInput:
			if fl.input != nil {
				failf("autodiff: the forward graph has more than one input")
			}
			fl.input = b.g.Input(v.Name, v.Shape)
			copied[v] = fl.input
		case ir.OpParam:
			t, ok := trainable[v.Name]
			if !ok {
				failf("autodiff: parameter %s is not in the model's parameter list", v.Name)
			}
			p := b.g.Param(v.Name, v.Shape, v.Data, t)
			fl.params[v.Name] = p
			copied[v] = p
		default:
			copied[v] = b.copyValue(v, args)
		}
	}
	if fl.input == nil {
		failf("autodiff: the forward graph has no input")
	}
	fl.y = copied[src.Output]
	name := DefaultTargetName
	for name == fl.input.Name {
		name += "_"
	}
	fl.target = b.g.Input(name, fl.y.Shape)
	fl.loss = loss(b, fl.y, fl.target, fl.params)
	if len(fl.loss.Shape) != 0 {
		failf("autodiff: the loss must be a scalar, not of shape %s", fl.loss.Shape)
	}
	return fl
}

func train(m *ir.Model, loss lossFunc, custom bool) (tg *TrainGraph, err error) {
	defer catch(&err)
	fl := buildForwardLoss(m, loss)
	b := builder{fl.g}
	tg = &TrainGraph{Graph: fl.g, Input: fl.input, Target: fl.target, Y: fl.y, LearningRate: m.LearningRate, CustomLoss: custom}
	var wrt []*ir.Value
	for _, p := range m.Params {
		if p.Trainable {
			wrt = append(wrt, fl.params[p.Name])
		}
	}
	grads := gradients(b, fl.loss, wrt)
	var outs []*ir.Value
	for _, p := range m.Params {
		pv := fl.params[p.Name]
		if pv == nil {
			continue // not read by forward (cannot happen for a traced model)
		}
		if !p.Trainable {
			tg.Frozen = append(tg.Frozen, p.Name)
			continue
		}
		u := pv
		if gr := grads[pv]; gr != nil {
			u = b.sub(pv, b.mul(b.scalar(m.LearningRate), gr))
		}
		if !u.Shape.Equal(pv.Shape) {
			failf("autodiff: update of %s has shape %s, want %s", p.Name, u.Shape, pv.Shape)
		}
		tg.Updates = append(tg.Updates, Update{Name: p.Name, Param: pv, Value: u})
		outs = append(outs, u)
	}
	fl.g.Output = fl.y
	outs, err = ir.RunPassesOutputs(fl.g, ir.Passes, outs)
	if err != nil {
		return nil, err
	}
	tg.Y = fl.g.Output
	for i := range tg.Updates {
		tg.Updates[i].Value = outs[i]
	}

	lg := buildForwardLoss(m, loss)
	lg.g.Output = lg.loss
	if err := ir.RunPasses(lg.g, ir.Passes, ""); err != nil {
		return nil, err
	}
	tg.LossGraph = lg.g
	return tg, nil
}

// String dumps the training graph, naming its results.
func (tg *TrainGraph) String() string {
	s := tg.Graph.String()
	for _, u := range tg.Updates {
		s += fmt.Sprintf("update %s = %%%d\n", u.Name, u.Value.ID)
	}
	return s
}
