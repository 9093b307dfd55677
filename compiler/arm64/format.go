package arm64

import (
	"fmt"
	"strconv"
	"strings"
)

// String returns the instruction in GNU assembler syntax, e.g.
// "ldr q1, [x2, #32]" or "fmla v0.4s, v1.4s, v2.s[3]". A branch prints its
// label as "L<n>" when it has one and as ".+<offset>" otherwise. String
// never fails: invalid operands print in angle brackets.
func (in Instr) String() string {
	info, ok := in.Op.info()
	if !ok {
		return fmt.Sprintf("<bad op %d>", uint8(in.Op))
	}
	v := func(r Reg) string { return r.String() + "." + info.arr }
	var b strings.Builder
	b.WriteString(info.name)
	args := func(parts ...string) {
		b.WriteByte(' ')
		b.WriteString(strings.Join(parts, ", "))
	}
	lsl := func(amount uint8) string {
		if amount == 0 {
			return ""
		}
		return fmt.Sprintf(", lsl #%d", amount)
	}
	switch info.form {
	case formMovWide:
		args(in.Rd.String(), fmt.Sprintf("#%#x", in.Imm)+lsl(in.Shift))
	case formAddSubImm, formSubsImm:
		args(in.Rd.String(), in.Rn.String(), fmt.Sprintf("#%d", in.Imm)+lsl(in.Shift))
	case formCmpImm:
		args(in.Rn.String(), fmt.Sprintf("#%d", in.Imm)+lsl(in.Shift))
	case formAddShift:
		args(in.Rd.String(), in.Rn.String(), in.Rm.String()+lsl(in.Shift))
	case formB:
		args(in.target())
	case formBCond:
		b.WriteString("." + in.Cond.String())
		args(in.target())
	case formCB:
		args(in.Rd.String(), in.target())
	case formRet:
		// "ret" alone means ret x30, the only form supported.
	case formLdStUImm:
		args(in.Rd.String(), memOffset(in.Rn, in.Imm))
	case formLdStPost:
		args(in.Rd.String(), "["+in.Rn.String()+"]", fmt.Sprintf("#%d", in.Imm))
	case formLdStPair:
		args(in.Rd.String(), in.Rt2.String(), memOffset(in.Rn, in.Imm))
	case formLD1R:
		args("{"+v(in.Rd)+"}", "["+in.Rn.String()+"]")
	case formLD1x4:
		args("{"+v(in.Rd)+"-"+v(VReg(int(in.Rd.Num())+3))+"}", "["+in.Rn.String()+"]")
	case formFP1, formFPToW, formWToFP:
		args(in.Rd.String(), in.Rn.String())
	case formFMovImm:
		args(in.Rd.String(), "#"+formatFloat(in.FImm))
	case formFP2:
		args(in.Rd.String(), in.Rn.String(), in.Rm.String())
	case formFP3:
		args(in.Rd.String(), in.Rn.String(), in.Rm.String(), in.Ra.String())
	case formFCmp:
		args(in.Rn.String(), in.Rm.String())
	case formFCmpZero:
		args(in.Rn.String(), "#0.0")
	case formFCSel:
		args(in.Rd.String(), in.Rn.String(), in.Rm.String(), in.Cond.String())
	case formV3:
		args(v(in.Rd), v(in.Rn), v(in.Rm))
	case formV2, formVMov:
		args(v(in.Rd), v(in.Rn))
	case formV2Zero:
		args(v(in.Rd), v(in.Rn), "#0.0")
	case formVElem:
		args(v(in.Rd), v(in.Rn), fmt.Sprintf("%s.s[%d]", in.Rm, in.Index))
	case formSElem:
		args(in.Rd.String(), in.Rn.String(), fmt.Sprintf("%s.s[%d]", in.Rm, in.Index))
	case formVReduce:
		args(in.Rd.String(), v(in.Rn))
	case formDupElem:
		args(v(in.Rd), fmt.Sprintf("%s.s[%d]", in.Rn, in.Index))
	case formDupGen:
		args(v(in.Rd), in.Rn.String())
	case formMoviZero:
		args(v(in.Rd), "#0")
	}
	return b.String()
}

// target prints a branch destination.
func (in Instr) target() string {
	if in.Label != 0 {
		return fmt.Sprintf("L%d", in.Label)
	}
	if in.Imm < 0 {
		return fmt.Sprintf(".-%d", -in.Imm)
	}
	return fmt.Sprintf(".+%d", in.Imm)
}

// memOffset prints "[xn]" or "[xn, #off]".
func memOffset(base Reg, off int64) string {
	if off == 0 {
		return "[" + base.String() + "]"
	}
	return fmt.Sprintf("[%s, #%d]", base, off)
}

// formatFloat prints f with the fewest digits that round-trip and always
// with a decimal point ("1.0", "0.125", "-31.0").
func formatFloat(f float32) string {
	s := strconv.FormatFloat(float64(f), 'f', -1, 32)
	if !strings.ContainsAny(s, ".eEnN") {
		s += ".0"
	}
	return s
}
