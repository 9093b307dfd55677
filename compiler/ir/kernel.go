package ir

import (
	"fmt"
	"math"
)

// float is the element type the kernels run in: float32 for the reference
// interpreter, float64 for compile-time constants.
type float interface{ ~float32 | ~float64 }

// kernel computes v from its operands' data. Math functions go through
// float64 and are rounded to T; explicit conversions keep every float32
// result rounded (no fused multiply-add).
func kernel[T float](v *Value, args [][]T) ([]T, error) {
	out := make([]T, v.Shape.Size())
	switch {
	case v.Op.IsBinary():
		a, b := args[0], args[1]
		for i := range out {
			out[i] = binary(v.Op, a[i], b[i])
		}
	case v.Op.IsUnary():
		for i, x := range args[0] {
			out[i] = unary(v.Op, x)
		}
	case v.Op == OpPow:
		for i, x := range args[0] {
			out[i] = T(math.Pow(float64(x), v.Exponent))
		}
	case v.Op == OpMatMul:
		matmul(v, args[0], args[1], out)
	case v.Op == OpDense:
		dense(v, args, out)
	case v.Op.IsReduce():
		reduce(v, args[0], out)
	case v.Op == OpTranspose || v.Op == OpReshape || v.Op == OpBroadcast || v.Op == OpSlice:
		src, _ := ViewSource(v)
		for i, p := range src {
			out[i] = args[0][p]
		}
	case v.Op == OpWhere:
		for i := range out {
			if args[0][i] != 0 {
				out[i] = args[1][i]
			} else {
				out[i] = args[2][i]
			}
		}
	default:
		return nil, fmt.Errorf("ir: no kernel for %s", v.Op)
	}
	return out, nil
}

func b2f[T float](c bool) T {
	if c {
		return 1
	}
	return 0
}

func binary[T float](op Op, a, b T) T {
	switch op {
	case OpAdd:
		return T(a + b)
	case OpSub:
		return T(a - b)
	case OpMul:
		return T(a * b)
	case OpDiv:
		return T(a / b)
	case OpFloorDiv:
		return T(math.Floor(float64(a) / float64(b)))
	case OpMod:
		if b == 0 {
			return T(math.NaN())
		}
		r := math.Mod(float64(a), float64(b))
		if r != 0 && (r < 0) != (b < 0) {
			r += float64(b)
		}
		return T(r)
	case OpMax:
		if a != a || a > b {
			return a
		}
		return b
	case OpMin:
		if a != a || a < b {
			return a
		}
		return b
	case OpLess:
		return b2f[T](a < b)
	case OpLessEq:
		return b2f[T](a <= b)
	case OpGreater:
		return b2f[T](a > b)
	case OpGreaterEq:
		return b2f[T](a >= b)
	case OpEqual:
		return b2f[T](a == b)
	case OpNotEqual:
		return b2f[T](a != b)
	}
	panic("ir: bad binary op " + op.String())
}

func unary[T float](op Op, x T) T {
	f := float64(x)
	switch op {
	case OpNeg:
		return -x
	case OpExp:
		return T(math.Exp(f))
	case OpLog:
		return T(math.Log(f))
	case OpTanh:
		return T(math.Tanh(f))
	case OpSqrt:
		return T(math.Sqrt(f))
	case OpAbs:
		return T(math.Abs(f))
	}
	panic("ir: bad unary op " + op.String())
}

func matmul[T float](v *Value, a, b, out []T) {
	as, bs := v.Args[0].Shape, v.Args[1].Shape
	k, n := 1, as[len(as)-1]
	if len(as) == 2 {
		k = as[0]
	}
	m := 1
	if len(bs) == 2 {
		m = bs[1]
	}
	for i := range k {
		for j := range m {
			var s T
			for p := range n {
				s = T(s + T(a[i*n+p]*b[p*m+j]))
			}
			out[i*m+j] = s
		}
	}
}

func reduce[T float](v *Value, in, out []T) {
	outer, n, inner := v.ReduceGeometry()
	for o := range outer {
		for i := range inner {
			var acc T
			for j := range n {
				x := in[(o*n+j)*inner+i]
				switch {
				case j == 0 && (v.Op == OpReduceMax || v.Op == OpReduceMin):
					acc = x
				case v.Op == OpReduceMax:
					acc = binary(OpMax, acc, x)
				case v.Op == OpReduceMin:
					acc = binary(OpMin, acc, x)
				default:
					acc = T(acc + x)
				}
			}
			if v.Op == OpReduceMean {
				acc = T(acc / T(n))
			}
			out[o*inner+i] = acc
		}
	}
}
