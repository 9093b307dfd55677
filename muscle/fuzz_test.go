package muscle

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// fuzzFixture is the key record every FuzzOpen input is opened with.
func fuzzFixture(t testing.TB) (*fixture, []byte) {
	f := newFixture(t, "fuzz", map[string]Capabilities{"alice": CapAll})
	return f, f.seal(t, "alice", neuronInput())
}

// seeds returns the seed inputs of each fuzz target; -update writes them to
// testdata/fuzz so that `go test` always runs them and CI starts from them.
func seeds(t testing.TB) map[string][][]byte {
	f, blob := fuzzFixture(t)
	train := neuronInput()
	train.Capabilities = CapAll
	train.Manifest.TrainEntry = 4
	tblob := f.seal(t, "alice", train)
	rec, _ := f.record.MarshalBinary()
	two := newFixture(t, "fuzz", map[string]Capabilities{"alice": CapAll, "bob": CapForward})
	_ = two.record.SetMinVersion("neuron4", 3)
	rec2, _ := two.record.MarshalBinary()
	h, _ := Inspect(blob)
	m, _ := Open(blob, f.record, nil)
	man, _ := m.Manifest.AppendBinary(nil)
	prov, _ := m.Provenance.AppendBinary(nil)
	prov2, _ := withData().Provenance.AppendBinary(nil)
	return map[string][][]byte{
		"FuzzOpen":           {blob, tblob, blob[:h.Len()], blob[:len(blob)-1], {}},
		"FuzzParseHeader":    {blob[:h.Len()], tblob, []byte(Magic)},
		"FuzzParseKeyRecord": {rec, rec2, make([]byte, 128), rec[:80]},
		"FuzzParseManifest":  {man, prov, prov2},
	}
}

func TestWriteFuzzCorpus(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite testdata/fuzz")
	}
	for target, inputs := range seeds(t) {
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for i, in := range inputs {
			data := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(in)))
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%d", i)), []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func addSeeds(f *testing.F, target string) {
	for _, s := range seeds(f)[target] {
		f.Add(s)
	}
}

// FuzzOpen: Open never panics, every error wraps a sentinel, and what it
// accepts re-seals to the same bytes.
func FuzzOpen(f *testing.F) {
	addSeeds(f, "FuzzOpen")
	fx, _ := fuzzFixture(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Open(b, fx.record, nil)
		if err != nil {
			if !wrapsSentinel(err) {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			return
		}
		if !m.Header.Deterministic() {
			return
		}
		in := &Input{Name: m.Header.Name, Version: m.Header.Version, Capabilities: m.Header.Capabilities,
			BudgetMicros: m.Header.BudgetMicros, Manifest: *m.Manifest, Provenance: *m.Provenance, Code: m.Code, State: m.State}
		again := fx.seal(t, "alice", in)
		if !bytes.Equal(again, b) {
			t.Fatal("accepted blob does not re-seal to the same bytes")
		}
	})
}

// FuzzParseHeader: a header that parses re-encodes to the same bytes.
func FuzzParseHeader(f *testing.F) {
	addSeeds(f, "FuzzParseHeader")
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := ParseHeader(b)
		if err != nil {
			if !wrapsSentinel(err) {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			return
		}
		enc, err := h.AppendBinary(nil)
		if err != nil || !bytes.Equal(enc, b[:h.Len()]) {
			t.Fatalf("re-encoding differs (%v)", err)
		}
	})
}

// FuzzParseKeyRecord: a record that parses re-encodes to the same bytes.
func FuzzParseKeyRecord(f *testing.F) {
	addSeeds(f, "FuzzParseKeyRecord")
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseKeyRecord(b)
		if err != nil {
			if !errors.Is(err, ErrNoKeyRecord) && !errors.Is(err, ErrMalformedKeyRecord) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		enc, err := r.MarshalBinary()
		if err != nil || !bytes.Equal(enc, b[:len(enc)]) {
			t.Fatalf("re-encoding differs (%v)", err)
		}
	})
}

// FuzzParseManifest: the manifest and provenance parsers never panic and
// round-trip what they accept.
func FuzzParseManifest(f *testing.F) {
	addSeeds(f, "FuzzParseManifest")
	f.Fuzz(func(t *testing.T, b []byte) {
		if m, err := ParseManifest(b); err == nil {
			enc, err := m.AppendBinary(nil)
			if err != nil || !bytes.Equal(enc, b) {
				t.Fatalf("manifest re-encoding differs (%v)", err)
			}
			_ = m.Check(&Header{ABI: ABIVersion, CodeLen: m.CodeSize, StateLen: m.StateSize, Capabilities: CapAll})
		} else if !errors.Is(err, ErrBadManifest) {
			t.Fatalf("manifest: %v", err)
		}
		if p, err := ParseProvenance(b); err == nil {
			enc, err := p.AppendBinary(nil)
			if err != nil || !bytes.Equal(enc, b) {
				t.Fatalf("provenance re-encoding differs (%v)", err)
			}
		} else if !errors.Is(err, ErrBadManifest) {
			t.Fatalf("provenance: %v", err)
		}
	})
}

func wrapsSentinel(err error) bool {
	for _, s := range allSentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}
