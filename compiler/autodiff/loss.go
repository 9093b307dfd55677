package autodiff

import (
	"fmt"
	"strings"

	"github.com/muscles/referee/compiler/frontend"
	"github.com/muscles/referee/compiler/ir"
	"github.com/muscles/referee/compiler/python"
)

// lossArg is the parameter name of the synthetic forward that traces a
// module's loss function (not a name a model would use).
const lossArg = "autodiff_y_and_target__"

// TrainFile compiles a model file with the front end and builds its
// training graph. If the module defines def loss(y, target), that is the
// loss (traced by the front end, see customLoss); otherwise it is the mean
// squared error, as in Train.
func TrainFile(filename string, src []byte) (*TrainGraph, error) {
	m, err := frontend.Compile(filename, src)
	if err != nil {
		return nil, err
	}
	mod, err := python.Parse(filename, src)
	if err != nil {
		return nil, err
	}
	var def *python.FuncDef
	for _, s := range mod.Body {
		if f, ok := s.(*python.FuncDef); ok && f.Name == "loss" {
			def = f
		}
	}
	if def == nil {
		return Train(m)
	}
	if len(def.Params) != 2 {
		return nil, fmt.Errorf("%s:%d:%d: def loss must take exactly two arguments (y, target), not %d", filename, def.Pos.Line, def.Pos.Col, len(def.Params))
	}
	loss, err := customLoss(filename, src, m.OutputShape)
	if err != nil {
		return nil, err
	}
	return train(m, loss, true)
}

// customLoss traces the module's loss(y, target) by reusing the front
// end's tracer: it appends to the source a forward whose single input
// stacks y and target along a new first axis,
//
//	INPUT_SHAPE = (2, *y.shape)
//	def forward(s):
//	    return loss(s[0], s[1])
//
// compiles that, and returns a lossFunc that copies the traced graph with
// s[0] replaced by y and s[1] by target. Module constants the loss reads
// are the model's parameters when forward reads them too (so the gradient
// through the loss counts) and constants otherwise. The stacking needs
// rank(y) ≤ 2.
func customLoss(filename string, src []byte, yShape ir.Shape) (lossFunc, error) {
	if len(yShape)+1 > ir.MaxRank {
		return nil, fmt.Errorf("%s: def loss is supported only for forward outputs of rank at most %d, not %s", filename, ir.MaxRank-1, yShape)
	}
	dims := []string{"2"}
	for _, d := range yShape {
		dims = append(dims, fmt.Sprint(d))
	}
	var s strings.Builder
	s.Write(src)
	fmt.Fprintf(&s, "\n\nINPUT_SHAPE = (%s,)\n\n\ndef forward(%s):\n    return loss(%s[0], %s[1])\n", strings.Join(dims, ", "), lossArg, lossArg, lossArg)
	lm, err := frontend.Compile(filename, []byte(s.String()))
	if err != nil {
		return nil, err
	}
	lg := lm.Graph
	if len(lg.Output.Shape) != 0 {
		return nil, fmt.Errorf("%s: loss must return a scalar, not an array of shape %s", filename, lg.Output.Shape)
	}
	return func(b builder, y, target *ir.Value, params map[string]*ir.Value) *ir.Value {
		copied := map[*ir.Value]*ir.Value{}
		for _, v := range lg.Values {
			switch {
			case v.Op == ir.OpInput:
				// used only through the two slices below
			case v.Op == ir.OpSlice && v.Args[0].Op == ir.OpInput:
				sel := v.Index[0]
				whole := sel.Drop
				for i, r := range v.Index[1:] {
					whole = whole && !r.Drop && r.Start == 0 && r.Step == 1 && r.Len == v.Args[0].Shape[i+1]
				}
				if !whole {
					failf("%s: loss: unexpected use of its arguments (%s)", filename, v)
				}
				copied[v] = y
				if sel.Start == 1 {
					copied[v] = target
				}
			case v.Op == ir.OpParam:
				if p := params[v.Name]; p != nil {
					copied[v] = p
				} else {
					copied[v] = b.g.Const(v.Shape, v.Data)
				}
			default:
				args := make([]*ir.Value, len(v.Args))
				for i, a := range v.Args {
					if args[i] = copied[a]; args[i] == nil {
						failf("%s: loss: unexpected use of its arguments (%s)", filename, v)
					}
				}
				copied[v] = b.copyValue(v, args)
			}
		}
		return copied[lg.Output]
	}, nil
}
