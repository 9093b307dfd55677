package verify

import "unsafe"

// WorkingMemory bounds the memory Verify allocates for code of codeBytes
// bytes: one decoded instruction per word, a bit per word (loop heads),
// and at most one loop (with its index entry) per two words, a loop being
// at least a subs and a b.ne. The
// referee checks it against its memory budget before verifying, so no code
// size can run the image out of memory inside the verifier.
func WorkingMemory(codeBytes int) int64 {
	const mapEntry = 64 // a map[int][]loop entry: key, slice header, bucket overhead
	n := int64(codeBytes / 4)
	perLoop := int64(unsafe.Sizeof(loop{})) + mapEntry
	return n*int64(unsafe.Sizeof(inst{})) + n/8 + (n/2)*perLoop + 4096
}
