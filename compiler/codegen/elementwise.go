package codegen

import (
	"fmt"
	"math"
	"slices"

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
//
// A Where whose condition is a comparison that nothing else reads
// (fusedComparisons) selects on the comparison itself: its kernel has
// four operands, the comparison's two and then the alternatives, and
// emits FCMP+FCSEL on the comparison's condition (FCMxx and BSL with that
// mask for NEON) instead of testing a 1.0/0.0 against zero. An operand
// that is the same memory through the same index map as an earlier one
// (y in np.where(y > 0, y, a*y)) is read once.

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

// ewKernel is what an elementwise kernel computes: op (with exponent for
// Pow) over its operands, or for a Where on a fused comparison (fused)
// the selection between the last two operands on the comparison cmp of
// the first two; when zero is set, the comparison's right operand is ±0
// and not among the operands (a, t, f), and the comparison is against
// #0.0 (cmp is then >, >=, == or !=).
type ewKernel struct {
	op       ir.Op
	exponent float64
	fused    bool
	cmp      ir.Op
	zero     bool
	// alias[j] is the earlier operand that operand j repeats (same
	// memory, same index map, not a splat), or -1: it is read once.
	alias []int
}

// swappedCmp is the comparison with its operands exchanged: a < b is
// b > a, and so on, for NaN operands too (every one is false, != true).
var swappedCmp = map[ir.Op]ir.Op{
	ir.OpLess: ir.OpGreater, ir.OpLessEq: ir.OpGreaterEq, ir.OpGreater: ir.OpLess,
	ir.OpGreaterEq: ir.OpLessEq, ir.OpEqual: ir.OpEqual, ir.OpNotEqual: ir.OpNotEqual,
}

// fusedWhere is the kernel of a Where on the comparison cmp of args[0]
// and args[1], selecting args[2] where it holds and args[3] elsewhere,
// with its operands: a ±0 constant operand of >, >=, == or != (after
// exchanging the comparison's operands if the zero is on the left) is
// dropped for the compare-with-zero forms.
func fusedWhere(cmp ir.Op, args []operand) (ewKernel, []operand) {
	zero := func(o operand) bool { f, u := o.uniform(); return u && f == 0 }
	if zero(args[0]) && !zero(args[1]) {
		cmp = swappedCmp[cmp]
		args = []operand{args[1], args[0], args[2], args[3]}
	}
	k := ewKernel{op: ir.OpWhere, fused: true, cmp: cmp}
	switch cmp {
	case ir.OpGreater, ir.OpGreaterEq, ir.OpEqual, ir.OpNotEqual:
		if zero(args[1]) {
			k.zero = true
			args = []operand{args[0], args[2], args[3]}
		}
	}
	return k, args
}

// sameOperand reports whether a and b read the same memory through the
// same index map (neither a constant nor a splat).
func sameOperand(a, b operand) bool {
	return a.cons == nil && b.cons == nil && a.mem == b.mem && slices.Equal(a.idx, b.idx) && !a.splat()
}

// elementwise emits v = op(args) into dst (contiguous). A Where with four
// operands selects on its fused comparison (planEntry): root(v.Args[0]).
func (g *gen) elementwise(v *ir.Value, args []operand, dst loc) {
	n := v.Shape.Size()
	k := ewKernel{op: v.Op, exponent: v.Exponent}
	if v.Op == ir.OpWhere && len(args) == 4 {
		k, args = fusedWhere(root(v.Args[0]).Op, args)
	}
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
			k.op = ir.OpMul
			args = []operand{args[0], {shape: args[1].shape, cons: recip}}
		}
	}
	k.alias = make([]int, len(args))
	for j := range args {
		k.alias[j] = -1
		for i := range j {
			if k.alias[i] < 0 && sameOperand(args[i], args[j]) {
				k.alias[j] = i
				break
			}
		}
	}
	_, vec := vecOps[k.op]
	if k.op == ir.OpPow && k.exponent == 1 {
		vec = true
	}
	if n >= copyLoopMin && g.materialize != nil {
		// Many elements read through views: copy them contiguously
		// first (loops), so that the kernel loops too (the NEON loop
		// reads a splat as it is).
		args = append([]operand(nil), args...)
		for j, a := range args {
			if i := k.alias[j]; i >= 0 {
				args[j] = args[i] // copied once
				continue
			}
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
	g.mathConsts(k.op == ir.OpExp, k.op == ir.OpLog, k.op == ir.OpTanh)
	start := 0
	switch {
	case vec && n >= 4 && vectorReadable(args, n/4):
		start = g.vectorChunks(k, args, dst, n/4)
	case flat && n >= 64:
		g.scalarLoop(k, args, dst, n)
		return
	}
	// Ops without temporaries take the register sets of unrolledSets in
	// turn, element by element, so that neighbouring elements overlap.
	// A fused Where's operands take the set's registers in turn, only
	// those read from memory (or built in place), the fourth one the
	// set's result register (FCSEL reads its operands before it writes).
	_, simple := scalarOps[k.op]
	_, cmp := cmpCond[k.op]
	simple = simple || cmp || k.op == ir.OpWhere
	for i := start; i < n; i++ {
		set := unrolledSets[0]
		if simple {
			set = unrolledSets[i%len(unrolledSets)]
		}
		regs := make([]A.Reg, len(args))
		next := 1
		for j, a := range args {
			if a := k.alias[j]; a >= 0 {
				regs[j] = regs[a]
				continue
			}
			if !k.fused {
				next = 1 + j
			}
			s := set[next%len(set)]
			if regs[j] = g.fetch(s, a, i); regs[j] == s {
				next++
			}
		}
		g.scalarOp(k, set[0], regs)
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
func (g *gen) scalarOp(k ewKernel, d A.Reg, a []A.Reg) {
	if k.fused {
		// The comparison's own condition: false for NaN operands
		// (unordered) but for !=, as the comparison's 1.0/0.0 is.
		c := cmpCond[k.cmp]
		if k.zero {
			g.emit(A.Instr{Op: A.FCMPZero, Rn: a[0]}, fcsel(d, a[1], a[2], c))
		} else {
			g.emit(A.Instr{Op: A.FCMP, Rn: a[0], Rm: a[1]}, fcsel(d, a[2], a[3], c))
		}
		return
	}
	if c, ok := cmpCond[k.op]; ok {
		g.emit(A.Instr{Op: A.FCMP, Rn: a[0], Rm: a[1]}, fcsel(d, g.k(1), g.k(0), c))
		return
	}
	if op, ok := scalarOps[k.op]; ok {
		if len(a) == 1 {
			g.emit(op1(op, d, a[0]))
		} else {
			g.emit(op2(op, d, a[0], a[1]))
		}
		return
	}
	switch k.op {
	case ir.OpWhere:
		g.emit(A.Instr{Op: A.FCMPZero, Rn: a[0]}, fcsel(d, a[1], a[2], A.NE))
	case ir.OpExp:
		g.emitExp(d, a[0])
	case ir.OpLog:
		g.emitLog(d, a[0])
	case ir.OpTanh:
		g.emitTanh(d, a[0])
	case ir.OpPow:
		g.emitPow(d, a[0], k.exponent)
	default:
		panic("codegen: no scalar form for " + k.op.String())
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

// loopPtrs are the pointers of the elementwise loops' operands (x10 for a
// fused Where's fourth, the only kernel with four).
var loopPtrs = []A.Reg{A.X5, A.X6, A.X7, tmpX2}

// vecArgRegs are the NEON registers of the elementwise operands (v4 is an
// accumulator of unrolledSets).
var vecArgRegs = []int{1, 2, 3, 5}

// vectorChunks emits the first 4·q elements with NEON and returns 4·q:
// unrolled below vecLoopChunks chunks, else a loop of q/vecUnroll
// iterations (loopPtrs walk the operands in memory, x8 the destination,
// post-incremented) and the remaining chunks unrolled. Uniform constants
// are in pool registers and a splat in its operand's register
// (vecArgRegs) before the first chunk (in every lane, or in lane 0 for a
// product, which multiplies by that element); vectorReadable(args, q)
// holds.
func (g *gen) vectorChunks(k ewKernel, args []operand, dst loc, q int) int {
	var cmpOne A.Reg
	if _, ok := cmpCond[k.op]; ok {
		cmpOne = g.kv(1)
	}
	srcs := make([]A.Reg, len(args))
	byElem := -1 // a product's splat operand, read as lane 0 (FMUL by element)
	for j, a := range args {
		if k.alias[j] >= 0 {
			continue
		}
		if f, u := a.uniform(); u {
			srcs[j] = g.kv(f)
		} else if a.splat() {
			srcs[j] = A.VReg(vecArgRegs[j])
			g.ldrS(A.SReg(vecArgRegs[j]), a.mem, 4*a.at(0))
			if k.op == ir.OpMul && byElem < 0 {
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
			if i := k.alias[j]; i >= 0 {
				regs[j] = regs[i]
				continue
			}
			if srcs[j] != 0 {
				regs[j] = srcs[j]
				continue
			}
			regs[j] = A.VReg(vecArgRegs[j])
			load(j, A.QReg(vecArgRegs[j]))
		}
		if byElem >= 0 {
			g.emit(A.Instr{Op: A.VFMULElem, Rd: d, Rn: regs[1-byElem], Rm: regs[byElem]})
			return
		}
		g.vectorOp(k, d, regs, cmpOne)
	}
	first := 0
	if q >= vecLoopChunks {
		ptrs := loopPtrs
		for j, a := range args {
			if srcs[j] == 0 && k.alias[j] < 0 {
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

// vecCmpZero are the NEON compares against #0.0 of a fused Where's
// comparison (!= is the complement of ==).
var vecCmpZero = map[ir.Op]A.Op{ir.OpGreater: A.VFCMGTZero, ir.OpGreaterEq: A.VFCMGEZero,
	ir.OpEqual: A.VFCMEQZero, ir.OpNotEqual: A.VFCMEQZero}

// vectorOp emits d = op(regs) on four lanes; cmpOne holds 1.0 in every
// lane for the comparisons.
func (g *gen) vectorOp(k ewKernel, d A.Reg, regs []A.Reg, cmpOne A.Reg) {
	if k.fused {
		// mask = the comparison (all ones where it holds, as the
		// comparison kernels' FCMxx: false for NaN but for !=, which
		// is the complement of ==); d = mask ? t : f.
		t, f := regs[len(regs)-2], regs[len(regs)-1]
		switch {
		case k.zero:
			g.emit(op1(vecCmpZero[k.cmp], d, regs[0]))
		case k.cmp == ir.OpLess || k.cmp == ir.OpLessEq:
			g.emit(op2(vecOps[k.cmp], d, regs[1], regs[0]))
		default:
			g.emit(op2(vecOps[k.cmp], d, regs[0], regs[1]))
		}
		if k.cmp == ir.OpNotEqual {
			t, f = f, t
		}
		g.emit(op2(A.VBSL, d, t, f))
		return
	}
	switch k.op {
	case ir.OpLess, ir.OpLessEq:
		g.emit(op2(vecOps[k.op], d, regs[1], regs[0]), op2(A.VAND, d, d, cmpOne))
	case ir.OpGreater, ir.OpGreaterEq, ir.OpEqual:
		g.emit(op2(vecOps[k.op], d, regs[0], regs[1]), op2(A.VAND, d, d, cmpOne))
	case ir.OpNotEqual:
		g.emit(op2(A.VFCMEQ, d, regs[0], regs[1]), op2(A.VBIC, d, cmpOne, d))
	case ir.OpWhere:
		// mask = (c == 0); d = mask ? f : t
		g.emit(op1(A.VFCMEQZero, d, regs[0]), op2(A.VBSL, d, regs[2], regs[1]))
	case ir.OpNeg, ir.OpAbs:
		g.emit(op1(vecOps[k.op], d, regs[0]))
	case ir.OpPow: // exponent 1
		g.emit(A.Instr{Op: A.VMOV, Rd: d, Rn: regs[0]})
	default:
		g.emit(op2(vecOps[k.op], d, regs[0], regs[1]))
	}
}

// scalarLoop emits a loop over n contiguous elements: loopPtrs walk the
// operands, x8 the destination.
func (g *gen) scalarLoop(k ewKernel, args []operand, dst loc, n int) {
	ptrs := loopPtrs
	regs := make([]A.Reg, len(args))
	for j, a := range args {
		if f, u := a.uniform(); u {
			regs[j] = g.k(f)
		} else if k.alias[j] < 0 {
			g.addr(ptrs[j], a.mem, 0)
		}
	}
	if _, ok := cmpCond[k.op]; ok {
		g.k(0)
		g.k(1)
	}
	if k.op == ir.OpPow {
		g.k(1)
	}
	g.addr(A.X8, dst, 0)
	g.loop(n, func() {
		for j, a := range args {
			if _, u := a.uniform(); u {
				continue
			}
			if i := k.alias[j]; i >= 0 {
				regs[j] = regs[i]
				continue
			}
			regs[j] = A.SReg(1 + j)
			g.emit(A.Instr{Op: A.LDRPost, Rd: regs[j], Rn: ptrs[j], Imm: 4})
		}
		g.scalarOp(k, A.S0, regs)
		g.emit(A.Instr{Op: A.STRPost, Rd: A.S0, Rn: A.X8, Imm: 4})
	})
}
