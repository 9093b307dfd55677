package codegen

import (
	"math"

	A "github.com/muscles/referee/compiler/arm64"
	"github.com/muscles/referee/compiler/ir"
)

// reduceLoopMin is the reduced count from which a reduction loops.
const reduceLoopMin = 64

// reduce emits Sum/Mean/Max/Min over one axis or all axes in the
// interpreter's order (sequential accumulation; Mean divides the sum by
// the count): unrolled below reduceLoopMin reduced elements, else one loop
// per result over its elements (the operand copied contiguously first if
// it is a view), the results themselves a loop when each is a contiguous
// row (inner 1).
func (g *gen) reduce(v *ir.Value, x operand, dst loc) {
	outer, n, inner := v.ReduceGeometry()
	op := map[ir.Op]A.Op{ir.OpReduceSum: A.FADD, ir.OpReduceMean: A.FADD, ir.OpReduceMax: A.FMAX, ir.OpReduceMin: A.FMIN}[v.Op]
	if n >= reduceLoopMin && x.cons == nil && g.materialize != nil && 4*inner <= 255 {
		g.reduceLoop(v, op, g.materialize(x), dst, outer, n, inner)
		return
	}
	// Unrolled: each result in the next register set (unrolledSets), the
	// first two elements combined by one instruction; a mean over a
	// power-of-two count multiplies by its exact reciprocal (the same
	// bits as the division).
	for o := range outer {
		for i := range inner {
			set := unrolledSets[(o*inner+i)%len(unrolledSets)]
			acc := set[0]
			at := func(j int) int { return (o*n+j)*inner + i }
			if n == 1 {
				g.emit(op1(A.FMOV, acc, g.fetch(set[1], x, at(0))))
			} else {
				g.emit(op2(op, acc, g.fetch(set[1], x, at(0)), g.fetch(set[2], x, at(1))))
			}
			for j := 2; j < n; j++ {
				g.emit(op2(op, acc, acc, g.fetch(set[1+j%2], x, at(j))))
			}
			if v.Op == ir.OpReduceMean {
				if r, ok := exactReciprocal(float32(n)); ok {
					g.emit(op2(A.FMUL, acc, acc, g.k(r)))
				} else {
					g.emit(op2(A.FDIV, acc, acc, g.k(float32(n))))
				}
			}
			g.strS(acc, dst, 4*(o*inner+i))
		}
	}
}

// exactReciprocal returns 1/c when c is a power of two whose reciprocal is
// a normal float32: then x/c and x*(1/c) round the same exact value, so
// they are the same bits for every x.
func exactReciprocal(c float32) (float32, bool) {
	frac, exp := math.Frexp(float64(c))
	if math.Abs(frac) != 0.5 || exp < -124 || exp > 127 {
		return 0, false
	}
	return 1 / c, true
}

// reduceLoop is reduce over a contiguous operand: x5 walks one result's
// elements (stride 4·inner bytes), x11 counts them; with inner 1 and
// several results, x7 is the row of x and x8 the result, x16 the rows.
func (g *gen) reduceLoop(v *ir.Value, op A.Op, x operand, dst loc, outer, n, inner int) {
	var mean A.Reg
	if v.Op == ir.OpReduceMean {
		mean = g.k(float32(n))
	}
	one := func(src loc, store func()) {
		g.addr(A.X5, src, 0)
		g.emit(A.Instr{Op: A.LDRPost, Rd: A.S0, Rn: A.X5, Imm: int64(4 * inner)})
		g.loop(n-1, func() {
			g.emit(A.Instr{Op: A.LDRPost, Rd: A.S1, Rn: A.X5, Imm: int64(4 * inner)},
				op2(op, A.S0, A.S0, A.S1))
		})
		if mean != 0 {
			g.emit(op2(A.FDIV, A.S0, A.S0, mean))
		}
		store()
	}
	if inner == 1 && outer > 1 {
		g.addr(A.X7, x.mem, 0)
		g.addr(A.X8, dst, 0)
		g.loopOn(outX, outer, func() {
			one(loc{A.X7, 0}, func() { g.emit(A.Instr{Op: A.STRPost, Rd: A.S0, Rn: A.X8, Imm: 4}) })
			g.addImm(A.X7, A.X7, 4*n)
		})
		return
	}
	for o := range outer {
		for i := range inner {
			one(loc{x.mem.base, x.mem.off + 4*((o*n)*inner+i)}, func() { g.strS(A.S0, dst, 4*(o*inner+i)) })
		}
	}
}
