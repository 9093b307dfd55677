package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/referee/audit"
)

// printed is a log as the console prints it.
func printed(l *audit.Log) string {
	var b strings.Builder
	for _, e := range l.Entries() {
		b.WriteString(audit.Format(e) + "\n")
	}
	return b.String() + l.FormatHead() + "\n"
}

// auditSession has a key record and a console transcript of one boot: a
// listing at boot, a muscle named audit in the list, and the final
// listing at power-off.
type auditSession struct {
	*session
	rec        *muscle.KeyRecord
	boot       audit.BootID
	transcript string
	prefix     string // the transcript cut before the power-off listing
}

func newAuditSession(t *testing.T) *auditSession {
	s := &auditSession{session: newSession(t), boot: audit.BootID{0x5e, 0x55, 1, 2, 3}}
	s.keygen("keys")
	s.keygen("other")
	rec, err := muscle.ParseKeyRecord(s.read("keys/keyrecord.bin"))
	if err != nil {
		t.Fatal(err)
	}
	s.rec = rec
	log := audit.Start(rec.AuditKey(), s.boot, 1, "referee test, boot id "+s.boot.String())
	log.Append(2, "key", "key id "+rec.ID.String())
	log.Append(3, "accept", `bundle: "audit" v1 by 710ca043`)
	var b strings.Builder
	b.WriteString("banner line\nboot id " + s.boot.String() + ": audit log authenticated\n")
	b.WriteString(printed(log))
	b.WriteString("referee> list\naudit v1 by 710ca043: forward; input [4], output [1]; code 36 bytes, state 20 bytes; budget 1000 µs\n")
	log.Append(4, "console", `unknown command "audit-head"`)
	b.WriteString("referee> audit-head 1 2 3\nerror: unknown command \"audit-head\"; try help\n")
	s.prefix = b.String()
	b.WriteString("referee> poweroff\n")
	log.Close(5, "poweroff", "exit status 0")
	b.WriteString(printed(log))
	b.WriteString("referee: powering off, exit status 0\n")
	s.transcript = b.String()
	s.write("console.txt", []byte(s.transcript))
	s.write("prefix.txt", []byte(s.prefix))
	return s
}

func (s *auditSession) audit(want int, args ...string) (string, string) {
	s.t.Helper()
	return s.run(want, append([]string{"audit", "--keys", s.path("keys/keyrecord.bin")}, args...)...)
}

func (s *auditSession) auditJSON(want int, args ...string) map[string]any {
	s.t.Helper()
	out, _ := s.audit(want, append(args, "--json")...)
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		s.t.Fatalf("--json printed %q: %v", out, err)
	}
	return v
}

func TestAuditCommand(t *testing.T) {
	s := newAuditSession(t)
	s.write("tampered.txt", []byte(strings.Replace(s.transcript, "referee test", "referee TEST", 1)))

	out, _ := s.audit(0, s.path("console.txt"))
	if !strings.Contains(out, "OK, complete: 5 entries ending in the final listing (poweroff \"exit status 0\")") ||
		!strings.Contains(out, "boot "+s.boot.String()) || !strings.Contains(out, "2 listings") || strings.Contains(out, "PREFIX") {
		t.Errorf("audit output %q", out)
	}
	_, errOut := s.audit(4, s.path("tampered.txt"))
	if !strings.Contains(errOut, "line 3") || !strings.Contains(errOut, "entry 0 was altered") {
		t.Errorf("tampered log: %q", errOut)
	}
	_, errOut = s.run(4, "audit", "--keys", s.path("other/keyrecord.bin"), s.path("console.txt"))
	if !strings.Contains(errOut, "head does not authenticate") {
		t.Errorf("wrong key record: %q", errOut)
	}
	s.run(2, "audit", s.path("console.txt"))
	s.run(2, "audit", "--keys", s.path("keys/keyrecord.bin"), "--boot", "xyz", s.path("console.txt"))
	s.run(3, "audit", "--keys", s.path("keys/keyrecord.bin"), s.path("missing.txt"))
}

// TestAuditPrefix (finding 7): a transcript cut before the power-off
// listing verifies, but as a prefix, in words and in JSON, and
// --require-complete rejects it.
func TestAuditPrefix(t *testing.T) {
	s := newAuditSession(t)
	out, _ := s.audit(0, s.path("prefix.txt"))
	if !strings.Contains(out, "OK, but only a PREFIX: 3 entries") || !strings.Contains(out, "boot "+s.boot.String()) || strings.Contains(out, "complete:") {
		t.Errorf("prefix reported as %q", out)
	}
	_, errOut := s.audit(4, "--require-complete", s.path("prefix.txt"))
	if !strings.Contains(errOut, "only a prefix") {
		t.Errorf("--require-complete on a prefix: %q", errOut)
	}
	s.audit(0, "--require-complete", s.path("console.txt"))

	j := s.auditJSON(0, s.path("prefix.txt"))
	if j["status"] != "prefix" || j["complete"] != false || j["ok"] != true || j["boot_id"] != s.boot.String() || j["count"] != 3.0 {
		t.Errorf("prefix --json %v", j)
	}
	j = s.auditJSON(0, s.path("console.txt"))
	if j["status"] != "complete" || j["complete"] != true || j["boot_id"] != s.boot.String() || j["count"] != 5.0 || j["listings"] != 2.0 {
		t.Errorf("complete --json %v", j)
	}
	j = s.auditJSON(4, "--require-complete", s.path("prefix.txt"))
	if j["status"] != "prefix" || j["ok"] != false || j["verified"] != true || !strings.Contains(fmt.Sprint(j["error"]), "only a prefix") {
		t.Errorf("--require-complete --json %v", j)
	}

	// The final head of the transcript cut off and the open boot head
	// relabelled final: does not authenticate.
	relabelled := strings.Replace(s.prefix, " open ", " final ", 1)
	s.write("relabelled.txt", []byte(relabelled))
	_, errOut = s.audit(4, s.path("relabelled.txt"))
	if !strings.Contains(errOut, "head does not authenticate") {
		t.Errorf("open head relabelled final: %q", errOut)
	}
	j = s.auditJSON(4, s.path("relabelled.txt"))
	if j["status"] != "invalid" || j["complete"] != false {
		t.Errorf("relabelled --json %v", j)
	}
}

// TestAuditBoot (issue 10): the boot id is reported and --boot holds the
// log to it, so another boot's clean log cannot stand in.
func TestAuditBoot(t *testing.T) {
	s := newAuditSession(t)
	s.audit(0, "--boot", s.boot.String(), s.path("console.txt"))
	s.audit(0, "--boot", strings.ToUpper(s.boot.String()), s.path("console.txt"))
	other := audit.BootID{0x07}
	_, errOut := s.audit(4, "--boot", other.String(), s.path("console.txt"))
	if !strings.Contains(errOut, "the log is of boot "+s.boot.String()+", not "+other.String()) {
		t.Errorf("--boot of another boot: %q", errOut)
	}

	// A second boot (same key, same times) in the same file.
	log := audit.Start(s.rec.AuditKey(), other, 1, "referee test")
	log.Close(2, "poweroff", "exit status 0")
	s.write("two.txt", []byte(s.transcript+printed(log)))
	_, errOut = s.audit(4, s.path("two.txt"))
	if !strings.Contains(errOut, "listings of different boots") {
		t.Errorf("two boots in one file: %q", errOut)
	}
}

// TestAuditGap (unbounded growth): a log that dropped entries to stay
// bounded verifies and reports the gap; entries removed next to the gap
// do not verify.
func TestAuditGap(t *testing.T) {
	s := newAuditSession(t)
	log := audit.Start(s.rec.AuditKey(), s.boot, 1, "referee test")
	for i := 0; i < 3000; i++ {
		log.Append(int64(i+2), "console", fmt.Sprintf("unknown command \"spam%d\"", i))
	}
	log.Close(1e6, "poweroff", "exit status 0")
	text := printed(log)
	s.write("spam.txt", []byte(text))
	out, _ := s.audit(0, s.path("spam.txt"))
	if !strings.Contains(out, "OK, complete") || !strings.Contains(out, fmt.Sprintf("entries %d-", audit.MaxFirst)) || !strings.Contains(out, "dropped by the referee") {
		t.Errorf("spammed log: %q", out)
	}
	j := s.auditJSON(0, s.path("spam.txt"))
	gap, _ := j["gap"].(map[string]any)
	if gap["from"] != float64(audit.MaxFirst) || j["entries"].(float64) > audit.MaxFirst+audit.MaxRecent {
		t.Errorf("spammed --json %v", j)
	}
	lines := strings.Split(text, "\n")
	cut := strings.Join(append(append([]string(nil), lines[:audit.MaxFirst]...), lines[audit.MaxFirst+1:]...), "\n")
	s.write("cut.txt", []byte(cut))
	_, errOut := s.audit(4, s.path("cut.txt"))
	if !strings.Contains(errOut, "but the log records") {
		t.Errorf("entry after the gap removed: %q", errOut)
	}
}
