package codegen

import (
	A "github.com/muscles/referee/compiler/arm64"
	"github.com/muscles/referee/compiler/ir"
)

// loopDim is the dimension from which a MatMul uses NEON loops instead of
// fully unrolled scalar code.
const loopDim = 64

// unrollMACs is the most multiply-adds a MatMul or Dense unrolls: above
// it the kernel loops even when every dimension is below loopDim (each
// unrolled multiply-add is about three instructions of code).
const unrollMACs = 256

// unrolled reports whether the kernel with dimensions k, n, m is fully
// unrolled scalar code.
func unrolled(k, n, m int) bool {
	return n < loopDim && m < loopDim && k*n*m <= unrollMACs
}

// mmDims returns k (rows of A, 1 if A is 1-D), n (the contracted size)
// and m (columns of B, 1 if B is 1-D).
func mmDims(v *ir.Value) (k, n, m int) {
	as, bs := v.Args[0].Shape, v.Args[1].Shape
	k, n, m = 1, as[len(as)-1], 1
	if len(as) == 2 {
		k = as[0]
	}
	if len(bs) == 2 {
		m = bs[1]
	}
	return
}

// matmul emits dst = A @ B for every combination of 1-D and 2-D operands.
func (g *gen) matmul(v *ir.Value, a, b operand, dst loc) {
	k, n, m := mmDims(v)
	if unrolled(k, n, m) {
		if columnsOK(a, k, n) {
			t := newGen()
			t.resetPool()
			t.matmulUnrolled(a, b, dst, k, n, m)
			c := newGen()
			c.resetPool()
			c.matmulColumns(a, b, dst, k, n, m)
			if c.executed < t.executed {
				g.matmulColumns(a, b, dst, k, n, m)
				return
			}
		}
		g.matmulUnrolled(a, b, dst, k, n, m)
		return
	}
	if base, ok := transposedOK(b, operand{}, false, k, n, m); ok {
		g.matmulT(g.materialize(a), loc{b.mem.base, b.mem.off + 4*base}, operand{}, false, ir.ActNone, dst, k, n, m)
		return
	}
	g.matmulLoop(g.materialize(a), g.materialize(b), dst, k, n, m)
}

// unrolledSets are the register sets (result or accumulator, then up to
// three operands or the addend) the unrolled kernels take in turn, one per
// output element, so that the scheduler can overlap the work of
// neighbouring elements (with one set, each element would wait for the
// last to be stored). s16..s23 are the exp/log/tanh temporaries: a dense
// kernel that computes tanh uses only the first two sets, an elementwise
// op with temporaries only the first.
var unrolledSets = [][4]A.Reg{
	{A.S0, A.S1, A.S2, A.S3},
	{A.S4, A.S5, A.S6, A.S7},
	{A.S16, A.S17, A.S18, A.S19},
	{A.S20, A.S21, A.S22, A.S23},
}

// unrolledSet returns the register set of output element e.
func unrolledSet(e int, tanh bool) (acc, x, y, addend A.Reg) {
	n := len(unrolledSets)
	if tanh {
		n = 2
	}
	s := unrolledSets[e%n]
	return s[0], s[1], s[2], s[3]
}

// matmulUnrolled: one FMUL and n−1 FMADDs per output element, operands
// read through their views, constants folded.
func (g *gen) matmulUnrolled(a, b operand, dst loc, k, n, m int) {
	for i := range k {
		for j := range m {
			acc, xr, yr, _ := unrolledSet(i*m+j, false)
			for p := range n {
				x := g.fetch(xr, a, i*n+p)
				y := g.fetch(yr, b, p*m+j)
				if p == 0 {
					g.emit(op2(A.FMUL, acc, x, y))
				} else {
					g.emit(op3(A.FMADD, acc, x, y, acc))
				}
			}
			g.strS(acc, dst, 4*(i*m+j))
		}
	}
}

// columnsOK reports whether matmulColumns can read A (k rows, n
// columns): k a multiple of four and, for every column p, each block of
// four rows four consecutive elements of memory (A a transposed view, as
// in h.T @ x).
func columnsOK(a operand, k, n int) bool {
	if k%4 != 0 || a.cons != nil {
		return false
	}
	for p := range n {
		for i0 := 0; i0 < k; i0 += 4 {
			for l := 1; l < 4; l++ {
				if a.at((i0+l)*n+p) != a.at(i0*n+p)+l {
					return false
				}
			}
		}
	}
	return true
}

// matmulColumns computes the result four rows at a time, one column j
// after the other: the block out[i0:i0+4, j] is A's block of column 0
// times B[0, j] (FMUL by element), then one FMLA by element for each
// further p, the same order and roundings as matmulUnrolled's FMUL and
// FMADDs; lane 0 is stored as it is, lanes 1..3 after a DUP each (the
// block is a column of the row-major result). Blocks take the register
// sets of unrolledSets in turn.
func (g *gen) matmulColumns(a, b operand, dst loc, k, n, m int) {
	e := 0
	for i0 := 0; i0 < k; i0 += 4 {
		for j := range m {
			set := unrolledSets[e%len(unrolledSets)]
			e++
			acc, ar, br, lane := vview(set[0]), set[2], set[1], vview(set[3])
			for p := range n {
				g.ldrQ(qview(ar), a.mem, 4*a.at(i0*n+p))
				y := g.fetch(br, b, p*m+j)
				op := A.VFMLAElem
				if p == 0 {
					op = A.VFMULElem
				}
				g.emit(A.Instr{Op: op, Rd: acc, Rn: vview(ar), Rm: vview(y)})
			}
			g.strS(A.SReg(int(acc.Num())), dst, 4*(i0*m+j))
			for l := 1; l < 4; l++ {
				g.emit(A.Instr{Op: A.DUPElem, Rd: lane, Rn: acc, Index: uint8(l)})
				g.strS(A.SReg(int(lane.Num())), dst, 4*((i0+l)*m+j))
			}
		}
	}
}

// matmulLoop: for each row i of A and each block of up to 32 columns of
// B (unrolled), a loop of n iterations broadcasts A[i,p] (LD1R into v19)
// and accumulates it times row p of the block with FMLA into v0..v7; the
// block's last 1..3 columns, if m is not a multiple of four, accumulate in
// s16..s18 with FMADD. x5 walks A's row, x6 B's rows. With more than one
// row, the rows are a loop too (counter x16): x7 is the row of A, x8 the
// row of the result.
func (g *gen) matmulLoop(a, b operand, dst loc, k, n, m int) {
	const blockQ = 8
	row := func(arow, drow loc, spare []A.Reg) {
		for j0 := 0; j0 < m; j0 += 4 * blockQ {
			cols := min(m-j0, 4*blockQ)
			nq, tail := cols/4, cols%4
			for c := range nq {
				g.emit(A.Instr{Op: A.MOVIZero, Rd: A.VReg(c)})
			}
			for t := range tail {
				g.emit(A.Instr{Op: A.MOVIZero, Rd: A.VReg(16 + t)})
			}
			g.rowBlockLoop(arow, b.mem, 0, n, m, j0, nq, tail, spare)
			for c := range nq {
				g.strQ(A.QReg(c), drow, 4*(j0+4*c))
			}
			for t := range tail {
				g.strS(A.SReg(16+t), drow, 4*(j0+4*nq+t))
			}
		}
	}
	if k == 1 {
		row(a.mem, dst, rowLoopRegs)
		return
	}
	g.addr(A.X7, a.mem, 0)
	g.addr(A.X8, dst, 0)
	g.loopOn(outX, k, func() {
		row(loc{A.X7, 0}, loc{A.X8, 0}, nil)
		g.addImm(A.X7, A.X7, 4*n)
		g.addImm(A.X8, A.X8, 4*m)
	})
}

// ld1Banks are the first registers of the four banks of four consecutive
// registers that rowBlockLD1 loads rows of B into, and ld1Mult holds the
// multipliers of an iteration's first four rows (ld1MultReg has the rest);
// none is v23 or v24, which a dense kernel keeps for relu and a uniform
// bias.
var ld1Banks = [4]int{8, 12, 16, 25}

const ld1Mult = 29

// rowBases are the base registers the loops with a base per row or group
// (rowBlockLD1, rowBlockTail) may always take: x6, the scratch registers
// and the address cache (which they clear).
var rowBases = []A.Reg{A.X6, A.X9, A.X10, A.X12, A.X13, A.X14, A.X15}

// ld1Rows is how many rows of B rowBlockLD1 takes an iteration, for a
// block of per groups a row (1 or 2) with nb base registers: 8 or 6 where
// that many rows' groups have bases and are a multiple of four (the banks
// turn once an iteration) and the loop runs at least twice, else 4. More
// rows an iteration share the loop's end (the next multipliers, the base
// updates, the counter) among more multiply-adds.
func ld1Rows(n, per, nb int) int {
	for _, rows := range []int{8, 6} {
		if grp := rows * per; grp%4 == 0 && grp <= nb && n >= 2*rows {
			return rows
		}
	}
	return 4
}

// ld1MultReg returns the register and lane of row r's multiplier in an
// iteration of rows rows: v29 lanes 0..3 for rows 0..3; then v30 lanes
// 0..3 (rows = 8, one LDP q), or lane 0 of v30 and v31 (rows = 6, one LDP
// s, which reads no further than the iteration's rows).
func ld1MultReg(rows, r int) (A.Reg, uint8) {
	switch {
	case r < 4:
		return A.VReg(ld1Mult), uint8(r)
	case rows == 8:
		return A.VReg(ld1Mult + 1), uint8(r - 4)
	}
	return A.VReg(ld1Mult + 1 + r - 4), 0
}

// rowBlockLD1 is rowBlockLoop's loop for blocks of 16 or 32 columns (nq 4
// or 8), laid out for the in-order Cortex-A53, which writes results back
// in order: a load issues only once it would not complete before the
// multiply-adds ahead of it (FMLA 10 cycles), so the 7-cycle four-register
// LD1 can issue three cycles after an FMLA where an LDR (4) waits six. A
// group is one LD1 (64 bytes of a row of B) and the four FMLAs by element
// that use it. An iteration takes ld1Rows rows; where n is not a multiple
// of them, the first n mod rows rows (2 or 4) are one straight iteration
// before the loop. Each accumulator sums in the same order as the other
// loops (rows in order).
func (g *gen) rowBlockLD1(a, b loc, i, n, m, j0, nq int, bases []A.Reg) {
	per := nq / 4
	rows := ld1Rows(n, per, len(bases))
	arow := loc{a.base, a.off + 4*i*n}
	brow := loc{b.base, b.off + 4*j0}
	if rem := n % rows; rem > 0 {
		g.ld1Loop(arow, brow, m, per, rem, 1, bases)
		arow.off += 4 * rem
		brow.off += 4 * m * rem
	}
	g.ld1Loop(arow, brow, m, per, rows, n/rows, bases)
}

// ld1Loop emits trips iterations of rows rows each, from A's row at arow
// and B's block row at brow. LD1 takes no offset, so each of an
// iteration's groups has a base register of its own, and the loads run
// two groups ahead of their FMLAs, through four banks. x5 advances at the
// top of an iteration, so its last group can be followed at once by the
// next multipliers' loads (at offset 0: LDR q's offsets are multiples of
// 16, 4*rows need not be) and the bases' updates; the last iteration is
// peeled and loads nothing ahead.
func (g *gen) ld1Loop(arow, brow loc, m, per, rows, trips int, bases []A.Reg) {
	groups := rows * per // groups an iteration
	stride := 4 * m * rows
	off := func(grp int) int { return 4*m*(grp/per) + 64*(grp%per) }
	bank := func(grp int) int { return ld1Banks[grp%4] }
	load := func(grp int) {
		g.emit(A.Instr{Op: A.LD1x4, Rd: A.VReg(bank(grp)), Rn: bases[grp%groups]})
	}
	// mults loads an iteration's multipliers from x5 (ld1MultReg).
	mults := func() {
		switch rows {
		case 6:
			g.emit(A.Instr{Op: A.LDR, Rd: A.QReg(ld1Mult), Rn: A.X5},
				A.Instr{Op: A.LDP, Rd: A.SReg(ld1Mult + 1), Rt2: A.SReg(ld1Mult + 2), Rn: A.X5, Imm: 16})
		case 8:
			g.emit(A.Instr{Op: A.LDP, Rd: A.QReg(ld1Mult), Rt2: A.QReg(ld1Mult + 1), Rn: A.X5})
		default: // 2 or 4 rows: A's row has at least four more elements
			g.emit(A.Instr{Op: A.LDR, Rd: A.QReg(ld1Mult), Rn: A.X5})
		}
	}
	iteration := func(last bool) {
		for grp := range groups {
			if !last || grp+2 < groups {
				load(grp + 2)
			}
			mr, lane := ld1MultReg(rows, grp/per)
			for c := range 4 {
				g.emit(A.Instr{Op: A.VFMLAElem, Rd: A.VReg(4*(grp%per) + c), Rn: A.VReg(bank(grp) + c),
					Rm: mr, Index: lane})
			}
		}
	}
	g.clearCache()
	g.addr(A.X5, arow, 0)
	mults()
	for grp := range groups {
		g.addr(bases[grp], brow, off(grp))
		if grp < 2 {
			// The first two groups are loaded here; in the loop their
			// bases serve the next iteration.
			load(grp)
			if trips > 1 {
				g.addImm(bases[grp], bases[grp], stride)
			}
		}
	}
	if trips > 1 {
		g.loop(trips-1, func() {
			g.addImm(A.X5, A.X5, 4*rows)
			iteration(false)
			mults()
			for _, r := range bases[:groups] {
				g.addImm(r, r, stride)
			}
		})
	}
	iteration(true)
}

// rowBank are the two banks of registers the four-row loop loads rows of
// B into (neither holds v19, the multipliers, nor v23 and v24, which a
// dense kernel keeps for relu and a uniform bias).
var rowBank = [2][8]int{{8, 9, 10, 11, 12, 13, 14, 15}, {16, 17, 18, 20, 21, 22, 25, 26}}

// rowBlockLoop emits the NEON loop over k (two or four rows of B an
// iteration where the shapes allow) that accumulates one block of an
// output row, out[i, j0:j0+4*nq+tail] += a[i, k] * b[k, j0:...]: v0..v(nq-1)
// take the 4-wide columns, s16.. the tail. a is (., n) and b is (n, m),
// row-major. Uses x5, x6 and the loop counter; v8.., v19, s20...; blocks
// of 16 or 32 columns go to rowBlockLD1, which also uses x9, x10,
// x12..x15, the caller's spare registers (ones no enclosing loop holds)
// and a forward entry's x4, and blocks with a tail to rowBlockTail where
// it applies (x9, x10, x12).
func (g *gen) rowBlockLoop(a, b loc, i, n, m, j0, nq, tail int, spare []A.Reg) {
	bases := append(append([]A.Reg{}, rowBases...), spare...)
	if !g.bases.has(A.X4) {
		bases = append(bases, A.X4) // a forward entry's x4 is no buffer
	}
	if tail == 0 && n%4 == 0 && m%4 == 0 && nq%4 == 0 && len(bases) >= nq && 32*m < 1<<24 {
		g.rowBlockLD1(a, b, i, n, m, j0, nq, bases)
		return
	}
	if rows := tailRows(nq, tail); rows > 0 && n%4 == 0 && 16*m < 1<<24 {
		g.rowBlockTail(a, b, i, n, m, j0, nq, tail, rows)
		return
	}
	g.addr(A.X5, a, 4*i*n)
	g.addr(A.X6, b, 4*j0)
	if tail == 0 && n%4 == 0 && m%4 == 0 && 12*m+16*nq <= 65520 {
		// Four rows of B an iteration, their four multipliers from one
		// load of A (FMLA by element): three LD1Rs and pointer updates
		// fewer per four rows, the same order of the sums.
		// Rows are loaded two at a time into two banks of registers,
		// then multiplied: the in-order A53 issues a load only after the
		// multiply-adds before it, so fewer, longer runs of each go
		// faster (the order of each accumulator's sums is unchanged).
		g.loop(n/4, func() {
			g.emit(A.Instr{Op: A.LDR, Rd: A.Q19, Rn: A.X5},
				A.Instr{Op: A.ADDImm, Rd: A.X5, Rn: A.X5, Imm: 16})
			for r0 := 0; r0 < 4; r0 += 2 {
				for r := r0; r < r0+2; r++ {
					for c := range nq {
						g.emit(A.Instr{Op: A.LDR, Rd: A.QReg(rowBank[r%2][c]), Rn: A.X6, Imm: int64(4*m*r + 16*c)})
					}
				}
				for r := r0; r < r0+2; r++ {
					for c := range nq {
						g.emit(A.Instr{Op: A.VFMLAElem, Rd: A.VReg(c), Rn: A.VReg(rowBank[r%2][c]), Rm: A.V19, Index: uint8(r)})
					}
				}
			}
			g.addImm(A.X6, A.X6, 16*m)
		})
		return
	}
	if tail == 0 && n%2 == 0 && m%4 == 0 && 4*m+16*nq <= 65520 {
		// Two rows of B an iteration: one pointer update and one
		// loop test fewer per row, the same order of the sums.
		g.loop(n/2, func() {
			for r := range 2 {
				g.emit(A.Instr{Op: A.LD1R, Rd: A.V19, Rn: A.X5},
					A.Instr{Op: A.ADDImm, Rd: A.X5, Rn: A.X5, Imm: 4})
				for c := range nq {
					g.emit(A.Instr{Op: A.LDR, Rd: A.QReg(8 + c), Rn: A.X6, Imm: int64(4*m*r + 16*c)})
				}
				for c := range nq {
					g.emit(op2(A.VFMLA, A.VReg(c), A.VReg(8+c), A.V19))
				}
			}
			g.addImm(A.X6, A.X6, 8*m)
		})
		return
	}
	g.loop(n, func() {
		g.emit(A.Instr{Op: A.LD1R, Rd: A.V19, Rn: A.X5},
			A.Instr{Op: A.ADDImm, Rd: A.X5, Rn: A.X5, Imm: 4})
		for c := range nq {
			g.emit(A.Instr{Op: A.LDR, Rd: A.QReg(8 + c), Rn: A.X6, Imm: int64(16 * c)})
		}
		for c := range nq {
			g.emit(op2(A.VFMLA, A.VReg(c), A.VReg(8+c), A.V19))
		}
		for t := range tail {
			g.emit(A.Instr{Op: A.LDR, Rd: A.SReg(20 + t), Rn: A.X6, Imm: int64(16*nq + 4*t)})
			g.emit(op3(A.FMADD, A.SReg(16+t), A.S19, A.SReg(20+t), A.SReg(16+t)))
		}
		g.addImm(A.X6, A.X6, 4*m)
	})
}

// tailLoad are the registers rowBlockTail loads rows of B into: every
// vector register but the accumulators v0..v7 and s16..s18, the
// multipliers v19, and v23 and v24, which a dense kernel keeps for relu
// and a uniform bias.
var tailLoad = []int{8, 9, 10, 11, 12, 13, 14, 15, 20, 21, 22, 25, 26, 27, 28, 29, 30, 31}

// tailRows is how many rows of B rowBlockTail keeps in distinct registers
// (4, or 2 with the second pair reusing the first's), or 0 when one row of
// the block does not fit twice.
func tailRows(nq, tail int) int {
	if tail == 0 {
		return 0
	}
	for _, rows := range []int{4, 2} {
		if rows*(nq+tail) <= len(tailLoad) {
			return rows
		}
	}
	return 0
}

// rowBlockTail is rowBlockLoop's four-row loop for a block with a tail of
// 1..3 columns (n a multiple of four): one load of A gives the four rows'
// multipliers, the 4-wide columns accumulate by FMLA by element, the tail
// by the scalar FMLA by element, so no row needs its own broadcast load.
// A row of B is 4*m bytes, which LDR's scaled offsets cannot step over
// when m is not a multiple of four, so each of the four rows has a base
// register of its own (the first four rowBases), advanced by four rows an
// iteration. The rows' registers are distinct (rows = 4) or shared by
// pairs (rows = 2); the A53 scheduler interleaves their loads with the
// multiply-adds. Each accumulator sums in the same order as the one-row
// loop (rows in order, the same fused multiply-add).
func (g *gen) rowBlockTail(a, b loc, i, n, m, j0, nq, tail, rows int) {
	bases := rowBases[:4]
	g.clearCache()
	g.addr(A.X5, a, 4*i*n)
	for r, base := range bases {
		g.addr(base, b, 4*j0+4*m*r)
	}
	reg := func(r, c int) int { return tailLoad[(r%rows)*(nq+tail)+c] }
	g.loop(n/4, func() {
		g.emit(A.Instr{Op: A.LDR, Rd: A.Q19, Rn: A.X5})
		g.addImm(A.X5, A.X5, 16)
		for r0 := 0; r0 < 4; r0 += rows {
			for r := r0; r < r0+rows; r++ {
				g.loadRow(bases[r], func(c int) int { return reg(r, c) }, nq, tail)
			}
			for r := r0; r < r0+rows; r++ {
				for c := range nq {
					g.emit(A.Instr{Op: A.VFMLAElem, Rd: A.VReg(c), Rn: A.VReg(reg(r, c)), Rm: A.V19, Index: uint8(r)})
				}
				for t := range tail {
					g.emit(A.Instr{Op: A.FMLAElemS, Rd: A.SReg(16 + t), Rn: A.SReg(reg(r, nq+t)), Rm: A.V19, Index: uint8(r)})
				}
			}
		}
		for _, base := range bases {
			g.addImm(base, base, 16*m)
		}
	})
}

// loadRow loads one block row of B at base: nq vectors into reg(0..nq-1)
// and tail floats into reg(nq..), by pairs where it can (LDP).
func (g *gen) loadRow(base A.Reg, reg func(c int) int, nq, tail int) {
	c := 0
	for ; c+1 < nq; c += 2 {
		g.emit(A.Instr{Op: A.LDP, Rd: A.QReg(reg(c)), Rt2: A.QReg(reg(c + 1)), Rn: base, Imm: int64(16 * c)})
	}
	if c < nq {
		g.emit(A.Instr{Op: A.LDR, Rd: A.QReg(reg(c)), Rn: base, Imm: int64(16 * c)})
	}
	t := 0
	for ; t+1 < tail; t += 2 {
		g.emit(A.Instr{Op: A.LDP, Rd: A.SReg(reg(nq + t)), Rt2: A.SReg(reg(nq + t + 1)), Rn: base, Imm: int64(16*nq + 4*t)})
	}
	if t < tail {
		g.emit(A.Instr{Op: A.LDR, Rd: A.SReg(reg(nq + t)), Rn: base, Imm: int64(16*nq + 4*t)})
	}
}
