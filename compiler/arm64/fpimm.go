package arm64

import "math"

// expandImm8 returns the float32 bits that an FMOV 8-bit immediate
// a:b:cd:efgh stands for: sign a, exponent NOT(b):bbbbb:cd, fraction efgh
// followed by zeros (the architecture's VFPExpandImm for single precision).
func expandImm8(imm8 uint32) uint32 {
	sign := imm8 >> 7 & 1
	b := imm8 >> 6 & 1
	exp := (b^1)<<7 | b*0x1f<<2 | imm8>>4&3
	frac := (imm8 & 0xf) << 19
	return sign<<31 | exp<<23 | frac
}

// fpImm8 finds the 8-bit immediate for f, if there is one.
func fpImm8(f float32) (uint32, bool) {
	bits := math.Float32bits(f)
	for imm8 := uint32(0); imm8 < 256; imm8++ {
		if expandImm8(imm8) == bits {
			return imm8, true
		}
	}
	return 0, false
}

// FMOVImmOK reports whether f can be encoded by FMOVImm: f = +-n/16 * 2^e
// with n in 16..31 and e in -3..4. Zero is not encodable (copy WZR with
// FMOVFromW instead).
func FMOVImmOK(f float32) bool {
	_, ok := fpImm8(f)
	return ok
}
