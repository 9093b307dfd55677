package muscle

import (
	"bytes"
	"testing"
)

func TestHeaderRoundTrip(t *testing.T) {
	f := newFixture(t, "m", map[string]Capabilities{"alice": CapAll})
	blob := f.seal(t, "alice", neuronInput())
	h, err := Inspect(blob)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{
		"format":    h.Format == FormatVersion,
		"flags":     h.Deterministic(),
		"arch":      h.Arch == ArchAArch64,
		"abi":       h.ABI == ABIVersion,
		"publisher": h.Publisher == f.pubs["alice"].Publisher,
		"caps":      h.Capabilities == CapForward,
		"budget":    h.BudgetMicros == 1000,
		"version":   h.Version == 3,
		"name":      h.Name == "neuron4",
		"lengths":   h.ManifestLen == ManifestSize && h.CodeLen == 36 && h.StateLen == 20 && int(h.BlobLen) == len(blob),
	}
	for k, ok := range want {
		if !ok {
			t.Errorf("%s wrong: %+v", k, h)
		}
	}
	enc, err := h.AppendBinary(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(enc, blob[:h.Len()]) {
		t.Fatal("header re-encoding differs")
	}
	// Offsets in FORMAT.md.
	if !bytes.Equal(blob[:8], []byte("\x7fMUSCLE\n")) || blob[offName] != 'n' || h.Len() != 95 {
		t.Fatal("layout differs from FORMAT.md")
	}
}

func TestManifestEncoding(t *testing.T) {
	m := &Manifest{ABI: 1, ForwardEntry: 8, TrainEntry: NoEntry, CodeSize: 64, StateSize: 20, ScratchSize: 32,
		Input: Shape{2, 2}, Output: nil, State: Shape{5}, Target: Shape{1, 2, 3, 4}}
	b, err := m.AppendBinary(nil)
	if err != nil || len(b) != ManifestSize {
		t.Fatalf("%v, %d bytes", err, len(b))
	}
	m2, err := ParseManifest(b)
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := m2.AppendBinary(nil)
	if !bytes.Equal(b, b2) || m2.Output != nil || m2.Target.String() != "[1 2 3 4]" || m2.Output.Elements() != 1 {
		t.Fatalf("round trip: %+v", m2)
	}
	for i, bad := range []func([]byte){
		func(b []byte) { b[0] = 2 },                    // version
		func(b []byte) { b[24] = 5 },                   // rank
		func(b []byte) { b[25] = 1 },                   // reserved
		func(b []byte) { b[24+shapeSize+4] = 1 },       // unused dim of a scalar
		func(b []byte) { b[24+3*shapeSize+4*4+3] = 0 }, // fine: dim 3 of target (control)
	} {
		c := bytes.Clone(b)
		bad(c)
		_, err := ParseManifest(c)
		if (err == nil) != (i == 4) {
			t.Errorf("case %d: %v", i, err)
		}
	}
	if (Shape{1 << 16, 1 << 16}).Bytes() != -1 {
		t.Error("huge shape not refused")
	}
}
