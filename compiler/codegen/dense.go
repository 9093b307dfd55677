package codegen

import (
	"fmt"

	A "github.com/muscles/referee/compiler/arm64"
	"github.com/muscles/referee/compiler/ir"
)

// Fused dense layers: ir.OpDense, act(A @ W + bias) (see ir.Fuse). Both
// matmul strategies of matmul.go start their accumulators from the bias
// instead of zero and apply the activation before the single store:
//   - unrolled (n and m below loopDim): per output element, the bias in
//     the addend register of its set (unrolledSets; or a pooled constant)
//     is the addend of the first FMADD, then
//     n−1 FMADDs, the activation (FMAX with 0, or the tanh sequence), one
//     STR. Where the bias or the relu is cheaper as a separate NEON pass
//     over the result (a bias in memory and a relu on a contiguous result
//     of 4 or more elements), the kernel is emitted split instead: every
//     variant is counted first and the one that executes the fewest
//     instructions is emitted (ties to the most fused). With columns in
//     blocks of four, W's rows and the bias contiguous in each block (or a
//     uniform bias) and no tanh, a NEON variant competes too
//     (denseByElem: FMLA by element, four outputs an instruction);
//   - NEON loop: the accumulators v0..v7 and s16..s18 are loaded from the
//     bias (a uniform constant bias is built once in v24 and copied), relu
//     is FMAX with v23 = 0 after the loop; tanh, which has no vector form,
//     runs as an elementwise pass over the stored result.
//
// Either way the sums differ from the unfused code's only in where the
// bias enters the rounding sequence.

// denseOK checks the activation.
func denseOK(v *ir.Value) error {
	switch v.Act {
	case ir.ActNone, ir.ActReluZeroX, ir.ActReluXZero, ir.ActTanh:
		return nil
	}
	return fmt.Errorf("codegen: %%%d: dense with activation %s is not supported", v.ID, v.Act)
}

// dense emits dst = act(a @ W + bias).
func (g *gen) dense(v *ir.Value, args []operand, dst loc) {
	k, n, m := mmDims(v)
	if unrolled(k, n, m) {
		g.denseUnrolledBest(v, args, dst, k, n, m)
		return
	}
	if base, ok := transposedOK(args[1], args[2], true, k, n, m); ok {
		a := g.materialize(args[0])
		g.resetPool()
		act := v.Act
		if act == ir.ActTanh {
			act = ir.ActNone
		}
		b := args[1].mem
		g.matmulT(a, loc{b.base, b.off + 4*base}, args[2], true, act, dst, k, n, m)
		if v.Act == ir.ActTanh {
			g.actPass(v, dst)
		}
		return
	}
	a, b, bias := g.materialize(args[0]), g.materialize(args[1]), args[2]
	if _, u := bias.uniform(); !u && !rowsContiguous(bias, k, m) {
		bias = g.materialize(bias)
	}
	g.resetPool()
	act := v.Act
	if act == ir.ActTanh {
		act = ir.ActNone
	}
	g.denseLoop(act, a, b, bias, dst, k, n, m)
	if v.Act == ir.ActTanh {
		g.actPass(v, dst)
	}
}

// rowsContiguous reports whether o, of shape (k, m) flattened, is in
// memory with each row contiguous.
func rowsContiguous(o operand, k, m int) bool {
	if o.cons != nil {
		return false
	}
	if o.idx == nil {
		return true
	}
	for i := range k {
		for j := range m {
			if o.idx[i*m+j] != o.idx[i*m]+j {
				return false
			}
		}
	}
	return true
}

// denseSplit says which parts of an unrolled dense kernel are emitted as
// separate elementwise passes over the result.
type denseSplit struct{ bias, act bool }

// denseUnrolledBest emits the unrolled dense kernel in the variant that
// executes the fewest instructions.
func (g *gen) denseUnrolledBest(v *ir.Value, args []operand, dst loc, k, n, m int) {
	if g.splitDense {
		g.denseUnrolled(v, denseSplit{true, true}, args, dst, k, n, m)
		return
	}
	variants := []denseSplit{{false, false}}
	if v.Act != ir.ActNone {
		variants = append(variants, denseSplit{false, true})
	}
	variants = append(variants, denseSplit{true, true})
	best, bestN := variants[0], -1
	for _, s := range variants {
		t := newGen()
		t.resetPool()
		t.denseUnrolled(v, s, args, dst, k, n, m)
		if bestN < 0 || t.executed < bestN {
			best, bestN = s, t.executed
		}
	}
	if byElemOK(v, args, k, n, m) {
		t := newGen()
		t.resetPool()
		t.denseByElem(v, args, dst, k, n, m)
		if t.executed < bestN {
			g.denseByElem(v, args, dst, k, n, m)
			return
		}
	}
	g.denseUnrolled(v, best, args, dst, k, n, m)
}

// byElemOK reports whether denseByElem can emit v: columns in blocks of
// four, W's and the bias's blocks four consecutive elements each in
// memory (or a uniform constant bias), and no tanh.
func byElemOK(v *ir.Value, args []operand, k, n, m int) bool {
	b, bias := args[1], args[2]
	if m%4 != 0 || v.Act == ir.ActTanh || !b.rowChunks(n*m/4) {
		return false
	}
	_, u := bias.uniform()
	return u || bias.rowChunks(k*m/4)
}

// denseByElem emits the unrolled dense kernel four columns at a time:
// per block of an output row, the accumulator starts as the bias block
// and takes one FMLA by element per contracted index (A's element in
// lane 0 of an S register, W's block loaded whole), in the same order
// and with the same fused roundings as the scalar FMADDs; relu is one
// FMAX. Blocks take the register sets of unrolledSets in turn.
func (g *gen) denseByElem(v *ir.Value, args []operand, dst loc, k, n, m int) {
	a, b, bias := args[0], args[1], args[2]
	var zero A.Reg
	if v.Act.IsRelu() {
		zero = g.kv(0)
	}
	bf, uniform := bias.uniform()
	var biasV A.Reg
	if uniform {
		biasV = g.kv(bf)
	}
	q := m / 4
	for i := range k {
		for c := range q {
			e := i*q + c
			set := unrolledSets[e%len(unrolledSets)]
			acc, xr, yr := vview(set[0]), set[1], vview(set[2])
			if uniform {
				g.emit(A.Instr{Op: A.VMOV, Rd: acc, Rn: biasV})
			} else {
				g.ldrQ(qview(set[0]), bias.mem, 4*bias.at(4*e))
			}
			for p := range n {
				x := g.fetch(xr, a, i*n+p)
				g.ldrQ(qview(set[2]), b.mem, 4*b.at(p*m+4*c))
				g.emit(A.Instr{Op: A.VFMLAElem, Rd: acc, Rn: yr, Rm: vview(x)})
			}
			if zero != 0 {
				g.emit(op2(A.VFMAX, acc, acc, zero))
			}
			g.strQ(qview(set[0]), dst, 4*(i*m+4*c))
		}
	}
}

// vview and qview are the V and Q views of a floating-point register.
func vview(r A.Reg) A.Reg { return A.VReg(int(r.Num())) }

func qview(r A.Reg) A.Reg { return A.QReg(int(r.Num())) }

// denseUnrolled emits the unrolled kernel with the parts in split as
// separate passes over dst.
func (g *gen) denseUnrolled(v *ir.Value, split denseSplit, args []operand, dst loc, k, n, m int) {
	a, b, bias := args[0], args[1], args[2]
	act := v.Act
	if split.act {
		act = ir.ActNone
	}
	if split.bias {
		g.matmulUnrolled(a, b, dst, k, n, m)
	} else {
		switch {
		case act == ir.ActTanh:
			g.mathConsts(false, false, true)
		case act.IsRelu():
			g.k(0)
		}
		for i := range k {
			for j := range m {
				d, xr, yr, br := unrolledSet(i*m+j, act == ir.ActTanh)
				acc := g.fetch(br, bias, i*m+j)
				for p := range n {
					x := g.fetch(xr, a, i*n+p)
					y := g.fetch(yr, b, p*m+j)
					g.emit(op3(A.FMADD, d, x, y, acc))
					acc = d
				}
				switch {
				case act.IsRelu():
					g.emit(op2(A.FMAX, d, d, g.k(0)))
				case act == ir.ActTanh:
					g.emitTanh(d, d)
				}
				g.strS(d, dst, 4*(i*m+j))
			}
		}
	}
	res := operand{shape: v.Shape, mem: dst}
	if split.bias {
		g.resetPool()
		g.elementwise(&ir.Value{Op: ir.OpAdd, Shape: v.Shape}, []operand{res, bias}, dst)
	}
	if split.act && v.Act != ir.ActNone {
		g.actPass(v, dst)
	}
}

// actPass applies v's activation to the contiguous result at dst, in
// place, with the elementwise kernels of the unfused ops.
func (g *gen) actPass(v *ir.Value, dst loc) {
	res := operand{shape: v.Shape, mem: dst}
	zero := operand{shape: v.Shape, cons: make([]float32, v.Shape.Size())}
	g.resetPool()
	switch v.Act {
	case ir.ActReluZeroX:
		g.elementwise(&ir.Value{Op: ir.OpMax, Shape: v.Shape}, []operand{zero, res}, dst)
	case ir.ActReluXZero:
		g.elementwise(&ir.Value{Op: ir.OpMax, Shape: v.Shape}, []operand{res, zero}, dst)
	case ir.ActTanh:
		g.elementwise(&ir.Value{Op: ir.OpTanh, Shape: v.Shape}, []operand{res}, dst)
	}
}

// denseLoop is matmulLoop with the accumulators starting from the bias
// (contiguous rows in memory, or a uniform constant) and relu applied
// before the stores (act is none or relu). With more than one row the
// rows are a loop (x16), with x7 the row of A, x8 the row of the result
// and x17 the bias row, when the bias rows are evenly spaced; else the
// rows are unrolled.
func (g *gen) denseLoop(act ir.Act, a, b, bias operand, dst loc, k, n, m int) {
	const blockQ = 8
	bf, uniform := bias.uniform()
	if uniform {
		g.vconst(A.V24, bf)
	}
	relu := act.IsRelu()
	if relu {
		g.emit(A.Instr{Op: A.MOVIZero, Rd: A.V23})
	}
	// row emits one row: A's row at arow, the result's at drow, the
	// bias row at brow (unused for a uniform bias).
	row := func(arow, drow, brow loc, spare []A.Reg) {
		for j0 := 0; j0 < m; j0 += 4 * blockQ {
			cols := min(m-j0, 4*blockQ)
			nq, tail := cols/4, cols%4
			for c := range nq {
				if uniform {
					g.emit(A.Instr{Op: A.VMOV, Rd: A.VReg(c), Rn: A.V24})
				} else {
					g.ldrQ(A.QReg(c), brow, 4*(j0+4*c))
				}
			}
			for t := range tail {
				if uniform {
					g.emit(op1(A.FMOV, A.SReg(16+t), A.S24))
				} else {
					g.ldrS(A.SReg(16+t), brow, 4*(j0+4*nq+t))
				}
			}
			g.rowBlockLoop(arow, b.mem, 0, n, m, j0, nq, tail, spare)
			if relu {
				for c := range nq {
					g.emit(op2(A.VFMAX, A.VReg(c), A.VReg(c), A.V23))
				}
				for t := range tail {
					g.emit(op2(A.FMAX, A.SReg(16+t), A.SReg(16+t), A.S23))
				}
			}
			for c := range nq {
				g.strQ(A.QReg(c), drow, 4*(j0+4*c))
			}
			for t := range tail {
				g.strS(A.SReg(16+t), drow, 4*(j0+4*nq+t))
			}
		}
	}
	biasRow := func(i int) loc {
		if uniform {
			return loc{}
		}
		return loc{bias.mem.base, bias.mem.off + 4*bias.at(i*m)}
	}
	stride, even := 0, true
	if !uniform && k > 1 {
		stride = bias.at(m) - bias.at(0)
		for i := range k {
			even = even && bias.at(i*m) == bias.at(0)+i*stride
		}
		even = even && stride >= 0
	}
	if k == 1 || !even {
		for i := range k {
			row(loc{a.mem.base, a.mem.off + 4*i*n}, loc{dst.base, dst.off + 4*i*m}, biasRow(i), rowLoopRegs)
		}
		return
	}
	g.addr(A.X7, a.mem, 0)
	g.addr(A.X8, dst, 0)
	if !uniform {
		g.addr(rowX, biasRow(0), 0)
	}
	g.loopOn(outX, k, func() {
		row(loc{A.X7, 0}, loc{A.X8, 0}, loc{rowX, 0}, nil)
		g.addImm(A.X7, A.X7, 4*n)
		g.addImm(A.X8, A.X8, 4*m)
		if !uniform && stride != 0 {
			g.addImm(rowX, rowX, 4*stride)
		}
	})
}
