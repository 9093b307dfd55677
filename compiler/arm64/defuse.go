package arm64

// Register units name the architectural storage an instruction reads or
// writes, independent of the view: Xn and Wn are unit n (0..30), SP is unit
// 31, Sn, Qn and Vn are unit 32+n, and the NZCV flags are UnitFlags. The
// zero registers are no unit (reads give zero, writes are discarded).
const (
	UnitFlags = 64
	NumUnits  = 65
)

// Unit returns the register unit of r, or -1 for the zero registers and
// the zero Reg.
func (r Reg) Unit() int {
	switch r.class() {
	case classX, classW:
		return int(r.Num())
	case classSP:
		return 31
	case classS, classQ, classV:
		return 32 + int(r.Num())
	}
	return -1
}

// MemAccess is the memory an instruction touches: Size bytes starting at
// byte Off from the value Base holds before the instruction executes.
type MemAccess struct {
	Base  Reg
	Off   int64
	Size  int64
	Store bool
}

// IsBranch reports whether in transfers control (B, B.cond, CBZ, CBNZ,
// RET): such an instruction ends a straight-line block.
func (in Instr) IsBranch() bool {
	switch in.Op {
	case B, BCond, CBZ, CBNZ, RET:
		return true
	}
	return false
}

func regBytes(r Reg) int64 {
	switch r.class() {
	case classQ, classV:
		return 16
	case classX, classXZR:
		return 8
	}
	return 4
}

// Mem returns the memory access of a load or store; ok is false for every
// other instruction.
func (in Instr) Mem() (m MemAccess, ok bool) {
	info, valid := in.Op.info()
	if !valid {
		return m, false
	}
	switch info.form {
	case formLdStUImm:
		return MemAccess{in.Rn, in.Imm, regBytes(in.Rd), !info.load}, true
	case formLdStPost:
		return MemAccess{in.Rn, 0, regBytes(in.Rd), !info.load}, true
	case formLdStPair:
		return MemAccess{in.Rn, in.Imm, 2 * regBytes(in.Rd), !info.load}, true
	case formLD1R:
		return MemAccess{in.Rn, 0, 4, false}, true
	case formLD1x4:
		return MemAccess{in.Rn, 0, 64, false}, true
	}
	return m, false
}

// DefUse returns the register units in writes (defs) and reads (uses),
// flags included. A register both read and written (MOVK, FMLA, BSL, the
// base of a post-indexed access) is in both lists. Units may repeat.
func (in Instr) DefUse() (defs, uses []int) {
	info, valid := in.Op.info()
	if !valid {
		return nil, nil
	}
	def := func(rs ...Reg) {
		for _, r := range rs {
			if u := r.Unit(); u >= 0 {
				defs = append(defs, u)
			}
		}
	}
	use := func(rs ...Reg) {
		for _, r := range rs {
			if u := r.Unit(); u >= 0 {
				uses = append(uses, u)
			}
		}
	}
	switch info.form {
	case formMovWide:
		def(in.Rd)
		if in.Op == MOVK {
			use(in.Rd)
		}
	case formAddSubImm, formFP1, formFPToW, formWToFP, formV2, formV2Zero,
		formVReduce, formDupElem, formDupGen, formVMov:
		def(in.Rd)
		use(in.Rn)
	case formSubsImm:
		def(in.Rd)
		use(in.Rn)
		defs = append(defs, UnitFlags)
	case formCmpImm, formFCmpZero:
		use(in.Rn)
		defs = append(defs, UnitFlags)
	case formFCmp:
		use(in.Rn, in.Rm)
		defs = append(defs, UnitFlags)
	case formAddShift, formFP2:
		def(in.Rd)
		use(in.Rn, in.Rm)
	case formFP3:
		def(in.Rd)
		use(in.Rn, in.Rm, in.Ra)
	case formFCSel:
		def(in.Rd)
		use(in.Rn, in.Rm)
		uses = append(uses, UnitFlags)
	case formV3, formVElem, formSElem:
		def(in.Rd)
		use(in.Rn, in.Rm)
		switch in.Op {
		case VFMLA, VFMLS, VFMLAElem, FMLAElemS, VBSL, VBIT:
			use(in.Rd)
		}
	case formFMovImm, formMoviZero:
		def(in.Rd)
	case formB, formRet:
		if in.Op == RET {
			use(X30)
		}
	case formBCond:
		uses = append(uses, UnitFlags)
	case formCB:
		use(in.Rd)
	case formLdStUImm, formLdStPair, formLD1R:
		use(in.Rn)
		if info.load {
			def(in.Rd, in.Rt2)
		} else {
			use(in.Rd, in.Rt2)
		}
	case formLD1x4:
		use(in.Rn)
		n := int(in.Rd.Num())
		def(in.Rd, VReg(n+1), VReg(n+2), VReg(n+3))
	case formLdStPost:
		use(in.Rn)
		def(in.Rn)
		if info.load {
			def(in.Rd)
		} else {
			use(in.Rd)
		}
	}
	return defs, uses
}

// Reorder lets f permute the instructions within straight-line blocks:
// f gets the program and, per instruction, whether a label is bound there.
// f must keep every instruction and every label-bound position and branch
// where they are (it may only move instructions between them); Reorder
// panics if the length changes.
func (a *Assembler) Reorder(f func(ins []Instr, labelled []bool)) {
	labelled := make([]bool, len(a.instrs)+1)
	for _, idx := range a.bound {
		if idx >= 0 {
			labelled[idx] = true
		}
	}
	n := len(a.instrs)
	f(a.instrs, labelled[:n])
	if len(a.instrs) != n {
		panic("arm64: Reorder changed the program length")
	}
}

// Rewrite lets f edit the program in place and drop instructions. f gets
// the program and, per label (index Label-1), the instruction index it is
// bound at (-1 when unbound); it may change any instruction (keeping
// every branch's label valid) and returns, per instruction, whether to
// drop it (nil drops none). A label bound at a dropped instruction moves to
// the next kept one. Rewrite returns the number of instructions dropped.
func (a *Assembler) Rewrite(f func(ins []Instr, bound []int) (drop []bool)) int {
	drop := f(a.instrs, append([]int(nil), a.bound...))
	if drop == nil {
		return 0
	}
	if len(drop) != len(a.instrs) {
		panic("arm64: Rewrite: drop list length differs from the program's")
	}
	newIdx := make([]int, len(a.instrs)+1) // old index -> index of the next kept instruction
	kept := a.instrs[:0]
	for i, in := range a.instrs {
		newIdx[i] = len(kept)
		if !drop[i] {
			kept = append(kept, in)
		}
	}
	newIdx[len(a.instrs)] = len(kept)
	n := len(a.instrs) - len(kept)
	for l, idx := range a.bound {
		if idx >= 0 {
			a.bound[l] = newIdx[idx]
		}
	}
	a.instrs = kept
	return n
}
