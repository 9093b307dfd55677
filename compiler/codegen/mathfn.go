package codegen

import (
	"math"

	A "github.com/muscles/referee/compiler/arm64"
)

// The exp, log and tanh sequences. Each works on S registers, uses the
// temporaries s16..s23 and x9, and reads its constants from the kernel's
// constant pool (load them with mathConsts before a loop head). The
// errors quoted are the maxima measured by TestApproximations over a dense
// sweep against float64 math; see the package comment.

// exp constants. Range reduction x = n·ln2 + r, n = frintn(x·log2e),
// |r| <= ln2/2, with ln2 split Cody–Waite style (ln2Hi has 16 significant
// bits, so n·ln2Hi is exact); exp(r) by its degree-7 Taylor polynomial
// (truncation error < 1e-8 relative on |r| <= 0.347); 2^n built from the
// integer (n+127)<<23. The input is clamped to [expLo, expHi] so that n
// stays in -126..127.
var (
	expHi   = float32(88.37)
	expLo   = float32(-87.3)
	log2e   = float32(math.Log2E)
	ln2Hi   = math.Float32frombits(0x3f317200) // 0.693145751953125
	ln2Lo   = float32(math.Ln2 - 0.693145751953125)
	expPoly = []float32{1.0 / 5040, 1.0 / 720, 1.0 / 120, 1.0 / 24, 1.0 / 6, 0.5, 1, 1}
	c127    = float32(127)
)

// log constants. x = m·2^e with m in [sqrt(1/2), sqrt(2)): the biased
// exponent comes from the float value of x's bits (scvtf, ×2^-23,
// frintm) — there is no shift in the instruction set — and m = x·2^-e
// is exact. log(m) = 2s(1 + s²/3 + s⁴/5 + s⁶/7 + s⁸/9), s = (m−1)/(m+1),
// |s| <= 0.1716 (truncation < 1e-9); log(x) = log(m) + e·ln2 (split).
// Special cases, branch-free with FCSEL: log(+inf) = +inf, log(±0) = −inf,
// log(x<0) = log(NaN) = NaN. Subnormal inputs are not reduced correctly
// (their result is wrong by up to the subnormal scale); they are below
// 1.2e-38 and do not occur in the models.
var (
	twoM23  = float32(1.0 / (1 << 23))
	c253    = float32(253)
	c254    = float32(254)
	sqrt2   = float32(math.Sqrt2)
	logPoly = []float32{1.0 / 9, 1.0 / 7, 1.0 / 5, 1.0 / 3, 1}
	posInf  = float32(math.Inf(1))
	negInf  = float32(math.Inf(-1))
	qNaN    = math.Float32frombits(0x7fc00000)
)

// mathConsts loads the constants the sequence for op needs into the pool.
func (g *gen) mathConsts(exp, log, tanh bool) {
	if exp || tanh {
		for _, f := range []float32{expHi, expLo, log2e, ln2Hi, ln2Lo, c127} {
			g.k(f)
		}
		for _, f := range expPoly {
			g.k(f)
		}
	}
	if tanh {
		g.k(2)
	}
	if log {
		for _, f := range []float32{twoM23, 1, c253, c254, c127, 0.5, sqrt2, ln2Hi, ln2Lo, posInf, negInf, qNaN} {
			g.k(f)
		}
		for _, f := range logPoly {
			g.k(f)
		}
	}
}

var (
	t0, t1, t2, t3 = A.S16, A.S17, A.S18, A.S19
	t4, t5, t6, t7 = A.S20, A.S21, A.S22, A.S23
)

// pow2 sets the S register d to 2^(n) where the S register biased holds
// n+127, an integer in 1..254.
func (g *gen) pow2(d, biased A.Reg) {
	g.emit(op1(A.FCVTZS, A.W9, biased),
		A.Instr{Op: A.ADDShift, Rd: A.X9, Rn: A.XZR, Rm: A.X9, Shift: 23},
		op1(A.FMOVFromW, d, A.W9))
}

// emitExp sets d = exp(x). d may equal x. Uses s16..s19, x9.
func (g *gen) emitExp(d, x A.Reg) {
	g.emit(op2(A.FMIN, t0, x, g.k(expHi)),
		op2(A.FMAX, t0, t0, g.k(expLo)),
		op2(A.FMUL, t1, t0, g.k(log2e)),
		op1(A.FRINTN, t1, t1),
		op3(A.FMSUB, t2, t1, g.k(ln2Hi), t0),
		op3(A.FMSUB, t2, t1, g.k(ln2Lo), t2))
	g.emit(op1(A.FMOV, t3, g.k(expPoly[0])))
	for _, c := range expPoly[1:] {
		g.emit(op3(A.FMADD, t3, t3, t2, g.k(c)))
	}
	g.emit(op2(A.FADD, t1, t1, g.k(c127)))
	g.pow2(t0, t1)
	g.emit(op2(A.FMUL, d, t3, t0))
}

// emitLog sets d = log(x). d may equal x. Uses s16..s23, x9.
func (g *gen) emitLog(d, x A.Reg) {
	g.emit(op1(A.FMOVToW, A.W9, x),
		op1(A.SCVTF, t0, A.W9),
		op2(A.FMUL, t0, t0, g.k(twoM23)),
		op1(A.FRINTM, t0, t0), // biased exponent (or one more)
		op2(A.FMAX, t0, t0, g.k(1)),
		op2(A.FMIN, t0, t0, g.k(c253)),
		op2(A.FSUB, t1, g.k(c254), t0)) // 127 - e + 127... = bias of 2^-e
	g.pow2(t1, t1)
	g.emit(op2(A.FMUL, t2, x, t1), // m in [1, 2)
		op2(A.FSUB, t0, t0, g.k(c127)), // e
		op2(A.FMUL, t3, t2, g.k(0.5)),
		op2(A.FADD, t4, t0, g.k(1)),
		op2(A.FCMP, 0, t2, g.k(sqrt2)),
		fcsel(t2, t3, t2, A.GT),
		fcsel(t0, t4, t0, A.GT),
		op2(A.FSUB, t3, t2, g.k(1)),
		op2(A.FADD, t4, t2, g.k(1)),
		op2(A.FDIV, t3, t3, t4), // s
		op2(A.FMUL, t4, t3, t3), // s^2
		op1(A.FMOV, t5, g.k(logPoly[0])))
	for _, c := range logPoly[1:] {
		g.emit(op3(A.FMADD, t5, t5, t4, g.k(c)))
	}
	g.emit(op2(A.FADD, t3, t3, t3),
		op2(A.FMUL, t5, t5, t3), // log(m)
		op3(A.FMADD, t5, t0, g.k(ln2Lo), t5),
		op3(A.FMADD, t5, t0, g.k(ln2Hi), t5),
		A.Instr{Op: A.FCMP, Rn: x, Rm: g.k(posInf)},
		fcsel(t5, g.k(posInf), t5, A.EQ),
		A.Instr{Op: A.FCMPZero, Rn: x},
		fcsel(t5, g.k(negInf), t5, A.EQ),
		fcsel(d, g.k(qNaN), t5, A.LT))
}

// emitTanh sets d = tanh(x) = sign(x)·(1 − 2/(exp(2|x|)+1)). d may equal
// x. Uses s16..s23, x9.
func (g *gen) emitTanh(d, x A.Reg) {
	g.emit(op1(A.FABS, t4, x), op2(A.FADD, t4, t4, t4))
	g.emitExp(t4, t4)
	g.emit(op2(A.FADD, t4, t4, g.k(1)),
		op2(A.FDIV, t4, g.k(2), t4),
		op2(A.FSUB, t4, g.k(1), t4),
		op1(A.FNEG, t5, t4),
		A.Instr{Op: A.FCMPZero, Rn: x},
		fcsel(d, t5, t4, A.MI))
}
