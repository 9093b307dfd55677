//go:build !arm64

package b3

// chunks4 is chunks4Generic where there is no NEON kernel.
func chunks4(out *[4][8]uint32, in *[4]*[ChunkLen]byte, key *[8]uint32, counter uint64, flags uint32) {
	chunks4Generic(out, in, key, counter, flags)
}
