//go:build arm64

package b3

// chunks4NEON compresses four whole chunks at once, lane i of every
// vector register holding chunk i's state (chunks_arm64.s): ctr holds the
// chunks' counters (low words, then high words), msg is room for one
// block's message words, transposed.
//
//go:noescape
func chunks4NEON(out *[4][8]uint32, in *[4]*[ChunkLen]byte, key *[8]uint32, ctr *[2][4]uint32, flags uint32, msg *[16][4]uint32)

// chunks4 writes the chaining values of the four whole chunks at in[i]
// (counters counter..counter+3), from key words key with flags.
func chunks4(out *[4][8]uint32, in *[4]*[ChunkLen]byte, key *[8]uint32, counter uint64, flags uint32) {
	var ctr [2][4]uint32
	for i := range ctr[0] {
		c := counter + uint64(i)
		ctr[0][i], ctr[1][i] = uint32(c), uint32(c>>32)
	}
	var msg [16][4]uint32
	chunks4NEON(out, in, key, &ctr, flags, &msg)
	clear(msg[:])
}
