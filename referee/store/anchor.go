package store

import (
	"fmt"
	"sync"
)

// Anchor is storage the medium's owner cannot roll back (eMMC RPMB, OTP
// fuses, a TPM's NV index): it holds the generation and digest of the
// newest committed record, so that a copy of the whole medium put back
// later is refused. No board the referee supports has one yet (QEMU models
// none); Open and Commit take one where it exists.
type Anchor interface {
	// Name describes the anchor.
	Name() string
	// Read returns the anchored generation and digest (0: never set).
	Read() (uint64, Digest, error)
	// Advance records a newer generation; it refuses to go back.
	Advance(generation uint64, d Digest) error
}

// EmulatedAnchor is an anchor in memory, for tests only: it shows replay
// being refused where a real anchor exists. The image never uses it.
type EmulatedAnchor struct {
	mu  sync.Mutex
	gen uint64
	d   Digest
	// Fail, when set, makes Advance fail.
	Fail error
}

func (a *EmulatedAnchor) Name() string { return "emulated (tests only)" }

func (a *EmulatedAnchor) Read() (uint64, Digest, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.gen, a.d, nil
}

func (a *EmulatedAnchor) Advance(gen uint64, d Digest) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.Fail != nil {
		return a.Fail
	}
	if gen < a.gen {
		return fmt.Errorf("generation %d is older than the anchored %d", gen, a.gen)
	}
	a.gen, a.d = gen, d
	return nil
}
