package codegen

import (
	A "github.com/muscles/referee/compiler/arm64"
)

// Copies: a value written contiguously somewhere else (the output at x1,
// a materialized view for a kernel that needs contiguous operands, an
// update copied into its slot). Loops wherever the element count is
// large, so that code does not grow with the tensor: contiguous sources
// by copyContig, uniform constants by a NEON fill loop, sources whose
// index map is affine in two dimensions (transposes, slices, broadcasts
// of rows) by a loop nest; the rest unrolled.

// copyLoopMin is the element count from which copyTo loops.
const copyLoopMin = 64

// copyTo writes the elements of o, in order, contiguously at dst.
func (g *gen) copyTo(o operand, dst loc) {
	n := o.size()
	if n >= copyLoopMin {
		if o.contiguous() {
			g.copyContig(o.mem, dst, n)
			return
		}
		if f, ok := o.uniform(); ok {
			g.fill(f, dst, n)
			return
		}
		if o.cons == nil {
			if base, si, sj, rows, cols, ok := affine2(o); ok {
				g.copyAffine(o.mem, base, si, sj, rows, cols, dst)
				return
			}
		}
	}
	for i := range n {
		g.strS(g.fetch(A.S0, o, i), dst, 4*i)
	}
}

// affine2 finds, for an operand read through an index map, rows, cols
// (rows·cols = its size, cols its last dimension) and base, si, sj >= 0
// such that element i·cols+j is storage element base + i·si + j·sj.
func affine2(o operand) (base, si, sj, rows, cols int, ok bool) {
	if len(o.shape) == 0 || o.idx == nil {
		return 0, 0, 0, 0, 0, false
	}
	cols = o.shape[len(o.shape)-1]
	if cols == 0 {
		return 0, 0, 0, 0, 0, false
	}
	rows = o.size() / cols
	base = o.idx[0]
	if cols > 1 {
		sj = o.idx[1] - base
	}
	if rows > 1 {
		si = o.idx[cols] - base
	}
	if si < 0 || sj < 0 {
		return 0, 0, 0, 0, 0, false
	}
	for i := range rows {
		for j := range cols {
			if o.idx[i*cols+j] != base+i*si+j*sj {
				return 0, 0, 0, 0, 0, false
			}
		}
	}
	return base, si, sj, rows, cols, true
}

// copyAffine copies rows×cols elements, element (i, j) from storage element
// base + i·si + j·sj of src, contiguously to dst: rows loop on x16 (x5 the
// row's first source element), cols loop on x11 (x6 walks the row, x8 the
// destination), unrolled by four where cols allows.
func (g *gen) copyAffine(src loc, base, si, sj, rows, cols int, dst loc) {
	g.addr(A.X5, src, 4*base)
	g.addr(A.X8, dst, 0)
	unroll := 1
	if cols%4 == 0 {
		unroll = 4
	}
	row := func() {
		g.emit(A.Instr{Op: A.ADDImm, Rd: A.X6, Rn: A.X5, Imm: 0})
		g.loop(cols/unroll, func() {
			for range unroll {
				if 4*sj <= 255 {
					g.emit(A.Instr{Op: A.LDRPost, Rd: A.S0, Rn: A.X6, Imm: int64(4 * sj)})
				} else {
					g.emit(A.Instr{Op: A.LDR, Rd: A.S0, Rn: A.X6})
					g.addImm(A.X6, A.X6, 4*sj)
				}
				g.emit(A.Instr{Op: A.STRPost, Rd: A.S0, Rn: A.X8, Imm: 4})
			}
		})
	}
	if rows == 1 {
		row()
		return
	}
	g.loopOn(outX, rows, func() {
		row()
		if si != 0 {
			g.addImm(A.X5, A.X5, 4*si)
		}
	})
}

// fill writes n copies of f at dst: a NEON loop of 16-byte stores, then
// the last n%4 one by one.
func (g *gen) fill(f float32, dst loc, n int) {
	g.vconst(A.V0, f)
	g.addr(A.X8, dst, 0)
	if q := n / 4; q > 0 {
		g.loop(q, func() {
			g.emit(A.Instr{Op: A.STRPost, Rd: A.Q0, Rn: A.X8, Imm: 16})
		})
	}
	for i := n &^ 3; i < n; i++ {
		g.strS(A.S0, dst, 4*i)
	}
}

// copyContig copies n contiguous elements from src to dst: 16-byte
// LDR/STR pairs (unrolled below 64 of them, else a loop with
// post-increment on x5/x6), then the last n%4 elements one by one.
func (g *gen) copyContig(src, dst loc, n int) {
	q := n / 4
	if q >= 64 {
		g.addr(A.X5, src, 0)
		g.addr(A.X6, dst, 0)
		g.loop(q, func() {
			g.emit(A.Instr{Op: A.LDRPost, Rd: A.Q0, Rn: A.X5, Imm: 16},
				A.Instr{Op: A.STRPost, Rd: A.Q0, Rn: A.X6, Imm: 16})
		})
	} else {
		for c := range q {
			g.ldrQ(A.Q0, src, 16*c)
			g.strQ(A.Q0, dst, 16*c)
		}
	}
	for i := 4 * q; i < n; i++ {
		g.ldrS(A.S0, src, 4*i)
		g.strS(A.S0, dst, 4*i)
	}
}
