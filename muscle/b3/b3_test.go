package b3

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"lukechampine.com/blake3"
)

// input is n pseudo-random bytes.
func input(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 7))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// lengths are the input lengths the tests cover: every length up to
// several chunks' groups around each block and chunk boundary, and larger
// trees of uneven shape.
func lengths() []int {
	var ns []int
	for n := 0; n <= 9*ChunkLen+1; n++ {
		if n < 2*BlockLen+1 || n%BlockLen <= 1 || n%BlockLen == BlockLen-1 {
			ns = append(ns, n)
		}
	}
	for _, c := range []int{15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 255, 400} {
		ns = append(ns, c*ChunkLen-1, c*ChunkLen, c*ChunkLen+1)
	}
	return ns
}

// TestSum256: Sum256 is blake3.Sum256 at every length.
func TestSum256(t *testing.T) {
	in := input(400*ChunkLen+1, 1)
	for _, n := range lengths() {
		if got, want := Sum256(in[:n]), blake3.Sum256(in[:n]); got != want {
			t.Fatalf("%d bytes: %x, want %x", n, got, want)
		}
	}
}

// TestKeyed: NewKeyed is the library's keyed hash, written in random
// pieces (every way a piece can end against a chunk).
func TestKeyed(t *testing.T) {
	in := input(70*ChunkLen+5, 2)
	key := [32]byte(input(32, 3))
	r := rand.New(rand.NewPCG(4, 5))
	for _, n := range lengths() {
		if n > len(in) {
			continue
		}
		h := NewKeyed(&key)
		for rest := in[:n]; len(rest) > 0; {
			k := min(len(rest), r.IntN(6*ChunkLen)+1)
			if r.IntN(4) == 0 {
				k = min(len(rest), ChunkLen*(1+r.IntN(5))) // whole chunks
			}
			h.Write(rest[:k])
			rest = rest[k:]
		}
		want := blake3.New(32, key[:])
		want.Write(in[:n])
		if got := h.Sum(); !bytes.Equal(got[:], want.Sum(nil)) {
			t.Fatalf("%d bytes: %x, want %x", n, got, want.Sum(nil))
		}
	}
}

// TestChunks4: the four-chunk step (NEON on arm64) agrees with the
// portable one, for keyed flags and counters that carry into the high word.
func TestChunks4(t *testing.T) {
	b := input(4*ChunkLen, 6)
	in := [4]*[ChunkLen]byte{(*[ChunkLen]byte)(b[2*ChunkLen:]), (*[ChunkLen]byte)(b), (*[ChunkLen]byte)(b[3*ChunkLen:]), (*[ChunkLen]byte)(b[ChunkLen:])}
	key := [8]uint32{1, 2, 3, 4, 0xFFFFFFFF, 6, 7, 8}
	for _, ctr := range []uint64{0, 4, 1<<32 - 2, 1<<40 + 3} {
		for _, flags := range []uint32{0, keyedHash, deriveKeyMaterial} {
			var got, want [4][8]uint32
			chunks4(&got, &in, &key, ctr, flags)
			chunks4Generic(&want, &in, &key, ctr, flags)
			if got != want {
				t.Fatalf("counter %d, flags %#x: %x, want %x", ctr, flags, got, want)
			}
		}
	}
}

// TestDeriveKey32: DeriveKey32 is blake3.DeriveKey, for every material
// length up to two chunks (beyond one it is that function) and contexts
// of one block, several blocks and a whole chunk.
func TestDeriveKey32(t *testing.T) {
	material := input(2*ChunkLen+1, 8)
	for _, ctx := range []string{"", "muscle key", "a longer context string, 2026-12-02", string(bytes.Repeat([]byte("c"), 130)), string(bytes.Repeat([]byte("k"), ChunkLen))} {
		for n := 0; n <= len(material); n++ {
			var got, want [32]byte
			DeriveKey32(&got, ctx, material[:n])
			blake3.DeriveKey(want[:], ctx, material[:n])
			if got != want {
				t.Fatalf("context of %d bytes, %d bytes of material: %x, want %x", len(ctx), n, got, want)
			}
		}
	}
}

// BenchmarkSum256 compares Sum256 with blake3.Sum256 on a muscle-sized
// blob (the 784-wide MLP's is about 410 KB).
func BenchmarkSum256(b *testing.B) {
	in := input(410_000, 9)
	b.SetBytes(int64(len(in)))
	b.Run("b3", func(b *testing.B) {
		b.SetBytes(int64(len(in)))
		for b.Loop() {
			Sum256(in)
		}
	})
	b.Run("lukechampine", func(b *testing.B) {
		b.SetBytes(int64(len(in)))
		for b.Loop() {
			blake3.Sum256(in)
		}
	})
}
