//go:build !tamago

package bundle

import (
	"bytes"
	"fmt"

	"github.com/u-root/u-root/pkg/cpio"
)

// Write makes a bundle of entries (their Name and Data; Offset is
// ignored), in order, with u-root's newc writer, which builds for the host
// only. It checks nothing about the names or the size: tools/muscle
// refuses what the referee would, and tests may write what it refuses.
func Write(entries []Entry) ([]byte, error) {
	var buf bytes.Buffer
	w := cpio.Newc.Writer(&buf)
	for i, e := range entries {
		rec := cpio.StaticRecord(e.Data, cpio.Info{Name: e.Name, Mode: cpio.S_IFREG | 0o444, Ino: uint64(i + 1), NLink: 1})
		if err := w.WriteRecord(rec); err != nil {
			return nil, fmt.Errorf("bundle: writing %s: %w", e.Name, err)
		}
	}
	if err := cpio.WriteTrailer(w); err != nil {
		return nil, fmt.Errorf("bundle: writing the trailer: %w", err)
	}
	return buf.Bytes(), nil
}

// Entries lists files in order as entries, for Write.
func Entries(files map[string][]byte, order []string) []Entry {
	entries := make([]Entry, len(order))
	for i, name := range order {
		entries[i] = Entry{Name: name, Data: files[name]}
	}
	return entries
}
