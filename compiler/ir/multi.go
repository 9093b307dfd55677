package ir

import "fmt"

// Graphs with several inputs and several results, such as the training
// graph built by package autodiff (inputs x and target; results the
// forward output and every updated parameter). OpInput values are told
// apart by Name.

// opSink is a pseudo-op that RunPassesOutputs appends for the duration of
// the passes so that they keep (and rewrite) every result; it has no
// kernel, so Fold never replaces it, and it never outlives the call.
const opSink Op = -1

// RunPassesOutputs runs passes on g like RunPasses (with no stopping
// point), keeping g.Output and every value of outs live. It returns outs
// with the replacements the passes made applied; g.Output is updated the
// same way.
func RunPassesOutputs(g *Graph, passes []Pass, outs []*Value) ([]*Value, error) {
	args := append([]*Value{g.Output}, outs...)
	if g.Output == nil {
		args = append([]*Value{}, outs...)
	}
	for _, a := range args {
		if a == nil {
			return nil, fmt.Errorf("ir: nil result")
		}
	}
	sink := g.add(&Value{Op: opSink, Args: args})
	saved := g.Output
	g.Output = sink
	for _, p := range passes {
		p.Run(g)
		if err := checkAfter(g, p); err != nil {
			return nil, err
		}
	}
	if n := len(g.Values); n == 0 || g.Values[n-1] != sink {
		return nil, fmt.Errorf("ir: a pass moved the result sink")
	}
	g.Values[len(g.Values)-1] = nil
	g.Values = g.Values[:len(g.Values)-1]
	g.renumber()
	res := sink.Args
	if saved != nil {
		g.Output, res = res[0], res[1:]
	} else {
		g.Output = nil
	}
	return append([]*Value{}, res...), nil
}

// EvalOutputs runs g in float32 like Eval, taking each OpInput's data from
// inputs by name and each parameter's from params (a missing parameter
// takes its initial value), and returns the flattened data of outs.
func EvalOutputs(g *Graph, inputs, params map[string][]float32, outs []*Value) ([][]float32, error) {
	vals := map[*Value][]float32{}
	for _, v := range g.Values {
		var d []float32
		switch v.Op {
		case OpInput:
			var ok bool
			if d, ok = inputs[v.Name]; !ok {
				return nil, fmt.Errorf("ir.EvalOutputs: no data for input %s", v.Name)
			}
		case OpParam:
			var ok bool
			if d, ok = params[v.Name]; !ok {
				d = v.Data
			}
		case OpConst:
			d = v.Data
		default:
			args := make([][]float32, len(v.Args))
			for i, a := range v.Args {
				var ok bool
				if args[i], ok = vals[a]; !ok {
					return nil, fmt.Errorf("ir: %%%d uses %%%d before it is defined", v.ID, a.ID)
				}
			}
			var err error
			if d, err = kernel(v, args); err != nil {
				return nil, err
			}
		}
		if (v.Op == OpInput || v.Op == OpParam) && len(d) != v.Shape.Size() {
			return nil, fmt.Errorf("ir.EvalOutputs: %s %s has shape %s (%d values), got %d values", v.Op, v.Name, v.Shape, v.Shape.Size(), len(d))
		}
		vals[v] = d
	}
	res := make([][]float32, len(outs))
	for i, o := range outs {
		d, ok := vals[o]
		if !ok {
			return nil, fmt.Errorf("ir: result %%%d is not in the graph", o.ID)
		}
		res[i] = d
	}
	return res, nil
}
