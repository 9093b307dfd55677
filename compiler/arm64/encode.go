package arm64

import (
	"fmt"
	"math"
)

// Encode returns the 32-bit machine word for one instruction, or an *Error
// naming the instruction and the first bad operand. It checks register
// classes, immediate ranges, the alignment of scaled offsets, branch
// distances, and that fields the form does not use are zero. A branch must
// carry its byte offset in Imm; one that still has a Label is rejected
// (Assembler resolves labels before encoding).
func Encode(in Instr) (uint32, error) {
	info, ok := in.Op.info()
	if !ok {
		return 0, &Error{Instr: in, Operand: "Op", Reason: fmt.Sprintf("unknown op %d", uint8(in.Op))}
	}
	e := &encoder{in: in}
	w := formEncoders[info.form](e, info)
	e.checkUnused()
	if e.err != nil {
		return 0, e.err
	}
	return w, nil
}

// field is one Instr field, for the "unused fields must be zero" check.
type field uint16

const (
	fRd field = 1 << iota
	fRn
	fRm
	fRa
	fRt2
	fImm
	fShift
	fIndex
	fCond
	fFImm
	fLabel
)

// encoder carries the instruction being encoded, the fields its form has
// consumed and the first error found.
type encoder struct {
	in   Instr
	used field
	err  *Error
}

func (e *encoder) fail(operand, format string, args ...any) {
	if e.err == nil {
		e.err = &Error{Instr: e.in, Operand: operand, Reason: fmt.Sprintf(format, args...)}
	}
}

// reg checks that r is present and of an allowed class and returns its
// 5-bit number.
func (e *encoder) reg(operand string, f field, r Reg, allowed classSet) uint32 {
	e.used |= f
	switch {
	case r == 0:
		e.fail(operand, "missing: want %s", allowed)
	case !r.valid():
		e.fail(operand, "invalid register %s: want %s", r, allowed)
	case !allowed.has(r.class()):
		e.fail(operand, "want %s, got %s", allowed, r)
	}
	return r.Num()
}

// uimm checks lo <= v <= hi.
func (e *encoder) imm(operand string, v, lo, hi int64) {
	if v < lo || v > hi {
		e.fail(operand, "%d out of range %d..%d", v, lo, hi)
	}
}

// scaled checks that off is a multiple of scale with lo <= off/scale <= hi
// and returns off/scale.
func (e *encoder) scaled(off, scale, lo, hi int64) int64 {
	e.used |= fImm
	if off%scale != 0 {
		e.fail("Imm", "offset %d is not a multiple of %d", off, scale)
		return 0
	}
	if off/scale < lo || off/scale > hi {
		e.fail("Imm", "offset %d out of range %d..%d (step %d)", off, lo*scale, hi*scale, scale)
		return 0
	}
	return off / scale
}

// branch checks a branch byte offset against a signed field of bits bits
// counting words and returns the field value.
func (e *encoder) branch(bits uint) uint32 {
	e.used |= fImm | fLabel
	if e.in.Label != 0 {
		e.fail("Label", "unresolved label L%d (labels are resolved by Assembler)", e.in.Label)
		return 0
	}
	off := e.in.Imm
	if off%4 != 0 {
		e.fail("Imm", "branch offset %d is not a multiple of 4", off)
		return 0
	}
	lim := int64(1) << (bits - 1) // in words
	if off/4 < -lim || off/4 >= lim {
		e.fail("Imm", "branch offset %d out of range %d..%d", off, -lim*4, (lim-1)*4)
		return 0
	}
	return uint32(off/4) & (1<<bits - 1)
}

func (e *encoder) cond() uint32 {
	e.used |= fCond
	if !e.in.Cond.valid() {
		e.fail("Cond", "want a condition EQ..AL, got %s", e.in.Cond)
		return 0
	}
	return e.in.Cond.bits()
}

func (e *encoder) index(max uint8) uint32 {
	e.used |= fIndex
	if e.in.Index > max {
		e.fail("Index", "element index %d out of range 0..%d", e.in.Index, max)
	}
	return uint32(e.in.Index)
}

// checkUnused rejects non-zero fields the form did not consume.
func (e *encoder) checkUnused() {
	in := e.in
	for _, c := range []struct {
		f    field
		name string
		set  bool
	}{
		{fRd, "Rd", in.Rd != 0},
		{fRn, "Rn", in.Rn != 0},
		{fRm, "Rm", in.Rm != 0},
		{fRa, "Ra", in.Ra != 0},
		{fRt2, "Rt2", in.Rt2 != 0},
		{fImm, "Imm", in.Imm != 0},
		{fShift, "Shift", in.Shift != 0},
		{fIndex, "Index", in.Index != 0},
		{fCond, "Cond", in.Cond != 0},
		{fFImm, "FImm", math.Float32bits(in.FImm) != 0},
		{fLabel, "Label", in.Label != 0},
	} {
		if c.set && e.used&c.f == 0 {
			e.fail(c.name, "not used by this form; must be zero")
		}
	}
}

// formEncoders has one encoder per operand shape.
var formEncoders = [...]func(*encoder, opInfo) uint32{
	formNone:      func(e *encoder, _ opInfo) uint32 { e.fail("Op", "no encoder"); return 0 },
	formMovWide:   encMovWide,
	formAddSubImm: encAddSubImm,
	formSubsImm:   encAddSubImm,
	formCmpImm:    encAddSubImm,
	formAddShift:  encAddShift,
	formB:         encB,
	formBCond:     encBCond,
	formCB:        encCB,
	formRet:       encRet,
	formLdStUImm:  encLdStUImm,
	formLdStPost:  encLdStPost,
	formLdStPair:  encLdStPair,
	formLD1R:      encLD1R,
	formLD1x4:     encLD1x4,
	formFP1:       encFP1,
	formFMovImm:   encFMovImm,
	formFPToW:     encFPToW,
	formWToFP:     encWToFP,
	formFP2:       encFP2,
	formFP3:       encFP3,
	formFCmp:      encFCmp,
	formFCmpZero:  encFCmpZero,
	formFCSel:     encFCSel,
	formV3:        encV3,
	formV2:        encV2,
	formV2Zero:    encV2,
	formVElem:     encElem,
	formSElem:     encElem,
	formVReduce:   encVReduce,
	formDupElem:   encDupElem,
	formDupGen:    encDupGen,
	formMoviZero:  encMoviZero,
	formVMov:      encVMov,
}

// MOVZ, MOVK: sf=1 opc hw imm16 Rd.
func encMovWide(e *encoder, info opInfo) uint32 {
	in := e.in
	rd := e.reg("Rd", fRd, in.Rd, setXorZR)
	e.used |= fImm | fShift
	e.imm("Imm", in.Imm, 0, 0xffff)
	if in.Shift%16 != 0 || in.Shift > 48 {
		e.fail("Shift", "lsl #%d: want 0, 16, 32 or 48", in.Shift)
	}
	hw := uint32(in.Shift/16) & 3
	return info.bits | hw<<21 | uint32(in.Imm&0xffff)<<5 | rd
}

// ADD, SUB, SUBS and CMP (immediate): sf op S 100010 sh imm12 Rn Rd.
func encAddSubImm(e *encoder, info opInfo) uint32 {
	in := e.in
	var rd uint32
	switch info.form {
	case formAddSubImm:
		rd = e.reg("Rd", fRd, in.Rd, setXorSP)
	case formSubsImm:
		rd = e.reg("Rd", fRd, in.Rd, setXorZR)
	case formCmpImm:
		// Rd is fixed to XZR by info.bits.
	}
	rn := e.reg("Rn", fRn, in.Rn, setXorSP)
	e.used |= fImm | fShift
	e.imm("Imm", in.Imm, 0, 4095)
	var sh uint32
	switch in.Shift {
	case 0:
	case 12:
		sh = 1
	default:
		e.fail("Shift", "lsl #%d: want 0 or 12", in.Shift)
	}
	return info.bits | sh<<22 | uint32(in.Imm&0xfff)<<10 | rn<<5 | rd
}

// ADD (shifted register), LSL only: sf 0 0 01011 00 0 Rm imm6 Rn Rd.
func encAddShift(e *encoder, info opInfo) uint32 {
	in := e.in
	rd := e.reg("Rd", fRd, in.Rd, setXorZR)
	rn := e.reg("Rn", fRn, in.Rn, setXorZR)
	rm := e.reg("Rm", fRm, in.Rm, setXorZR)
	e.used |= fShift
	if in.Shift > 63 {
		e.fail("Shift", "lsl #%d out of range 0..63", in.Shift)
	}
	return info.bits | rm<<16 | uint32(in.Shift&63)<<10 | rn<<5 | rd
}

func encB(e *encoder, info opInfo) uint32 {
	return info.bits | e.branch(26)
}

func encBCond(e *encoder, info opInfo) uint32 {
	c := e.cond()
	return info.bits | e.branch(19)<<5 | c
}

func encCB(e *encoder, info opInfo) uint32 {
	rt := e.reg("Rd", fRd, e.in.Rd, setXorZR)
	return info.bits | e.branch(19)<<5 | rt
}

func encRet(e *encoder, info opInfo) uint32 {
	e.used |= fRn
	if e.in.Rn != 0 && e.in.Rn != X30 {
		e.fail("Rn", "only ret x30 is supported, got %s", e.in.Rn)
	}
	return info.bits
}

// LDR/STR (immediate, unsigned offset), sizes S, Q and X.
func encLdStUImm(e *encoder, info opInfo) uint32 {
	in := e.in
	rt := e.reg("Rd", fRd, in.Rd, setLdSt)
	rn := e.reg("Rn", fRn, in.Rn, setXorSP)
	var base uint32
	var scale int64
	switch in.Rd.class() {
	case classS:
		base, scale = 0xbd000000, 4
	case classQ:
		base, scale = 0x3d800000, 16
	default: // X, XZR
		base, scale = 0xf9000000, 8
	}
	if info.load {
		base |= 1 << 22
	}
	if in.Imm < 0 {
		e.used |= fImm
		e.fail("Imm", "offset %d is negative: the unsigned-offset form takes 0..%d", in.Imm, 4095*scale)
		return 0
	}
	off := e.scaled(in.Imm, scale, 0, 4095)
	return base | uint32(off)<<10 | rn<<5 | rt
}

// LDR/STR (immediate, post-index), sizes S and Q; imm9 is unscaled.
func encLdStPost(e *encoder, info opInfo) uint32 {
	in := e.in
	rt := e.reg("Rd", fRd, in.Rd, setSQ)
	rn := e.reg("Rn", fRn, in.Rn, setXorSP)
	e.used |= fImm
	e.imm("Imm", in.Imm, -256, 255)
	base := uint32(0xbc000400) // S
	if in.Rd.class() == classQ {
		base = 0x3c800400
	}
	if info.load {
		base |= 1 << 22
	}
	return base | uint32(in.Imm&0x1ff)<<12 | rn<<5 | rt
}

// LDP/STP (signed offset), sizes S and Q; imm7 is scaled by the size.
func encLdStPair(e *encoder, info opInfo) uint32 {
	in := e.in
	rt := e.reg("Rd", fRd, in.Rd, setSQ)
	rt2 := e.reg("Rt2", fRt2, in.Rt2, setSQ)
	rn := e.reg("Rn", fRn, in.Rn, setXorSP)
	if e.err == nil && in.Rd.class() != in.Rt2.class() {
		e.fail("Rt2", "%s and %s differ in size", in.Rd, in.Rt2)
	}
	if e.err == nil && info.load && rt == rt2 {
		e.fail("Rt2", "ldp with both destinations %s is unpredictable", in.Rd)
	}
	base, scale := uint32(0x2d000000), int64(4)
	if in.Rd.class() == classQ {
		base, scale = 0xad000000, 16
	}
	if info.load {
		base |= 1 << 22
	}
	off := e.scaled(in.Imm, scale, -64, 63)
	return base | uint32(off&0x7f)<<15 | rt2<<10 | rn<<5 | rt
}

func encLD1R(e *encoder, info opInfo) uint32 {
	rt := e.reg("Rd", fRd, e.in.Rd, setV)
	rn := e.reg("Rn", fRn, e.in.Rn, setXorSP)
	return info.bits | rn<<5 | rt
}

// LD1 (multiple structures, four registers, no offset): the list is
// Vd..Vd+3; one that would wrap past v31 is refused.
func encLD1x4(e *encoder, info opInfo) uint32 {
	rt := e.reg("Rd", fRd, e.in.Rd, setV)
	if e.err == nil && rt > 28 {
		e.fail("Rd", "the four registers from %s wrap past v31", e.in.Rd)
	}
	rn := e.reg("Rn", fRn, e.in.Rn, setXorSP)
	return info.bits | rn<<5 | rt
}

func encFP1(e *encoder, info opInfo) uint32 {
	rd := e.reg("Rd", fRd, e.in.Rd, setS)
	rn := e.reg("Rn", fRn, e.in.Rn, setS)
	return info.bits | rn<<5 | rd
}

func encFMovImm(e *encoder, info opInfo) uint32 {
	rd := e.reg("Rd", fRd, e.in.Rd, setS)
	e.used |= fFImm
	imm8, ok := fpImm8(e.in.FImm)
	if !ok {
		e.fail("FImm", "%s is not encodable: want +-(16..31)/16 * 2^(-3..4); load other constants from memory or through a W register", formatFloat(e.in.FImm))
	}
	return info.bits | imm8<<13 | rd
}

func encFPToW(e *encoder, info opInfo) uint32 {
	rd := e.reg("Rd", fRd, e.in.Rd, setWorZR)
	rn := e.reg("Rn", fRn, e.in.Rn, setS)
	return info.bits | rn<<5 | rd
}

func encWToFP(e *encoder, info opInfo) uint32 {
	rd := e.reg("Rd", fRd, e.in.Rd, setS)
	rn := e.reg("Rn", fRn, e.in.Rn, setWorZR)
	return info.bits | rn<<5 | rd
}

func encFP2(e *encoder, info opInfo) uint32 {
	rd := e.reg("Rd", fRd, e.in.Rd, setS)
	rn := e.reg("Rn", fRn, e.in.Rn, setS)
	rm := e.reg("Rm", fRm, e.in.Rm, setS)
	return info.bits | rm<<16 | rn<<5 | rd
}

func encFP3(e *encoder, info opInfo) uint32 {
	rd := e.reg("Rd", fRd, e.in.Rd, setS)
	rn := e.reg("Rn", fRn, e.in.Rn, setS)
	rm := e.reg("Rm", fRm, e.in.Rm, setS)
	ra := e.reg("Ra", fRa, e.in.Ra, setS)
	return info.bits | rm<<16 | ra<<10 | rn<<5 | rd
}

func encFCmp(e *encoder, info opInfo) uint32 {
	rn := e.reg("Rn", fRn, e.in.Rn, setS)
	rm := e.reg("Rm", fRm, e.in.Rm, setS)
	return info.bits | rm<<16 | rn<<5
}

func encFCmpZero(e *encoder, info opInfo) uint32 {
	rn := e.reg("Rn", fRn, e.in.Rn, setS)
	return info.bits | rn<<5
}

func encFCSel(e *encoder, info opInfo) uint32 {
	rd := e.reg("Rd", fRd, e.in.Rd, setS)
	rn := e.reg("Rn", fRn, e.in.Rn, setS)
	rm := e.reg("Rm", fRm, e.in.Rm, setS)
	c := e.cond()
	return info.bits | rm<<16 | c<<12 | rn<<5 | rd
}

func encV3(e *encoder, info opInfo) uint32 {
	rd := e.reg("Rd", fRd, e.in.Rd, setV)
	rn := e.reg("Rn", fRn, e.in.Rn, setV)
	rm := e.reg("Rm", fRm, e.in.Rm, setV)
	return info.bits | rm<<16 | rn<<5 | rd
}

func encV2(e *encoder, info opInfo) uint32 {
	rd := e.reg("Rd", fRd, e.in.Rd, setV)
	rn := e.reg("Rn", fRn, e.in.Rn, setV)
	return info.bits | rn<<5 | rd
}

// encElem encodes the by-element forms, single precision: the vector one
// (Rd, Rn .4s) and the scalar one (Rd, Rn S registers) share their fields;
// index = H:L, and Rm uses all five bits (M:Rm).
func encElem(e *encoder, info opInfo) uint32 {
	set := setV
	if info.form == formSElem {
		set = setS
	}
	rd := e.reg("Rd", fRd, e.in.Rd, set)
	rn := e.reg("Rn", fRn, e.in.Rn, set)
	rm := e.reg("Rm", fRm, e.in.Rm, setV)
	idx := e.index(3)
	return info.bits | (idx&1)<<21 | rm<<16 | (idx>>1&1)<<11 | rn<<5 | rd
}

func encVReduce(e *encoder, info opInfo) uint32 {
	rd := e.reg("Rd", fRd, e.in.Rd, setS)
	rn := e.reg("Rn", fRn, e.in.Rn, setV)
	return info.bits | rn<<5 | rd
}

// DUP (element), .4s: imm5 = index:100.
func encDupElem(e *encoder, info opInfo) uint32 {
	rd := e.reg("Rd", fRd, e.in.Rd, setV)
	rn := e.reg("Rn", fRn, e.in.Rn, setV)
	idx := e.index(3)
	return info.bits | (idx&3)<<19 | rn<<5 | rd
}

func encDupGen(e *encoder, info opInfo) uint32 {
	rd := e.reg("Rd", fRd, e.in.Rd, setV)
	rn := e.reg("Rn", fRn, e.in.Rn, setWorZR)
	return info.bits | rn<<5 | rd
}

func encMoviZero(e *encoder, info opInfo) uint32 {
	return info.bits | e.reg("Rd", fRd, e.in.Rd, setV)
}

// MOV (vector) is ORR Vd, Vn, Vn.
func encVMov(e *encoder, info opInfo) uint32 {
	rd := e.reg("Rd", fRd, e.in.Rd, setV)
	rn := e.reg("Rn", fRn, e.in.Rn, setV)
	return info.bits | rn<<16 | rn<<5 | rd
}
