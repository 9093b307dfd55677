package autodiff

import "github.com/muscles/referee/compiler/ir"

// unfuseDense rebuilds a fused ir.OpDense (from a forward graph that went
// through ir.Fuse) as the ops it stands for, act(matmul(a, W) + bias), so
// that the gradient rules never see a fused op. The training graph runs
// the ir passes after the gradients are built, which fuses again where
// the backward pass leaves the intermediate values single-use.
// The pipeline (compiler/pipeline) runs autodiff before the forward
// graph's passes, so it never sees an OpDense; Train does when it is given
// a model whose graph was optimised.
func (b builder) unfuseDense(v *ir.Value, args []*ir.Value) *ir.Value {
	s := b.add(b.matmul(args[0], args[1]), args[2])
	switch v.Act {
	case ir.ActNone:
		return s
	case ir.ActReluZeroX:
		return b.bin(ir.OpMax, b.scalar(0), s)
	case ir.ActReluXZero:
		return b.bin(ir.OpMax, s, b.scalar(0))
	case ir.ActTanh:
		return b.un(ir.OpTanh, s)
	}
	failf("autodiff: dense with unknown activation %s", v.Act)
	return nil
}
