package muscle

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"lukechampine.com/blake3"
)

// TestDeriveKey32: the short-input derive_key is blake3.DeriveKey, for every
// material length up to two chunks (beyond one it is that function) and
// contexts of one block, several blocks and a whole chunk.
func TestDeriveKey32(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	material := make([]byte, 2*b3ChunkLen+1)
	for i := range material {
		material[i] = byte(r.Uint32())
	}
	for _, ctx := range []string{"", CtxSealingKey, CtxMuscleKey, string(bytes.Repeat([]byte("c"), 130)), string(bytes.Repeat([]byte("k"), b3ChunkLen))} {
		for n := 0; n <= len(material); n++ {
			var got, want [32]byte
			deriveKey32(&got, ctx, material[:n])
			blake3.DeriveKey(want[:], ctx, material[:n])
			if got != want {
				t.Fatalf("context of %d bytes, %d bytes of material: %x, want %x", len(ctx), n, got, want)
			}
		}
	}
}

// BenchmarkDeriveKey32 compares the loader's derive_key with
// blake3.DeriveKey on the inputs of a muscle key.
func BenchmarkDeriveKey32(b *testing.B) {
	material := make([]byte, KeySize+SaltSize)
	var out [32]byte
	b.Run("deriveKey32", func(b *testing.B) {
		for b.Loop() {
			deriveKey32(&out, CtxMuscleKey, material)
		}
	})
	b.Run("blake3.DeriveKey", func(b *testing.B) {
		for b.Loop() {
			blake3.DeriveKey(out[:], CtxMuscleKey, material)
		}
	})
}
