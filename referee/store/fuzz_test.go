package store

import (
	"bytes"
	"testing"

	"github.com/muscles/referee/referee/store/memdisk"
)

// FuzzScan: whatever the medium holds, the scan does not fail on it
// other than by refusing it, and what it loads is one of the payloads
// this device committed: bytes that do not authenticate are never state.
func FuzzScan(f *testing.F) {
	g := Geometry{Slots: 2, SlotBytes: 2048}
	k := keys(1)
	committed := [][]byte{[]byte("first payload"), bytes.Repeat([]byte("second "), 100)}
	d := memdisk.New(2*g.SlotBytes/blockSize, blockSize)
	s, _, err := Open(d, g, k, nil)
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range committed {
		if _, err := s.Commit(p); err != nil {
			f.Fatal(err)
		}
	}
	f.Add(append([]byte(nil), d.Bytes()...))
	f.Add(make([]byte, 2*g.SlotBytes))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) != 2*g.SlotBytes {
			return
		}
		disk, _ := memdisk.FromBytes(b, blockSize)
		_, best, p, err := Scan(disk, g, k)
		if err != nil || best < 0 {
			return
		}
		if !bytes.Equal(p, committed[0]) && !bytes.Equal(p, committed[1]) {
			t.Fatalf("slot %d loaded a payload this device never committed", best)
		}
	})
}
