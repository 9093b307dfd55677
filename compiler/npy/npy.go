// Package npy reads NumPy's .npy arrays and .npz archives of them, the
// weight files a Family Python model may np.load at compile time.
//
// It is a package of its own, rather than part of compiler/frontend,
// because it is a file-format decoder with no knowledge of Python or of the
// tracer: it takes bytes and returns float64 arrays or an error saying what
// is wrong with the bytes, which its tests (and a fuzz target) check on
// their own. The front end does the rest: resolving the path against the
// model's directory, hashing the file for the provenance, and reporting
// errors at the np.load call with the file's name and the key. It uses only
// the standard library.
//
// Accepted: .npy format versions 1.0, 2.0 and 3.0 with a header
// dictionary of exactly 'descr', 'fortran_order' and 'shape' (at most
// MaxHeader bytes, NumPy's own default limit), descr '<f4' or '<f8',
// fortran_order False, and exactly the data bytes the shape needs; .npz
// archives are zip files (stored or deflated members) whose members are
// such .npy files, named KEY.npy. Any file and any decompressed member is
// at most MaxSize bytes. Everything else (other dtypes, big-endian data,
// object arrays, structured dtypes, Fortran order, bad or truncated
// headers, pickles) is an error naming what was found.
package npy

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
)

// MaxSize is the largest file, and the largest decompressed .npz member,
// read: 256 MiB.
const MaxSize = 256 << 20

// MaxHeader is the largest .npy header accepted, NumPy's default
// max_header_size.
const MaxHeader = 10000

// Magic starts every .npy file.
const Magic = "\x93NUMPY"

// The zip signatures NumPy's np.load recognises an .npz by: a local file
// header, or the end of an empty archive.
const (
	zipLocal = "PK\x03\x04"
	zipEmpty = "PK\x05\x06"
)

// Kind says what np.load would make of a file's bytes.
type Kind int

const (
	KindUnknown Kind = iota // neither: NumPy would try to unpickle it
	KindNPY                 // a .npy array
	KindNPZ                 // an .npz (zip) archive
)

// Detect tells a .npy file from an .npz archive by their first bytes, as
// np.load does (not by the file name).
func Detect(b []byte) Kind {
	switch {
	case bytes.HasPrefix(b, []byte(zipLocal)), bytes.HasPrefix(b, []byte(zipEmpty)):
		return KindNPZ
	case bytes.HasPrefix(b, []byte(Magic)):
		return KindNPY
	}
	return KindUnknown
}

// Array is a decoded array: its shape (outermost first; empty for a 0-d
// array) and its values, row-major, converted to float64 (exactly).
type Array struct {
	Descr string // '<f4' or '<f8', the file's dtype
	Shape []int
	Data  []float64
}

// Parse decodes a .npy file.
func Parse(b []byte) (*Array, error) {
	if len(b) > MaxSize {
		return nil, fmt.Errorf("%d bytes is over the %d MiB limit", len(b), MaxSize>>20)
	}
	if !bytes.HasPrefix(b, []byte(Magic)) {
		if len(b) > 0 && len(b) < len(Magic) && bytes.HasPrefix([]byte(Magic), b) {
			return nil, fmt.Errorf("truncated header: %d bytes", len(b))
		}
		return nil, errors.New("not a .npy file (it does not start with \\x93NUMPY)")
	}
	if len(b) < 10 {
		return nil, fmt.Errorf("truncated header: %d bytes", len(b))
	}
	major, minor := b[6], b[7]
	var hlen, start int
	switch {
	case major == 1 && minor == 0:
		hlen, start = int(binary.LittleEndian.Uint16(b[8:])), 10
	case (major == 2 || major == 3) && minor == 0:
		if len(b) < 12 {
			return nil, fmt.Errorf("truncated header: %d bytes", len(b))
		}
		h := binary.LittleEndian.Uint32(b[8:])
		if h > MaxHeader {
			return nil, fmt.Errorf("bad header: %d bytes is over NumPy's limit of %d", h, MaxHeader)
		}
		hlen, start = int(h), 12
	default:
		return nil, fmt.Errorf("format version %d.%d is not supported (want 1.0, 2.0 or 3.0)", major, minor)
	}
	if hlen > MaxHeader {
		return nil, fmt.Errorf("bad header: %d bytes is over NumPy's limit of %d", hlen, MaxHeader)
	}
	if len(b) < start+hlen {
		return nil, fmt.Errorf("truncated header: it declares %d bytes, the file has %d after the preamble", hlen, len(b)-start)
	}
	h, err := parseHeader(string(b[start : start+hlen]))
	if err != nil {
		return nil, fmt.Errorf("bad header: %v", err)
	}
	size, err := itemSize(h.descr)
	if err != nil {
		return nil, err
	}
	if h.fortran {
		return nil, errors.New("the array is in Fortran order (fortran_order True); save np.ascontiguousarray(a) instead")
	}
	n := 1
	for _, d := range h.shape {
		if d > 0 && n > MaxSize/d {
			return nil, fmt.Errorf("shape %s is larger than %d MiB", shapeString(h.shape), MaxSize>>20)
		}
		n *= d
	}
	data := b[start+hlen:]
	if len(data) != n*size {
		what := "truncated"
		if len(data) > n*size {
			what = "trailing bytes"
		}
		return nil, fmt.Errorf("%s: shape %s of '%s' takes %d data bytes, the file has %d", what, shapeString(h.shape), h.descr, n*size, len(data))
	}
	a := &Array{Descr: h.descr, Shape: h.shape, Data: make([]float64, n)}
	for i := range a.Data {
		if size == 4 {
			a.Data[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:])))
		} else {
			a.Data[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
		}
	}
	return a, nil
}

// itemSize checks the dtype: only little-endian float32 and float64.
func itemSize(descr string) (int, error) {
	switch descr {
	case "<f4":
		return 4, nil
	case "<f8":
		return 8, nil
	}
	if strings.HasPrefix(strings.TrimLeft(descr, "<>|="), "O") {
		return 0, fmt.Errorf("dtype '%s' is an object array (pickled Python objects), not supported", descr)
	}
	if descr == ">f4" || descr == ">f8" {
		return 0, fmt.Errorf("dtype '%s' is big-endian; only little-endian '<f4' (float32) and '<f8' (float64) are supported", descr)
	}
	return 0, fmt.Errorf("dtype '%s' is not supported: want a float array, '<f4' (float32) or '<f8' (float64)", descr)
}

func shapeString(s []int) string {
	switch len(s) {
	case 0:
		return "()"
	case 1:
		return fmt.Sprintf("(%d,)", s[0])
	}
	p := make([]string, len(s))
	for i, d := range s {
		p[i] = fmt.Sprint(d)
	}
	return "(" + strings.Join(p, ", ") + ")"
}

// Archive is an opened .npz archive.
type Archive struct {
	members map[string]*zip.File
}

// OpenArchive reads an .npz archive's directory; members are decoded by
// Array.
func OpenArchive(b []byte) (*Archive, error) {
	if len(b) > MaxSize {
		return nil, fmt.Errorf("%d bytes is over the %d MiB limit", len(b), MaxSize>>20)
	}
	r, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("not a valid .npz (zip) archive: %v", err)
	}
	a := &Archive{members: map[string]*zip.File{}}
	for _, f := range r.File {
		if _, dup := a.members[f.Name]; dup {
			return nil, fmt.Errorf("the archive holds two members named %q", f.Name)
		}
		a.members[f.Name] = f
	}
	return a, nil
}

// Keys returns the keys np.load's NpzFile lists (member names without
// .npy), sorted.
func (a *Archive) Keys() []string {
	var keys []string
	for name := range a.members {
		keys = append(keys, strings.TrimSuffix(name, ".npy"))
	}
	sort.Strings(keys)
	return slices.Compact(keys)
}

// Has reports whether key names a member (KEY.npy, or KEY itself as
// NumPy also accepts).
func (a *Archive) Has(key string) bool {
	return a.member(key) != nil
}

func (a *Archive) member(key string) *zip.File {
	if f, ok := a.members[key]; ok {
		return f
	}
	return a.members[key+".npy"]
}

// Array decodes the member key.
func (a *Archive) Array(key string) (*Array, error) {
	f := a.member(key)
	if f == nil {
		return nil, fmt.Errorf("no member %q", key)
	}
	if f.Flags&0x1 != 0 {
		return nil, errors.New("the member is encrypted")
	}
	if f.Method != zip.Store && f.Method != zip.Deflate {
		return nil, fmt.Errorf("the member is compressed with method %d; only stored and deflated members are supported", f.Method)
	}
	if f.UncompressedSize64 > MaxSize {
		return nil, fmt.Errorf("the member is %d bytes, over the %d MiB limit", f.UncompressedSize64, MaxSize>>20)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("reading the member: %v", err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading the member: %v", err)
	}
	if len(b) > MaxSize {
		return nil, fmt.Errorf("the member is over the %d MiB limit", MaxSize>>20)
	}
	return Parse(b)
}
