//go:build tamago && arm64

package armv8

import (
	"encoding/binary"
	"math/rand/v2"
)

// SeedSize is the size of a DRBG key.
const SeedSize = 32

// ReseedInterval is how many bytes a DRBG serves between re-keyings from
// its source.
const ReseedInterval = 64 << 10

// DRBG is the boards' random number generator once the heap exists: a
// ChaCha8 generator (math/rand/v2) keyed with a seed mixed with the
// board's entropy source, and re-keyed from that source (mixed with its own
// output) every ReseedInterval bytes. A source that fails is dropped and
// its error kept; the generator goes on from its last key.
type DRBG struct {
	source func([]byte) error
	gen    *rand.ChaCha8
	served int
	// Err is why the source is not in use, if it is not.
	Err error
}

// NewDRBG keys a DRBG with seed mixed with 32 bytes of source, if source
// is not nil and gives them; an all-zero seed is replaced by the counter.
func NewDRBG(seed [SeedSize]byte, source func([]byte) error) *DRBG {
	d := &DRBG{source: source}
	if seed == [SeedSize]byte{} {
		binary.LittleEndian.PutUint64(seed[:], Counter())
	}
	if source != nil {
		d.mix(&seed)
	}
	d.gen = rand.NewChaCha8(seed)
	clear(seed[:])
	return d
}

// Strong reports whether the source is still in use.
func (d *DRBG) Strong() bool { return d.source != nil }

// mix XORs 32 bytes of the source into key, or drops the source.
func (d *DRBG) mix(key *[SeedSize]byte) {
	var fresh [SeedSize]byte
	if err := d.source(fresh[:]); err != nil {
		d.Err, d.source = err, nil
		return
	}
	for i := range key {
		key[i] ^= fresh[i]
	}
	clear(fresh[:])
}

// Read fills b.
func (d *DRBG) Read(b []byte) {
	if d.served >= ReseedInterval && d.source != nil {
		var next [SeedSize]byte
		d.gen.Read(next[:])
		d.mix(&next)
		d.gen = rand.NewChaCha8(next)
		clear(next[:])
		d.served = 0
	}
	d.gen.Read(b)
	d.served += len(b)
}

// CounterRandom fills b from the generic timer's counter, for a board's
// first random bytes (the runtime's start-up seed) before it has a DRBG.
// It is predictable; boards say so in their banner unless a real source
// keyed the DRBG. calls distinguishes successive requests.
func CounterRandom(b []byte, calls uint64) {
	for i := range b {
		x := Counter() ^ uint64(i)*0x9e3779b97f4a7c15 ^ calls
		b[i] = byte(x ^ x>>29 ^ x>>47)
	}
}
