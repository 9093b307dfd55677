package muscle

import (
	"encoding/binary"
	"math/bits"

	"lukechampine.com/blake3"
)

// BLAKE3's derive_key for the short inputs the loader derives a key from on
// every admission (a context string and at most one chunk of key
// material): the same function as blake3.DeriveKey, computed with one
// compression per 64-byte block instead of through that package's
// general hasher, whose output reader compresses many blocks at a time
// (tens of thousands of instructions a key on the device).

// Flags and sizes of the BLAKE3 specification.
const (
	b3ChunkStart        = 1 << 0
	b3ChunkEnd          = 1 << 1
	b3Root              = 1 << 3
	b3DeriveKeyContext  = 1 << 5
	b3DeriveKeyMaterial = 1 << 6
	b3BlockLen          = 64
	b3ChunkLen          = 1024
)

var b3IV = [8]uint32{0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19}

// b3Schedule is the message word order of each of the seven rounds (the
// specification's permutation applied round after round).
var b3Schedule = func() (s [7][16]uint8) {
	perm := [16]uint8{2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8}
	for i := range s[0] {
		s[0][i] = uint8(i)
	}
	for r := 1; r < 7; r++ {
		for i := range s[r] {
			s[r][i] = s[r-1][perm[i]]
		}
	}
	return s
}()

func b3G(a, b, c, d, x, y uint32) (uint32, uint32, uint32, uint32) {
	a += b + x
	d = bits.RotateLeft32(d^a, -16)
	c += d
	b = bits.RotateLeft32(b^c, -12)
	a += b + y
	d = bits.RotateLeft32(d^a, -8)
	c += d
	b = bits.RotateLeft32(b^c, -7)
	return a, b, c, d
}

// b3Compress is the compression function, keeping the first eight output
// words (the chaining value, or a root's 32-byte output).
func b3Compress(cv *[8]uint32, block *[16]uint32, blockLen, flags uint32) {
	s0, s1, s2, s3, s4, s5, s6, s7 := cv[0], cv[1], cv[2], cv[3], cv[4], cv[5], cv[6], cv[7]
	s8, s9, s10, s11, s12, s13, s14, s15 := b3IV[0], b3IV[1], b3IV[2], b3IV[3], uint32(0), uint32(0), blockLen, flags
	for r := range b3Schedule {
		m := &b3Schedule[r]
		s0, s4, s8, s12 = b3G(s0, s4, s8, s12, block[m[0]&15], block[m[1]&15])
		s1, s5, s9, s13 = b3G(s1, s5, s9, s13, block[m[2]&15], block[m[3]&15])
		s2, s6, s10, s14 = b3G(s2, s6, s10, s14, block[m[4]&15], block[m[5]&15])
		s3, s7, s11, s15 = b3G(s3, s7, s11, s15, block[m[6]&15], block[m[7]&15])
		s0, s5, s10, s15 = b3G(s0, s5, s10, s15, block[m[8]&15], block[m[9]&15])
		s1, s6, s11, s12 = b3G(s1, s6, s11, s12, block[m[10]&15], block[m[11]&15])
		s2, s7, s8, s13 = b3G(s2, s7, s8, s13, block[m[12]&15], block[m[13]&15])
		s3, s4, s9, s14 = b3G(s3, s4, s9, s14, block[m[14]&15], block[m[15]&15])
	}
	*cv = [8]uint32{s0 ^ s8, s1 ^ s9, s2 ^ s10, s3 ^ s11, s4 ^ s12, s5 ^ s13, s6 ^ s14, s7 ^ s15}
}

// b3Chunk hashes in (at most one chunk) as the root with key words cv and
// flags mode, leaving the 32-byte output in cv.
func b3Chunk(cv *[8]uint32, in []byte, mode uint32) {
	var block [16]uint32
	var buf [b3BlockLen]byte
	flags := uint32(b3ChunkStart) | mode
	for {
		n := min(len(in), b3BlockLen)
		clear(buf[:])
		copy(buf[:], in[:n])
		in = in[n:]
		for i := range block {
			block[i] = binary.LittleEndian.Uint32(buf[4*i:])
		}
		if len(in) == 0 {
			b3Compress(cv, &block, uint32(n), flags|b3ChunkEnd|b3Root)
			clear(buf[:])
			clear(block[:])
			return
		}
		b3Compress(cv, &block, b3BlockLen, flags)
		flags = mode
	}
}

// deriveKey32 is blake3.DeriveKey(out[:], ctx, material).
func deriveKey32(out *[32]byte, ctx string, material []byte) {
	if len(ctx) > b3ChunkLen || len(material) > b3ChunkLen {
		blake3.DeriveKey(out[:], ctx, material)
		return
	}
	cv := b3IV
	b3Chunk(&cv, []byte(ctx), b3DeriveKeyContext)
	b3Chunk(&cv, material, b3DeriveKeyMaterial)
	for i, w := range cv {
		binary.LittleEndian.PutUint32(out[4*i:], w)
	}
	clear(cv[:])
}
