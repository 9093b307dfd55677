//go:build tamago && arm64

package virt

import (
	"encoding/binary"
	"math/rand/v2"
	"unsafe"

	"github.com/muscles/referee/board/armv8"
	"github.com/muscles/referee/board/fdt"
	"github.com/muscles/referee/board/qemu/virt/layout"
)

// Entropy. Before the board is initialised, randomness comes straight from the
// 32 bytes QEMU puts in the DTB at every boot (/secure-chosen/rng-seed, from
// the host's random source); the runtime seeds its own ChaCha8 generator
// with them. Once the board is initialised, every request is served by a
// ChaCha8 DRBG (math/rand/v2) keyed with the DTB seed mixed with virtio-rng
// output, and re-keyed from virtio-rng every reseedInterval bytes.

const (
	seedSize       = 32
	reseedInterval = 64 << 10
)

// EntropySource describes where randomness comes from.
type EntropySource struct {
	DTBSeed   bool    // the DTB carried /secure-chosen/rng-seed
	VirtioRNG uintptr // base of the virtio entropy device, 0 if none
	Err       error   // why virtio-rng is not in use, if it is not
}

// Strong reports whether any real entropy source was found.
func (s EntropySource) Strong() bool { return s.DTBSeed || s.VirtioRNG != 0 }

var (
	seed        [seedSize]byte
	seedOK      bool
	earlyCount  uint64
	drbg        *rand.ChaCha8
	drbgOutput  int
	rngDevice   *virtioRNG
	entropyInfo EntropySource
)

// initRNG reads the DTB seed; the runtime calls it once its heap exists
// and before Hwinit1 (no vectors, timers or devices yet).
//
//go:linkname initRNG runtime/goos.InitRNG
func initRNG() {
	dtb := unsafe.Slice((*byte)(armv8.Phys(layout.DTBStart)), layout.DTBMax)
	if binary.BigEndian.Uint32(dtb) != fdt.Magic {
		return
	}
	t, err := fdt.Parse(dtb)
	if err != nil {
		return
	}
	v, err := t.Property("secure-chosen", "rng-seed")
	if err != nil || len(v) < seedSize {
		return
	}
	copy(seed[:], v)
	seedOK = true
	entropyInfo.DTBSeed = true
}

// getRandomData fills b with random bytes.
//
//go:linkname getRandomData runtime/goos.GetRandomData
func getRandomData(b []byte) {
	if drbg == nil {
		earlyRandom(b)
		return
	}
	if drbgOutput >= reseedInterval && rngDevice != nil {
		reseed()
	}
	drbg.Read(b)
	drbgOutput += len(b)
}

// earlyRandom serves the runtime's start-up request (32 bytes, which seed
// its ChaCha8 generator) from the DTB seed. Without one, it falls back to
// the counter, which the banner reports as no entropy at all.
func earlyRandom(b []byte) {
	for i := range b {
		if seedOK && i < seedSize && earlyCount == 0 {
			b[i] = seed[i]
			continue
		}
		x := armv8.Counter() ^ uint64(i)*0x9e3779b97f4a7c15 ^ earlyCount
		b[i] = byte(x ^ x>>29 ^ x>>47)
	}
	earlyCount++
}

// startDRBG switches to the DRBG; it runs once the heap exists.
func startDRBG() {
	key := seed
	if !seedOK {
		binary.LittleEndian.PutUint64(key[:], armv8.Counter())
	}
	d, err := findVirtioRNG()
	if err == nil {
		var fresh [seedSize]byte
		if err = d.read(fresh[:]); err == nil {
			for i := range key {
				key[i] ^= fresh[i]
			}
			rngDevice = d
			entropyInfo.VirtioRNG = d.base
		}
	}
	if err != nil {
		entropyInfo.Err = err
	}
	drbg = rand.NewChaCha8(key)
	clear(key[:])
}

func reseed() {
	var fresh, next [seedSize]byte
	if err := rngDevice.read(fresh[:]); err != nil {
		entropyInfo.Err = err
		rngDevice = nil
		return
	}
	drbg.Read(next[:])
	for i := range next {
		next[i] ^= fresh[i]
	}
	drbg = rand.NewChaCha8(next)
	clear(next[:])
	drbgOutput = 0
}

// Entropy reports the entropy sources found at boot.
func Entropy() EntropySource { return entropyInfo }
