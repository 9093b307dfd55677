package b3

import "math/bits"

// Flags and sizes of the BLAKE3 specification.
const (
	chunkStart        = 1 << 0
	chunkEnd          = 1 << 1
	parent            = 1 << 2
	root              = 1 << 3
	keyedHash         = 1 << 4
	deriveKeyContext  = 1 << 5
	deriveKeyMaterial = 1 << 6

	// BlockLen and ChunkLen are the specification's block and chunk sizes.
	BlockLen = 64
	ChunkLen = 1024
)

// iv is BLAKE3's initial chaining value (SHA-256's).
var iv = [8]uint32{0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19}

// schedule is the message word order of each of the seven rounds (the
// specification's permutation applied round after round).
var schedule = func() (s [7][16]uint8) {
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

func g(a, b, c, d, x, y uint32) (uint32, uint32, uint32, uint32) {
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

// compress is the compression function, keeping the first eight output
// words in cv (the next chaining value, or a root's 32-byte output).
func compress(cv *[8]uint32, block *[16]uint32, counter uint64, blockLen, flags uint32) {
	s0, s1, s2, s3, s4, s5, s6, s7 := cv[0], cv[1], cv[2], cv[3], cv[4], cv[5], cv[6], cv[7]
	s8, s9, s10, s11 := iv[0], iv[1], iv[2], iv[3]
	s12, s13, s14, s15 := uint32(counter), uint32(counter>>32), blockLen, flags
	for r := range schedule {
		m := &schedule[r]
		s0, s4, s8, s12 = g(s0, s4, s8, s12, block[m[0]&15], block[m[1]&15])
		s1, s5, s9, s13 = g(s1, s5, s9, s13, block[m[2]&15], block[m[3]&15])
		s2, s6, s10, s14 = g(s2, s6, s10, s14, block[m[4]&15], block[m[5]&15])
		s3, s7, s11, s15 = g(s3, s7, s11, s15, block[m[6]&15], block[m[7]&15])
		s0, s5, s10, s15 = g(s0, s5, s10, s15, block[m[8]&15], block[m[9]&15])
		s1, s6, s11, s12 = g(s1, s6, s11, s12, block[m[10]&15], block[m[11]&15])
		s2, s7, s8, s13 = g(s2, s7, s8, s13, block[m[12]&15], block[m[13]&15])
		s3, s4, s9, s14 = g(s3, s4, s9, s14, block[m[14]&15], block[m[15]&15])
	}
	*cv = [8]uint32{s0 ^ s8, s1 ^ s9, s2 ^ s10, s3 ^ s11, s4 ^ s12, s5 ^ s13, s6 ^ s14, s7 ^ s15}
}

// words reads a block of up to 64 bytes as 16 little-endian words, zero
// padded.
func words(block *[16]uint32, in []byte) {
	var buf [BlockLen]byte
	copy(buf[:], in)
	for i := range block {
		block[i] = uint32(buf[4*i]) | uint32(buf[4*i+1])<<8 | uint32(buf[4*i+2])<<16 | uint32(buf[4*i+3])<<24
	}
	clear(buf[:])
}

// chunk compresses in (at most one chunk, the chunk with this counter)
// from key words cv, leaving its chaining value in cv; flags are added to
// every block's, and last to its last block's (root, when the chunk is
// the whole input).
func chunk(cv *[8]uint32, in []byte, counter uint64, flags, last uint32) {
	var block [16]uint32
	f := flags | chunkStart
	for len(in) > BlockLen {
		words(&block, in[:BlockLen])
		compress(cv, &block, counter, BlockLen, f)
		in, f = in[BlockLen:], flags
	}
	words(&block, in)
	compress(cv, &block, counter, uint32(len(in)), f|chunkEnd|last)
	clear(block[:])
}

// parentCV is the chaining value (or, with last = root, the output) of
// the parent node of left and right.
func parentCV(key *[8]uint32, left, right *[8]uint32, flags, last uint32) [8]uint32 {
	var block [16]uint32
	copy(block[:8], left[:])
	copy(block[8:], right[:])
	cv := *key
	compress(&cv, &block, 0, BlockLen, flags|parent|last)
	return cv
}

// chunks4Generic is chunks4 in Go: the chaining values of the four whole
// chunks at in[i] (counters counter..counter+3), from key words key with
// flags.
func chunks4Generic(out *[4][8]uint32, in *[4]*[ChunkLen]byte, key *[8]uint32, counter uint64, flags uint32) {
	for i := range out {
		out[i] = *key
		chunk(&out[i], in[i][:], counter+uint64(i), flags, 0)
	}
}
