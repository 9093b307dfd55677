package autodiff

import (
	"github.com/muscles/referee/compiler/ir"
)

// graphLoss is the loss a model carries as a graph of its own
// (ir.Model.Loss): its inputs ir.LossY and ir.LossTarget become y and
// target, an OpParam the model's parameter of that name (so the gradient
// through the loss counts; a constant if the forward graph does not read
// it), and every other value is copied.
func graphLoss(lg *ir.Graph) lossFunc {
	return func(b builder, y, target *ir.Value, params map[string]*ir.Value) *ir.Value {
		copied := map[*ir.Value]*ir.Value{}
		for _, v := range lg.Values {
			switch v.Op {
			case ir.OpInput:
				switch v.Name {
				case ir.LossY:
					copied[v] = y
				case ir.LossTarget:
					copied[v] = target
				default:
					failf("autodiff: the loss has an input %q (want %s and %s)", v.Name, ir.LossY, ir.LossTarget)
				}
				if !copied[v].Shape.Equal(v.Shape) {
					failf("autodiff: loss input %s has shape %s, the forward output %s", v.Name, v.Shape, copied[v].Shape)
				}
			case ir.OpParam:
				if p := params[v.Name]; p != nil {
					copied[v] = p
				} else {
					copied[v] = b.g.Const(v.Shape, v.Data)
				}
			default:
				args := make([]*ir.Value, len(v.Args))
				for i, a := range v.Args {
					if args[i] = copied[a]; args[i] == nil {
						failf("autodiff: loss: %%%d uses %%%d before it is defined", v.ID, a.ID)
					}
				}
				copied[v] = b.copyValue(v, args)
			}
		}
		return copied[lg.Output]
	}
}
