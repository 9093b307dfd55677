package ir

import "math"

// Simplify applies algebraic identities that hold for every float32,
// signed zeros and NaNs included: x*1, 1*x, x+(-0), (-0)+x, x-0, x/1,
// x**1 become x; (-0)-x becomes -x; x**2 becomes x*x; -(-x) becomes x;
// where(a < b, 1, 0) (any comparison) becomes a < b; x.T.T becomes x; a
// broadcast of a scalar constant becomes a constant.
// An identity that would change the result's shape is not applied.
func Simplify(g *Graph) {
	repl := map[*Value]*Value{}
	for _, v := range g.Values {
		resolveArgs(v, repl)
		if r := simplifyOne(v); r != nil && r != v {
			repl[v] = r
		}
	}
	g.replaceUses(repl)
}

// negZero is -0.0 (isConstAll tells the signed zeros apart).
var negZero = math.Copysign(0, -1)

// simplifyOne rewrites v in place or returns the value that replaces it
// (nil if none).
func simplifyOne(v *Value) *Value {
	same := func(x *Value) *Value {
		if x.Shape.Equal(v.Shape) {
			return x
		}
		return nil
	}
	switch v.Op {
	case OpMul:
		if isConstAll(v.Args[1], 1) {
			return same(v.Args[0])
		}
		if isConstAll(v.Args[0], 1) {
			return same(v.Args[1])
		}
	case OpAdd:
		// x + (+0) is +0 for x = -0, so only -0 is an identity.
		if isConstAll(v.Args[1], negZero) {
			return same(v.Args[0])
		}
		if isConstAll(v.Args[0], negZero) {
			return same(v.Args[1])
		}
	case OpSub:
		// x - (+0) is x; (+0) - x is +0, not -x, for x = +0.
		if isConstAll(v.Args[1], 0) {
			return same(v.Args[0])
		}
		if isConstAll(v.Args[0], negZero) {
			v.Op, v.Args = OpNeg, v.Args[1:]
		}
	case OpDiv:
		if isConstAll(v.Args[1], 1) {
			return same(v.Args[0])
		}
	case OpPow:
		switch v.Exponent {
		case 1:
			return v.Args[0]
		case 2:
			v.Op, v.Args, v.Exponent = OpMul, []*Value{v.Args[0], v.Args[0]}, 0
		}
	case OpNeg:
		if a := v.Args[0]; a.Op == OpNeg {
			return a.Args[0]
		}
	case OpWhere:
		// A comparison is 1.0 or +0.0 already.
		if c := v.Args[0]; c.Op.IsComparison() && isConstAll(v.Args[1], 1) && isConstAll(v.Args[2], 0) {
			return same(c)
		}
	case OpTranspose:
		if a := v.Args[0]; a.Op == OpTranspose {
			return a.Args[0]
		}
	case OpBroadcast:
		if a := v.Args[0]; a.Op == OpConst && len(a.Data) == 1 {
			d := make([]float32, v.Shape.Size())
			for i := range d {
				d[i] = a.Data[0]
			}
			makeConst(v, d)
		}
	}
	return nil
}
