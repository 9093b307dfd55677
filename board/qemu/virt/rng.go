//go:build tamago && arm64

package virt

import (
	"encoding/binary"
	"unsafe"

	"github.com/muscles/referee/board/armv8"
	"github.com/muscles/referee/board/fdt"
	"github.com/muscles/referee/board/qemu/virt/layout"
)

// Entropy. Before the board is initialised, randomness comes straight from the
// 32 bytes QEMU puts in the DTB at every boot (/secure-chosen/rng-seed, from
// the host's random source); the runtime seeds its own ChaCha8 generator
// with them. Once the board is initialised, every request is served by an
// armv8.DRBG keyed with the DTB seed mixed with virtio-rng output, and
// re-keyed from virtio-rng.

const seedSize = armv8.SeedSize

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
	drbg        *armv8.DRBG
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
	drbg.Read(b)
}

// earlyRandom serves the runtime's start-up request (32 bytes, which seed
// its ChaCha8 generator) from the DTB seed. Without one, it falls back to
// the counter, which the banner reports as no entropy at all.
func earlyRandom(b []byte) {
	if seedOK && earlyCount == 0 {
		n := copy(b, seed[:])
		armv8.CounterRandom(b[n:], earlyCount)
	} else {
		armv8.CounterRandom(b, earlyCount)
	}
	earlyCount++
}

// startDRBG switches to the DRBG, keyed with the DTB seed (or the counter)
// and virtio-rng; it runs once the heap exists.
func startDRBG() {
	d, err := findVirtioRNG()
	if err != nil {
		entropyInfo.Err = err
		drbg = armv8.NewDRBG(seed, nil)
		return
	}
	drbg = armv8.NewDRBG(seed, d.read)
	if drbg.Strong() {
		entropyInfo.VirtioRNG = d.base
	} else {
		entropyInfo.Err = drbg.Err
	}
}

// Entropy reports the entropy sources found at boot, and why virtio-rng
// is not in use if it stopped answering since.
func Entropy() EntropySource {
	e := entropyInfo
	if drbg != nil && !drbg.Strong() && e.Err == nil {
		e.Err = drbg.Err
	}
	return e
}
