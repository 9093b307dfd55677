//go:build tamago && arm64

package main

import (
	"fmt"
	"io"
	"runtime"
	"time"
	"unsafe"

	"lukechampine.com/blake3"

	"github.com/muscles/referee/board/qemu/virt"
	"github.com/muscles/referee/board/qemu/virt/layout"
	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/referee"
	"github.com/muscles/referee/referee/audit"
)

func now() int64 { return time.Now().UnixNano() }

// imageHash is the BLAKE3 hash of the running image's instructions.
func imageHash() string {
	start, end := runtime.TextRegion()
	text := unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(nil), uintptr(start))), end-start)
	sum := blake3.Sum256(text)
	return fmt.Sprintf("%x", sum[:16])
}

// takeKeys reads the master-key record from the key region, wipes the
// region and removes it from the MMU's map, and starts the audit log with the key's audit key. Without a
// usable record the log is unauthenticated and the status says why.
func takeKeys(w io.Writer) (*muscle.KeyRecord, *audit.Log, int) {
	rec, err := referee.LoadKeyRecord(virt.ReadKeyRegion())
	virt.WipeKeyRegion()
	wiped := "wiped"
	if !virt.KeyRegionClear() {
		wiped = "NOT WIPED"
	}
	if err := virt.UnmapKeyRegion(); err != nil {
		wiped += ", NOT UNMAPPED: " + err.Error()
	} else {
		wiped += " and unmapped"
	}
	boot := fmt.Sprintf("referee %s on %s, image text blake3 %s", Version, virt.Name, imageHash())
	if err != nil {
		fmt.Fprintf(w, "keys: no usable master-key record at %#x: %v; key region %s\n", layout.KeyRecordStart, err, wiped)
		log := audit.New([32]byte{})
		log.Append(now(), "boot", boot)
		log.Append(now(), "key-error", err.Error())
		return nil, log, referee.KeyRecordExitStatus(err)
	}
	fmt.Fprintf(w, "keys: master-key record %s with %d publishers; key region %s\n", rec.ID, len(rec.Publishers), wiped)
	log := audit.New(rec.AuditKey())
	log.Append(now(), "boot", boot)
	log.Append(now(), "key", fmt.Sprintf("key id %s, %d publishers, key region %s", rec.ID, len(rec.Publishers), wiped))
	return rec, log, referee.ExitOK
}

func printAudit(w io.Writer, log *audit.Log) {
	for _, e := range log.Entries() {
		fmt.Fprintln(w, audit.Format(e))
	}
	fmt.Fprintln(w, log.FormatHead())
}
