package autodiff

import (
	"fmt"

	"github.com/muscles/referee/compiler/ir"
)

// buildError carries a builder error out of a chain of builder calls; the
// exported entry points recover it.
type buildError struct{ err error }

// builder wraps an ir.Graph so that each builder call either succeeds or
// aborts the whole construction with a buildError.
type builder struct{ g *ir.Graph }

func must(v *ir.Value, err error) *ir.Value {
	if err != nil {
		panic(buildError{err})
	}
	return v
}

func failf(format string, args ...any) {
	panic(buildError{fmt.Errorf(format, args...)})
}

// catch turns a buildError panic into *err.
func catch(err *error) {
	if r := recover(); r != nil {
		b, ok := r.(buildError)
		if !ok {
			panic(r)
		}
		*err = b.err
	}
}

func (b builder) bin(op ir.Op, x, y *ir.Value) *ir.Value { return must(b.g.Binary(op, x, y)) }
func (b builder) add(x, y *ir.Value) *ir.Value           { return b.bin(ir.OpAdd, x, y) }
func (b builder) sub(x, y *ir.Value) *ir.Value           { return b.bin(ir.OpSub, x, y) }
func (b builder) mul(x, y *ir.Value) *ir.Value           { return b.bin(ir.OpMul, x, y) }
func (b builder) div(x, y *ir.Value) *ir.Value           { return b.bin(ir.OpDiv, x, y) }
func (b builder) un(op ir.Op, x *ir.Value) *ir.Value     { return must(b.g.Unary(op, x)) }
func (b builder) neg(x *ir.Value) *ir.Value              { return b.un(ir.OpNeg, x) }
func (b builder) scalar(f float64) *ir.Value             { return b.g.Scalar(float32(f)) }
func (b builder) reshape(x *ir.Value, s ir.Shape) *ir.Value {
	return must(b.g.Reshape(x, s))
}
func (b builder) matmul(x, y *ir.Value) *ir.Value { return must(b.g.MatMul(x, y)) }
func (b builder) where(c, x, y *ir.Value) *ir.Value {
	return must(b.g.Where(c, x, y))
}
func (b builder) broadcast(x *ir.Value, s ir.Shape) *ir.Value {
	return must(b.g.Broadcast(x, s))
}
func (b builder) sum(x *ir.Value, axis int, all, keep bool) *ir.Value {
	return must(b.g.Reduce(ir.OpReduceSum, x, axis, all, keep))
}

// copyValue rebuilds v (from another graph) in b.g with operands args,
// through the builder methods so that IDs and shapes stay consistent.
// OpInput and OpParam values are not copied here: the caller maps them.
func (b builder) copyValue(v *ir.Value, args []*ir.Value) *ir.Value {
	g := b.g
	var out *ir.Value
	switch {
	case v.Op == ir.OpConst:
		out = g.Const(v.Shape, v.Data)
	case v.Op.IsBinary():
		out = b.bin(v.Op, args[0], args[1])
	case v.Op.IsUnary():
		out = b.un(v.Op, args[0])
	case v.Op == ir.OpPow:
		out = g.Pow(args[0], v.Exponent)
	case v.Op == ir.OpMatMul:
		out = b.matmul(args[0], args[1])
	case v.Op.IsReduce():
		out = must(g.Reduce(v.Op, args[0], v.Axis, v.AllAxes, v.KeepDims))
	case v.Op == ir.OpTranspose:
		out = g.Transpose(args[0])
	case v.Op == ir.OpReshape:
		out = b.reshape(args[0], v.Shape)
	case v.Op == ir.OpBroadcast:
		out = b.broadcast(args[0], v.Shape)
	case v.Op == ir.OpWhere:
		out = b.where(args[0], args[1], args[2])
	case v.Op == ir.OpSlice:
		out = must(g.Slice(args[0], v.Index))
	case v.Op == ir.OpDense:
		out = b.unfuseDense(v, args)
	default:
		failf("autodiff: cannot copy a %s value", v.Op)
	}
	if !out.Shape.Equal(v.Shape) {
		failf("autodiff: copying %s gave shape %s, want %s", v, out.Shape, v.Shape)
	}
	return out
}
