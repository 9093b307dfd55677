// Package bundle reads the muscle bundle: a cpio archive in the "newc"
// (070701) format whose regular files are sealed .muscle blobs, loaded by the
// board at the bundle region (0x9100_0000 on QEMU virt, at most 128 MiB).
//
// One entry may be the bundle's signed index (muscle.IndexName), which
// package muscle reads (FORMAT.md, "The bundle index"); to this package it
// is a file like any other.
//
// The reader does no I/O and allocates only the entry list: entries alias the
// region. It builds for GOOS=tamago. The host writes bundles with Write
// (u-root's newc writer, host builds only); the tests check the two agree.
package bundle

import (
	"errors"
	"fmt"
)

// Max is the largest bundle the format allows (128 MiB, as muscle.MaxBlob);
// a board's bundle region holds at least this much.
const Max = 128 << 20

// Format constants of newc.
const (
	Magic      = "070701"
	HeaderSize = 6 + 13*8
	Trailer    = "TRAILER!!!"
	// MaxName is the longest entry name accepted (NUL excluded).
	MaxName = 255

	modeTypeMask = 0o170000
	modeRegular  = 0o100000
)

// Errors; each error wraps one of these.
var (
	ErrNoBundle  = errors.New("no bundle")
	ErrTruncated = errors.New("bundle truncated")
	ErrMalformed = errors.New("malformed bundle")
)

// Entry is one file of the bundle. Data aliases the parsed region.
type Entry struct {
	Name string
	Data []byte
	// Offset is where Data starts in the region.
	Offset int
}

// field indexes of the newc header (after the magic).
const (
	fMode     = 1
	fFileSize = 6
	fNameSize = 11
)

// Parse reads every entry up to the trailer. b is usually the whole region:
// bytes after the trailer are ignored. An empty (all 0x00 or all 0xff)
// region gives ErrNoBundle; a bundle with only a trailer gives no entries.
func Parse(b []byte) ([]Entry, error) {
	if uniform(b) {
		return nil, fmt.Errorf("%w: region of %d bytes is empty", ErrNoBundle, len(b))
	}
	if len(b) > Max {
		b = b[:Max]
	}
	var entries []Entry
	seen := map[string]bool{}
	off := 0
	for {
		e, next, err := record(b, off)
		if err != nil {
			return nil, err
		}
		if e.Name == Trailer {
			return entries, nil
		}
		if seen[e.Name] {
			return nil, fmt.Errorf("%w: entry %q at offset %d appears twice", ErrMalformed, e.Name, off)
		}
		seen[e.Name] = true
		entries = append(entries, e)
		off = next
	}
}

// record parses the record at off and returns it and the next record's
// offset.
func record(b []byte, off int) (Entry, int, error) {
	var e Entry
	if len(b)-off < HeaderSize {
		if len(b)-off < len(Magic) && string(b[off:]) != Magic[:len(b)-off] {
			return e, 0, fmt.Errorf("%w: bad magic at offset %d", ErrMalformed, off)
		}
		return e, 0, fmt.Errorf("%w: record header at offset %d needs %d bytes, %d left", ErrTruncated, off, HeaderSize, len(b)-off)
	}
	if string(b[off:off+6]) != Magic {
		return e, 0, fmt.Errorf("%w: bad magic at offset %d (only newc %s is read)", ErrMalformed, off, Magic)
	}
	var f [13]uint32
	for i := range f {
		v, ok := hex32(b[off+6+8*i : off+14+8*i])
		if !ok {
			return e, 0, fmt.Errorf("%w: header field %d at offset %d is not 8 hex digits", ErrMalformed, i, off+6+8*i)
		}
		f[i] = v
	}
	nameSize, size := int(f[fNameSize]), int(f[fFileSize])
	if nameSize < 2 || nameSize > MaxName+1 {
		return e, 0, fmt.Errorf("%w: name size %d at offset %d, want 2..%d", ErrMalformed, nameSize, off, MaxName+1)
	}
	nameOff := off + HeaderSize
	dataOff := align4(nameOff + nameSize)
	if dataOff > len(b) {
		return e, 0, fmt.Errorf("%w: name of record at offset %d runs past the end", ErrTruncated, off)
	}
	name := b[nameOff : nameOff+nameSize-1]
	if b[nameOff+nameSize-1] != 0 || !zero(b[nameOff+nameSize:dataOff]) {
		return e, 0, fmt.Errorf("%w: name of record at offset %d is not NUL-terminated and zero-padded", ErrMalformed, off)
	}
	e.Name = string(name)
	if !validName(e.Name) {
		return e, 0, fmt.Errorf("%w: entry name at offset %d is not a plain file name", ErrMalformed, nameOff)
	}
	if e.Name == Trailer {
		if size != 0 {
			return e, 0, fmt.Errorf("%w: trailer at offset %d has %d bytes of data", ErrMalformed, off, size)
		}
		return e, dataOff, nil
	}
	if f[fMode]&modeTypeMask != modeRegular {
		return e, 0, fmt.Errorf("%w: entry %q at offset %d is not a regular file (mode %#o)", ErrMalformed, e.Name, off, f[fMode])
	}
	end := dataOff + size
	next := align4(end)
	if size > len(b) || next > len(b) {
		return e, 0, fmt.Errorf("%w: entry %q at offset %d declares %d bytes, %d left", ErrTruncated, e.Name, off, size, len(b)-dataOff)
	}
	if !zero(b[end:next]) {
		return e, 0, fmt.Errorf("%w: padding after entry %q at offset %d is not zero", ErrMalformed, e.Name, end)
	}
	e.Data = b[dataOff:end:end]
	e.Offset = dataOff
	return e, next, nil
}

// hex32 parses 8 hex digits (either case).
func hex32(s []byte) (uint32, bool) {
	var v uint32
	for _, c := range s {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		v = v<<4 | uint32(d)
	}
	return v, true
}

func align4(n int) int { return (n + 3) &^ 3 }

func zero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// uniform reports whether b is empty or all 0x00 or all 0xff.
func uniform(b []byte) bool {
	for _, c := range b {
		if c != b[0] || (c != 0 && c != 0xFF) {
			return false
		}
	}
	return true
}

// validName: a plain file name (no directories), printable, not "." or "..".
func validName(s string) bool {
	if s == "." || s == ".." {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= 0x20 || c >= 0x7f || c == '/' || c == '\\' {
			return false
		}
	}
	return true
}
