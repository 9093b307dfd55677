package b3

import (
	"encoding/binary"

	"lukechampine.com/blake3"
)

// maxDepth bounds the chaining-value stack: one entry per bit of the chunk
// count, which a 64-bit byte count cannot take beyond 54 bits.
const maxDepth = 54

// Hasher is BLAKE3 with a 32-byte output over bytes written in any
// pieces. It keeps the last chunk until Sum (a chunk's chaining value
// depends on whether it is the root), and merges subtrees as they
// complete. Make one with New or NewKeyed.
type Hasher struct {
	key    [8]uint32
	flags  uint32
	buf    [ChunkLen]byte // the current chunk's bytes, not yet compressed
	n      int            // bytes in buf
	chunks uint64         // chunks compressed so far
	depth  int
	stack  [maxDepth][8]uint32 // chaining values of completed subtrees
}

// New is the unkeyed hash.
func New() *Hasher { return &Hasher{key: iv} }

// NewKeyed is BLAKE3's keyed hash with a 32-byte key.
func NewKeyed(key *[32]byte) *Hasher {
	h := &Hasher{flags: keyedHash}
	for i := range h.key {
		h.key[i] = binary.LittleEndian.Uint32(key[4*i:])
	}
	return h
}

// Sum256 is the BLAKE3 hash of b (blake3.Sum256).
func Sum256(b []byte) [32]byte {
	h := New()
	h.Write(b)
	return h.Sum()
}

// Write adds p to the input; it never fails.
func (h *Hasher) Write(p []byte) (int, error) {
	n := len(p)
	if h.n > 0 {
		take := copy(h.buf[h.n:], p)
		h.n += take
		p = p[take:]
		if len(p) == 0 {
			return n, nil
		}
		h.addChunk(h.buf[:])
		h.n = 0
	}
	// Whole chunks while more input follows them (the last one waits):
	// two to four at a time through chunks4 (its spare lanes repeat the
	// first chunk, their results unused), a single one on its own.
	for len(p) > ChunkLen {
		k := min((len(p)-1)/ChunkLen, 4)
		if k == 1 {
			h.addChunk(p[:ChunkLen])
			p = p[ChunkLen:]
			continue
		}
		var in [4]*[ChunkLen]byte
		for i := range in {
			in[i] = (*[ChunkLen]byte)(p[ChunkLen*(i%k):])
		}
		var cvs [4][8]uint32
		chunks4(&cvs, &in, &h.key, h.chunks, h.flags)
		for i := range k {
			h.push(&cvs[i])
		}
		p = p[k*ChunkLen:]
	}
	h.n = copy(h.buf[:], p)
	return n, nil
}

// addChunk compresses a whole chunk that is not the last.
func (h *Hasher) addChunk(c []byte) {
	cv := h.key
	chunk(&cv, c, h.chunks, h.flags, 0)
	h.push(&cv)
}

// push adds the chaining value of chunk number h.chunks, merging every
// subtree it completes.
func (h *Hasher) push(cv *[8]uint32) {
	c := *cv
	for total := h.chunks + 1; total&1 == 0; total >>= 1 {
		h.depth--
		c = parentCV(&h.key, &h.stack[h.depth], &c, h.flags, 0)
	}
	h.stack[h.depth] = c
	h.depth++
	h.chunks++
}

// Sum is the 32-byte hash of everything written so far; h is unchanged.
func (h *Hasher) Sum() [32]byte {
	cv := h.key
	if h.chunks == 0 {
		chunk(&cv, h.buf[:h.n], 0, h.flags, root)
	} else {
		chunk(&cv, h.buf[:h.n], h.chunks, h.flags, 0)
		for i := h.depth - 1; i >= 0; i-- {
			last := uint32(0)
			if i == 0 {
				last = root
			}
			cv = parentCV(&h.key, &h.stack[i], &cv, h.flags, last)
		}
	}
	var out [32]byte
	for i, w := range cv {
		binary.LittleEndian.PutUint32(out[4*i:], w)
	}
	return out
}

// DeriveKey32 is blake3.DeriveKey(out[:], ctx, material): one compression
// per 64-byte block when the context and the material are at most a chunk
// each (the library's output reader compresses many blocks at a time:
// tens of thousands of instructions a key on the device); longer inputs
// go to the library.
func DeriveKey32(out *[32]byte, ctx string, material []byte) {
	if len(ctx) > ChunkLen || len(material) > ChunkLen {
		blake3.DeriveKey(out[:], ctx, material)
		return
	}
	cv := iv
	chunk(&cv, []byte(ctx), 0, deriveKeyContext, root)
	chunk(&cv, material, 0, deriveKeyMaterial, root)
	for i, w := range cv {
		binary.LittleEndian.PutUint32(out[4*i:], w)
	}
	clear(cv[:])
}
