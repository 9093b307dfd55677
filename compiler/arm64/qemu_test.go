package arm64

import (
	"encoding/binary"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// e2eInput has exact binary fractions so that fused and unfused results
// agree and every expected value below is exact or correctly rounded in Go.
var e2eInput = []float32{1.5, -2.25, 0.75, 3.0, -0.5, 4.0, 2.5, 0, 10.0, -6.0}

const e2eOut = 1100 // floats in the output buffer

// e2eProgram builds f(in=x0, out=x1, n=x2). It touches only x0-x17,
// v0-v7 and v16-v31 (caller-saved) and restores SP.
func e2eProgram() *Assembler {
	a := &Assembler{}
	e := a.Emit
	str := func(r Reg, word int64) { e(Instr{Op: STR, Rd: r, Rn: X1, Imm: 4 * word}) }

	// A: out[i] = max(2*in[i] + 0.3, 0), four lanes at a time, then a
	// scalar tail.
	loop4, tail, doneA := a.NewLabel(), a.NewLabel(), a.NewLabel()
	e(Instr{Op: ADDImm, Rd: X4, Rn: X0},
		Instr{Op: ADDImm, Rd: X5, Rn: X1},
		Instr{Op: ADDShift, Rd: X3, Rn: XZR, Rm: X2},
		Instr{Op: FMOVImm, Rd: S16, FImm: 2},
		Instr{Op: DUPElem, Rd: V16, Rn: V16, Index: 0})
	e(MovConst(X9, uint64(math.Float32bits(0.3)))...)
	e(Instr{Op: FMOVFromW, Rd: S17, Rn: W9},
		Instr{Op: DUPGen, Rd: V17, Rn: W9},
		Instr{Op: MOVIZero, Rd: V18})
	a.Bind(loop4)
	e(Instr{Op: CMPImm, Rn: X3, Imm: 4},
		Instr{Op: BCond, Cond: LT, Label: tail},
		Instr{Op: LDRPost, Rd: Q0, Rn: X4, Imm: 16},
		Instr{Op: VFMUL, Rd: V1, Rn: V0, Rm: V16},
		Instr{Op: VFADD, Rd: V1, Rn: V1, Rm: V17},
		Instr{Op: VFMAX, Rd: V1, Rn: V1, Rm: V18},
		Instr{Op: STRPost, Rd: Q1, Rn: X5, Imm: 16},
		Instr{Op: SUBImm, Rd: X3, Rn: X3, Imm: 4},
		Instr{Op: B, Label: loop4})
	a.Bind(tail)
	e(Instr{Op: CBZ, Rd: X3, Label: doneA},
		Instr{Op: LDRPost, Rd: S0, Rn: X4, Imm: 4},
		Instr{Op: FMADD, Rd: S1, Rn: S0, Rm: S16, Ra: S17},
		Instr{Op: FMAX, Rd: S1, Rn: S1, Rm: S18},
		Instr{Op: STRPost, Rd: S1, Rn: X5, Imm: 4},
		Instr{Op: SUBSImm, Rd: X3, Rn: X3, Imm: 1},
		Instr{Op: BCond, Cond: NE, Label: tail})
	a.Bind(doneA)

	// B: reductions over v0 = in[0..3], v1 = in[4..7].
	e(Instr{Op: LDR, Rd: Q0, Rn: X0},
		Instr{Op: LDR, Rd: Q1, Rn: X0, Imm: 16},
		Instr{Op: VFADD, Rd: V2, Rn: V0, Rm: V1},
		Instr{Op: VFADDP, Rd: V3, Rn: V2, Rm: V2},
		Instr{Op: FADDPS, Rd: S4, Rn: V3})
	str(S4, 10)
	e(Instr{Op: FMAXV, Rd: S5, Rn: V0})
	str(S5, 11)
	e(Instr{Op: FMAXNMV, Rd: S5, Rn: V1})
	str(S5, 12)
	e(Instr{Op: FMAXPS, Rd: S5, Rn: V0})
	str(S5, 13)

	// C: scalar ops on a = in[0], b = in[1], c = in[2].
	e(Instr{Op: LDP, Rd: S20, Rt2: S21, Rn: X0},
		Instr{Op: LDR, Rd: S22, Rn: X0, Imm: 8})
	for i, in := range []Instr{
		{Op: FSUB, Rd: S5, Rn: S20, Rm: S21},
		{Op: FDIV, Rd: S5, Rn: S20, Rm: S21},
		{Op: FMIN, Rd: S5, Rn: S20, Rm: S21},
		{Op: FMAXNM, Rd: S5, Rn: S20, Rm: S21},
		{Op: FMINNM, Rd: S5, Rn: S20, Rm: S21},
		{Op: FMSUB, Rd: S5, Rn: S20, Rm: S21, Ra: S22},
		{Op: FNMSUB, Rd: S5, Rn: S20, Rm: S21, Ra: S22},
		{Op: FABS, Rd: S5, Rn: S21},
		{Op: FNEG, Rd: S5, Rn: S20},
		{Op: FSQRT, Rd: S5, Rn: S20},
		{Op: FRINTN, Rd: S5, Rn: S20},
		{Op: FRINTM, Rd: S5, Rn: S21},
	} {
		e(in)
		str(S5, int64(14+i))
	}
	e(Instr{Op: FCVTZS, Rd: W9, Rn: S21}, Instr{Op: SCVTF, Rd: S5, Rn: W9})
	str(S5, 26)
	e(Instr{Op: FCMP, Rn: S20, Rm: S21}, Instr{Op: FCSEL, Rd: S5, Rn: S20, Rm: S21, Cond: GT})
	str(S5, 27)
	e(Instr{Op: FCMPZero, Rn: S21},
		Instr{Op: FMOVImm, Rd: S23, FImm: 1},
		Instr{Op: FMOVImm, Rd: S24, FImm: -0.125},
		Instr{Op: FCSEL, Rd: S5, Rn: S23, Rm: S24, Cond: LT})
	str(S5, 28)
	e(Instr{Op: FMOVToW, Rd: W10, Rn: S22}, Instr{Op: FMOVFromW, Rd: S5, Rn: W10})
	str(S5, 29)
	e(Instr{Op: FMOV, Rd: S5, Rn: S21})
	str(S5, 30)
	e(Instr{Op: FADD, Rd: S5, Rn: S20, Rm: S22}, Instr{Op: FMUL, Rd: S5, Rn: S5, Rm: S21})
	str(S5, 31)
	e(Instr{Op: FMAX, Rd: S5, Rn: S20, Rm: S22})
	str(S5, 32)

	// D: vector ops, results in v2, stored at out[word..word+3].
	e(Instr{Op: LD1R, Rd: V4, Rn: X0})
	for _, c := range []struct {
		word int64
		ins  []Instr
	}{
		{36, []Instr{{Op: VFSUB, Rd: V2, Rn: V0, Rm: V1}}},
		{40, []Instr{{Op: VFDIV, Rd: V2, Rn: V0, Rm: V1}}},
		{44, []Instr{{Op: VMOV, Rd: V2, Rn: V1}, {Op: VFMLA, Rd: V2, Rn: V0, Rm: V16}}},
		{48, []Instr{{Op: VMOV, Rd: V2, Rn: V1}, {Op: VFMLS, Rd: V2, Rn: V0, Rm: V16}}},
		{52, []Instr{{Op: VFMIN, Rd: V2, Rn: V0, Rm: V1}}},
		{56, []Instr{{Op: VFABS, Rd: V2, Rn: V1}}},
		{60, []Instr{{Op: VFNEG, Rd: V2, Rn: V0}}},
		{64, []Instr{{Op: VFMULElem, Rd: V2, Rn: V0, Rm: V1, Index: 2}}},
		{68, []Instr{{Op: VORR, Rd: V2, Rn: V1, Rm: V18}, {Op: VFMLAElem, Rd: V2, Rn: V0, Rm: V1, Index: 1}}},
		{72, []Instr{{Op: VFADDP, Rd: V2, Rn: V0, Rm: V1}}},
		{76, []Instr{{Op: VFMAXP, Rd: V2, Rn: V0, Rm: V1}}},
		{80, []Instr{{Op: VFCMGT, Rd: V3, Rn: V0, Rm: V1}, {Op: VMOV, Rd: V2, Rn: V3}, {Op: VBSL, Rd: V2, Rn: V0, Rm: V1}}},
		{84, []Instr{{Op: VFCMGT, Rd: V3, Rn: V1, Rm: V0}, {Op: VMOV, Rd: V2, Rn: V0}, {Op: VBIT, Rd: V2, Rn: V1, Rm: V3}}},
		{88, []Instr{{Op: VFCMGEZero, Rd: V3, Rn: V0}, {Op: VAND, Rd: V2, Rn: V0, Rm: V3}}},
		{92, []Instr{{Op: VFCMGEZero, Rd: V3, Rn: V0}, {Op: VBIC, Rd: V2, Rn: V0, Rm: V3}}},
		{96, []Instr{{Op: VFCMEQ, Rd: V2, Rn: V0, Rm: V4}}},
		{100, []Instr{{Op: VMOV, Rd: V2, Rn: V4}}},
		{104, []Instr{{Op: VFCMGTZero, Rd: V2, Rn: V0}}},
		{108, []Instr{{Op: VFCMEQZero, Rd: V2, Rn: V1}}},
		{112, []Instr{{Op: DUPGen, Rd: V2, Rn: WZR}}},
		{116, []Instr{{Op: VFCMGE, Rd: V2, Rn: V0, Rm: V1}}},
	} {
		e(c.ins...)
		e(Instr{Op: STR, Rd: Q2, Rn: X1, Imm: 4 * c.word})
	}

	// E: pairs and X loads/stores.
	e(Instr{Op: LDP, Rd: Q2, Rt2: Q3, Rn: X0},
		Instr{Op: STP, Rd: Q3, Rt2: Q2, Rn: X1, Imm: 4 * 120},
		Instr{Op: LDP, Rd: S2, Rt2: S3, Rn: X0, Imm: 8},
		Instr{Op: ADDImm, Rd: X15, Rn: X1, Imm: 4 * 128},
		Instr{Op: STP, Rd: S3, Rt2: S2, Rn: X15},
		Instr{Op: LDR, Rd: X9, Rn: X0, Imm: 16},
		Instr{Op: STR, Rd: X9, Rn: X1, Imm: 4 * 130})

	// G: four registers from one LD1 (section D's words 36..51), stored
	// back in reverse register order at out[152..167].
	e(Instr{Op: ADDImm, Rd: X15, Rn: X1, Imm: 4 * 36},
		Instr{Op: LD1x4, Rd: V4, Rn: X15})
	for r := range 4 {
		e(Instr{Op: STR, Rd: QReg(7 - r), Rn: X1, Imm: 4 * int64(152+4*r)})
	}

	// H: a scalar FMLA by element into s2 (v2 holds v1 before it; the
	// write clears lanes 1..3), stored at out[168..171].
	e(Instr{Op: VORR, Rd: V2, Rn: V1, Rm: V1},
		Instr{Op: FMLAElemS, Rd: S2, Rn: S0, Rm: V1, Index: 3},
		Instr{Op: STR, Rd: Q2, Rn: X1, Imm: 4 * 168})

	// F: the stack, shifted adds, lsl #12, negative post-index.
	e(Instr{Op: SUBImm, Rd: SP, Rn: SP, Imm: 32},
		Instr{Op: STR, Rd: Q0, Rn: SP, Imm: 16},
		Instr{Op: LDR, Rd: Q2, Rn: SP, Imm: 16},
		Instr{Op: ADDImm, Rd: SP, Rn: SP, Imm: 32},
		Instr{Op: STR, Rd: Q2, Rn: X1, Imm: 4 * 132},
		Instr{Op: MOVZ, Rd: X11, Imm: 136},
		Instr{Op: ADDShift, Rd: X10, Rn: X1, Rm: X11, Shift: 2},
		Instr{Op: STR, Rd: S20, Rn: X10},
		Instr{Op: ADDImm, Rd: X13, Rn: X1, Imm: 1, Shift: 12},
		Instr{Op: STR, Rd: S21, Rn: X13},
		Instr{Op: ADDImm, Rd: X14, Rn: X1, Imm: 4 * 144},
		Instr{Op: STRPost, Rd: S20, Rn: X14, Imm: -4},
		Instr{Op: STR, Rd: S21, Rn: X14},
		Instr{Op: LDRPost, Rd: S25, Rn: X14, Imm: -4},
		Instr{Op: STR, Rd: S25, Rn: X14},
		Instr{Op: RET})
	return a
}

// e2eExpected computes in Go what e2eProgram must leave in out.
func e2eExpected() []uint32 {
	in := e2eInput
	out := make([]uint32, e2eOut)
	f := math.Float32bits
	max32 := func(x, y float32) float32 {
		if x > y {
			return x
		}
		return y
	}
	min32 := func(x, y float32) float32 {
		if x < y {
			return x
		}
		return y
	}
	for i, x := range in {
		out[i] = f(max32(float32(2*x)+float32(0.3), 0))
	}
	v0, v1 := in[0:4], in[4:8]
	v2 := []float32{v0[0] + v1[0], v0[1] + v1[1], v0[2] + v1[2], v0[3] + v1[3]}
	out[10] = f((v2[0] + v2[1]) + (v2[2] + v2[3]))
	out[11] = f(max32(max32(v0[0], v0[1]), max32(v0[2], v0[3])))
	out[12] = f(max32(max32(v1[0], v1[1]), max32(v1[2], v1[3])))
	out[13] = f(max32(v0[0], v0[1]))

	a, b, c := in[0], in[1], in[2]
	sq := float32(math.Sqrt(float64(a)))
	for i, r := range []float32{
		a - b, a / b, min32(a, b), max32(a, b), min32(a, b),
		c - a*b, a*b - c, float32(math.Abs(float64(b))), -a, sq,
		float32(math.RoundToEven(float64(a))), float32(math.Floor(float64(b))),
		float32(int32(b)), max32(a, b), 1, c, b, (a + c) * b, max32(a, c),
	} {
		out[14+i] = f(r)
	}

	lanes := func(word int, fn func(i int) uint32) {
		for i := 0; i < 4; i++ {
			out[word+i] = fn(i)
		}
	}
	mask := func(p bool) uint32 {
		if p {
			return 0xffffffff
		}
		return 0
	}
	lanes(36, func(i int) uint32 { return f(v0[i] - v1[i]) })
	lanes(40, func(i int) uint32 { return f(v0[i] / v1[i]) })
	lanes(44, func(i int) uint32 { return f(v1[i] + v0[i]*2) })
	lanes(48, func(i int) uint32 { return f(v1[i] - v0[i]*2) })
	lanes(52, func(i int) uint32 { return f(min32(v0[i], v1[i])) })
	lanes(56, func(i int) uint32 { return f(float32(math.Abs(float64(v1[i])))) })
	lanes(60, func(i int) uint32 { return f(-v0[i]) })
	lanes(64, func(i int) uint32 { return f(v0[i] * v1[2]) })
	lanes(68, func(i int) uint32 { return f(v1[i] + v0[i]*v1[1]) })
	pair := func(fn func(x, y float32) float32) func(i int) uint32 {
		return func(i int) uint32 {
			src := append(append([]float32{}, v0...), v1...)
			return f(fn(src[2*i], src[2*i+1]))
		}
	}
	lanes(72, pair(func(x, y float32) float32 { return x + y }))
	lanes(76, pair(max32))
	lanes(80, func(i int) uint32 { return f(max32(v0[i], v1[i])) })
	lanes(84, func(i int) uint32 { return f(max32(v0[i], v1[i])) })
	lanes(88, func(i int) uint32 { return f(v0[i]) & mask(v0[i] >= 0) })
	lanes(92, func(i int) uint32 { return f(v0[i]) &^ mask(v0[i] >= 0) })
	lanes(96, func(i int) uint32 { return mask(v0[i] == in[0]) })
	lanes(100, func(i int) uint32 { return f(in[0]) })
	lanes(104, func(i int) uint32 { return mask(v0[i] > 0) })
	lanes(108, func(i int) uint32 { return mask(v1[i] == 0) })
	lanes(112, func(i int) uint32 { return 0 })
	lanes(116, func(i int) uint32 { return mask(v0[i] >= v1[i]) })

	for i := 0; i < 4; i++ {
		out[120+i], out[124+i], out[132+i] = f(in[4+i]), f(in[i]), f(in[i])
	}
	out[128], out[129] = f(in[3]), f(in[2])
	out[130], out[131] = f(in[4]), f(in[5])
	out[136] = f(in[0])
	out[1024] = f(in[1])
	out[144], out[143], out[142] = f(in[0]), f(in[1]), f(in[1])
	for r := range 4 {
		copy(out[152+4*r:156+4*r], out[36+4*(3-r):40+4*(3-r)])
	}
	out[168] = f(v1[0] + v0[0]*v1[3])
	return out
}

// TestRunOnQEMU runs the emitted code on an emulated AArch64 CPU through a
// small static C harness and checks every output word. Fails when
// qemu-aarch64 (Debian qemu-user) or aarch64-linux-gnu-gcc (Debian
// gcc-aarch64-linux-gnu) is missing.
func TestRunOnQEMU(t *testing.T) {
	qemu, err1 := exec.LookPath("qemu-aarch64")
	gcc, err2 := exec.LookPath("aarch64-linux-gnu-gcc")
	if err1 != nil || err2 != nil {
		t.Fatal("qemu-aarch64 or aarch64-linux-gnu-gcc not found (Debian qemu-user, gcc-aarch64-linux-gnu; make test installs them)")
	}
	dir := t.TempDir()
	harness := filepath.Join(dir, "harness")
	if out, err := exec.Command(gcc, "-static", "-O1", "-o", harness, filepath.Join("testdata", "harness.c")).CombinedOutput(); err != nil {
		t.Fatalf("building harness: %v\n%s", err, out)
	}

	asm := e2eProgram()
	code, err := asm.Assemble()
	if err != nil {
		t.Fatal(err)
	}
	codeFile, inFile := filepath.Join(dir, "code.bin"), filepath.Join(dir, "in.bin")
	if err := os.WriteFile(codeFile, code, 0o644); err != nil {
		t.Fatal(err)
	}
	inBytes := make([]byte, 0, 4*len(e2eInput))
	for _, x := range e2eInput {
		inBytes = binary.LittleEndian.AppendUint32(inBytes, math.Float32bits(x))
	}
	if err := os.WriteFile(inFile, inBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(qemu, harness, codeFile, inFile, "1100")
	var stderr []byte
	got, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); ok {
		stderr = ee.Stderr
	}
	if err != nil {
		t.Fatalf("qemu-aarch64: %v\n%s\nprogram:\n%s", err, stderr, asm.Listing())
	}
	if len(got) != 4*e2eOut {
		t.Fatalf("harness wrote %d bytes, want %d", len(got), 4*e2eOut)
	}
	want := e2eExpected()
	bad := 0
	for i, w := range want {
		g := binary.LittleEndian.Uint32(got[4*i:])
		if g != w {
			t.Errorf("out[%d] = %#08x (%v), want %#08x (%v)", i, g, math.Float32frombits(g), w, math.Float32frombits(w))
			bad++
		}
	}
	if bad > 0 {
		t.Logf("program:\n%s", asm.Listing())
	}
}
