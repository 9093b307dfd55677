package autodiff

import (
	"github.com/muscles/referee/compiler/ir"
)

// rule returns the contribution of v's adjoint gv to the adjoint of its
// operand k, or nil where that derivative is zero everywhere.
func rule(b builder, v *ir.Value, k int, gv *ir.Value) *ir.Value {
	a := v.Args
	switch v.Op {
	case ir.OpAdd:
		return gv
	case ir.OpSub:
		if k == 0 {
			return gv
		}
		return b.neg(gv)
	case ir.OpMul:
		return b.mul(gv, a[1-k])
	case ir.OpDiv:
		if k == 0 {
			return b.div(gv, a[1])
		}
		return b.neg(b.div(b.mul(gv, v), a[1])) // d(a/c)/dc = -(a/c)/c
	case ir.OpMax, ir.OpMin:
		cmp := ir.OpGreaterEq
		if v.Op == ir.OpMin {
			cmp = ir.OpLessEq
		}
		first := b.bin(cmp, a[0], a[1]) // ties go to the first operand
		if k == 0 {
			return b.where(first, gv, b.scalar(0))
		}
		return b.where(first, b.scalar(0), gv)
	case ir.OpMod:
		if k == 0 {
			return gv
		}
		return b.neg(b.mul(gv, b.bin(ir.OpFloorDiv, a[0], a[1]))) // a % c = a - c*floor(a/c)
	case ir.OpFloorDiv, ir.OpLess, ir.OpLessEq, ir.OpGreater, ir.OpGreaterEq, ir.OpEqual, ir.OpNotEqual:
		return nil
	case ir.OpNeg:
		return b.neg(gv)
	case ir.OpExp:
		return b.mul(gv, v)
	case ir.OpLog:
		return b.div(gv, a[0])
	case ir.OpTanh:
		return b.mul(gv, b.sub(b.scalar(1), b.mul(v, v)))
	case ir.OpSqrt:
		return b.div(b.mul(gv, b.scalar(0.5)), v)
	case ir.OpAbs:
		zero := b.scalar(0)
		sign := b.sub(b.bin(ir.OpGreater, a[0], zero), b.bin(ir.OpLess, a[0], zero))
		return b.mul(gv, sign)
	case ir.OpPow:
		switch e := v.Exponent; e {
		case 0:
			return nil
		case 1:
			return gv
		default:
			return b.mul(gv, b.mul(b.scalar(e), b.g.Pow(a[0], e-1)))
		}
	case ir.OpMatMul:
		return matmulRule(b, v, k, gv)
	case ir.OpReduceSum, ir.OpReduceMean, ir.OpReduceMax, ir.OpReduceMin:
		return reduceRule(b, v, gv)
	case ir.OpTranspose:
		return b.g.Transpose(gv)
	case ir.OpReshape:
		return b.reshape(gv, a[0].Shape)
	case ir.OpBroadcast:
		return unbroadcast(b, gv, a[0].Shape)
	case ir.OpWhere:
		switch k {
		case 0:
			return nil
		case 1:
			return b.where(a[0], gv, b.scalar(0))
		default:
			return b.where(a[0], b.scalar(0), gv)
		}
	case ir.OpSlice:
		return sliceRule(b, v, gv)
	}
	failf("autodiff: no gradient rule for %s", v.Op)
	return nil
}
