package referee

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/muscle/muscletest"
	"github.com/muscles/referee/referee/audit"
)

// memRegion is a key region in RAM.
type memRegion struct {
	b        []byte
	copies   [][]byte // what ReadKeyRegion handed out
	unmapErr error
	noWipe   bool // WipeKeyRegion leaves the region as it is
	entropy  string
	wiped    int
	unmapped int
}

func (r *memRegion) ReadKeyRegion() []byte {
	c := bytes.Clone(r.b)
	r.copies = append(r.copies, c)
	return c
}

func (r *memRegion) WipeKeyRegion() {
	r.wiped++
	if !r.noWipe {
		clear(r.b)
	}
}

func (r *memRegion) KeyRegionClear() bool { return allZero(r.b) }

func (r *memRegion) Entropy() string {
	if r.entropy == "" {
		return "the host's crypto/rand"
	}
	return r.entropy
}

func (r *memRegion) UnmapKeyRegion() error {
	r.unmapped++
	return r.unmapErr
}

func allZero(b []byte) bool { return bytes.Equal(b, make([]byte, len(b))) }

// keyRegion is a 64 KiB region holding a record for a fresh random master
// key with one publisher; it returns the master key too.
func keyRegion(t *testing.T) (region, master []byte, rec *muscle.KeyRecord) {
	t.Helper()
	p := muscletest.MustPublisher(t, muscle.CapAll)
	b, err := p.Record.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	region = make([]byte, muscle.MaxKeyRecord)
	copy(region, b)
	return region, p.Master, p.Record
}

// bootDetail is the boot entry's detail for a test boot.
func bootDetail(what string) func(string) string {
	return func(id string) string {
		return "referee test on " + what + ", boot id " + id + ", image text blake3 00ff"
	}
}

func clock() func() int64 {
	var n int64
	return func() int64 { n += 1000; return n }
}

// printed is the log as the console prints it.
func printed(l *audit.Log) string {
	var b strings.Builder
	for _, e := range l.Entries() {
		b.WriteString(audit.Format(e) + "\n")
	}
	return b.String() + l.FormatHead() + "\n"
}

// noKeyMaterial fails if the master key appears in text, raw or encoded.
func noKeyMaterial(t *testing.T, what, text string, master []byte) {
	t.Helper()
	for _, enc := range []string{string(master), hex.EncodeToString(master), strings.ToUpper(hex.EncodeToString(master)),
		base64.StdEncoding.EncodeToString(master), base64.RawStdEncoding.EncodeToString(master), hex.EncodeToString(master[:8])} {
		if strings.Contains(text, enc) {
			t.Errorf("%s contains the master key (%q)", what, enc)
		}
	}
}

func TestTakeKeys(t *testing.T) {
	region, master, want := keyRegion(t)
	r := &memRegion{b: region}
	var out bytes.Buffer
	rec, log, status := TakeKeys(r, "0x90000000", &out, clock(), bootDetail("memRegion"))
	if status != ExitOK || rec == nil {
		t.Fatalf("status %d, record %v; output %q", status, rec, out.String())
	}
	if rec.ID != want.ID || len(rec.Publishers) != 1 || rec.Publishers[0].ID != want.Publishers[0].ID {
		t.Errorf("record %s with %v, want %s with %v", rec.ID, rec.Publishers, want.ID, want.Publishers)
	}
	if rec.AuditKey() != want.AuditKey() {
		t.Error("the record's audit key is not the master key's")
	}
	if !allZero(r.b) || r.wiped != 1 || r.unmapped != 1 {
		t.Errorf("region all zero %v, wiped %d times, unmapped %d times; want true, 1, 1", allZero(r.b), r.wiped, r.unmapped)
	}
	for i, c := range r.copies {
		if !allZero(c) {
			t.Errorf("RAM copy %d of the key region was not wiped", i)
		}
	}
	id := log.Boot()
	wantOut := "keys: master-key record " + want.ID.String() + " with 1 publishers; key region wiped and unmapped\n" +
		"boot id " + id.String() + ": audit log authenticated by key record " + want.ID.String() + "\n"
	if out.String() != wantOut {
		t.Errorf("output %q, want %q", out.String(), wantOut)
	}
	e := log.Entries()
	if len(e) != 2 || e[0].Kind != "boot" || e[0].Detail != "referee test on memRegion, boot id "+id.String()+", image text blake3 00ff" || e[1].Kind != "key" ||
		!strings.Contains(e[1].Detail, "key region wiped and unmapped") || !strings.Contains(e[1].Detail, want.ID.String()) {
		t.Errorf("audit entries %+v, want boot then key naming the id and the wiped and unmapped region", e)
	}
	if len(e) == 2 && e[1].Time <= e[0].Time {
		t.Errorf("audit times %d, %d do not come from the clock", e[0].Time, e[1].Time)
	}
	text := printed(log)
	if r, err := audit.Check(text, want.AuditKey()); err != nil || r.Boot != id || !r.BootEntry || id.IsZero() || r.Complete() {
		t.Errorf("the log does not verify with the record's audit key as an open log of boot %s: %+v, %v", id, r, err)
	}
	if _, err := audit.Verify(text, [32]byte{}); !errors.Is(err, audit.ErrBadHead) {
		t.Errorf("the log verifies without the audit key: %v", err)
	}
	noKeyMaterial(t, "the output", out.String(), master)
	noKeyMaterial(t, "the audit log", text, master)
}

func TestTakeKeysWithoutRecord(t *testing.T) {
	region, _, _ := keyRegion(t)
	corrupt := bytes.Clone(region)
	corrupt[40] ^= 1
	tests := []struct {
		name   string
		region []byte
		status int
		err    error
	}{
		{"empty", make([]byte, muscle.MaxKeyRecord), ExitNoKeyRecord, muscle.ErrNoKeyRecord},
		{"erased", bytes.Repeat([]byte{0xff}, muscle.MaxKeyRecord), ExitNoKeyRecord, muscle.ErrNoKeyRecord},
		{"garbage", bytes.Repeat([]byte("garbage!"), muscle.MaxKeyRecord/8), ExitBadKeyRecord, muscle.ErrMalformedKeyRecord},
		{"corrupt", corrupt, ExitBadKeyRecord, muscle.ErrMalformedKeyRecord},
	}
	for _, tt := range tests {
		r := &memRegion{b: bytes.Clone(tt.region)}
		var out bytes.Buffer
		rec, log, status := TakeKeys(r, "0x90000000", &out, clock(), bootDetail("boot"))
		if rec != nil || status != tt.status {
			t.Errorf("%s: record %v, status %d; want nil, %d", tt.name, rec, status, tt.status)
		}
		if !allZero(r.b) || r.unmapped != 1 {
			t.Errorf("%s: the region was not wiped and unmapped whatever it held", tt.name)
		}
		o := out.String()
		if !strings.HasPrefix(o, "keys: no usable master-key record at 0x90000000: master-key record: ") ||
			!strings.HasSuffix(o, "; key region wiped and unmapped\nboot id "+log.Boot().String()+": audit log NOT authenticated (no key record)\n") ||
			!strings.Contains(o, tt.err.Error()) {
			t.Errorf("%s: output %q", tt.name, o)
		}
		e := log.Entries()
		if len(e) != 2 || e[0].Kind != "boot" || e[1].Kind != "key-error" || !strings.Contains(e[1].Detail, tt.err.Error()) {
			t.Errorf("%s: audit entries %+v, want boot then key-error", tt.name, e)
		}
		// Without a record the log is authenticated with the zero key.
		if _, err := audit.Verify(printed(log), [32]byte{}); err != nil {
			t.Errorf("%s: the unauthenticated log does not verify with the zero key: %v", tt.name, err)
		}
	}
}

func TestTakeKeysReportsUnmapAndWipeFailures(t *testing.T) {
	region, master, _ := keyRegion(t)
	r := &memRegion{b: region, unmapErr: errors.New("level-1 entry 2 is already a table")}
	var out bytes.Buffer
	rec, log, status := TakeKeys(r, "0x90000000", &out, clock(), bootDetail("boot"))
	if rec == nil || status != ExitOK {
		t.Fatalf("record %v, status %d", rec, status)
	}
	const want = "key region wiped, NOT UNMAPPED: level-1 entry 2 is already a table"
	if !strings.Contains(out.String(), want) {
		t.Errorf("output %q does not contain %q", out.String(), want)
	}
	if e := log.Entries(); len(e) != 2 || !strings.Contains(e[1].Detail, want) {
		t.Errorf("audit entries %+v: the key entry does not report %q", e, want)
	}

	region, master2, _ := keyRegion(t)
	r = &memRegion{b: region, noWipe: true}
	out.Reset()
	_, log, _ = TakeKeys(r, "0x90000000", &out, clock(), bootDetail("boot"))
	if !strings.Contains(out.String(), "key region NOT WIPED and unmapped") {
		t.Errorf("a region that stays set is not reported: %q", out.String())
	}
	if e := log.Entries(); len(e) != 2 || !strings.Contains(e[1].Detail, "NOT WIPED") {
		t.Errorf("audit entries %+v do not report the unwiped region", e)
	}
	noKeyMaterial(t, "the output", out.String(), master)
	noKeyMaterial(t, "the output", out.String(), master2)
	noKeyMaterial(t, "the audit log", printed(log), master2)
}

// TestBootIDs (issue 10): every boot's log names a boot id of its own, in
// its first entry, its head and on the console, so one boot's log cannot
// stand in for another's although both have the same key and times.
func TestBootIDs(t *testing.T) {
	var texts []string
	ids := map[audit.BootID]bool{}
	for i := 0; i < 2; i++ {
		region, _, _ := keyRegion(t)
		var out bytes.Buffer
		_, log, _ := TakeKeys(&memRegion{b: region}, "0x90000000", &out, clock(), bootDetail("memRegion"))
		id := log.Boot()
		ids[id] = true
		if !strings.Contains(out.String(), "\nboot id "+id.String()+": audit log authenticated") {
			t.Errorf("the console does not name boot id %s: %q", id, out.String())
		}
		if e := log.Entries()[0]; !strings.Contains(e.Detail, "boot id "+id.String()) {
			t.Errorf("boot entry %q does not name boot id %s", e.Detail, id)
		}
		texts = append(texts, printed(log))
	}
	if len(ids) != 2 {
		t.Errorf("two boots with the same boot id %v", ids)
	}
	// Boots of the same clock and board differ only in their ids.
	if texts[0] == texts[1] {
		t.Error("two boots print the same log")
	}

	// A board without a real random source: the id still comes from its
	// DRBG and clock, and the log and console say it is predictable.
	region, _, rec := keyRegion(t)
	var out bytes.Buffer
	_, log, _ := TakeKeys(&memRegion{b: region, entropy: "NONE: seeded from the clock"}, "0x90000000", &out, clock(), bootDetail("weak"))
	if !strings.Contains(out.String(), "boot id "+log.Boot().String()+" (PREDICTABLE") ||
		!strings.Contains(log.Entries()[0].Detail, "boot id "+log.Boot().String()+" (PREDICTABLE") {
		t.Errorf("weak entropy not reported: %q, %q", out.String(), log.Entries()[0].Detail)
	}
	if r, err := audit.Check(printed(log), rec.AuditKey()); err != nil || r.Boot != log.Boot() || !r.BootEntry {
		t.Errorf("the weak board's log: %+v, %v", r, err)
	}
	if NewBootID(clock()) == NewBootID(clock()) {
		t.Error("NewBootID repeats on the host")
	}
}
