package ir

import "fmt"

// Eval runs g on input (the flattened OpInput value) with params by name
// (a missing parameter takes its initial value) and returns the flattened
// output, computing in float32 (see the package comment).
func Eval(g *Graph, input []float32, params map[string][]float32) ([]float32, error) {
	seeds := map[*Value][]float32{}
	for _, v := range g.Values {
		switch v.Op {
		case OpInput:
			if len(input) != v.Shape.Size() {
				return nil, fmt.Errorf("ir.Eval: input %s has shape %s (%d values), got %d values", v.Name, v.Shape, v.Shape.Size(), len(input))
			}
			seeds[v] = input
		case OpParam:
			p, ok := params[v.Name]
			if !ok {
				p = v.Data
			}
			if len(p) != v.Shape.Size() {
				return nil, fmt.Errorf("ir.Eval: parameter %s has shape %s (%d values), got %d values", v.Name, v.Shape, v.Shape.Size(), len(p))
			}
			seeds[v] = p
		}
	}
	return run(g, seeds, g.Output)
}

// Eval64 computes out in float64, with the data of OpInput and OpParam
// values taken from seeds and constants widened from float32. The front
// end uses it to fold module-level constants.
func Eval64(g *Graph, seeds map[*Value][]float64, out *Value) ([]float64, error) {
	return run(g, seeds, out)
}

func run[T float](g *Graph, seeds map[*Value][]T, out *Value) ([]T, error) {
	if out == nil {
		return nil, fmt.Errorf("ir: graph has no output")
	}
	vals := map[*Value][]T{}
	for _, v := range g.Values {
		switch v.Op {
		case OpInput, OpParam:
			d, ok := seeds[v]
			if !ok {
				if v.Op == OpInput {
					return nil, fmt.Errorf("ir: no data for input %%%d", v.ID)
				}
				d = widen[T](v.Data)
			}
			vals[v] = d
		case OpConst:
			vals[v] = widen[T](v.Data)
		default:
			args := make([][]T, len(v.Args))
			for i, a := range v.Args {
				d, ok := vals[a]
				if !ok {
					return nil, fmt.Errorf("ir: %%%d uses %%%d before it is defined", v.ID, a.ID)
				}
				args[i] = d
			}
			d, err := kernel(v, args)
			if err != nil {
				return nil, err
			}
			vals[v] = d
		}
		if v == out {
			return vals[v], nil
		}
	}
	return nil, fmt.Errorf("ir: output %%%d is not in the graph", out.ID)
}

func widen[T float](d []float32) []T {
	out := make([]T, len(d))
	for i, x := range d {
		out[i] = T(x)
	}
	return out
}
