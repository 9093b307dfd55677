package referee

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"strings"

	"lukechampine.com/blake3"

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

// Board is the part of the board contract (board.Board) that TakeKeys
// uses: the key region, and what the board says of its random numbers.
type Board interface {
	KeyRegion
	// Entropy says where the board's random numbers come from, or that
	// there is no real source ("NONE: ...").
	Entropy() string
}

// NewBootID draws a boot id: 32 bytes of the board's random numbers
// (crypto/rand, which on the board is its DRBG) hashed with the clock. On a
// board without a real random source its DRBG is seeded from the clock, so
// the id is only as unique per boot as the clock is.
func NewBootID(now func() int64) audit.BootID {
	var seed [32]byte
	rand.Read(seed[:])
	h := blake3.New(audit.BootIDSize, nil)
	h.Write([]byte("muscles referee boot id\x00"))
	h.Write(seed[:])
	h.Write(binary.LittleEndian.AppendUint64(nil, uint64(now())))
	var id audit.BootID
	h.Sum(id[:0])
	clear(seed[:])
	return id
}

// weakEntropy is what the boot entry and the console say after the boot id
// of a board that has no real random source.
const weakEntropy = " (PREDICTABLE: the board has no real random source)"

// TakeKeys reads the master-key record from the key region, wipes the
// region and removes it from the MMU's map whatever the record holds, and
// starts the audit log of this boot (audit.Start) with a fresh boot id
// (NewBootID), the record's audit key and the boot entry. boot gives that
// entry's detail, describing the referee, the board and the image, from
// the boot id as the entry names it ("ID", or "ID (PREDICTABLE: ...)" on a
// board without a real random source); the detail should contain
// "boot id " and that text. TakeKeys prints the boot id and how the log is
// authenticated; where names the region in messages. Without a usable record the log is
// unauthenticated (the zero key), the record nil and the status says why
// (KeyRecordExitStatus).
func TakeKeys(b Board, where string, w io.Writer, now func() int64, boot func(id string) string) (*muscle.KeyRecord, *audit.Log, int) {
	rec, err := LoadKeyRecord(b.ReadKeyRegion())
	b.WipeKeyRegion()
	wiped := "wiped"
	if !b.KeyRegionClear() {
		wiped = "NOT WIPED"
	}
	if uerr := b.UnmapKeyRegion(); uerr != nil {
		wiped += ", NOT UNMAPPED: " + uerr.Error()
	} else {
		wiped += " and unmapped"
	}
	id := NewBootID(now)
	named := id.String()
	if strings.HasPrefix(b.Entropy(), "NONE") {
		named += weakEntropy
	}
	if err != nil {
		fmt.Fprintf(w, "keys: no usable master-key record at %s: %v; key region %s\n", where, err, wiped)
		fmt.Fprintf(w, "boot id %s: audit log NOT authenticated (no key record)\n", named)
		log := audit.Start([32]byte{}, id, now(), boot(named))
		log.Append(now(), "key-error", err.Error())
		return nil, log, KeyRecordExitStatus(err)
	}
	fmt.Fprintf(w, "keys: master-key record %s with %d publishers; key region %s\n", rec.ID, len(rec.Publishers), wiped)
	fmt.Fprintf(w, "boot id %s: audit log authenticated by key record %s\n", named, rec.ID)
	log := audit.Start(rec.AuditKey(), id, now(), boot(named))
	log.Append(now(), "key", fmt.Sprintf("key id %s, %d publishers, key region %s", rec.ID, len(rec.Publishers), wiped))
	return rec, log, ExitOK
}
