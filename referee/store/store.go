// Package store is the referee's sealed, crash-consistent store: records
// of an opaque payload (the referee's persistent state, referee/persist),
// sealed with AES-256-GCM under a key derived from the master key, kept on
// the board's block device (board.BlockDevice) in a fixed region of
// Slots slots with no mutable superblock.
//
// A commit writes a new record, with the next generation, into a slot
// that does not hold the newest valid record, flushes, reads it back and
// compares, and only then reports the generation saved. At boot every
// slot is read; the highest valid generation wins, two valid records of
// one generation with different payloads fail closed, a record sealed
// under another master key makes the medium foreign (refused until it is
// formatted, never reformatted on its own), and no valid record at all
// means a fresh store. An anchor (Anchor: eMMC RPMB, OTP, TPM NV) makes
// restoring an old copy of the whole medium detectable; without one it is
// not, and the referee says so.
//
// The record format is docs/STATE.md's; this package is its only
// implementation. It builds for the host and for GOOS=tamago.
package store

import (
	"errors"
	"fmt"

	"github.com/muscles/referee/board"
)

// The region: Slots slots of SlotBytes each, from the device's first
// block on. Both are part of the format (docs/STATE.md).
const (
	Slots       = 2
	SlotBytes   = 4 << 20
	RegionBytes = Slots * SlotBytes
	// DefaultDiskBytes is the size of the state disk file the launcher
	// creates (a power of two, which QEMU's SD card model needs).
	DefaultDiskBytes = 16 << 20
)

// Geometry is where the slots lie on a device.
type Geometry struct {
	Slots     int
	SlotBytes int
}

// Standard is the format's geometry; tests use smaller ones.
var Standard = Geometry{Slots: Slots, SlotBytes: SlotBytes}

// Reasons, for errors.Is.
var (
	// ErrForeign: a slot holds a record sealed under another master key.
	ErrForeign = errors.New("foreign medium")
	// ErrConflict: two valid records have one generation and different
	// payloads.
	ErrConflict = errors.New("conflicting records")
	// ErrReplay: the anchor records a newer generation than the medium
	// holds (an old copy of the medium was put back).
	ErrReplay = errors.New("replayed medium")
	// ErrFull: the payload does not fit in a slot.
	ErrFull = errors.New("state too large")
	// ErrReadBack: what was read back after a write is not what was
	// written.
	ErrReadBack = errors.New("read-back mismatch")
	// ErrRefused: the store refused the medium at boot, so it neither
	// loads nor saves until the medium is formatted.
	ErrRefused = errors.New("store refused")
	// ErrDevice: the medium is too small or its blocks do not fit the
	// geometry.
	ErrDevice = errors.New("unusable medium")
)

// Device is the medium (the board's).
type Device = board.BlockDevice

// check reports whether dev can hold the geometry's region.
func (g Geometry) check(dev Device) error {
	bs := dev.BlockSize()
	switch {
	case g.Slots < 2:
		return fmt.Errorf("%w: %d slots (the store needs at least 2)", ErrDevice, g.Slots)
	case bs < HeaderSize || bs&(bs-1) != 0 || g.SlotBytes%bs != 0:
		return fmt.Errorf("%w: a block of %d bytes does not fit a slot of %d bytes", ErrDevice, bs, g.SlotBytes)
	case dev.Blocks() < uint64(g.Slots*g.SlotBytes/bs):
		return fmt.Errorf("%w: %s holds %d bytes; the store needs %d (%d slots of %d)", ErrDevice, dev.Name(), dev.Blocks()*uint64(bs), g.Slots*g.SlotBytes, g.Slots, g.SlotBytes)
	}
	return nil
}

// lba is the first block of slot i.
func (g Geometry) lba(dev Device, i int) uint64 {
	return uint64(i) * uint64(g.SlotBytes/dev.BlockSize())
}

// Capacity is the largest payload a slot holds.
func (g Geometry) Capacity() int { return g.SlotBytes - HeaderSize - tagSize }
