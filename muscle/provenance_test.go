package muscle

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"lukechampine.com/blake3"
)

// withData is the neuron with two data files in its provenance.
func withData() *Input {
	in := neuronInput()
	in.Provenance.Data = []DataFile{
		{Name: "weights.npz", Hash: blake3.Sum256([]byte("weights"))},
		{Name: "../shared/w.npy", Hash: blake3.Sum256([]byte("w"))},
	}
	return in
}

// TestProvenanceVersions: no data files encode as version 1 (the layout
// of every blob sealed before data files, byte for byte), data files as
// version 2; both parse back to what was encoded.
func TestProvenanceVersions(t *testing.T) {
	v1 := neuronInput().Provenance
	b1, err := v1.AppendBinary(nil)
	if err != nil {
		t.Fatal(err)
	}
	want1 := binary.LittleEndian.AppendUint16(nil, 1)
	want1 = append(want1, byte(len(v1.Compiler)), byte(len(v1.Source)))
	want1 = append(want1, v1.CodeHash[:]...)
	want1 = append(want1, v1.SourceHash[:]...)
	want1 = append(append(want1, v1.Compiler...), v1.Source...)
	if !bytes.Equal(b1, want1) || len(b1) != v1.encodedLen() {
		t.Fatalf("version 1 encoding\n%x\nwant\n%x", b1, want1)
	}
	p1, err := ParseProvenance(b1)
	if err != nil || p1.Data != nil || p1.Source != v1.Source || p1.Compiler != v1.Compiler || p1.SourceHash != v1.SourceHash {
		t.Fatalf("version 1: %+v, %v", p1, err)
	}

	v2 := withData().Provenance
	b2, err := v2.AppendBinary(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(b2) != v2.encodedLen() || len(b2) != len(b1)+1+2*(1+32)+len("weights.npz")+len("../shared/w.npy") {
		t.Fatalf("version 2 is %d bytes (encodedLen %d)", len(b2), v2.encodedLen())
	}
	if binary.LittleEndian.Uint16(b2) != 2 || !bytes.Equal(b2[2:len(b1)], b1[2:]) {
		t.Fatal("version 2 does not start with the version 1 fields")
	}
	tail := b2[len(b1):]
	if tail[0] != 2 || tail[1] != 11 || string(tail[2:13]) != "weights.npz" || !bytes.Equal(tail[13:45], v2.Data[0].Hash[:]) {
		t.Fatalf("version 2 data files: %x", tail)
	}
	p2, err := ParseProvenance(b2)
	if err != nil {
		t.Fatal(err)
	}
	if len(p2.Data) != 2 || p2.Data[0] != v2.Data[0] || p2.Data[1] != v2.Data[1] {
		t.Fatalf("data files %+v, want %+v", p2.Data, v2.Data)
	}
	if re, _ := p2.AppendBinary(nil); !bytes.Equal(re, b2) {
		t.Fatal("version 2 re-encoding differs")
	}

	// The largest provenance is the header's bound.
	big := Provenance{Compiler: strings.Repeat("c", 255), Source: strings.Repeat("s", 255)}
	for range MaxDataFiles {
		big.Data = append(big.Data, DataFile{Name: strings.Repeat("d", 255)})
	}
	bb, err := big.AppendBinary(nil)
	if err != nil || len(bb) != provenanceMax || provenanceMax != 9795 {
		t.Fatalf("largest provenance: %d bytes, %v; provenanceMax %d", len(bb), err, provenanceMax)
	}
	if _, err := ParseProvenance(bb); err != nil {
		t.Fatal(err)
	}
}

func TestProvenanceRefusals(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []DataFile
	}{
		{"not printable", []DataFile{{Name: "w\n.npz"}}},
		{"not ASCII", []DataFile{{Name: "wéights.npz"}}},
		{"too long", []DataFile{{Name: strings.Repeat("a", 256)}}},
		{"empty", []DataFile{{Name: ""}}},
		{"too many", make([]DataFile, MaxDataFiles+1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "too many" {
				for i := range tc.data {
					tc.data[i].Name = "w.npy"
				}
			}
			p := neuronInput().Provenance
			p.Data = tc.data
			if _, err := p.AppendBinary(nil); !errors.Is(err, ErrInvalidInput) {
				t.Errorf("AppendBinary: %v, want ErrInvalidInput", err)
			}
			in := neuronInput()
			in.Provenance.Data = tc.data
			f := newFixture(t, "m", map[string]Capabilities{"alice": CapAll})
			if _, err := Seal(f.sealing["alice"], f.pubs["alice"], in); !errors.Is(err, ErrInvalidInput) {
				t.Errorf("Seal: %v, want ErrInvalidInput", err)
			}
		})
	}

	good := withData().Provenance
	b, _ := good.AppendBinary(nil)
	n1 := provenanceFixed + len(good.Compiler) + len(good.Source) // the count byte
	for _, tc := range []struct {
		name   string
		change func([]byte) []byte
		want   string
	}{
		{"version 3", func(b []byte) []byte { b[0] = 3; return b }, "version 3, want 1 or 2"},
		{"version 1 with data", func(b []byte) []byte { b[0] = 1; return b }, "its string lengths say"},
		{"version 2 without data", func(b []byte) []byte { b[0] = 2; return b[:n1] }, "its string lengths say"},
		{"zero data files", func(b []byte) []byte { b[n1] = 0; return b }, "lists 0 data files"},
		{"33 data files", func(b []byte) []byte { b[n1] = 33; return b }, "lists 33 data files"},
		{"count too high", func(b []byte) []byte { b[n1] = 3; return b }, "data file 2 is truncated"},
		{"count too low", func(b []byte) []byte { b[n1] = 1; return b }, "trailing bytes"},
		{"empty name", func(b []byte) []byte { b[n1+1] = 0; return b }, "name length 0"},
		{"name past the end", func(b []byte) []byte { b[n1+1] = 200; return b }, "name length 200"},
		{"name not printable", func(b []byte) []byte { b[n1+2] = 0x7f; return b }, "not printable"},
		{"truncated hash", func(b []byte) []byte { return b[:len(b)-1] }, "data file 1"},
		{"trailing byte", func(b []byte) []byte { return append(b, 0) }, "trailing bytes"},
	} {
		_, err := ParseProvenance(tc.change(bytes.Clone(b)))
		if !errors.Is(err, ErrBadManifest) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want ErrBadManifest with %q", tc.name, err, tc.want)
		}
	}
}

// TestSealDataFiles: a muscle with data files seals, its header's
// provenance length counts them, and Open returns them; one without is
// sealed as before (the committed test vectors check its bytes).
func TestSealDataFiles(t *testing.T) {
	f := newFixture(t, "m", map[string]Capabilities{"alice": CapAll})
	in := withData()
	blob := f.seal(t, "alice", in)
	h, err := Inspect(blob)
	if err != nil {
		t.Fatal(err)
	}
	if h.ProvenanceLen != 68+13+10+1+(1+11+32)+(1+15+32) {
		t.Fatalf("provenance length %d", h.ProvenanceLen)
	}
	m, err := Open(blob, f.record, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Provenance.Data) != 2 || m.Provenance.Data[1] != in.Provenance.Data[1] || m.Provenance.Source != "neuron4.py" {
		t.Fatalf("provenance %+v", m.Provenance)
	}
	old := f.seal(t, "alice", neuronInput())
	if ho, _ := Inspect(old); int(ho.ProvenanceLen) != 68+len("musclec 0.1.0")+len("neuron4.py") {
		t.Fatalf("no data files: provenance length %d", ho.ProvenanceLen)
	}

	// The header bounds: 68 to 9795.
	hdr := blob[:h.Len()]
	for _, tc := range []struct {
		n  uint32
		ok bool
	}{{67, false}, {68, true}, {9795, true}, {9796, false}} {
		c := bytes.Clone(hdr)
		delta := int64(tc.n) - int64(h.ProvenanceLen)
		binary.LittleEndian.PutUint32(c[offProvLen:], tc.n)
		binary.LittleEndian.PutUint32(c[offBlobLen:], uint32(int64(h.BlobLen)+delta))
		_, err := ParseHeader(c)
		if (err == nil) != tc.ok {
			t.Errorf("provenance length %d: %v", tc.n, err)
		}
		if err != nil && !strings.Contains(err.Error(), "want 68..9795") {
			t.Errorf("provenance length %d: %v", tc.n, err)
		}
	}
}
