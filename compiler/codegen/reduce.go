package codegen

import (
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
	for o := range outer {
		for i := range inner {
			for j := range n {
				e := g.fetch(A.S1, x, (o*n+j)*inner+i)
				if j == 0 {
					g.emit(op1(A.FMOV, A.S0, e))
				} else {
					g.emit(op2(op, A.S0, A.S0, e))
				}
			}
			if v.Op == ir.OpReduceMean {
				g.emit(op2(A.FDIV, A.S0, A.S0, g.k(float32(n))))
			}
			g.strS(A.S0, dst, 4*(o*inner+i))
		}
	}
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
