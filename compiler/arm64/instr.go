package arm64

// Op selects one instruction form. Each Op is exactly one encoding form
// (mnemonic plus operand shape); the set is closed and small on purpose,
// because the referee's verifier accepts only these forms.
type Op uint8

// The supported forms. The comment gives the GNU syntax and the Instr
// fields the form uses; every other field must be zero.
const (
	OpInvalid Op = iota

	// Integer, 64-bit.
	MOVZ     // movz Xd|XZR, #Imm{, lsl #Shift}     Shift in {0,16,32,48}, Imm in 0..65535
	MOVK     // movk Xd|XZR, #Imm{, lsl #Shift}
	ADDImm   // add Xd|SP, Xn|SP, #Imm{, lsl #12}    Imm in 0..4095, Shift in {0,12}
	SUBImm   // sub Xd|SP, Xn|SP, #Imm{, lsl #12}
	SUBSImm  // subs Xd|XZR, Xn|SP, #Imm{, lsl #12}
	CMPImm   // cmp Xn|SP, #Imm{, lsl #12}          (subs xzr, Xn, #Imm)
	ADDShift // add Xd|XZR, Xn|XZR, Xm|XZR{, lsl #Shift}  Shift in 0..63

	// Branches. Imm is the byte offset from this instruction; the Assembler
	// fills it in from Label.
	B     // b label                 +-128 MiB
	BCond // b.Cond label            +-1 MiB
	CBZ   // cbz Rd=Xt|XZR, label    +-1 MiB
	CBNZ  // cbnz Rd=Xt|XZR, label   +-1 MiB
	RET   // ret (x30 only; Rn zero or X30)

	// Loads and stores. Rd is the transferred register, Rn the base.
	LDR     // ldr Rd=St|Qt|Xt, [Xn|SP{, #Imm}]   unsigned, scaled by the size (4, 16, 8)
	STR     // str Rd=St|Qt|Xt, [Xn|SP{, #Imm}]
	LDRPost // ldr Rd=St|Qt, [Xn|SP], #Imm        Imm in -256..255, unscaled
	STRPost // str Rd=St|Qt, [Xn|SP], #Imm
	LDP     // ldp Rd, Rt2 (both S or both Q), [Xn|SP{, #Imm}]  signed 7-bit, scaled
	STP     // stp Rd, Rt2, [Xn|SP{, #Imm}]
	LD1R    // ld1r {Vd.4s}, [Xn|SP]
	LD1x4   // ld1 {Vd.4s, Vd+1.4s, Vd+2.4s, Vd+3.4s}, [Xn|SP]  (64 bytes; Vd is v0..v28)

	// Scalar single precision.
	FMOV      // fmov Sd, Sn
	FMOVImm   // fmov Sd, #FImm   (the 8-bit encodable set)
	FMOVToW   // fmov Wd|WZR, Sn
	FMOVFromW // fmov Sd, Wn|WZR
	FADD      // fadd Sd, Sn, Sm
	FSUB      // fsub Sd, Sn, Sm
	FMUL      // fmul Sd, Sn, Sm
	FDIV      // fdiv Sd, Sn, Sm
	FMAX      // fmax Sd, Sn, Sm
	FMIN      // fmin Sd, Sn, Sm
	FMAXNM    // fmaxnm Sd, Sn, Sm
	FMINNM    // fminnm Sd, Sn, Sm
	FMADD     // fmadd Sd, Sn, Sm, Sa   d = a + n*m
	FMSUB     // fmsub Sd, Sn, Sm, Sa   d = a - n*m
	FNMSUB    // fnmsub Sd, Sn, Sm, Sa  d = n*m - a
	FABS      // fabs Sd, Sn
	FNEG      // fneg Sd, Sn
	FSQRT     // fsqrt Sd, Sn
	FRINTN    // frintn Sd, Sn   round to nearest, ties to even
	FRINTM    // frintm Sd, Sn   round toward minus infinity
	FCMP      // fcmp Sn, Sm
	FCMPZero  // fcmp Sn, #0.0
	FCSEL     // fcsel Sd, Sn, Sm, Cond
	FCVTZS    // fcvtzs Wd|WZR, Sn
	SCVTF     // scvtf Sd, Wn|WZR

	// AdvSIMD, single precision on .4s unless noted.
	VFADD      // fadd Vd.4s, Vn.4s, Vm.4s
	VFSUB      // fsub Vd.4s, Vn.4s, Vm.4s
	VFMUL      // fmul Vd.4s, Vn.4s, Vm.4s
	VFDIV      // fdiv Vd.4s, Vn.4s, Vm.4s
	VFMLA      // fmla Vd.4s, Vn.4s, Vm.4s
	VFMLS      // fmls Vd.4s, Vn.4s, Vm.4s
	VFMAX      // fmax Vd.4s, Vn.4s, Vm.4s
	VFMIN      // fmin Vd.4s, Vn.4s, Vm.4s
	VFADDP     // faddp Vd.4s, Vn.4s, Vm.4s
	VFMAXP     // fmaxp Vd.4s, Vn.4s, Vm.4s
	VFABS      // fabs Vd.4s, Vn.4s
	VFNEG      // fneg Vd.4s, Vn.4s
	VFMULElem  // fmul Vd.4s, Vn.4s, Vm.s[Index]   Index in 0..3
	VFMLAElem  // fmla Vd.4s, Vn.4s, Vm.s[Index]
	FMLAElemS  // fmla Sd, Sn, Vm.s[Index]   (scalar: d = d + n*m[Index])
	FADDPS     // faddp Sd, Vn.2s   (adds lanes 0 and 1)
	FMAXPS     // fmaxp Sd, Vn.2s
	FMAXNMV    // fmaxnmv Sd, Vn.4s
	FMAXV      // fmaxv Sd, Vn.4s
	DUPElem    // dup Vd.4s, Vn.s[Index]
	DUPGen     // dup Vd.4s, Wn|WZR
	MOVIZero   // movi Vd.2d, #0
	VMOV       // mov Vd.16b, Vn.16b   (orr Vd.16b, Vn.16b, Vn.16b)
	VORR       // orr Vd.16b, Vn.16b, Vm.16b
	VAND       // and Vd.16b, Vn.16b, Vm.16b
	VBIC       // bic Vd.16b, Vn.16b, Vm.16b
	VBSL       // bsl Vd.16b, Vn.16b, Vm.16b   d = (d & n) | (~d & m)
	VBIT       // bit Vd.16b, Vn.16b, Vm.16b   d = (m & n) | (~m & d)
	VFCMGT     // fcmgt Vd.4s, Vn.4s, Vm.4s
	VFCMGE     // fcmge Vd.4s, Vn.4s, Vm.4s
	VFCMEQ     // fcmeq Vd.4s, Vn.4s, Vm.4s
	VFCMGTZero // fcmgt Vd.4s, Vn.4s, #0.0
	VFCMGEZero // fcmge Vd.4s, Vn.4s, #0.0
	VFCMEQZero // fcmeq Vd.4s, Vn.4s, #0.0

	numOps
)

// form is an operand shape; encode.go has one encoder per form.
type form uint8

const (
	formNone      form = iota
	formMovWide        // MOVZ, MOVK
	formAddSubImm      // ADDImm, SUBImm
	formSubsImm        // SUBSImm
	formCmpImm         // CMPImm
	formAddShift       // ADDShift
	formB              // B
	formBCond          // BCond
	formCB             // CBZ, CBNZ
	formRet            // RET
	formLdStUImm       // LDR, STR
	formLdStPost       // LDRPost, STRPost
	formLdStPair       // LDP, STP
	formLD1R           // LD1R
	formLD1x4          // LD1x4
	formFP1            // FMOV, FABS, FNEG, FSQRT, FRINTN, FRINTM
	formFMovImm        // FMOVImm
	formFPToW          // FMOVToW, FCVTZS
	formWToFP          // FMOVFromW, SCVTF
	formFP2            // FADD ... FMINNM
	formFP3            // FMADD, FMSUB, FNMSUB
	formFCmp           // FCMP
	formFCmpZero       // FCMPZero
	formFCSel          // FCSEL
	formV3             // three-register vector ops (.4s or .16b)
	formV2             // two-register vector ops (.4s)
	formV2Zero         // vector compare against #0.0
	formVElem          // by-element multiply (Vm.s[i])
	formSElem          // scalar by-element multiply-add (Sd, Sn, Vm.s[i])
	formVReduce        // scalar result from a vector (faddp s, fmaxv s, ...)
	formDupElem        // DUP (element)
	formDupGen         // DUP (general)
	formMoviZero       // MOVI #0
	formVMov           // MOV (vector)
)

// opInfo is the static description of one Op: its mnemonic, its operand
// shape, the fixed bits of its encoding and, for vector forms, the
// arrangement printed after each vector register.
type opInfo struct {
	name string
	form form
	bits uint32
	arr  string // "4s", "16b", "2s": arrangement of the vector operands
	load bool   // for memory forms: a load (else a store)
}

var opTable = [numOps]opInfo{
	MOVZ:     {"movz", formMovWide, 0xd2800000, "", false},
	MOVK:     {"movk", formMovWide, 0xf2800000, "", false},
	ADDImm:   {"add", formAddSubImm, 0x91000000, "", false},
	SUBImm:   {"sub", formAddSubImm, 0xd1000000, "", false},
	SUBSImm:  {"subs", formSubsImm, 0xf1000000, "", false},
	CMPImm:   {"cmp", formCmpImm, 0xf100001f, "", false},
	ADDShift: {"add", formAddShift, 0x8b000000, "", false},

	B:     {"b", formB, 0x14000000, "", false},
	BCond: {"b", formBCond, 0x54000000, "", false},
	CBZ:   {"cbz", formCB, 0xb4000000, "", false},
	CBNZ:  {"cbnz", formCB, 0xb5000000, "", false},
	RET:   {"ret", formRet, 0xd65f03c0, "", false},

	// For LDR/STR the size-dependent opcode bits are chosen in encode.go.
	LDR:     {"ldr", formLdStUImm, 0, "", true},
	STR:     {"str", formLdStUImm, 0, "", false},
	LDRPost: {"ldr", formLdStPost, 0, "", true},
	STRPost: {"str", formLdStPost, 0, "", false},
	LDP:     {"ldp", formLdStPair, 0, "", true},
	STP:     {"stp", formLdStPair, 0, "", false},
	LD1R:    {"ld1r", formLD1R, 0x4d40c800, "4s", true},
	LD1x4:   {"ld1", formLD1x4, 0x4c402800, "4s", true},

	FMOV:      {"fmov", formFP1, 0x1e204000, "", false},
	FMOVImm:   {"fmov", formFMovImm, 0x1e201000, "", false},
	FMOVToW:   {"fmov", formFPToW, 0x1e260000, "", false},
	FMOVFromW: {"fmov", formWToFP, 0x1e270000, "", false},
	FADD:      {"fadd", formFP2, 0x1e202800, "", false},
	FSUB:      {"fsub", formFP2, 0x1e203800, "", false},
	FMUL:      {"fmul", formFP2, 0x1e200800, "", false},
	FDIV:      {"fdiv", formFP2, 0x1e201800, "", false},
	FMAX:      {"fmax", formFP2, 0x1e204800, "", false},
	FMIN:      {"fmin", formFP2, 0x1e205800, "", false},
	FMAXNM:    {"fmaxnm", formFP2, 0x1e206800, "", false},
	FMINNM:    {"fminnm", formFP2, 0x1e207800, "", false},
	FMADD:     {"fmadd", formFP3, 0x1f000000, "", false},
	FMSUB:     {"fmsub", formFP3, 0x1f008000, "", false},
	FNMSUB:    {"fnmsub", formFP3, 0x1f208000, "", false},
	FABS:      {"fabs", formFP1, 0x1e20c000, "", false},
	FNEG:      {"fneg", formFP1, 0x1e214000, "", false},
	FSQRT:     {"fsqrt", formFP1, 0x1e21c000, "", false},
	FRINTN:    {"frintn", formFP1, 0x1e244000, "", false},
	FRINTM:    {"frintm", formFP1, 0x1e254000, "", false},
	FCMP:      {"fcmp", formFCmp, 0x1e202000, "", false},
	FCMPZero:  {"fcmp", formFCmpZero, 0x1e202008, "", false},
	FCSEL:     {"fcsel", formFCSel, 0x1e200c00, "", false},
	FCVTZS:    {"fcvtzs", formFPToW, 0x1e380000, "", false},
	SCVTF:     {"scvtf", formWToFP, 0x1e220000, "", false},

	VFADD:      {"fadd", formV3, 0x4e20d400, "4s", false},
	VFSUB:      {"fsub", formV3, 0x4ea0d400, "4s", false},
	VFMUL:      {"fmul", formV3, 0x6e20dc00, "4s", false},
	VFDIV:      {"fdiv", formV3, 0x6e20fc00, "4s", false},
	VFMLA:      {"fmla", formV3, 0x4e20cc00, "4s", false},
	VFMLS:      {"fmls", formV3, 0x4ea0cc00, "4s", false},
	VFMAX:      {"fmax", formV3, 0x4e20f400, "4s", false},
	VFMIN:      {"fmin", formV3, 0x4ea0f400, "4s", false},
	VFADDP:     {"faddp", formV3, 0x6e20d400, "4s", false},
	VFMAXP:     {"fmaxp", formV3, 0x6e20f400, "4s", false},
	VFABS:      {"fabs", formV2, 0x4ea0f800, "4s", false},
	VFNEG:      {"fneg", formV2, 0x6ea0f800, "4s", false},
	VFMULElem:  {"fmul", formVElem, 0x4f809000, "4s", false},
	VFMLAElem:  {"fmla", formVElem, 0x4f801000, "4s", false},
	FMLAElemS:  {"fmla", formSElem, 0x5f801000, "", false},
	FADDPS:     {"faddp", formVReduce, 0x7e30d800, "2s", false},
	FMAXPS:     {"fmaxp", formVReduce, 0x7e30f800, "2s", false},
	FMAXNMV:    {"fmaxnmv", formVReduce, 0x6e30c800, "4s", false},
	FMAXV:      {"fmaxv", formVReduce, 0x6e30f800, "4s", false},
	DUPElem:    {"dup", formDupElem, 0x4e040400, "4s", false},
	DUPGen:     {"dup", formDupGen, 0x4e040c00, "4s", false},
	MOVIZero:   {"movi", formMoviZero, 0x6f00e400, "2d", false},
	VMOV:       {"mov", formVMov, 0x4ea01c00, "16b", false},
	VORR:       {"orr", formV3, 0x4ea01c00, "16b", false},
	VAND:       {"and", formV3, 0x4e201c00, "16b", false},
	VBIC:       {"bic", formV3, 0x4e601c00, "16b", false},
	VBSL:       {"bsl", formV3, 0x6e601c00, "16b", false},
	VBIT:       {"bit", formV3, 0x6ea01c00, "16b", false},
	VFCMGT:     {"fcmgt", formV3, 0x6ea0e400, "4s", false},
	VFCMGE:     {"fcmge", formV3, 0x6e20e400, "4s", false},
	VFCMEQ:     {"fcmeq", formV3, 0x4e20e400, "4s", false},
	VFCMGTZero: {"fcmgt", formV2Zero, 0x4ea0c800, "4s", false},
	VFCMGEZero: {"fcmge", formV2Zero, 0x6ea0c800, "4s", false},
	VFCMEQZero: {"fcmeq", formV2Zero, 0x4ea0d800, "4s", false},
}

func (op Op) info() (opInfo, bool) {
	if op <= OpInvalid || op >= numOps {
		return opInfo{}, false
	}
	return opTable[op], true
}

// Ops returns every supported Op in declaration order.
func Ops() []Op {
	ops := make([]Op, 0, numOps-1)
	for op := OpInvalid + 1; op < numOps; op++ {
		ops = append(ops, op)
	}
	return ops
}

// Label names a position in an Assembler's program. The zero Label means
// "no label".
type Label uint32

// Instr is one instruction as data. Which fields a form uses is listed with
// its Op; Encode rejects a non-zero value in a field the form does not use.
type Instr struct {
	Op Op

	Rd  Reg // destination; for loads/stores and CBZ/CBNZ the transferred or tested register (Rt)
	Rn  Reg // first source, or the base address register
	Rm  Reg // second source
	Ra  Reg // addend of FMADD/FMSUB/FNMSUB
	Rt2 Reg // second transferred register of LDP/STP

	Imm   int64   // immediate, byte offset of a memory access, or branch byte offset
	Shift uint8   // LSL amount (ADD/SUB/SUBS/CMP immediate: 0 or 12; MOVZ/MOVK: 0,16,32,48; ADD register: 0..63)
	Index uint8   // vector element index (Vm.s[Index], Vn.s[Index])
	Cond  Cond    // condition of B.cond and FCSEL
	FImm  float32 // FMOV immediate
	Label Label   // branch target; resolved by the Assembler into Imm
}
