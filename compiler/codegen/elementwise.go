package codegen

import (
	"fmt"
	"math"

	A "github.com/muscles/referee/compiler/arm64"
	"github.com/muscles/referee/compiler/ir"
)

// Elementwise kernels: binary and unary ops, Pow and Where. Three
// strategies, chosen from the shapes only:
//   - NEON, unrolled in chunks of four (tail in scalar code), when the op
//     has a vector form and every operand is contiguous, a uniform
//     constant, a broadcast scalar (loaded once) or, unrolled, read four
//     consecutive elements a chunk (a row broadcast);
//   - a scalar loop (post-increment loads and stores, fixed trip count)
//     for 64 or more elements whose operands are contiguous or uniform;
//   - fully unrolled scalar code otherwise, reading each operand element
//     through its view's index map and folding constants into the code;
//     with copyLoopMin or more elements, operands read through views are
//     first copied contiguously (copyTo's loops), so that the kernel is
//     one of the loops above.

// elementwiseOK reports whether the op is one this file compiles.
func elementwiseOK(v *ir.Value) error {
	switch v.Op {
	case ir.OpAdd, ir.OpSub, ir.OpMul, ir.OpDiv, ir.OpMax, ir.OpMin,
		ir.OpLess, ir.OpLessEq, ir.OpGreater, ir.OpGreaterEq, ir.OpEqual, ir.OpNotEqual,
		ir.OpNeg, ir.OpExp, ir.OpLog, ir.OpTanh, ir.OpSqrt, ir.OpAbs, ir.OpWhere:
		return nil
	case ir.OpPow:
		if _, _, ok := powPlan(v.Exponent); ok {
			return nil
		}
		return fmt.Errorf("codegen: %%%d: pow with exponent %v is not supported (integral and half-integral exponents in -64..64 are)", v.ID, v.Exponent)
	}
	return fmt.Errorf("codegen: %%%d: op %s is not supported", v.ID, v.Op)
}

// powPlan splits an exponent into an integer power n of x, or, for a
// half-integral exponent (half), of sqrt(x): x**(n/2) = sqrt(x)**n.
func powPlan(e float64) (n int, half, ok bool) {
	if math.Abs(e) > 64 {
		return 0, false, false
	}
	if e == math.Trunc(e) {
		return int(e), false, true
	}
	if 2*e == math.Trunc(2*e) {
		return int(2 * e), true, true
	}
	return 0, false, false
}

var vecOps = map[ir.Op]A.Op{
	ir.OpAdd: A.VFADD, ir.OpSub: A.VFSUB, ir.OpMul: A.VFMUL, ir.OpDiv: A.VFDIV,
	ir.OpMax: A.VFMAX, ir.OpMin: A.VFMIN, ir.OpNeg: A.VFNEG, ir.OpAbs: A.VFABS,
	ir.OpLess: A.VFCMGT, ir.OpLessEq: A.VFCMGE, ir.OpGreater: A.VFCMGT,
	ir.OpGreaterEq: A.VFCMGE, ir.OpEqual: A.VFCMEQ, ir.OpNotEqual: A.VFCMEQ,
	ir.OpWhere: A.VBSL,
}

// elementwise emits v = op(args) into dst (contiguous).
func (g *gen) elementwise(v *ir.Value, args []operand, dst loc) {
	n := v.Shape.Size()
	if v.Op == ir.OpDiv && args[1].cons != nil {
		// By constant powers of two: multiply by their exact reciprocals
		// (the same bits; a division takes many cycles).
		recip := make([]float32, len(args[1].cons))
		ok := true
		for i, c := range args[1].cons {
			recip[i], ok = exactReciprocal(c)
			if !ok {
				break
			}
		}
		if ok {
			v = &ir.Value{Op: ir.OpMul, Shape: v.Shape}
			args = []operand{args[0], {shape: args[1].shape, cons: recip}}
		}
	}
	_, vec := vecOps[v.Op]
	if v.Op == ir.OpPow && v.Exponent == 1 {
		vec = true
	}
	if n >= copyLoopMin && g.materialize != nil {
		// Many elements read through views: copy them contiguously
		// first (loops), so that the kernel loops too (the NEON loop
		// reads a splat as it is).
		args = append([]operand(nil), args...)
		for j, a := range args {
			if _, u := a.uniform(); !u && !a.contiguous() && !(vec && a.splat()) {
				args[j] = g.materialize(a)
			}
		}
	}
	flat := true
	for _, a := range args {
		if _, u := a.uniform(); !a.contiguous() && !u {
			flat = false
		}
	}
	g.mathConsts(v.Op == ir.OpExp, v.Op == ir.OpLog, v.Op == ir.OpTanh)
	start := 0
	switch {
	case vec && n >= 4 && vectorReadable(args, n/4):
		start = g.vectorChunks(v, args, dst, n/4)
	case flat && n >= 64:
		g.scalarLoop(v, args, dst, n)
		return
	}
	// Ops without temporaries take the register sets of unrolledSets in
	// turn, element by element, so that neighbouring elements overlap.
	_, simple := scalarOps[v.Op]
	_, cmp := cmpCond[v.Op]
	simple = simple || cmp || v.Op == ir.OpWhere
	for i := start; i < n; i++ {
		set := unrolledSets[0]
		if simple {
			set = unrolledSets[i%len(unrolledSets)]
		}
		regs := make([]A.Reg, len(args))
		for j, a := range args {
			regs[j] = g.fetch(set[1+j], a, i)
		}
		g.scalarOp(v, set[0], regs)
		g.strS(set[0], dst, 4*i)
	}
}

// fetch returns an S register holding element i of o: a pool register for
// a constant already there, else s (loaded from memory or a constant).
func (g *gen) fetch(s A.Reg, o operand, i int) A.Reg {
	if o.cons != nil {
		f := o.cons[i]
		if r, ok := g.pool[math.Float32bits(f)]; ok {
			return A.SReg(int(r.Num()))
		}
		if g.poolNext < len(poolRegs) {
			return g.k(f)
		}
		g.fconst(s, f)
		return s
	}
	g.ldrS(s, o.mem, 4*o.at(i))
	return s
}

var cmpCond = map[ir.Op]A.Cond{
	ir.OpLess: A.MI, ir.OpLessEq: A.LS, ir.OpGreater: A.GT,
	ir.OpGreaterEq: A.GE, ir.OpEqual: A.EQ, ir.OpNotEqual: A.NE,
}

var scalarOps = map[ir.Op]A.Op{
	ir.OpAdd: A.FADD, ir.OpSub: A.FSUB, ir.OpMul: A.FMUL, ir.OpDiv: A.FDIV,
	ir.OpMax: A.FMAX, ir.OpMin: A.FMIN, ir.OpNeg: A.FNEG, ir.OpAbs: A.FABS, ir.OpSqrt: A.FSQRT,
}

// scalarOp emits d = op(a...) on S registers. d is s0..s7; the operands
// may be any S register; temporaries are s5..s7 and s16..s23.
func (g *gen) scalarOp(v *ir.Value, d A.Reg, a []A.Reg) {
	if c, ok := cmpCond[v.Op]; ok {
		g.emit(A.Instr{Op: A.FCMP, Rn: a[0], Rm: a[1]}, fcsel(d, g.k(1), g.k(0), c))
		return
	}
	if op, ok := scalarOps[v.Op]; ok {
		if len(a) == 1 {
			g.emit(op1(op, d, a[0]))
		} else {
			g.emit(op2(op, d, a[0], a[1]))
		}
		return
	}
	switch v.Op {
	case ir.OpWhere:
		g.emit(A.Instr{Op: A.FCMPZero, Rn: a[0]}, fcsel(d, a[1], a[2], A.NE))
	case ir.OpExp:
		g.emitExp(d, a[0])
	case ir.OpLog:
		g.emitLog(d, a[0])
	case ir.OpTanh:
		g.emitTanh(d, a[0])
	case ir.OpPow:
		g.emitPow(d, a[0], v.Exponent)
	default:
		panic("codegen: no scalar form for " + v.Op.String())
	}
}

// emitPow computes x**e by square-and-multiply (1/x**|e| for e < 0), on
// FSQRT(x) for half-integral e. Uses s5, s6.
func (g *gen) emitPow(d, x A.Reg, e float64) {
	n, half, _ := powPlan(e)
	if e == 0.5 {
		g.emit(op1(A.FSQRT, d, x))
		return
	}
	neg := n < 0
	if neg {
		n = -n
	}
	if n == 0 {
		g.emit(op1(A.FMOV, d, g.k(1)))
		return
	}
	base, acc := A.S5, A.S6
	if half {
		g.emit(op1(A.FSQRT, base, x))
	} else {
		g.emit(op1(A.FMOV, base, x))
	}
	have := false
	for n > 0 {
		if n&1 == 1 {
			if have {
				g.emit(op2(A.FMUL, acc, acc, base))
			} else {
				g.emit(op1(A.FMOV, acc, base))
				have = true
			}
		}
		n >>= 1
		if n > 0 {
			g.emit(op2(A.FMUL, base, base, base))
		}
	}
	if neg {
		g.emit(op2(A.FDIV, d, g.k(1), acc))
	} else {
		g.emit(op1(A.FMOV, d, acc))
	}
}

// vecLoopChunks is the number of 4-lane chunks from which an elementwise
// kernel loops instead of unrolling every chunk (below it the unrolled
// code is as short as a loop's set-up).
const vecLoopChunks = 16

// vecUnroll is how many chunks one iteration of the NEON loop handles.
const vecUnroll = 4

// vectorReadable reports whether NEON can read every operand of an
// elementwise op in q chunks: a uniform constant (DUP), a splat (one
// load and DUP), contiguous, or (unrolled chunks only) four consecutive
// elements a chunk.
func vectorReadable(args []operand, q int) bool {
	for _, a := range args {
		if _, u := a.uniform(); u || a.contiguous() || a.splat() {
			continue
		}
		if q >= vecLoopChunks || !a.rowChunks(q) {
			return false
		}
	}
	return true
}

// vectorChunks emits the first 4·q elements with NEON and returns 4·q:
// unrolled below vecLoopChunks chunks, else a loop of q/vecUnroll
// iterations (x5..x7 walk the operands in memory, x8 the destination,
// post-incremented) and the remaining chunks unrolled. Uniform constants
// are in pool registers and a splat in its operand's register (v1..v3)
// before the first chunk (in every lane, or in lane 0 for a product,
// which multiplies by that element); vectorReadable(args, q) holds.
func (g *gen) vectorChunks(v *ir.Value, args []operand, dst loc, q int) int {
	var cmpOne A.Reg
	if _, ok := cmpCond[v.Op]; ok {
		cmpOne = g.kv(1)
	}
	srcs := make([]A.Reg, len(args))
	byElem := -1 // a product's splat operand, read as lane 0 (FMUL by element)
	for j, a := range args {
		if f, u := a.uniform(); u {
			srcs[j] = g.kv(f)
		} else if a.splat() {
			srcs[j] = A.VReg(1 + j)
			g.ldrS(A.SReg(1+j), a.mem, 4*a.at(0))
			if v.Op == ir.OpMul && byElem < 0 {
				byElem = j
				continue
			}
			g.emit(A.Instr{Op: A.DUPElem, Rd: srcs[j], Rn: srcs[j]})
		}
	}
	// chunk computes one chunk into d from the operands load fetches.
	d := A.V0
	chunk := func(load func(j int, q A.Reg)) {
		regs := make([]A.Reg, len(args))
		for j := range args {
			if srcs[j] != 0 {
				regs[j] = srcs[j]
				continue
			}
			regs[j] = A.VReg(1 + j)
			load(j, A.QReg(1+j))
		}
		if byElem >= 0 {
			g.emit(A.Instr{Op: A.VFMULElem, Rd: d, Rn: regs[1-byElem], Rm: regs[byElem]})
			return
		}
		g.vectorOp(v, d, regs, cmpOne)
	}
	first := 0
	if q >= vecLoopChunks {
		ptrs := []A.Reg{A.X5, A.X6, A.X7}
		for j, a := range args {
			if srcs[j] == 0 {
				g.addr(ptrs[j], a.mem, 0)
			}
		}
		g.addr(A.X8, dst, 0)
		iters := q / vecUnroll
		g.loop(iters, func() {
			for range vecUnroll {
				chunk(func(j int, r A.Reg) {
					g.emit(A.Instr{Op: A.LDRPost, Rd: r, Rn: ptrs[j], Imm: 16})
				})
				g.emit(A.Instr{Op: A.STRPost, Rd: A.Q0, Rn: A.X8, Imm: 16})
			}
		})
		first = iters * vecUnroll
	}
	// Unrolled chunks take the accumulators of unrolledSets in turn,
	// kernel after kernel, so that a result is more often still in its
	// register when the next kernel loads it back (a Where's BSL, which
	// reads its destination, cannot be moved to a spare register).
	for c := first; c < q; c++ {
		d = vview(unrolledSets[g.vecTurn%len(unrolledSets)][0])
		g.vecTurn++
		chunk(func(j int, r A.Reg) { g.ldrQ(r, args[j].mem, 4*args[j].at(4*c)) })
		g.strQ(qview(d), dst, 16*c)
	}
	return 4 * q
}

// vectorOp emits d = op(regs) on four lanes; cmpOne holds 1.0 in every
// lane for the comparisons.
func (g *gen) vectorOp(v *ir.Value, d A.Reg, regs []A.Reg, cmpOne A.Reg) {
	switch v.Op {
	case ir.OpLess, ir.OpLessEq:
		g.emit(op2(vecOps[v.Op], d, regs[1], regs[0]), op2(A.VAND, d, d, cmpOne))
	case ir.OpGreater, ir.OpGreaterEq, ir.OpEqual:
		g.emit(op2(vecOps[v.Op], d, regs[0], regs[1]), op2(A.VAND, d, d, cmpOne))
	case ir.OpNotEqual:
		g.emit(op2(A.VFCMEQ, d, regs[0], regs[1]), op2(A.VBIC, d, cmpOne, d))
	case ir.OpWhere:
		// mask = (c == 0); d = mask ? f : t
		g.emit(op1(A.VFCMEQZero, d, regs[0]), op2(A.VBSL, d, regs[2], regs[1]))
	case ir.OpNeg, ir.OpAbs:
		g.emit(op1(vecOps[v.Op], d, regs[0]))
	case ir.OpPow: // exponent 1
		g.emit(A.Instr{Op: A.VMOV, Rd: d, Rn: regs[0]})
	default:
		g.emit(op2(vecOps[v.Op], d, regs[0], regs[1]))
	}
}

// scalarLoop emits a loop over n contiguous elements: x5..x7 walk the
// operands, x8 the destination.
func (g *gen) scalarLoop(v *ir.Value, args []operand, dst loc, n int) {
	ptrs := []A.Reg{A.X5, A.X6, A.X7}
	regs := make([]A.Reg, len(args))
	for j, a := range args {
		if f, u := a.uniform(); u {
			regs[j] = g.k(f)
		} else {
			g.addr(ptrs[j], a.mem, 0)
		}
	}
	if _, ok := cmpCond[v.Op]; ok {
		g.k(0)
		g.k(1)
	}
	if v.Op == ir.OpPow {
		g.k(1)
	}
	g.addr(A.X8, dst, 0)
	g.loop(n, func() {
		for j, a := range args {
			if _, u := a.uniform(); u {
				continue
			}
			regs[j] = A.SReg(1 + j)
			g.emit(A.Instr{Op: A.LDRPost, Rd: regs[j], Rn: ptrs[j], Imm: 4})
		}
		g.scalarOp(v, A.S0, regs)
		g.emit(A.Instr{Op: A.STRPost, Rd: A.S0, Rn: A.X8, Imm: 4})
	})
}
