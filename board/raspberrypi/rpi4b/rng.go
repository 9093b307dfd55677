//go:build tamago && arm64

package rpi4b

import (
	_ "unsafe"

	"github.com/muscles/referee/board/armv8"
	"github.com/muscles/referee/board/bcm2711"
)

// Entropy. The runtime's first request (its start-up seed, before Hwinit1)
// is served from the counter: nothing else is up yet. From Hwinit1 on,
// every request is served by an armv8.DRBG keyed from the RNG200 and
// re-keyed from it; without one (QEMU), by the DRBG keyed from the counter,
// which the banner reports as no entropy.

var (
	earlyCount uint64
	drbg       *armv8.DRBG
	// startErr is why the RNG200 is not in use, if it never was.
	startErr error
)

//go:linkname initRNG runtime/goos.InitRNG
func initRNG() {}

// getRandomData fills b with random bytes.
//
//go:linkname getRandomData runtime/goos.GetRandomData
func getRandomData(b []byte) {
	if drbg == nil {
		armv8.CounterRandom(b, earlyCount)
		earlyCount++
		return
	}
	drbg.Read(b)
}

// startDRBG looks for the RNG200 and keys the DRBG; it runs once the heap
// and the exception vectors exist (the probe needs neither, the DRBG the
// heap).
func startDRBG() {
	rng, err := bcm2711.StartRNG200()
	if err != nil {
		startErr = err
		emulated = err == bcm2711.ErrNoRNG200
		drbg = armv8.NewDRBG([armv8.SeedSize]byte{}, nil)
		return
	}
	drbg = armv8.NewDRBG([armv8.SeedSize]byte{}, rng.Read)
}

// rngErr says why there is no entropy source.
func rngErr() error {
	if startErr != nil {
		return startErr
	}
	return drbg.Err
}
