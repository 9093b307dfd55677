//go:build !tamago

// The tests use u-root's newc writer, which does not build for tamago.

package bundle

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/u-root/u-root/pkg/cpio"
)

var update = flag.Bool("update", false, "rewrite the fuzz seed corpus")

// write makes a newc archive with Write, as tools/muscle does.
func write(t testing.TB, files map[string][]byte, order []string) []byte {
	t.Helper()
	b, err := Write(Entries(files, order))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sample(t testing.TB) ([]byte, map[string][]byte, []string) {
	files := map[string][]byte{
		"a.muscle":      []byte("first"),
		"b.muscle":      bytes.Repeat([]byte{0xAB}, 1027),
		"empty.muscle":  nil,
		"neuron.muscle": []byte("1234"),
	}
	order := []string{"b.muscle", "a.muscle", "empty.muscle", "neuron.muscle"}
	return write(t, files, order), files, order
}

// TestAgainstURoot: what u-root writes, Parse reads back, in order and in a
// zero-filled region; and u-root's reader agrees on every entry.
func TestAgainstURoot(t *testing.T) {
	arch, files, order := sample(t)
	region := make([]byte, len(arch)+4096)
	copy(region, arch)
	for _, b := range [][]byte{arch, region} {
		es, err := Parse(b)
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != len(order) {
			t.Fatalf("%d entries, want %d", len(es), len(order))
		}
		for i, e := range es {
			if e.Name != order[i] || !bytes.Equal(e.Data, files[e.Name]) || !bytes.Equal(b[e.Offset:e.Offset+len(e.Data)], e.Data) {
				t.Errorf("entry %d: %q (%d bytes)", i, e.Name, len(e.Data))
			}
		}
	}
	recs, err := cpio.ReadAllRecords(cpio.Newc.Reader(bytes.NewReader(arch)))
	if err != nil {
		t.Fatal(err)
	}
	es, _ := Parse(arch)
	for i, r := range recs {
		if r.Name == Trailer {
			continue
		}
		got := make([]byte, r.FileSize)
		if _, err := r.ReadAt(got, 0); err != nil && r.FileSize > 0 {
			t.Fatal(err)
		}
		if es[i].Name != r.Name || !bytes.Equal(es[i].Data, got) {
			t.Errorf("u-root record %d (%s) differs", i, r.Name)
		}
	}
}

func TestRejects(t *testing.T) {
	arch, _, _ := sample(t)
	dup := write(t, map[string][]byte{"x": []byte("1")}, []string{"x"})
	dup = append(dup[:len(dup)-124:len(dup)-124], dup...) // x, x, trailer
	dir := func() []byte {
		var buf bytes.Buffer
		w := cpio.Newc.Writer(&buf)
		_ = w.WriteRecord(cpio.Directory("d", 0o755))
		_ = cpio.WriteTrailer(w)
		return buf.Bytes()
	}()
	edit := func(off int, s string) []byte {
		b := bytes.Clone(arch)
		copy(b[off:], s)
		return b
	}
	cases := []struct {
		name string
		b    []byte
		want error
	}{
		{"zero region", make([]byte, 1024), ErrNoBundle},
		{"erased region", bytes.Repeat([]byte{0xFF}, 64), ErrNoBundle},
		{"no trailer", arch[:len(arch)-124], ErrTruncated},
		{"cut in data", arch[:200], ErrTruncated},
		{"cut in header", arch[:50], ErrTruncated},
		{"bad magic", edit(0, "070707"), ErrMalformed},
		{"crc format", edit(0, "070702"), ErrMalformed},
		{"bad hex", edit(6, "zz"), ErrMalformed},
		{"huge name size", edit(6+11*8, "00010000"), ErrMalformed},
		{"huge file size", edit(6+6*8, "7FFFFFFF"), ErrTruncated},
		{"path name", write(t, map[string][]byte{"a/b": nil}, []string{"a/b"}), ErrMalformed},
		{"directory", dir, ErrMalformed},
		{"duplicate", dup, ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Parse(tc.b); !errors.Is(err, tc.want) {
				t.Fatalf("Parse: %v, want %v", err, tc.want)
			}
		})
	}
	if es, err := Parse(write(t, nil, nil)); err != nil || len(es) != 0 {
		t.Fatalf("trailer only: %v %v", es, err)
	}
}

// TestTruncationSweep: every proper prefix of a bundle is refused.
func TestTruncationSweep(t *testing.T) {
	arch, _, _ := sample(t)
	for n := 1; n < len(arch); n++ {
		if _, err := Parse(arch[:n]); !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrNoBundle) {
			t.Fatalf("prefix %d: %v", n, err)
		}
	}
}

func TestWriteFuzzCorpus(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite testdata/fuzz")
	}
	arch, _, _ := sample(t)
	dir := filepath.Join("testdata", "fuzz", "FuzzParse")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, in := range [][]byte{arch, write(t, nil, nil), arch[:120]} {
		data := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(in)))
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%d", i)), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// FuzzParse: Parse never panics, its entries lie inside the input, and every
// error wraps a sentinel.
func FuzzParse(f *testing.F) {
	arch, _, _ := sample(f)
	f.Add(arch)
	f.Fuzz(func(t *testing.T, b []byte) {
		es, err := Parse(b)
		if err != nil {
			if !errors.Is(err, ErrNoBundle) && !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrMalformed) {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			return
		}
		for _, e := range es {
			if e.Offset < 0 || e.Offset+len(e.Data) > len(b) || !bytes.Equal(b[e.Offset:e.Offset+len(e.Data)], e.Data) {
				t.Fatalf("entry %q outside the input", e.Name)
			}
		}
	})
}
