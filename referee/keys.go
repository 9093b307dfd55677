package referee

import (
	"fmt"
	"io"

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/referee/audit"
)

// KeyRegion is the part of the board contract (board.Board) that holds the
// master-key record.
type KeyRegion interface {
	ReadKeyRegion() []byte
	WipeKeyRegion()
	KeyRegionClear() bool
	UnmapKeyRegion() error
}

// TakeKeys reads the master-key record from the key region, wipes the
// region and removes it from the MMU's map whatever the record holds, and
// starts the audit log with the record's audit key and the boot entry
// (boot describes the referee, the board and the image). where names the
// region in messages. Without a usable record the log is unauthenticated,
// the record nil and the status says why (KeyRecordExitStatus).
func TakeKeys(r KeyRegion, where string, w io.Writer, now func() int64, boot string) (*muscle.KeyRecord, *audit.Log, int) {
	rec, err := LoadKeyRecord(r.ReadKeyRegion())
	r.WipeKeyRegion()
	wiped := "wiped"
	if !r.KeyRegionClear() {
		wiped = "NOT WIPED"
	}
	if uerr := r.UnmapKeyRegion(); uerr != nil {
		wiped += ", NOT UNMAPPED: " + uerr.Error()
	} else {
		wiped += " and unmapped"
	}
	if err != nil {
		fmt.Fprintf(w, "keys: no usable master-key record at %s: %v; key region %s\n", where, err, wiped)
		log := audit.New([32]byte{})
		log.Append(now(), "boot", boot)
		log.Append(now(), "key-error", err.Error())
		return nil, log, KeyRecordExitStatus(err)
	}
	fmt.Fprintf(w, "keys: master-key record %s with %d publishers; key region %s\n", rec.ID, len(rec.Publishers), wiped)
	log := audit.New(rec.AuditKey())
	log.Append(now(), "boot", boot)
	log.Append(now(), "key", fmt.Sprintf("key id %s, %d publishers, key region %s", rec.ID, len(rec.Publishers), wiped))
	return rec, log, ExitOK
}
