package codegen

import (
	A "github.com/muscles/referee/compiler/arm64"
	"github.com/muscles/referee/compiler/ir"
)

// MatMul and Dense whose right operand is a transposed view of a
// row-major (m, n) tensor Bt (PyTorch's layout: x @ W.T, ONNX Gemm with
// transB): C[i, j] = sum_p A[i, p]·Bt[j, p] reads rows of Bt, contiguous
// in p, so Bt is never copied. Per row of A and per block of four
// columns, a loop over p in chunks of four (x5 walks A's row, x6 the
// block's first row of Bt, the other three at fixed offsets) accumulates
// four FMLAs into v0..v3; three FADDPs then leave the four dot products in
// v0, to which the bias is added and the relu applied before one 16-byte
// store. The blocks are a loop (x16; x7 the block's rows of Bt, x8 the
// result, x17 the bias); the last m%4 columns are one dot product each.
// Each sum is accumulated in four lanes and then added pairwise, so it is
// rounded differently from the sequential sums of the other kernels.

// transposedB returns the storage offset (in elements) of Bt when b, of
// shape (n, m), is Bt[j, p] at base + j·n + p with Bt's rows 16-byte
// aligned, and whether it is.
func transposedB(b operand, n, m int) (int, bool) {
	if b.cons != nil || b.idx == nil || len(b.shape) != 2 || n%4 != 0 || 12*n > 65520 || m < 1 {
		return 0, false
	}
	base, si, sj, rows, cols, ok := affine2(b)
	if !ok || rows != n || cols != m || si != 1 || sj != n || base%4 != 0 || (b.mem.off/4+base)%4 != 0 {
		return 0, false
	}
	return base, true
}

// transposedOK reports whether matmulT compiles a kernel with these
// operands: Bt as transposedB says, at most maxTRows rows of A, and a bias
// that is uniform or contiguous and 16-byte aligned in each row.
func transposedOK(b, bias operand, dense bool, k, n, m int) (int, bool) {
	base, ok := transposedB(b, n, m)
	if !ok || k > maxTRows {
		return 0, false
	}
	if dense {
		if _, u := bias.uniform(); !u {
			if bias.cons != nil || !rowsContiguous(bias, k, m) || bias.mem.off%16 != 0 {
				return 0, false
			}
			for i := range k {
				if bias.at(i*m)%4 != 0 {
					return 0, false
				}
			}
		}
	}
	return base, true
}

// maxTRows bounds the rows of A that matmulT unrolls.
const maxTRows = 8

// matmulT emits dst = act(a @ Bt.T + bias) (bias ignored unless dense;
// act none or relu) for a contiguous, bt the storage of Bt at element
// base of b.mem.
func (g *gen) matmulT(a operand, bt loc, bias operand, dense bool, act ir.Act, dst loc, k, n, m int) {
	bf, uniform := bias.uniform()
	hasBias := dense
	if hasBias && uniform {
		g.vconst(A.V24, bf)
	}
	relu := act.IsRelu()
	if relu {
		g.emit(A.Instr{Op: A.MOVIZero, Rd: A.V23})
	}
	mb, tail := m/4, m%4
	for i := range k {
		arow := loc{a.mem.base, a.mem.off + 4*i*n}
		drow := loc{dst.base, dst.off + 4*i*m}
		var brow loc
		if hasBias && !uniform {
			brow = loc{bias.mem.base, bias.mem.off + 4*bias.at(i*m)}
		}
		if mb > 0 {
			g.addr(A.X7, bt, 0)
			g.addr(A.X8, drow, 0)
			if hasBias && !uniform {
				g.addr(rowX, brow, 0)
			}
			g.loopOn(outX, mb, func() {
				for c := range 4 {
					g.emit(A.Instr{Op: A.MOVIZero, Rd: A.VReg(c)})
				}
				g.addr(A.X5, arow, 0)
				g.emit(A.Instr{Op: A.ADDImm, Rd: A.X6, Rn: A.X7, Imm: 0})
				g.loop(n/4, func() {
					g.emit(A.Instr{Op: A.LDRPost, Rd: A.Q4, Rn: A.X5, Imm: 16})
					for c := 1; c < 4; c++ {
						g.emit(A.Instr{Op: A.LDR, Rd: A.QReg(4 + c), Rn: A.X6, Imm: int64(4 * n * c)})
					}
					g.emit(A.Instr{Op: A.LDRPost, Rd: A.Q8, Rn: A.X6, Imm: 16})
					g.emit(op2(A.VFMLA, A.V0, A.V8, A.V4))
					for c := 1; c < 4; c++ {
						g.emit(op2(A.VFMLA, A.VReg(c), A.VReg(4+c), A.V4))
					}
				})
				g.emit(op2(A.VFADDP, A.V0, A.V0, A.V1), op2(A.VFADDP, A.V2, A.V2, A.V3), op2(A.VFADDP, A.V0, A.V0, A.V2))
				if hasBias {
					if uniform {
						g.emit(op2(A.VFADD, A.V0, A.V0, A.V24))
					} else {
						g.emit(A.Instr{Op: A.LDRPost, Rd: A.Q1, Rn: rowX, Imm: 16}, op2(A.VFADD, A.V0, A.V0, A.V1))
					}
				}
				if relu {
					g.emit(op2(A.VFMAX, A.V0, A.V0, A.V23))
				}
				g.emit(A.Instr{Op: A.STRPost, Rd: A.Q0, Rn: A.X8, Imm: 16})
				g.addImm(A.X7, A.X7, 16*n)
			})
		}
		for t := range tail {
			j := 4*mb + t
			g.emit(A.Instr{Op: A.MOVIZero, Rd: A.V0})
			g.addr(A.X5, arow, 0)
			g.addr(A.X6, bt, 4*j*n)
			g.loop(n/4, func() {
				g.emit(A.Instr{Op: A.LDRPost, Rd: A.Q4, Rn: A.X5, Imm: 16},
					A.Instr{Op: A.LDRPost, Rd: A.Q5, Rn: A.X6, Imm: 16},
					op2(A.VFMLA, A.V0, A.V5, A.V4))
			})
			g.emit(op2(A.VFADDP, A.V0, A.V0, A.V0), op1(A.FADDPS, A.S0, A.V0))
			if hasBias {
				if uniform {
					g.emit(op2(A.FADD, A.S0, A.S0, A.S24))
				} else {
					g.ldrS(A.S1, brow, 4*j)
					g.emit(op2(A.FADD, A.S0, A.S0, A.S1))
				}
			}
			if relu {
				g.emit(op2(A.FMAX, A.S0, A.S0, A.S23))
			}
			g.strS(A.S0, drow, 4*j)
		}
	}
}
