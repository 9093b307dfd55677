package codegen

import (
	"math"

	A "github.com/muscles/referee/compiler/arm64"
)

// Register conventions (all inside the ABI's clobber set x0..x17, v0..v31):
//
//	x0..x3     buffer bases (input, output, state, scratch); never written
//	x4         the target's base in a train entry (never written there);
//	           no buffer in a forward entry, where rowBlockLD1 may take it
//	x5..x8     loop pointers, x11 loop counter
//	x16, x17   a loop around loops: its counter, and a row pointer
//	x9, x10    temporaries for constants and 2^n construction; x10 is
//	           also the loop pointer of a fused Where's fourth operand
//	x12..x15   address cache: base + a multiple of 4096, for offsets
//	           beyond the reach of the scaled unsigned-offset loads and stores
//	s0..s7     per-element temporaries of elementwise and reduction code
//	s16..s23   temporaries of the exp/log/tanh sequences
//	v8..v15,
//	v24..v31   the per-kernel constant pool
//	v0..v7, v16..v23  accumulators and operands of the NEON matmul loop
//
// The four-register LD1 loop (rowBlockLD1) also loads into v25..v31, and
// takes rowBases (x6, x9, x10, x12..x15, after clearing the cache),
// outside any loop over rows rowLoopRegs, and in a forward entry x4 (no
// buffer there) as base registers; the loop for blocks with a tail
// (rowBlockTail) takes the first four rowBases and loads into v8..v15,
// v20..v22 and v25..v31.
var (
	tmpX  = A.X9
	tmpX2 = A.X10
	cntX  = A.X11
	outX  = A.X16
	rowX  = A.X17
)

// rowLoopRegs are the registers a loop over the rows of a matmul or dense
// kernel holds (the rows of A and of the result, the counter, the bias
// row): free where the rows are not a loop.
var rowLoopRegs = []A.Reg{A.X7, A.X8, outX, rowX}

// cacheRegs are the registers of the address cache.
var cacheRegs = []A.Reg{A.X12, A.X13, A.X14, A.X15}

var poolRegs = []int{8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31}

// loc is a memory location: a base register (x0..x3) and a byte offset.
type loc struct {
	base A.Reg
	off  int
}

type addrKey struct {
	base A.Reg
	hi   int
}

// gen emits one program.
type gen struct {
	a A.Assembler

	cache    map[addrKey]A.Reg
	cacheOrd []addrKey // FIFO of the cached keys
	nextAddr int

	// executed counts the instructions one call runs: each emitted
	// instruction times the trip counts of the loops around it (mult).
	executed, mult int

	// bases are the entry's buffer base registers; x4 is free for a
	// kernel's loops where it is not one (forward).
	bases bufferBases

	// splitDense makes every unrolled dense layer its matmul, bias and
	// activation passes (compileEntry tries both ways).
	splitDense bool
	// vecTurn counts the unrolled NEON elementwise chunks emitted: each
	// takes the next register set's accumulator (vectorChunks)
	vecTurn int

	// materialize returns a contiguous copy of an operand (in scratch,
	// or a constant slot); set by compileEntry.
	materialize func(operand) operand

	pool     map[uint32]A.Reg // constant bits -> register (per kernel)
	poolVec  map[uint32]bool  // the constant is in all four lanes
	poolNext int
}

func newGen() *gen {
	return &gen{cache: map[addrKey]A.Reg{}, mult: 1}
}

func (g *gen) emit(ins ...A.Instr) {
	g.a.Emit(ins...)
	g.executed += g.mult * len(ins)
}

// mem returns a base register and an offset that reach byte off+extra of l
// with an access of size scale (4 or 16).
func (g *gen) mem(l loc, extra, scale int) (A.Reg, int64) {
	total := l.off + extra
	if total%scale != 0 {
		g.addImm(tmpX2, l.base, total)
		return tmpX2, 0
	}
	if total/scale <= 4095 {
		return l.base, int64(total)
	}
	hi := total &^ 0xfff
	k := addrKey{l.base, hi}
	r, ok := g.cache[k]
	if !ok {
		r = cacheRegs[g.nextAddr]
		g.nextAddr = (g.nextAddr + 1) % len(cacheRegs)
		if len(g.cacheOrd) == len(cacheRegs) {
			delete(g.cache, g.cacheOrd[0])
			g.cacheOrd = g.cacheOrd[1:]
		}
		g.cache[k] = r
		g.cacheOrd = append(g.cacheOrd, k)
		g.addImm(r, l.base, hi)
	}
	return r, int64(total - hi)
}

// addImm emits rd = rn + c for 0 <= c < 2^24 (one or two ADDs).
func (g *gen) addImm(rd, rn A.Reg, c int) {
	if c>>24 != 0 || c < 0 {
		panic("codegen: offset out of range")
	}
	hi, lo := c>>12, c&0xfff
	switch {
	case hi != 0 && lo != 0:
		g.emit(A.Instr{Op: A.ADDImm, Rd: rd, Rn: rn, Imm: int64(hi), Shift: 12},
			A.Instr{Op: A.ADDImm, Rd: rd, Rn: rd, Imm: int64(lo)})
	case hi != 0:
		g.emit(A.Instr{Op: A.ADDImm, Rd: rd, Rn: rn, Imm: int64(hi), Shift: 12})
	default:
		g.emit(A.Instr{Op: A.ADDImm, Rd: rd, Rn: rn, Imm: int64(lo)})
	}
}

// addr sets rd to the address of byte extra of l.
func (g *gen) addr(rd A.Reg, l loc, extra int) { g.addImm(rd, l.base, l.off+extra) }

func (g *gen) ldrS(s A.Reg, l loc, extra int) {
	b, o := g.mem(l, extra, 4)
	g.emit(A.Instr{Op: A.LDR, Rd: s, Rn: b, Imm: o})
}

func (g *gen) strS(s A.Reg, l loc, extra int) {
	b, o := g.mem(l, extra, 4)
	g.emit(A.Instr{Op: A.STR, Rd: s, Rn: b, Imm: o})
}

func (g *gen) ldrQ(q A.Reg, l loc, extra int) {
	b, o := g.mem(l, extra, 16)
	g.emit(A.Instr{Op: A.LDR, Rd: q, Rn: b, Imm: o})
}

func (g *gen) strQ(q A.Reg, l loc, extra int) {
	b, o := g.mem(l, extra, 16)
	g.emit(A.Instr{Op: A.STR, Rd: q, Rn: b, Imm: o})
}

// fconst sets the S register s to f: FMOV of WZR for +0, an FMOV
// immediate where encodable, else MOVZ/MOVK into w9 and FMOV from it.
func (g *gen) fconst(s A.Reg, f float32) {
	bits := math.Float32bits(f)
	switch {
	case bits == 0:
		g.emit(A.Instr{Op: A.FMOVFromW, Rd: s, Rn: A.WZR})
	case A.FMOVImmOK(f):
		g.emit(A.Instr{Op: A.FMOVImm, Rd: s, FImm: f})
	default:
		g.emit(A.MovConst(tmpX, uint64(bits))...)
		g.emit(A.Instr{Op: A.FMOVFromW, Rd: s, Rn: A.W9})
	}
}

// vconst sets all four lanes of the vector register v to f.
func (g *gen) vconst(v A.Reg, f float32) {
	bits := math.Float32bits(f)
	if bits == 0 {
		g.emit(A.Instr{Op: A.MOVIZero, Rd: v})
		return
	}
	g.emit(A.MovConst(tmpX, uint64(bits))...)
	g.emit(A.Instr{Op: A.DUPGen, Rd: v, Rn: A.W9})
}

// resetPool forgets the constant pool; each kernel starts with an empty one.
func (g *gen) resetPool() {
	g.pool = map[uint32]A.Reg{}
	g.poolVec = map[uint32]bool{}
	g.poolNext = 0
}

// k returns an S register holding f, loading it into the pool on first
// use. Kernels with loops call k for every constant before the loop head.
func (g *gen) k(f float32) A.Reg {
	bits := math.Float32bits(f)
	if r, ok := g.pool[bits]; ok {
		return A.SReg(int(r.Num()))
	}
	if g.poolNext == len(poolRegs) {
		panic("codegen: constant pool exhausted")
	}
	n := poolRegs[g.poolNext]
	g.poolNext++
	g.pool[bits] = A.VReg(n)
	g.fconst(A.SReg(n), f)
	return A.SReg(n)
}

// kv returns a V register with f in all four lanes.
func (g *gen) kv(f float32) A.Reg {
	bits := math.Float32bits(f)
	if r, ok := g.pool[bits]; ok {
		if !g.poolVec[bits] {
			g.emit(A.Instr{Op: A.DUPElem, Rd: r, Rn: r})
			g.poolVec[bits] = true
		}
		return r
	}
	if g.poolNext == len(poolRegs) {
		panic("codegen: constant pool exhausted")
	}
	n := poolRegs[g.poolNext]
	g.poolNext++
	r := A.VReg(n)
	g.pool[bits] = r
	g.poolVec[bits] = true
	g.vconst(r, f)
	return r
}

// Instruction shorthands.
func op2(op A.Op, d, n, m A.Reg) A.Instr    { return A.Instr{Op: op, Rd: d, Rn: n, Rm: m} }
func op1(op A.Op, d, n A.Reg) A.Instr       { return A.Instr{Op: op, Rd: d, Rn: n} }
func op3(op A.Op, d, n, m, a A.Reg) A.Instr { return A.Instr{Op: op, Rd: d, Rn: n, Rm: m, Ra: a} }
func fcsel(d, n, m A.Reg, c A.Cond) A.Instr {
	return A.Instr{Op: A.FCSEL, Rd: d, Rn: n, Rm: m, Cond: c}
}

// loop emits a counted loop: the counter x11 is set to n, body runs n
// times, then SUBS/B.NE closes it. The trip count is fixed at compile time.
func (g *gen) loop(n int, body func()) { g.loopOn(cntX, n, body) }

// loopOn is loop with the counter in ctr (outX for a loop around loops).
func (g *gen) loopOn(ctr A.Reg, n int, body func()) {
	g.emit(A.MovConst(ctr, uint64(n))...)
	top := g.a.NewLabel()
	g.a.Bind(top)
	outer := g.mult
	g.mult *= n
	g.clearCache()
	body()
	g.clearCache()
	g.emit(A.Instr{Op: A.SUBSImm, Rd: ctr, Rn: ctr, Imm: 1},
		A.Instr{Op: A.BCond, Cond: A.NE, Label: top})
	g.mult = outer
}

// clearCache forgets the address cache, so that no loop body relies on a
// register value set by an earlier iteration's different use.
func (g *gen) clearCache() {
	g.cache = map[addrKey]A.Reg{}
	g.cacheOrd = nil
}
