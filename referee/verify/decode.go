package verify

import (
	"fmt"

	"golang.org/x/arch/arm64/arm64asm"
)

// form is one accepted instruction form: the exact encodings that
// compiler/arm64 can produce for one of its Ops. A word matches a form when
// word&mask == bits; the bits outside mask are operand fields (registers,
// immediates, condition, element index), decoded by the form's class.
type form struct {
	name  string
	mask  uint32
	bits  uint32
	class class
	size  int  // memory forms: bytes per transferred register (cLdVec: bytes loaded)
	load  bool // memory forms: a load (else a store)
}

// class says how the verifier interprets a form's operands.
type class uint8

const (
	cMovZ     class = iota + 1 // movz Xd, #imm16, lsl #hw*16
	cMovK                      // movk Xd, #imm16, lsl #hw*16
	cAddImm                    // add Xd|SP, Xn|SP, #imm12{, lsl #12}
	cSubImm                    // sub Xd|SP, Xn|SP, #imm12{, lsl #12}
	cSubsImm                   // subs Xd|XZR, Xn|SP, #imm12{, lsl #12} (cmp when Rd = XZR)
	cAddShift                  // add Xd, Xn, Xm, lsl #imm6
	cB                         // b label
	cBCond                     // b.cond label
	cCB                        // cbz/cbnz Xt, label
	cRet                       // ret (x30)
	cLdStUImm                  // ldr/str St|Qt|Xt, [Xn|SP, #imm12*size]
	cLdStPost                  // ldr/str St|Qt, [Xn|SP], #simm9
	cLdStPair                  // ldp/stp St|Qt, St2|Qt2, [Xn|SP, #simm7*size]
	cLdVec                     // ld1r {Vt.4s}, [Xn|SP]; ld1 {Vt.4s-Vt+3.4s}, [Xn|SP]: size bytes at Xn
	cFPToW                     // fmov/fcvtzs Wd|WZR, Sn: writes an X register
	cWToFP                     // fmov/scvtf Sd, Wn|WZR: reads an X register
	cDupGen                    // dup Vd.4s, Wn|WZR: reads an X register
	cFP                        // everything else: only SIMD&FP registers (and NZCV)
)

// Masks of the operand fields.
const (
	fRd   = 0x1f
	fRn   = 0x1f << 5
	fRm   = 0x1f << 16
	fRa   = 0x1f << 10
	fRt2  = 0x1f << 10
	fImm7 = 0x7f << 15
)

// forms is the closed set the verifier accepts: every Op of
// compiler/arm64 (instr.go), written down independently from its encoding
// rules (Arm ARM, A64). The masks fix every bit that the compiler's encoder
// fixes; the free bits are exactly the operand fields the encoder fills.
// CMP (immediate) is SUBS with Rd = XZR and VMOV is VORR with Rm = Rn, so
// they need no entries of their own.
var forms = []form{
	{name: "movz", mask: 0xff800000, bits: 0xd2800000, class: cMovZ},
	{name: "movk", mask: 0xff800000, bits: 0xf2800000, class: cMovK},
	{name: "add", mask: 0xff800000, bits: 0x91000000, class: cAddImm},
	{name: "sub", mask: 0xff800000, bits: 0xd1000000, class: cSubImm},
	{name: "subs", mask: 0xff800000, bits: 0xf1000000, class: cSubsImm},
	{name: "add", mask: 0xffe00000, bits: 0x8b000000, class: cAddShift},

	{name: "b", mask: 0xfc000000, bits: 0x14000000, class: cB},
	{name: "b.cond", mask: 0xff000010, bits: 0x54000000, class: cBCond},
	{name: "cbz", mask: 0xff000000, bits: 0xb4000000, class: cCB},
	{name: "cbnz", mask: 0xff000000, bits: 0xb5000000, class: cCB},
	{name: "ret", mask: 0xffffffff, bits: 0xd65f03c0, class: cRet},

	{name: "str s", mask: 0xffc00000, bits: 0xbd000000, class: cLdStUImm, size: 4},
	{name: "ldr s", mask: 0xffc00000, bits: 0xbd400000, class: cLdStUImm, size: 4, load: true},
	{name: "str q", mask: 0xffc00000, bits: 0x3d800000, class: cLdStUImm, size: 16},
	{name: "ldr q", mask: 0xffc00000, bits: 0x3dc00000, class: cLdStUImm, size: 16, load: true},
	{name: "str x", mask: 0xffc00000, bits: 0xf9000000, class: cLdStUImm, size: 8},
	{name: "ldr x", mask: 0xffc00000, bits: 0xf9400000, class: cLdStUImm, size: 8, load: true},
	{name: "str s post", mask: 0xffe00c00, bits: 0xbc000400, class: cLdStPost, size: 4},
	{name: "ldr s post", mask: 0xffe00c00, bits: 0xbc400400, class: cLdStPost, size: 4, load: true},
	{name: "str q post", mask: 0xffe00c00, bits: 0x3c800400, class: cLdStPost, size: 16},
	{name: "ldr q post", mask: 0xffe00c00, bits: 0x3cc00400, class: cLdStPost, size: 16, load: true},
	{name: "stp s", mask: 0xffc00000, bits: 0x2d000000, class: cLdStPair, size: 4},
	{name: "ldp s", mask: 0xffc00000, bits: 0x2d400000, class: cLdStPair, size: 4, load: true},
	{name: "stp q", mask: 0xffc00000, bits: 0xad000000, class: cLdStPair, size: 16},
	{name: "ldp q", mask: 0xffc00000, bits: 0xad400000, class: cLdStPair, size: 16, load: true},
	{name: "ld1r", mask: 0xfffffc00, bits: 0x4d40c800, class: cLdVec, size: 4, load: true},
	{name: "ld1 x4", mask: 0xfffffc00, bits: 0x4c402800, class: cLdVec, size: 64, load: true},

	// Scalar single precision.
	{name: "fmov", mask: 0xfffffc00, bits: 0x1e204000, class: cFP},
	{name: "fmov imm", mask: 0xffe01fe0, bits: 0x1e201000, class: cFP},
	{name: "fmov to w", mask: 0xfffffc00, bits: 0x1e260000, class: cFPToW},
	{name: "fmov from w", mask: 0xfffffc00, bits: 0x1e270000, class: cWToFP},
	{name: "fadd", mask: 0xffe0fc00, bits: 0x1e202800, class: cFP},
	{name: "fsub", mask: 0xffe0fc00, bits: 0x1e203800, class: cFP},
	{name: "fmul", mask: 0xffe0fc00, bits: 0x1e200800, class: cFP},
	{name: "fdiv", mask: 0xffe0fc00, bits: 0x1e201800, class: cFP},
	{name: "fmax", mask: 0xffe0fc00, bits: 0x1e204800, class: cFP},
	{name: "fmin", mask: 0xffe0fc00, bits: 0x1e205800, class: cFP},
	{name: "fmaxnm", mask: 0xffe0fc00, bits: 0x1e206800, class: cFP},
	{name: "fminnm", mask: 0xffe0fc00, bits: 0x1e207800, class: cFP},
	{name: "fmadd", mask: 0xffe08000, bits: 0x1f000000, class: cFP},
	{name: "fmsub", mask: 0xffe08000, bits: 0x1f008000, class: cFP},
	{name: "fnmsub", mask: 0xffe08000, bits: 0x1f208000, class: cFP},
	{name: "fabs", mask: 0xfffffc00, bits: 0x1e20c000, class: cFP},
	{name: "fneg", mask: 0xfffffc00, bits: 0x1e214000, class: cFP},
	{name: "fsqrt", mask: 0xfffffc00, bits: 0x1e21c000, class: cFP},
	{name: "frintn", mask: 0xfffffc00, bits: 0x1e244000, class: cFP},
	{name: "frintm", mask: 0xfffffc00, bits: 0x1e254000, class: cFP},
	{name: "fcmp", mask: 0xffe0fc1f, bits: 0x1e202000, class: cFP},
	{name: "fcmp zero", mask: 0xfffffc1f, bits: 0x1e202008, class: cFP},
	{name: "fcsel", mask: 0xffe00c00, bits: 0x1e200c00, class: cFP},
	{name: "fcvtzs", mask: 0xfffffc00, bits: 0x1e380000, class: cFPToW},
	{name: "scvtf", mask: 0xfffffc00, bits: 0x1e220000, class: cWToFP},

	// AdvSIMD.
	{name: "fadd.4s", mask: 0xffe0fc00, bits: 0x4e20d400, class: cFP},
	{name: "fsub.4s", mask: 0xffe0fc00, bits: 0x4ea0d400, class: cFP},
	{name: "fmul.4s", mask: 0xffe0fc00, bits: 0x6e20dc00, class: cFP},
	{name: "fdiv.4s", mask: 0xffe0fc00, bits: 0x6e20fc00, class: cFP},
	{name: "fmla.4s", mask: 0xffe0fc00, bits: 0x4e20cc00, class: cFP},
	{name: "fmls.4s", mask: 0xffe0fc00, bits: 0x4ea0cc00, class: cFP},
	{name: "fmax.4s", mask: 0xffe0fc00, bits: 0x4e20f400, class: cFP},
	{name: "fmin.4s", mask: 0xffe0fc00, bits: 0x4ea0f400, class: cFP},
	{name: "faddp.4s", mask: 0xffe0fc00, bits: 0x6e20d400, class: cFP},
	{name: "fmaxp.4s", mask: 0xffe0fc00, bits: 0x6e20f400, class: cFP},
	{name: "fabs.4s", mask: 0xfffffc00, bits: 0x4ea0f800, class: cFP},
	{name: "fneg.4s", mask: 0xfffffc00, bits: 0x6ea0f800, class: cFP},
	{name: "fmul.4s elem", mask: 0xffc0f400, bits: 0x4f809000, class: cFP},
	{name: "fmla.4s elem", mask: 0xffc0f400, bits: 0x4f801000, class: cFP},
	{name: "fmla s elem", mask: 0xffc0f400, bits: 0x5f801000, class: cFP},
	{name: "faddp s", mask: 0xfffffc00, bits: 0x7e30d800, class: cFP},
	{name: "fmaxp s", mask: 0xfffffc00, bits: 0x7e30f800, class: cFP},
	{name: "fmaxnmv", mask: 0xfffffc00, bits: 0x6e30c800, class: cFP},
	{name: "fmaxv", mask: 0xfffffc00, bits: 0x6e30f800, class: cFP},
	{name: "dup elem", mask: 0xffe7fc00, bits: 0x4e040400, class: cFP},
	{name: "dup gen", mask: 0xfffffc00, bits: 0x4e040c00, class: cDupGen},
	{name: "movi zero", mask: 0xffffffe0, bits: 0x6f00e400, class: cFP},
	{name: "orr.16b", mask: 0xffe0fc00, bits: 0x4ea01c00, class: cFP},
	{name: "and.16b", mask: 0xffe0fc00, bits: 0x4e201c00, class: cFP},
	{name: "bic.16b", mask: 0xffe0fc00, bits: 0x4e601c00, class: cFP},
	{name: "bsl.16b", mask: 0xffe0fc00, bits: 0x6e601c00, class: cFP},
	{name: "bit.16b", mask: 0xffe0fc00, bits: 0x6ea01c00, class: cFP},
	{name: "fcmgt.4s", mask: 0xffe0fc00, bits: 0x6ea0e400, class: cFP},
	{name: "fcmge.4s", mask: 0xffe0fc00, bits: 0x6e20e400, class: cFP},
	{name: "fcmeq.4s", mask: 0xffe0fc00, bits: 0x4e20e400, class: cFP},
	{name: "fcmgt.4s zero", mask: 0xfffffc00, bits: 0x4ea0c800, class: cFP},
	{name: "fcmge.4s zero", mask: 0xfffffc00, bits: 0x6ea0c800, class: cFP},
	{name: "fcmeq.4s zero", mask: 0xfffffc00, bits: 0x4ea0d800, class: cFP},
}

// inst is one decoded, accepted word (small and free of pointers: the
// verifier holds one per word of the code).
type inst struct {
	word uint32
	imm  int32 // immediate after decoding: see decodeWord (|imm| < 2^28)
	fi   uint8 // the form: forms[fi]
	rd   uint8 // Rd / Rt (bits 4:0)
	rn   uint8 // Rn (bits 9:5)
	rm   uint8 // Rm (bits 20:16), ADD (shifted register)
	rt2  uint8 // Rt2 of LDP/STP
	sh   uint8 // shift amount (ADD/SUB imm: 0 or 12; MOVZ/MOVK: 0..48; ADD reg: 0..63)
	cond uint8
}

// f is the instruction's form.
func (in *inst) f() *form { return &forms[in.fi] }

func sext(v uint32, bits uint) int32 {
	return int32(v<<(32-bits)) >> (32 - bits)
}

// formKey is the part of a word that selects its candidate forms: the top
// byte (every mask fixes at least its top six bits) and bits 15:10 (the
// opcode field of most SIMD&FP forms, which share top bytes).
func formKey(w uint32) uint32 { return w>>24<<6 | w>>10&0x3f }

const formKeys = 1 << 14

// formIndex lists, for each formKey k, the forms (indices into forms, in
// their order) that can match a word with that key:
// formList[formStart[k+1]:formStart[k+2]]. A word is compared with one or
// two forms, not all. It is a counting sort of each form's keys (the
// combinations of the key bits its mask leaves free), about 0.2 M
// instructions at boot; matching every key against every form would cost
// millions.
var formStart, formList = func() (start *[formKeys + 2]uint32, list []uint8) {
	if len(forms) > 256 {
		panic("verify: more forms than inst.fi can number")
	}
	keys := func(f *form, visit func(k uint32)) {
		fixed := formKey(f.mask)
		free := ^fixed & (formKeys - 1)
		base := formKey(f.bits) & fixed
		for sub := free; ; sub = (sub - 1) & free { // every subset of free
			visit(base | sub)
			if sub == 0 {
				return
			}
		}
	}
	start = new([formKeys + 2]uint32)
	for i := range forms {
		keys(&forms[i], func(k uint32) { start[k+2]++ })
	}
	for k := 2; k < len(start); k++ {
		start[k] += start[k-1] // start[k+2]: the end of key k's forms
	}
	list = make([]uint8, start[formKeys+1])
	for i := len(forms) - 1; i >= 0; i-- {
		keys(&forms[i], func(k uint32) { start[k+2]--; list[start[k+2]] = uint8(i) })
	}
	// Each start[k+2] is now where key k's forms begin; shifted down by
	// one, key k's forms run from start[k+1] to where key k+1's begin.
	copy(start[1:], start[2:])
	start[formKeys+1] = uint32(len(list))
	return start, list
}()

// decodeWord matches w against the accepted forms and extracts the
// operands; ok is false for every other word.
func decodeWord(w uint32) (inst, bool) {
	k := formKey(w)
	for _, i := range formList[formStart[k+1]:formStart[k+2]] {
		f := &forms[i]
		if w&f.mask != f.bits {
			continue
		}
		in := inst{word: w, fi: i, rd: uint8(w & fRd), rn: uint8(w & fRn >> 5)}
		switch f.class {
		case cMovZ, cMovK:
			in.imm = int32(w >> 5 & 0xffff)
			in.sh = uint8(w>>21&3) * 16
		case cAddImm, cSubImm, cSubsImm:
			in.imm = int32(w >> 10 & 0xfff)
			in.sh = uint8(w>>22&1) * 12
		case cAddShift:
			in.rm = uint8(w & fRm >> 16)
			in.sh = uint8(w >> 10 & 0x3f)
		case cB:
			in.imm = sext(w&0x3ffffff, 26) * 4
		case cBCond:
			in.imm = sext(w>>5&0x7ffff, 19) * 4
			in.cond = uint8(w & 0xf)
		case cCB:
			in.imm = sext(w>>5&0x7ffff, 19) * 4
		case cLdStUImm:
			in.imm = int32(w>>10&0xfff) * int32(f.size)
		case cLdStPost:
			in.imm = sext(w>>12&0x1ff, 9)
		case cLdStPair:
			in.rt2 = uint8(w & fRt2 >> 10)
			in.imm = sext(w&fImm7>>15, 7) * int32(f.size)
			if f.load && in.rt2 == in.rd {
				return inst{}, false // unpredictable; the encoder never emits it
			}
		}
		return in, true
	}
	return inst{}, false
}

// text renders a word for error messages (the Go disassembler's syntax).
func text(w uint32) string {
	var b [4]byte
	b[0], b[1], b[2], b[3] = byte(w), byte(w>>8), byte(w>>16), byte(w>>24)
	in, err := arm64asm.Decode(b[:])
	if err != nil {
		return fmt.Sprintf(".word %#08x (undefined)", w)
	}
	return fmt.Sprintf("%s [%#08x]", in.String(), w)
}
