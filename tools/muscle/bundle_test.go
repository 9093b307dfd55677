package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/muscle/bundle"
)

// TestSignedBundle: bundle --signer writes the index of the signer's
// muscles; verify checks it and opens them through it; inspect lists it;
// a tampered index is reported and the muscles still verify on their own
// signatures.
func TestSignedBundle(t *testing.T) {
	s := newSession(t)
	pub := s.keygen("keys")
	record := s.path("keys/keyrecord.bin")
	out, _ := s.run(0, "keygen", "add-publisher", "--record", record, "-o", s.path("other"), "--json")
	var res struct {
		Publisher map[string]any `json:"publisher"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("add-publisher output: %v\n%s", err, out)
	}
	other := res.Publisher
	s.seal(pub, "a.muscle")
	s.seal(pub, "r.muscle", "--random")
	s.seal(other, "o.muscle")
	signer := pub["signing_key_file"].(string)

	out, _ = s.run(0, "bundle", "--signer", signer, "-o", s.path("signed.cpio"), s.path("a.muscle"), s.path("r.muscle"), s.path("o.muscle"))
	if !strings.Contains(out, "bundle of 3 muscles") || !strings.Contains(out, "lists 2 of the 3 muscles") {
		t.Fatalf("bundle --signer:\n%s", out)
	}
	es, err := bundle.Parse(s.read("signed.cpio"))
	if err != nil || len(es) != 4 || es[0].Name != muscle.IndexName {
		t.Fatalf("signed bundle: %d entries, %v", len(es), err)
	}
	out, _ = s.run(0, "verify", "--keys", record, s.path("signed.cpio"))
	if !strings.Contains(out, "bundle.index: OK bundle index by publisher") || strings.Count(out, "vouched for by the bundle index") != 2 {
		t.Fatalf("verify signed bundle:\n%s", out)
	}
	out, _ = s.run(0, "inspect", s.path("signed.cpio"))
	if !strings.Contains(out, "bundle of 3 muscles") || !strings.Contains(out, "bundle index by publisher") {
		t.Fatalf("inspect signed bundle:\n%s", out)
	}

	// A flipped bit of the index's signature.
	b := s.read("signed.cpio")
	b[es[0].Offset+len(es[0].Data)-1] ^= 1
	s.write("tampered.cpio", b)
	out, _ = s.run(4, "verify", "--keys", record, s.path("tampered.cpio"))
	if !strings.Contains(out, "bundle.index: REJECTED: ") || !strings.Contains(out, "tampered") || strings.Count(out, ": OK muscle") != 3 || strings.Contains(out, "vouched") {
		t.Fatalf("verify tampered index:\n%s", out)
	}

	// Refused: a file with the reserved name, a signer of none of the muscles.
	s.write(muscle.IndexName, s.read("a.muscle"))
	s.run(2, "bundle", "-o", s.path("x.cpio"), s.path(muscle.IndexName))
	s.run(2, "bundle", "--signer", other["signing_key_file"].(string), "-o", s.path("x.cpio"), s.path("a.muscle"))
	s.run(4, "bundle", "--signer", s.path("a.muscle"), "-o", s.path("x.cpio"), s.path("a.muscle"))
}
