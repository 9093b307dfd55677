package arm64

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// errorCases lists every rejection Encode makes: the operand it must blame
// and a fragment of the reason.
var errorCases = []struct {
	in      Instr
	operand string
	reason  string
}{
	{Instr{}, "Op", "unknown op"},
	{Instr{Op: 255}, "Op", "unknown op"},
	{Instr{Op: numOps}, "Op", "unknown op"},

	// Move wide.
	{Instr{Op: MOVZ, Rd: X0, Imm: -1}, "Imm", "out of range 0..65535"},
	{Instr{Op: MOVZ, Rd: X0, Imm: 0x10000}, "Imm", "out of range"},
	{Instr{Op: MOVK, Rd: X0, Imm: 1, Shift: 8}, "Shift", "want 0, 16, 32 or 48"},
	{Instr{Op: MOVK, Rd: X0, Imm: 1, Shift: 64}, "Shift", "want 0, 16, 32 or 48"},
	{Instr{Op: MOVZ, Rd: SP, Imm: 1}, "Rd", "want X register or XZR, got sp"},
	{Instr{Op: MOVZ, Rd: W0, Imm: 1}, "Rd", "got w0"},
	{Instr{Op: MOVZ, Imm: 1}, "Rd", "missing"},
	{Instr{Op: MOVZ, Rd: X0, Rn: X1}, "Rn", "not used"},

	// ADD/SUB/SUBS/CMP immediate.
	{Instr{Op: ADDImm, Rd: X0, Rn: X1, Imm: 4096}, "Imm", "out of range 0..4095"},
	{Instr{Op: SUBImm, Rd: X0, Rn: X1, Imm: -1}, "Imm", "out of range"},
	{Instr{Op: ADDImm, Rd: X0, Rn: X1, Imm: 1, Shift: 16}, "Shift", "want 0 or 12"},
	{Instr{Op: ADDImm, Rd: XZR, Rn: X1}, "Rd", "want X register or SP, got xzr"},
	{Instr{Op: SUBImm, Rd: X0, Rn: XZR}, "Rn", "want X register or SP, got xzr"},
	{Instr{Op: ADDImm, Rd: X0, Rn: X1, Rm: X2}, "Rm", "not used"},
	{Instr{Op: SUBSImm, Rd: SP, Rn: X1, Imm: 1}, "Rd", "want X register or XZR, got sp"},
	{Instr{Op: SUBSImm, Rd: X0, Rn: XZR, Imm: 1}, "Rn", "got xzr"},
	{Instr{Op: CMPImm, Rn: XZR, Imm: 1}, "Rn", "got xzr"},
	{Instr{Op: CMPImm, Rd: X0, Rn: X1, Imm: 1}, "Rd", "not used"},
	{Instr{Op: CMPImm, Rn: X1, Imm: 4096}, "Imm", "out of range"},

	// ADD shifted register.
	{Instr{Op: ADDShift, Rd: X0, Rn: X1, Rm: X2, Shift: 64}, "Shift", "out of range 0..63"},
	{Instr{Op: ADDShift, Rd: SP, Rn: X1, Rm: X2}, "Rd", "got sp"},
	{Instr{Op: ADDShift, Rd: X0, Rn: SP, Rm: X2}, "Rn", "got sp"},
	{Instr{Op: ADDShift, Rd: X0, Rn: X1, Rm: S2}, "Rm", "got s2"},
	{Instr{Op: ADDShift, Rd: X0, Rn: X1, Rm: X2, Imm: 3}, "Imm", "not used"},

	// Branches.
	{Instr{Op: B, Imm: 2}, "Imm", "not a multiple of 4"},
	{Instr{Op: B, Imm: 1 << 27}, "Imm", "out of range -134217728..134217724"},
	{Instr{Op: B, Imm: -1<<27 - 4}, "Imm", "out of range"},
	{Instr{Op: B, Label: 1}, "Label", "unresolved label L1"},
	{Instr{Op: B, Imm: 4, Rd: X0}, "Rd", "not used"},
	{Instr{Op: BCond, Imm: 4}, "Cond", "want a condition"},
	{Instr{Op: BCond, Cond: 16, Imm: 4}, "Cond", "want a condition"},
	{Instr{Op: BCond, Cond: EQ, Imm: 1 << 20}, "Imm", "out of range -1048576..1048572"},
	{Instr{Op: BCond, Cond: EQ, Imm: -1<<20 - 4}, "Imm", "out of range"},
	{Instr{Op: BCond, Cond: EQ, Imm: 6}, "Imm", "not a multiple of 4"},
	{Instr{Op: CBZ, Rd: SP, Imm: 4}, "Rd", "got sp"},
	{Instr{Op: CBNZ, Rd: W0, Imm: 4}, "Rd", "got w0"},
	{Instr{Op: CBNZ, Rd: X0, Imm: 1 << 20}, "Imm", "out of range"},
	{Instr{Op: CBZ, Rd: X0, Imm: 4, Cond: EQ}, "Cond", "not used"},
	{Instr{Op: RET, Rn: X0}, "Rn", "only ret x30"},
	{Instr{Op: RET, Rd: X30}, "Rd", "not used"},

	// LDR/STR unsigned offset.
	{Instr{Op: LDR, Rd: S0, Rn: X1, Imm: 2}, "Imm", "not a multiple of 4"},
	{Instr{Op: LDR, Rd: S0, Rn: X1, Imm: -4}, "Imm", "negative"},
	{Instr{Op: STR, Rd: S0, Rn: X1, Imm: 16384}, "Imm", "out of range 0..16380"},
	{Instr{Op: LDR, Rd: Q0, Rn: X1, Imm: 8}, "Imm", "not a multiple of 16"},
	{Instr{Op: STR, Rd: Q0, Rn: X1, Imm: 65536}, "Imm", "out of range 0..65520"},
	{Instr{Op: LDR, Rd: X0, Rn: X1, Imm: 4}, "Imm", "not a multiple of 8"},
	{Instr{Op: STR, Rd: X0, Rn: X1, Imm: 32768}, "Imm", "out of range 0..32760"},
	{Instr{Op: LDR, Rd: V0, Rn: X1}, "Rd", "want X register or XZR or S register or Q register, got v0"},
	{Instr{Op: LDR, Rd: W0, Rn: X1}, "Rd", "got w0"},
	{Instr{Op: LDR, Rd: SP, Rn: X1}, "Rd", "got sp"},
	{Instr{Op: LDR, Rd: S0, Rn: XZR}, "Rn", "want X register or SP, got xzr"},
	{Instr{Op: STR, Rd: S0, Rn: S1}, "Rn", "got s1"},
	{Instr{Op: STR, Rd: S0}, "Rn", "missing"},

	// Post-index.
	{Instr{Op: LDRPost, Rd: S0, Rn: X1, Imm: -257}, "Imm", "out of range -256..255"},
	{Instr{Op: STRPost, Rd: Q0, Rn: X1, Imm: 256}, "Imm", "out of range -256..255"},
	{Instr{Op: LDRPost, Rd: X0, Rn: X1, Imm: 8}, "Rd", "want S register or Q register, got x0"},
	{Instr{Op: STRPost, Rd: S0, Rn: XZR, Imm: 4}, "Rn", "got xzr"},

	// Pairs.
	{Instr{Op: LDP, Rd: S0, Rt2: S0, Rn: X1}, "Rt2", "unpredictable"},
	{Instr{Op: STP, Rd: S0, Rt2: Q1, Rn: X1}, "Rt2", "differ in size"},
	{Instr{Op: STP, Rd: S0, Rt2: S1, Rn: X1, Imm: 256}, "Imm", "out of range -256..252"},
	{Instr{Op: LDP, Rd: S0, Rt2: S1, Rn: X1, Imm: -260}, "Imm", "out of range"},
	{Instr{Op: LDP, Rd: S0, Rt2: S1, Rn: X1, Imm: 2}, "Imm", "not a multiple of 4"},
	{Instr{Op: LDP, Rd: Q0, Rt2: Q1, Rn: X1, Imm: 1024}, "Imm", "out of range -1024..1008"},
	{Instr{Op: STP, Rd: Q0, Rt2: Q1, Rn: X1, Imm: 8}, "Imm", "not a multiple of 16"},
	{Instr{Op: STP, Rd: X0, Rt2: X1, Rn: X2}, "Rd", "got x0"},
	{Instr{Op: STP, Rd: S0, Rn: X2}, "Rt2", "missing"},
	{Instr{Op: LDP, Rd: S0, Rt2: S1, Rn: XZR}, "Rn", "got xzr"},

	// LD1R.
	{Instr{Op: LD1R, Rd: Q0, Rn: X1}, "Rd", "want V register, got q0"},
	{Instr{Op: LD1R, Rd: V0, Rn: XZR}, "Rn", "got xzr"},
	{Instr{Op: LD1R, Rd: V0, Rn: X1, Imm: 4}, "Imm", "not used"},
	{Instr{Op: LD1x4, Rd: V29, Rn: X1}, "Rd", "wrap past v31"},
	{Instr{Op: LD1x4, Rd: Q8, Rn: X1}, "Rd", "want V register, got q8"},
	{Instr{Op: LD1x4, Rd: V8, Rn: X1, Imm: 64}, "Imm", "not used"},

	// Scalar FP.
	{Instr{Op: FMOVImm, Rd: S0, FImm: 0}, "FImm", "0.0 is not encodable"},
	{Instr{Op: FMOVImm, Rd: S0, FImm: float32(math.Copysign(0, -1))}, "FImm", "not encodable"},
	{Instr{Op: FMOVImm, Rd: S0, FImm: 0.1}, "FImm", "not encodable"},
	{Instr{Op: FMOVImm, Rd: S0, FImm: 32}, "FImm", "not encodable"},
	{Instr{Op: FMOVImm, Rd: S0, FImm: 0.0625}, "FImm", "not encodable"},
	{Instr{Op: FMOVImm, Rd: S0, FImm: 1.03125}, "FImm", "not encodable"},
	{Instr{Op: FMOVImm, Rd: S0, FImm: float32(math.Inf(1))}, "FImm", "not encodable"},
	{Instr{Op: FMOVImm, Rd: S0, FImm: float32(math.NaN())}, "FImm", "not encodable"},
	{Instr{Op: FMOVImm, Rd: V0, FImm: 1}, "Rd", "want S register, got v0"},
	{Instr{Op: FMOV, Rd: S0, Rn: X1}, "Rn", "want S register, got x1"},
	{Instr{Op: FMOVToW, Rd: X0, Rn: S1}, "Rd", "want W register or WZR, got x0"},
	{Instr{Op: FMOVToW, Rd: W0, Rn: Q1}, "Rn", "got q1"},
	{Instr{Op: FMOVFromW, Rd: S0, Rn: X1}, "Rn", "want W register or WZR, got x1"},
	{Instr{Op: FADD, Rd: S0, Rn: S1, Rm: X2}, "Rm", "want S register, got x2"},
	{Instr{Op: FADD, Rd: V0, Rn: S1, Rm: S2}, "Rd", "got v0"},
	{Instr{Op: FADD, Rd: S0, Rn: Reg(classX)<<8 | 31, Rm: S2}, "Rn", "invalid register"},
	{Instr{Op: FADD, Rd: S0, Rn: S1, Rm: S2, Cond: EQ}, "Cond", "not used"},
	{Instr{Op: FADD, Rd: S0, Rn: S1, Rm: S2, FImm: 1}, "FImm", "not used"},
	{Instr{Op: FADD, Rd: S0, Rn: S1, Rm: S2, Shift: 1}, "Shift", "not used"},
	{Instr{Op: FADD, Rd: S0, Rn: S1, Rm: S2, Ra: S3}, "Ra", "not used"},
	{Instr{Op: FADD, Rd: S0, Rn: S1, Rm: S2, Index: 1}, "Index", "not used"},
	{Instr{Op: FADD, Rd: S0, Rn: S1, Rm: S2, Rt2: S3}, "Rt2", "not used"},
	{Instr{Op: FADD, Rd: S0, Rn: S1, Rm: S2, Label: 2}, "Label", "not used"},
	{Instr{Op: FMADD, Rd: S0, Rn: S1, Rm: S2}, "Ra", "missing"},
	{Instr{Op: FNMSUB, Rd: S0, Rn: S1, Rm: S2, Ra: Q3}, "Ra", "got q3"},
	{Instr{Op: FSQRT, Rd: S0, Rn: S1, Rm: S2}, "Rm", "not used"},
	{Instr{Op: FCMP, Rd: S0, Rn: S1, Rm: S2}, "Rd", "not used"},
	{Instr{Op: FCMPZero, Rn: S1, Rm: S2}, "Rm", "not used"},
	{Instr{Op: FCMPZero, Rn: V1}, "Rn", "got v1"},
	{Instr{Op: FCSEL, Rd: S0, Rn: S1, Rm: S2}, "Cond", "want a condition"},
	{Instr{Op: FCVTZS, Rd: X0, Rn: S1}, "Rd", "got x0"},
	{Instr{Op: SCVTF, Rd: S0, Rn: X1}, "Rn", "got x1"},

	// AdvSIMD.
	{Instr{Op: VFADD, Rd: Q0, Rn: V1, Rm: V2}, "Rd", "want V register, got q0"},
	{Instr{Op: VFMLA, Rd: V0, Rn: V1, Rm: S2}, "Rm", "got s2"},
	{Instr{Op: VFABS, Rd: V0, Rn: V1, Rm: V2}, "Rm", "not used"},
	{Instr{Op: VFMULElem, Rd: V0, Rn: V1, Rm: V2, Index: 4}, "Index", "out of range 0..3"},
	{Instr{Op: VFMLAElem, Rd: V0, Rn: V1, Rm: S2}, "Rm", "got s2"},
	{Instr{Op: FADDPS, Rd: V0, Rn: V1}, "Rd", "want S register, got v0"},
	{Instr{Op: FMLAElemS, Rd: V0, Rn: S1, Rm: V2}, "Rd", "want S register, got v0"},
	{Instr{Op: FMLAElemS, Rd: S0, Rn: S1, Rm: S2}, "Rm", "got s2"},
	{Instr{Op: FMLAElemS, Rd: S0, Rn: S1, Rm: V2, Index: 4}, "Index", "out of range 0..3"},
	{Instr{Op: FMAXV, Rd: S0, Rn: S1}, "Rn", "want V register, got s1"},
	{Instr{Op: DUPElem, Rd: V0, Rn: V1, Index: 4}, "Index", "out of range 0..3"},
	{Instr{Op: DUPGen, Rd: V0, Rn: X1}, "Rn", "want W register or WZR, got x1"},
	{Instr{Op: MOVIZero, Rd: V0, Rn: V1}, "Rn", "not used"},
	{Instr{Op: MOVIZero, Rd: V0, Imm: 1}, "Imm", "not used"},
	{Instr{Op: VMOV, Rd: V0, Rn: V1, Rm: V1}, "Rm", "not used"},
	{Instr{Op: VFCMGTZero, Rd: V0, Rn: V1, Rm: V2}, "Rm", "not used"},
	{Instr{Op: VBSL, Rd: V0, Rn: V1}, "Rm", "missing"},
}

func TestEncodeErrors(t *testing.T) {
	for _, c := range errorCases {
		w, err := Encode(c.in)
		if err == nil {
			t.Errorf("Encode(%s) = %#08x, want error on %s", c.in, w, c.operand)
			continue
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Encode(%s): error %v is not *Error", c.in, err)
			continue
		}
		if e.Operand != c.operand || !strings.Contains(e.Reason, c.reason) {
			t.Errorf("Encode(%s): got operand %q reason %q, want operand %q reason containing %q", c.in, e.Operand, e.Reason, c.operand, c.reason)
		}
		// The message names the instruction and the operand.
		msg := err.Error()
		if !strings.HasPrefix(msg, "arm64: "+c.in.String()) || !strings.Contains(msg, c.operand) {
			t.Errorf("message %q does not name instruction %q and operand %s", msg, c.in.String(), c.operand)
		}
		if w != 0 {
			t.Errorf("Encode(%s) returned word %#08x with an error", c.in, w)
		}
	}
}

// TestFMOVImmAll encodes all 256 representable immediates and checks the
// value the independent decoder prints.
func TestFMOVImmAll(t *testing.T) {
	n := 0
	for imm8 := uint32(0); imm8 < 256; imm8++ {
		f := math.Float32frombits(expandImm8(imm8))
		if !FMOVImmOK(f) {
			t.Errorf("FMOVImmOK(%v) = false", f)
		}
		// Independent check of the value set: +-n/16 * 2^e.
		m, e := math.Frexp(math.Abs(float64(f))) // f = m * 2^e, m in [0.5, 1)
		if m*32 != math.Trunc(m*32) || e-1 < -3 || e-1 > 4 {
			t.Errorf("imm8 %#x expands to %v, not n/16*2^e", imm8, f)
		}
		in := Instr{Op: FMOVImm, Rd: S3, FImm: f}
		w := mustEncode(t, in)
		if got := w >> 13 & 0xff; got != imm8 {
			t.Errorf("%v: imm8 field %#x, want %#x", f, got, imm8)
		}
		txt, err := disasm(w)
		if err != nil {
			t.Fatal(err)
		}
		if normalize(txt) != normalize(in.String()) {
			t.Errorf("%v: decodes as %q, String %q", f, txt, in.String())
		}
		n++
	}
	if n != 256 {
		t.Fatalf("checked %d immediates", n)
	}
}

func TestRegHelpers(t *testing.T) {
	if XReg(3) != X3 || WReg(30) != W30 || SReg(31) != S31 || QReg(0) != Q0 || VReg(17) != V17 {
		t.Error("register helpers disagree with constants")
	}
	if XReg(32) != 0 || VReg(-1) != 0 {
		t.Error("out-of-range helper should give the zero Reg")
	}
	if XReg(31).valid() || WReg(31).valid() {
		t.Error("X31/W31 must be invalid: use XZR, SP or WZR")
	}
	for r, s := range map[Reg]string{X0: "x0", XZR: "xzr", SP: "sp", WZR: "wzr", W7: "w7", S31: "s31", Q2: "q2", V9: "v9", 0: "<none>"} {
		if r.String() != s {
			t.Errorf("%#x: String %q, want %q", uint16(r), r.String(), s)
		}
	}
	if GE.Invert() != LT || EQ.Invert() != NE || HI.Invert() != LS || AL.Invert() != AL {
		t.Error("Cond.Invert")
	}
}
