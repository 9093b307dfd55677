package codegen

import (
	A "github.com/muscles/referee/compiler/arm64"
	"github.com/muscles/referee/compiler/ir"
)

// reduce emits Sum/Mean/Max/Min over one axis or all axes, fully
// unrolled in the interpreter's order (sequential accumulation; Mean
// divides the sum by the count).
func (g *gen) reduce(v *ir.Value, x operand, dst loc) {
	outer, n, inner := v.ReduceGeometry()
	op := map[ir.Op]A.Op{ir.OpReduceSum: A.FADD, ir.OpReduceMean: A.FADD, ir.OpReduceMax: A.FMAX, ir.OpReduceMin: A.FMIN}[v.Op]
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
