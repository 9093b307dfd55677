package main

import (
	"strings"
	"testing"

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/referee/audit"
)

func TestAuditCommand(t *testing.T) {
	s := newSession(t)
	s.keygen("keys")
	s.keygen("other")
	raw := s.read("keys/keyrecord.bin")
	rec, err := muscle.ParseKeyRecord(raw)
	if err != nil {
		t.Fatal(err)
	}
	log := audit.New(rec.AuditKey())
	log.Append(1, "boot", "referee test")
	log.Append(2, "key", "key id "+rec.ID.String())
	var b strings.Builder
	b.WriteString("banner line\n")
	for _, e := range log.Entries() {
		b.WriteString(audit.Format(e) + "\n")
	}
	b.WriteString(log.FormatHead() + "\n")
	s.write("console.txt", []byte(b.String()))
	s.write("tampered.txt", []byte(strings.Replace(b.String(), "referee test", "referee TEST", 1)))

	out, _ := s.run(0, "audit", s.path("console.txt"), "--keys", s.path("keys/keyrecord.bin"))
	if !strings.Contains(out, "OK, 2 entries") {
		t.Errorf("audit output %q", out)
	}
	_, errOut := s.run(4, "audit", "--keys", s.path("keys/keyrecord.bin"), s.path("tampered.txt"))
	if !strings.Contains(errOut, "line 2") || !strings.Contains(errOut, "entry 0 was altered") {
		t.Errorf("tampered log: %q", errOut)
	}
	_, errOut = s.run(4, "audit", "--keys", s.path("other/keyrecord.bin"), s.path("console.txt"))
	if !strings.Contains(errOut, "head does not authenticate") {
		t.Errorf("wrong key record: %q", errOut)
	}
	s.run(2, "audit", s.path("console.txt"))
	s.run(3, "audit", "--keys", s.path("keys/keyrecord.bin"), s.path("missing.txt"))
}
