package arm64

import (
	"testing"
)

// encodeCase is one form with chosen operands. want is the exact text the
// independent decoder (golang.org/x/arch/arm64/arm64asm, GNU syntax) must
// print for the encoded word; str, when set, is the exact String() (it is
// set for every case whose String differs from want only in spelling, and
// compared after normalization otherwise).
type encodeCase struct {
	in   Instr
	want string
	str  string
}

var encodeCases = []encodeCase{
	// MOVZ / MOVK: every shift, min/max immediates, XZR.
	{Instr{Op: MOVZ, Rd: X0, Imm: 0xffff, Shift: 48}, "mov x0, #0xffff000000000000", "movz x0, #0xffff, lsl #48"},
	{Instr{Op: MOVZ, Rd: X30, Imm: 1}, "mov x30, #0x1", "movz x30, #0x1"},
	{Instr{Op: MOVZ, Rd: XZR, Imm: 0}, "mov xzr, #0x0", "movz xzr, #0x0"},
	{Instr{Op: MOVZ, Rd: X7, Imm: 0, Shift: 16}, "movz x7, #0x0, lsl #16", "movz x7, #0x0, lsl #16"},
	{Instr{Op: MOVZ, Rd: X7, Imm: 0x1234, Shift: 32}, "mov x7, #0x123400000000", "movz x7, #0x1234, lsl #32"},
	{Instr{Op: MOVK, Rd: X1, Imm: 0xffff}, "movk x1, #0xffff", "movk x1, #0xffff"},
	{Instr{Op: MOVK, Rd: XZR, Imm: 1, Shift: 16}, "movk xzr, #0x1, lsl #16", "movk xzr, #0x1, lsl #16"},
	{Instr{Op: MOVK, Rd: X2, Imm: 0xbeef, Shift: 48}, "movk x2, #0xbeef, lsl #48", "movk x2, #0xbeef, lsl #48"},

	// ADD/SUB immediate: SP on both sides, lsl #12, 0 and 4095.
	{Instr{Op: ADDImm, Rd: X0, Rn: SP, Imm: 4095, Shift: 12}, "add x0, sp, #0xfff, lsl #12", "add x0, sp, #4095, lsl #12"},
	{Instr{Op: ADDImm, Rd: SP, Rn: X1, Imm: 1}, "add sp, x1, #0x1", "add sp, x1, #1"},
	{Instr{Op: ADDImm, Rd: SP, Rn: SP, Imm: 0}, "mov sp, sp", "add sp, sp, #0"},
	{Instr{Op: ADDImm, Rd: X30, Rn: X29, Imm: 16}, "add x30, x29, #0x10", ""},
	{Instr{Op: SUBImm, Rd: X3, Rn: X4, Imm: 0}, "sub x3, x4, #0x0", ""},
	{Instr{Op: SUBImm, Rd: SP, Rn: SP, Imm: 4095}, "sub sp, sp, #0xfff", ""},
	{Instr{Op: SUBImm, Rd: X9, Rn: X9, Imm: 1, Shift: 12}, "sub x9, x9, #0x1, lsl #12", ""},

	// ADD shifted register.
	{Instr{Op: ADDShift, Rd: X0, Rn: X1, Rm: X2, Shift: 3}, "add x0, x1, x2, lsl #3", "add x0, x1, x2, lsl #3"},
	{Instr{Op: ADDShift, Rd: X0, Rn: XZR, Rm: X2}, "add x0, xzr, x2", "add x0, xzr, x2"},
	{Instr{Op: ADDShift, Rd: XZR, Rn: X30, Rm: XZR, Shift: 63}, "add xzr, x30, xzr, lsl #63", ""},

	// SUBS / CMP immediate.
	{Instr{Op: SUBSImm, Rd: X0, Rn: X0, Imm: 1}, "subs x0, x0, #0x1", "subs x0, x0, #1"},
	{Instr{Op: SUBSImm, Rd: X5, Rn: SP, Imm: 4095, Shift: 12}, "subs x5, sp, #0xfff, lsl #12", ""},
	{Instr{Op: SUBSImm, Rd: XZR, Rn: X3, Imm: 8}, "cmp x3, #0x8", "subs xzr, x3, #8"},
	{Instr{Op: CMPImm, Rn: X5, Imm: 16}, "cmp x5, #0x10", "cmp x5, #16"},
	{Instr{Op: CMPImm, Rn: SP, Imm: 1, Shift: 12}, "cmp sp, #0x1, lsl #12", "cmp sp, #1, lsl #12"},
	{Instr{Op: CMPImm, Rn: X30, Imm: 0}, "cmp x30, #0x0", ""},

	// Branches with raw offsets: zero, both signs, range limits.
	{Instr{Op: B, Imm: 8}, "b .+0x8", "b .+8"},
	{Instr{Op: B, Imm: 0}, "b .+0x0", "b .+0"},
	{Instr{Op: B, Imm: -4}, "b .+0xfffffffffffffffc", "b .-4"},
	{Instr{Op: B, Imm: 1<<27 - 4}, "b .+0x7fffffc", ""},
	{Instr{Op: B, Imm: -1 << 27}, "b .+0xfffffffff8000000", ""},
	{Instr{Op: BCond, Cond: NE, Imm: -4}, "b.ne .+0xfffffffffffffffc", "b.ne .-4"},
	{Instr{Op: BCond, Cond: EQ, Imm: 1<<20 - 4}, "b.eq .+0xffffc", ""},
	{Instr{Op: BCond, Cond: GE, Imm: -1 << 20}, "b.ge .+0xfffffffffff00000", ""},
	{Instr{Op: BCond, Cond: AL, Imm: 4}, "b.al .+0x4", ""},
	{Instr{Op: BCond, Cond: LT, Imm: 12}, "b.lt .+0xc", ""},
	{Instr{Op: BCond, Cond: GT, Imm: 12}, "b.gt .+0xc", ""},
	{Instr{Op: BCond, Cond: LE, Imm: 12}, "b.le .+0xc", ""},
	{Instr{Op: BCond, Cond: HI, Imm: 12}, "b.hi .+0xc", ""},
	{Instr{Op: BCond, Cond: LS, Imm: 12}, "b.ls .+0xc", ""},
	{Instr{Op: BCond, Cond: HS, Imm: 12}, "b.cs .+0xc", "b.hs .+12"},
	{Instr{Op: BCond, Cond: LO, Imm: 12}, "b.cc .+0xc", "b.lo .+12"},
	{Instr{Op: BCond, Cond: MI, Imm: 12}, "b.mi .+0xc", ""},
	{Instr{Op: BCond, Cond: PL, Imm: 12}, "b.pl .+0xc", ""},
	{Instr{Op: BCond, Cond: VS, Imm: 12}, "b.vs .+0xc", ""},
	{Instr{Op: BCond, Cond: VC, Imm: 12}, "b.vc .+0xc", ""},
	{Instr{Op: CBZ, Rd: X3, Imm: 16}, "cbz x3, .+0x10", "cbz x3, .+16"},
	{Instr{Op: CBZ, Rd: X0, Imm: 1<<20 - 4}, "cbz x0, .+0xffffc", ""},
	{Instr{Op: CBNZ, Rd: XZR, Imm: -16}, "cbnz xzr, .+0xfffffffffffffff0", "cbnz xzr, .-16"},
	{Instr{Op: CBNZ, Rd: X30, Imm: -1 << 20}, "cbnz x30, .+0xfffffffffff00000", ""},
	{Instr{Op: RET}, "ret", "ret"},
	{Instr{Op: RET, Rn: X30}, "ret", "ret"},

	// LDR/STR unsigned offset: S, Q, X; zero and maximum offsets; SP base.
	{Instr{Op: LDR, Rd: S1, Rn: X2, Imm: 16380}, "ldr s1, [x2,#16380]", "ldr s1, [x2, #16380]"},
	{Instr{Op: STR, Rd: S31, Rn: SP}, "str s31, [sp]", "str s31, [sp]"},
	{Instr{Op: LDR, Rd: S0, Rn: X30, Imm: 4}, "ldr s0, [x30,#4]", ""},
	{Instr{Op: LDR, Rd: Q0, Rn: X1, Imm: 65520}, "ldr q0, [x1,#65520]", "ldr q0, [x1, #65520]"},
	{Instr{Op: STR, Rd: Q31, Rn: X3, Imm: 16}, "str q31, [x3,#16]", ""},
	{Instr{Op: LDR, Rd: Q7, Rn: SP}, "ldr q7, [sp]", ""},
	{Instr{Op: LDR, Rd: X0, Rn: SP, Imm: 32760}, "ldr x0, [sp,#32760]", "ldr x0, [sp, #32760]"},
	{Instr{Op: STR, Rd: XZR, Rn: X1, Imm: 8}, "str xzr, [x1,#8]", "str xzr, [x1, #8]"},
	{Instr{Op: STR, Rd: X30, Rn: SP, Imm: 32760}, "str x30, [sp,#32760]", ""},

	// Post-index S and Q: imm9 limits.
	{Instr{Op: LDRPost, Rd: S0, Rn: X1, Imm: 4}, "ldr s0, [x1],#4", "ldr s0, [x1], #4"},
	{Instr{Op: LDRPost, Rd: S31, Rn: SP, Imm: -256}, "ldr s31, [sp],#-256", ""},
	{Instr{Op: STRPost, Rd: S2, Rn: X3, Imm: 255}, "str s2, [x3],#255", ""},
	{Instr{Op: LDRPost, Rd: Q0, Rn: X1, Imm: 16}, "ldr q0, [x1],#16", ""},
	{Instr{Op: STRPost, Rd: Q31, Rn: X30, Imm: -16}, "str q31, [x30],#-16", ""},
	{Instr{Op: STRPost, Rd: Q4, Rn: X5, Imm: 0}, "str q4, [x5],#0", "str q4, [x5], #0"},

	// LDP/STP signed offsets: limits both ways.
	{Instr{Op: LDP, Rd: S0, Rt2: S1, Rn: X2, Imm: -256}, "ldp s0, s1, [x2,#-256]", "ldp s0, s1, [x2, #-256]"},
	{Instr{Op: STP, Rd: S0, Rt2: S1, Rn: X2, Imm: 252}, "stp s0, s1, [x2,#252]", ""},
	{Instr{Op: STP, Rd: S5, Rt2: S5, Rn: SP}, "stp s5, s5, [sp]", ""},
	{Instr{Op: LDP, Rd: Q0, Rt2: Q1, Rn: SP, Imm: 1008}, "ldp q0, q1, [sp,#1008]", ""},
	{Instr{Op: STP, Rd: Q30, Rt2: Q31, Rn: X2, Imm: -1024}, "stp q30, q31, [x2,#-1024]", ""},
	{Instr{Op: LDP, Rd: Q31, Rt2: Q0, Rn: X30, Imm: 16}, "ldp q31, q0, [x30,#16]", ""},

	// LD1R.
	{Instr{Op: LD1R, Rd: V3, Rn: X4}, "ld1r {v3.4s}, [x4]", "ld1r {v3.4s}, [x4]"},
	{Instr{Op: LD1R, Rd: V31, Rn: SP}, "ld1r {v31.4s}, [sp]", ""},

	// LD1 of four registers: the lowest and highest first register.
	{Instr{Op: LD1x4, Rd: V8, Rn: X6}, "ld1 {v8.4s-v11.4s}, [x6]", "ld1 {v8.4s-v11.4s}, [x6]"},
	{Instr{Op: LD1x4, Rd: V0, Rn: SP}, "ld1 {v0.4s-v3.4s}, [sp]", ""},
	{Instr{Op: LD1x4, Rd: V28, Rn: X30}, "ld1 {v28.4s-v31.4s}, [x30]", ""},

	// Scalar FP.
	{Instr{Op: FMOV, Rd: S0, Rn: S31}, "fmov s0, s31", "fmov s0, s31"},
	{Instr{Op: FMOVImm, Rd: S0, FImm: 1}, "fmov s0, #1.000000000000000000e+00", "fmov s0, #1.0"},
	{Instr{Op: FMOVImm, Rd: S31, FImm: -31}, "fmov s31, #-3.100000000000000000e+01", "fmov s31, #-31.0"},
	{Instr{Op: FMOVImm, Rd: S1, FImm: 0.125}, "fmov s1, #1.250000000000000000e-01", "fmov s1, #0.125"},
	{Instr{Op: FMOVImm, Rd: S2, FImm: 0.5}, "fmov s2, #5.000000000000000000e-01", ""},
	{Instr{Op: FMOVToW, Rd: W0, Rn: S1}, "fmov w0, s1", "fmov w0, s1"},
	{Instr{Op: FMOVToW, Rd: WZR, Rn: S31}, "fmov wzr, s31", ""},
	{Instr{Op: FMOVFromW, Rd: S0, Rn: WZR}, "fmov s0, wzr", "fmov s0, wzr"},
	{Instr{Op: FMOVFromW, Rd: S31, Rn: W30}, "fmov s31, w30", ""},
	{Instr{Op: FADD, Rd: S0, Rn: S1, Rm: S2}, "fadd s0, s1, s2", "fadd s0, s1, s2"},
	{Instr{Op: FSUB, Rd: S31, Rn: S30, Rm: S29}, "fsub s31, s30, s29", ""},
	{Instr{Op: FMUL, Rd: S0, Rn: S1, Rm: S31}, "fmul s0, s1, s31", ""},
	{Instr{Op: FDIV, Rd: S3, Rn: S4, Rm: S5}, "fdiv s3, s4, s5", ""},
	{Instr{Op: FMAX, Rd: S0, Rn: S1, Rm: S2}, "fmax s0, s1, s2", ""},
	{Instr{Op: FMIN, Rd: S0, Rn: S1, Rm: S2}, "fmin s0, s1, s2", ""},
	{Instr{Op: FMAXNM, Rd: S0, Rn: S1, Rm: S2}, "fmaxnm s0, s1, s2", ""},
	{Instr{Op: FMINNM, Rd: S0, Rn: S1, Rm: S2}, "fminnm s0, s1, s2", ""},
	{Instr{Op: FMADD, Rd: S0, Rn: S1, Rm: S2, Ra: S3}, "fmadd s0, s1, s2, s3", "fmadd s0, s1, s2, s3"},
	{Instr{Op: FMADD, Rd: S31, Rn: S31, Rm: S31, Ra: S31}, "fmadd s31, s31, s31, s31", ""},
	{Instr{Op: FMSUB, Rd: S0, Rn: S1, Rm: S2, Ra: S30}, "fmsub s0, s1, s2, s30", ""},
	{Instr{Op: FNMSUB, Rd: S9, Rn: S1, Rm: S2, Ra: S3}, "fnmsub s9, s1, s2, s3", ""},
	{Instr{Op: FABS, Rd: S0, Rn: S1}, "fabs s0, s1", ""},
	{Instr{Op: FNEG, Rd: S0, Rn: S1}, "fneg s0, s1", ""},
	{Instr{Op: FSQRT, Rd: S31, Rn: S0}, "fsqrt s31, s0", ""},
	{Instr{Op: FRINTN, Rd: S0, Rn: S1}, "frintn s0, s1", ""},
	{Instr{Op: FRINTM, Rd: S0, Rn: S1}, "frintm s0, s1", ""},
	{Instr{Op: FCMP, Rn: S0, Rm: S1}, "fcmp s0, s1", "fcmp s0, s1"},
	{Instr{Op: FCMP, Rn: S31, Rm: S30}, "fcmp s31, s30", ""},
	{Instr{Op: FCMPZero, Rn: S7}, "fcmp s7, #0", "fcmp s7, #0.0"},
	{Instr{Op: FCSEL, Rd: S0, Rn: S1, Rm: S2, Cond: GT}, "fcsel s0, s1, s2, gt", "fcsel s0, s1, s2, gt"},
	{Instr{Op: FCSEL, Rd: S31, Rn: S30, Rm: S29, Cond: MI}, "fcsel s31, s30, s29, mi", ""},
	{Instr{Op: FCVTZS, Rd: W0, Rn: S1}, "fcvtzs w0, s1", "fcvtzs w0, s1"},
	{Instr{Op: FCVTZS, Rd: W30, Rn: S31}, "fcvtzs w30, s31", ""},
	{Instr{Op: SCVTF, Rd: S0, Rn: W1}, "scvtf s0, w1", "scvtf s0, w1"},
	{Instr{Op: SCVTF, Rd: S0, Rn: WZR}, "scvtf s0, wzr", ""},

	// AdvSIMD .4s arithmetic.
	{Instr{Op: VFADD, Rd: V0, Rn: V1, Rm: V2}, "fadd v0.4s, v1.4s, v2.4s", "fadd v0.4s, v1.4s, v2.4s"},
	{Instr{Op: VFSUB, Rd: V31, Rn: V30, Rm: V29}, "fsub v31.4s, v30.4s, v29.4s", ""},
	{Instr{Op: VFMUL, Rd: V0, Rn: V1, Rm: V2}, "fmul v0.4s, v1.4s, v2.4s", ""},
	{Instr{Op: VFDIV, Rd: V0, Rn: V1, Rm: V2}, "fdiv v0.4s, v1.4s, v2.4s", ""},
	{Instr{Op: VFMLA, Rd: V0, Rn: V1, Rm: V2}, "fmla v0.4s, v1.4s, v2.4s", ""},
	{Instr{Op: VFMLS, Rd: V0, Rn: V1, Rm: V2}, "fmls v0.4s, v1.4s, v2.4s", ""},
	{Instr{Op: VFMAX, Rd: V0, Rn: V1, Rm: V2}, "fmax v0.4s, v1.4s, v2.4s", ""},
	{Instr{Op: VFMIN, Rd: V0, Rn: V1, Rm: V2}, "fmin v0.4s, v1.4s, v2.4s", ""},
	{Instr{Op: VFADDP, Rd: V0, Rn: V1, Rm: V2}, "faddp v0.4s, v1.4s, v2.4s", ""},
	{Instr{Op: VFMAXP, Rd: V0, Rn: V1, Rm: V2}, "fmaxp v0.4s, v1.4s, v2.4s", ""},
	{Instr{Op: VFABS, Rd: V0, Rn: V1}, "fabs v0.4s, v1.4s", ""},
	{Instr{Op: VFNEG, Rd: V31, Rn: V0}, "fneg v31.4s, v0.4s", ""},
	{Instr{Op: VFMULElem, Rd: V0, Rn: V1, Rm: V31, Index: 3}, "fmul v0.4s, v1.4s, v31.s[3]", "fmul v0.4s, v1.4s, v31.s[3]"},
	{Instr{Op: VFMULElem, Rd: V0, Rn: V1, Rm: V16, Index: 0}, "fmul v0.4s, v1.4s, v16.s[0]", ""},
	{Instr{Op: VFMLAElem, Rd: V0, Rn: V1, Rm: V2, Index: 1}, "fmla v0.4s, v1.4s, v2.s[1]", ""},
	{Instr{Op: VFMLAElem, Rd: V31, Rn: V30, Rm: V15, Index: 2}, "fmla v31.4s, v30.4s, v15.s[2]", ""},
	{Instr{Op: FMLAElemS, Rd: S16, Rn: S20, Rm: V19, Index: 1}, "fmla s16, s20, v19.s[1]", "fmla s16, s20, v19.s[1]"},
	{Instr{Op: FMLAElemS, Rd: S31, Rn: S0, Rm: V31, Index: 3}, "fmla s31, s0, v31.s[3]", "fmla s31, s0, v31.s[3]"},
	{Instr{Op: FMLAElemS, Rd: S0, Rn: S31, Rm: V0, Index: 2}, "fmla s0, s31, v0.s[2]", "fmla s0, s31, v0.s[2]"},
	{Instr{Op: FADDPS, Rd: S0, Rn: V1}, "faddp s0, v1.2s", "faddp s0, v1.2s"},
	{Instr{Op: FMAXPS, Rd: S31, Rn: V31}, "fmaxp s31, v31.2s", ""},
	{Instr{Op: FMAXNMV, Rd: S0, Rn: V1}, "fmaxnmv s0, v1.4s", "fmaxnmv s0, v1.4s"},
	{Instr{Op: FMAXV, Rd: S0, Rn: V1}, "fmaxv s0, v1.4s", ""},
	{Instr{Op: DUPElem, Rd: V0, Rn: V1, Index: 2}, "dup v0.4s, v1.s[2]", "dup v0.4s, v1.s[2]"},
	{Instr{Op: DUPElem, Rd: V31, Rn: V30, Index: 3}, "dup v31.4s, v30.s[3]", ""},
	{Instr{Op: DUPElem, Rd: V5, Rn: V6}, "dup v5.4s, v6.s[0]", ""},
	{Instr{Op: DUPGen, Rd: V0, Rn: W1}, "dup v0.4s, w1", "dup v0.4s, w1"},
	{Instr{Op: DUPGen, Rd: V31, Rn: WZR}, "dup v31.4s, wzr", ""},
	{Instr{Op: MOVIZero, Rd: V0}, "movi v0.2d, #0x0", "movi v0.2d, #0"},
	{Instr{Op: MOVIZero, Rd: V31}, "movi v31.2d, #0x0", ""},
	{Instr{Op: VMOV, Rd: V0, Rn: V1}, "mov v0.16b, v1.16b", "mov v0.16b, v1.16b"},
	{Instr{Op: VORR, Rd: V0, Rn: V1, Rm: V2}, "orr v0.16b, v1.16b, v2.16b", "orr v0.16b, v1.16b, v2.16b"},
	{Instr{Op: VORR, Rd: V3, Rn: V4, Rm: V4}, "mov v3.16b, v4.16b", "orr v3.16b, v4.16b, v4.16b"},
	{Instr{Op: VAND, Rd: V0, Rn: V1, Rm: V2}, "and v0.16b, v1.16b, v2.16b", ""},
	{Instr{Op: VBIC, Rd: V0, Rn: V1, Rm: V2}, "bic v0.16b, v1.16b, v2.16b", ""},
	{Instr{Op: VBSL, Rd: V0, Rn: V1, Rm: V2}, "bsl v0.16b, v1.16b, v2.16b", ""},
	{Instr{Op: VBIT, Rd: V31, Rn: V1, Rm: V2}, "bit v31.16b, v1.16b, v2.16b", ""},
	{Instr{Op: VFCMGT, Rd: V0, Rn: V1, Rm: V2}, "fcmgt v0.4s, v1.4s, v2.4s", ""},
	{Instr{Op: VFCMGE, Rd: V0, Rn: V1, Rm: V2}, "fcmge v0.4s, v1.4s, v2.4s", ""},
	{Instr{Op: VFCMEQ, Rd: V0, Rn: V1, Rm: V2}, "fcmeq v0.4s, v1.4s, v2.4s", ""},
	{Instr{Op: VFCMGTZero, Rd: V0, Rn: V1}, "fcmgt v0.4s, v1.4s, #0", "fcmgt v0.4s, v1.4s, #0.0"},
	{Instr{Op: VFCMGEZero, Rd: V0, Rn: V31}, "fcmge v0.4s, v31.4s, #0", ""},
	{Instr{Op: VFCMEQZero, Rd: V31, Rn: V1}, "fcmeq v31.4s, v1.4s, #0", ""},
}

// TestEncodeDecodes encodes every case, decodes the word with arm64asm and
// compares the text with what the case meant; it also checks String.
func TestEncodeDecodes(t *testing.T) {
	for _, c := range encodeCases {
		w, err := Encode(c.in)
		if err != nil {
			t.Errorf("Encode(%s): %v", c.in, err)
			continue
		}
		got, err := disasm(w)
		if err != nil {
			t.Errorf("%s: encoded %#08x does not decode: %v", c.in, w, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s: encoded %#08x decodes as %q, want %q", c.in, w, got, c.want)
		}
		if c.str != "" {
			if s := c.in.String(); s != c.str {
				t.Errorf("String() = %q, want %q", s, c.str)
			}
		} else if normalize(c.in.String()) != normalize(c.want) {
			t.Errorf("String() = %q does not match decoded %q", c.in.String(), c.want)
		}
	}
}

// TestEveryOpHasCase guards the "no untested form" rule.
func TestEveryOpHasCase(t *testing.T) {
	seen := map[Op]bool{}
	for _, c := range encodeCases {
		seen[c.in.Op] = true
	}
	for _, op := range Ops() {
		if !seen[op] {
			t.Errorf("op %d (%s) has no encode case", op, opTable[op].name)
		}
	}
}
