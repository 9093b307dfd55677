//go:build tamago && arm64

package bcm2711

import (
	"errors"

	"github.com/muscles/referee/board/armv8"
)

// RNG200 registers and fields, as Linux's iproc-rng200 driver uses them
// (the BCM2711 document does not describe the block).
const (
	rngCtrl        = 0x00 // RNG_CTRL
	rngCtrlEnable  = 0x1  // RNG_CTRL_RNG_RBGEN_ENABLE
	rngCtrlRBGMask = 0x1fff
	rngSoftReset   = 0x04 // RNG_SOFT_RESET
	rbgSoftReset   = 0x08 // RBG_SOFT_RESET
	rngIntStatus   = 0x18 // RNG_INT_STATUS
	rngFIFOData    = 0x20 // RNG_FIFO_DATA
	rngFIFOCount   = 0x24 // RNG_FIFO_COUNT: words waiting in bits 7:0

	// intStatusErrors are the failure bits of RNG_INT_STATUS that the
	// driver restarts the block on: master fail lockout and NIST failure.
	intStatusErrors = 0x8000_0000 | 0x20
	fifoCountMask   = 0xff

	// rngPolls bounds the wait for a word: generous for the block's
	// start-up, finite so a dead block cannot hang the boot.
	rngPolls = 1 << 22
)

// ErrNoRNG200 means nothing answers at the RNG200's address (QEMU 10's
// raspi4b models no RNG200).
var ErrNoRNG200 = errors.New("no RNG200 answers at 0xfe104000")

// RNG is the enabled RNG200.
type RNG struct{}

// StartRNG200 finds the RNG200, resets it and enables its generator.
func StartRNG200() (RNG, error) {
	if _, ok := armv8.ProbeRead32(RNG200 + rngCtrl); !ok {
		return RNG{}, ErrNoRNG200
	}
	// iproc_rng200_restart: disable, reset the RNG and the RBG, enable.
	ctrl := armv8.Read32(RNG200+rngCtrl) &^ rngCtrlRBGMask
	armv8.Write32(RNG200+rngCtrl, ctrl)
	armv8.Write32(RNG200+rngSoftReset, 1)
	armv8.Write32(RNG200+rngSoftReset, 0)
	armv8.Write32(RNG200+rbgSoftReset, 1)
	armv8.Write32(RNG200+rbgSoftReset, 0)
	armv8.Write32(RNG200+rngCtrl, ctrl|rngCtrlEnable)
	return RNG{}, nil
}

// Read fills b from the RNG200's FIFO, a 32-bit word at a time.
func (RNG) Read(b []byte) error {
	for len(b) > 0 {
		w, err := word()
		if err != nil {
			return err
		}
		for i := 0; i < 4 && len(b) > 0; i++ {
			b[0] = byte(w >> (8 * i))
			b = b[1:]
		}
	}
	return nil
}

func word() (uint32, error) {
	for range rngPolls {
		if armv8.Read32(RNG200+rngIntStatus)&intStatusErrors != 0 {
			return 0, errors.New("RNG200 reports a failure (RNG_INT_STATUS)")
		}
		if armv8.Read32(RNG200+rngFIFOCount)&fifoCountMask != 0 {
			return armv8.Read32(RNG200 + rngFIFOData), nil
		}
	}
	return 0, errors.New("RNG200 gave no word in time")
}
