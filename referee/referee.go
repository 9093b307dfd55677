// Package referee is the referee's portable core: what the unikernel does
// with the master key, muscles and its audit log, independent of the board.
// It builds for the host, where it is unit-tested, and for GOOS=tamago.
//
// This package holds the boot-time handling of the master-key record and
// the image's exit statuses; its subpackages hold the rest: loader
// (admitting muscles), served (the call path), console (the command
// language), verify, sandbox and audit.
package referee

import (
	"errors"
	"fmt"

	"github.com/muscles/referee/muscle"
)

// Exit statuses of the referee image (the README lists them).
const (
	ExitOK = 0
	// ExitPanic is what the Go runtime uses for a panic or fatal error.
	ExitPanic = 2
	// ExitNoKeyRecord: the key region is empty (nothing was loaded there).
	ExitNoKeyRecord = 10
	// ExitBadKeyRecord: the key region holds something that is not a valid
	// key record (corrupt, truncated, wrong version).
	ExitBadKeyRecord = 11
)

// LoadKeyRecord parses the key record from a RAM copy of the key region and
// wipes that copy whatever the outcome; the caller wipes the region itself.
func LoadKeyRecord(copyOfRegion []byte) (*muscle.KeyRecord, error) {
	rec, err := muscle.ParseKeyRecord(copyOfRegion)
	clear(copyOfRegion)
	if err != nil {
		return nil, fmt.Errorf("master-key record: %w", err)
	}
	return rec, nil
}

// KeyRecordExitStatus is the status the referee halts with when
// LoadKeyRecord fails with err.
func KeyRecordExitStatus(err error) int {
	if errors.Is(err, muscle.ErrNoKeyRecord) {
		return ExitNoKeyRecord
	}
	return ExitBadKeyRecord
}
