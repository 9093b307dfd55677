package autodiff

import (
	"github.com/muscles/referee/compiler/ir"
)

// Step runs one training step of tg on the ir interpreter (float32): it
// returns the forward output y (before the update) and the updated value
// of every trainable parameter. params holds the current parameter values
// by name; a parameter missing from it takes its initial value (so the
// frozen ones, never returned, need not be passed).
func Step(tg *TrainGraph, x, target []float32, params map[string][]float32) (y []float32, newParams map[string][]float32, err error) {
	outs := []*ir.Value{tg.Y}
	for _, u := range tg.Updates {
		outs = append(outs, u.Value)
	}
	res, err := ir.EvalOutputs(tg.Graph, tg.inputs(x, target), params, outs)
	if err != nil {
		return nil, nil, err
	}
	newParams = map[string][]float32{}
	for i, u := range tg.Updates {
		newParams[u.Name] = append([]float32{}, res[i+1]...)
	}
	return append([]float32{}, res[0]...), newParams, nil
}

// Loss evaluates the loss of the model with params on (x, target) on the
// interpreter.
func Loss(tg *TrainGraph, x, target []float32, params map[string][]float32) (float32, error) {
	res, err := ir.EvalOutputs(tg.LossGraph, tg.inputs(x, target), params, []*ir.Value{tg.LossGraph.Output})
	if err != nil {
		return 0, err
	}
	return res[0][0], nil
}

func (tg *TrainGraph) inputs(x, target []float32) map[string][]float32 {
	return map[string][]float32{tg.Input.Name: x, tg.Target.Name: target}
}
