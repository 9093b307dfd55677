package audit

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

var testBoot = BootID{0xb0, 0x07, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}

// printed is the log as the console prints it.
func printed(l *Log) string {
	var b strings.Builder
	for _, e := range l.Entries() {
		b.WriteString(Format(e) + "\n")
	}
	return b.String() + l.FormatHead() + "\n"
}

func sampleLog(key [32]byte) (*Log, string) {
	l := New(key)
	l.Append(100, "boot", "referee 0.1.0 image 1234abcd")
	l.Append(200, "key", "key id 79aa02cf fingerprint 1122")
	l.Append(300, "reject", `muscle "evil" v1: signature does not verify`)
	l.Append(400, "accept", `muscle "neuron4" v3 by 710ca043`)
	return l, "some console noise\n" + printed(l)
}

func TestVerifyGoodLog(t *testing.T) {
	key := [32]byte{1, 2, 3}
	l, text := sampleLog(key)
	entries, err := Verify(text, key)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(l.Entries()) || entries[2].Detail != l.Entries()[2].Detail {
		t.Errorf("verified %d entries, want %d with the same details", len(entries), len(l.Entries()))
	}
}

func TestVerifyRejects(t *testing.T) {
	key := [32]byte{1, 2, 3}
	_, text := sampleLog(key)
	lines := strings.Split(text, "\n")
	replace := func(i int, old, new string) string {
		c := append([]string(nil), lines...)
		c[i] = strings.Replace(c[i], old, new, 1)
		return strings.Join(c, "\n")
	}
	drop := func(i int) string {
		c := append([]string(nil), lines[:i]...)
		return strings.Join(append(c, lines[i+1:]...), "\n")
	}
	tests := []struct {
		name string
		text string
		key  [32]byte
		want error
		line string
	}{
		{"altered detail", replace(3, "signature", "SIGNATURE"), key, ErrBrokenChain, "line 4:"},
		{"altered time", replace(2, " 200 ", " 201 "), key, ErrBrokenChain, "line 3:"},
		{"dropped entry", drop(3), key, ErrBrokenChain, "entries 2-2 are missing before line 4, and the log records no gap"},
		{"dropped last entry", drop(4), key, ErrBrokenChain, "line 5:"},
		{"dropped first entry", drop(1), key, ErrBrokenChain, "line 2:"},
		{"wrong key", text, [32]byte{9}, ErrBadHead, "line 6:"},
		{"no head", drop(5), key, ErrSyntax, "no audit-head"},
		// A damaged line is not an audit line: the chain breaks after it.
		{"garbage entry", replace(1, "audit 0 100", "audit zero 100"), key, ErrBrokenChain, "line 3:"},
		{"damaged entry", replace(1, "audit 0 100", "audit 0 1x00"), key, ErrBrokenChain, "line 2 begins like an audit line"},
		{"damaged head", replace(5, "audit-head 4", "audit-head 4 "), key, ErrSyntax, "line 6 begins like an audit line"},
	}
	for _, tt := range tests {
		_, err := Verify(tt.text, tt.key)
		if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.line) {
			t.Errorf("%s: error %v, want %v with %q", tt.name, err, tt.want, tt.line)
		}
	}
}

// TestSeveralListings: a transcript that prints the log twice (at boot and
// on request) verifies listing by listing.
func TestSeveralListings(t *testing.T) {
	key := [32]byte{4}
	l := Start(key, testBoot, 1, "x")
	first := printed(l)
	l.Append(2, "console", "unknown command")
	second := printed(l)
	entries, err := Verify(first+"referee> audit\n"+second, key)
	if err != nil || len(entries) != 2 {
		t.Fatalf("%d entries, %v; want 2, nil", len(entries), err)
	}
	bad := strings.Replace(second, "unknown command", "UNKNOWN", 1)
	if _, err := Verify(first+bad, key); !errors.Is(err, ErrBrokenChain) {
		t.Errorf("altered second listing: %v, want ErrBrokenChain", err)
	}
	// The listings of one boot only grow.
	if _, err := Verify(second+first, key); !errors.Is(err, ErrBrokenChain) {
		t.Errorf("a shorter listing after a longer one: %v, want ErrBrokenChain", err)
	}
}

// TestRewrittenLogDoesNotVerify: someone without the key can rebuild a
// consistent chain, but not its head.
func TestRewrittenLogDoesNotVerify(t *testing.T) {
	key := [32]byte{1, 2, 3}
	forged := Start([32]byte{7}, testBoot, 100, "referee 0.1.0 image 1234abcd")
	forged.Append(200, "accept", `muscle "evil" v1`)
	forged.Close(300, "poweroff", "exit status 0")
	if _, err := Verify(printed(forged), key); !errors.Is(err, ErrBadHead) {
		t.Errorf("forged log: error %v, want ErrBadHead", err)
	}
}

func TestKinds(t *testing.T) {
	l := New([32]byte{})
	for _, k := range []string{"two words", "", "tab\tbed", "new\nline", "gap", strings.Repeat("k", MaxKind+1), `quo"te`} {
		if e := l.Append(0, k, "x"); e.Kind != "invalid-kind" {
			t.Errorf("kind %q accepted", e.Kind)
		}
	}
	if e := l.Append(0, "upload-error", "x"); e.Kind != "upload-error" {
		t.Errorf("kind upload-error recorded as %q", e.Kind)
	}
	if _, err := Verify(printed(l), [32]byte{}); err != nil {
		t.Error(err)
	}
}

func TestLongDetailIsCut(t *testing.T) {
	l := New([32]byte{})
	e := l.Append(0, "x", strings.Repeat("é", MaxDetail))
	if len(e.Detail) > MaxDetail || !strings.HasSuffix(e.Detail, "é...") {
		t.Errorf("detail of %d bytes ending %q, want at most %d ending in a whole é and ...", len(e.Detail), e.Detail[len(e.Detail)-5:], MaxDetail)
	}
}

// TestCompleteOrPrefix (finding 7): the power-off listing is final, and a
// transcript cut before it (or inside it) is a prefix, not a shorter
// complete log.
func TestCompleteOrPrefix(t *testing.T) {
	key := [32]byte{5}
	l := Start(key, testBoot, 10, "referee test")
	l.Append(20, "key", "key id 1234")
	boot := printed(l)
	l.Append(30, "console", `unknown command "x"`)
	l.Append(40, "fault", "budget")
	l.Close(50, "poweroff", "exit status 0")
	final := printed(l)
	if !strings.Contains(boot, " open ") || strings.Contains(boot, " final ") || !strings.Contains(final, " final ") {
		t.Fatalf("heads: %q, %q", boot, final)
	}
	transcript := "banner\n" + boot + "referee> x\nerror: ...\nreferee> poweroff\n" + final + "referee: powering off\n"

	r, err := Check(transcript, key)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Complete() || r.Boot != testBoot || !r.BootEntry || r.Count != 5 || len(r.Entries) != 5 || r.Listings != 2 || r.Unfinished != 0 || r.Gap != nil {
		t.Errorf("complete transcript: %+v", r)
	}

	cut := transcript[:strings.Index(transcript, "referee> poweroff")]
	r, err = Check(cut, key)
	if err != nil {
		t.Fatal(err)
	}
	if r.Complete() || r.Count != 2 || r.Listings != 1 || r.Boot != testBoot {
		t.Errorf("transcript cut before the power-off listing: complete %v, %d entries, %d listings; want a prefix of 2 entries", r.Complete(), r.Count, r.Listings)
	}

	// Cut inside the final listing (its head and last entry lost).
	mid := transcript[:strings.Index(transcript, "audit 4 ")]
	r, err = Check(mid, key)
	if err != nil || r.Complete() || r.Unfinished != 4 || r.Count != 2 {
		t.Errorf("transcript cut inside the power-off listing: %+v, %v; want a prefix of 2 with 4 unfinished", r, err)
	}

	// Nothing may follow the final listing.
	if _, err := Check(transcript+boot, key); !errors.Is(err, ErrAfterFinal) {
		t.Errorf("a listing after the final one: %v, want ErrAfterFinal", err)
	}

	// An entry appended after Close reopens the log.
	l.Append(60, "late", "x")
	if l.Final() || strings.Contains(l.FormatHead(), " final ") {
		t.Error("the log stays final after an append")
	}
}

// TestHeadRelabelled: an open head relabelled final (or the other way) does
// not authenticate; the authenticators of the two are in different
// domains.
func TestHeadRelabelled(t *testing.T) {
	key := [32]byte{6}
	l := Start(key, testBoot, 1, "referee test")
	l.Append(2, "key", "k")
	open := printed(l)
	if _, err := Check(open, key); err != nil {
		t.Fatal(err)
	}
	relabelled := strings.Replace(open, " open ", " final ", 1)
	r, err := Check(relabelled, key)
	if !errors.Is(err, ErrBadHead) || r.Complete() {
		t.Errorf("open head relabelled final: %v, complete %v; want ErrBadHead", err, r.Complete())
	}
	h := l.Head()
	h.Final = true
	if authenticate(&key, &h) == l.Head().Auth {
		t.Error("the final and open authenticators are equal")
	}
	l.Close(3, "poweroff", "exit status 0")
	final := printed(l)
	if _, err := Check(strings.Replace(final, " final ", " open ", 1), key); !errors.Is(err, ErrBadHead) {
		t.Errorf("final head relabelled open: %v, want ErrBadHead", err)
	}
	// A head whose boot id was changed.
	other := BootID{9}
	if _, err := Check(strings.Replace(final, " boot "+testBoot.String(), " boot "+other.String(), 1), key); !errors.Is(err, ErrBrokenChain) {
		t.Errorf("head with another boot id: %v, want ErrBrokenChain", err)
	}
}

// TestBootIdentity (issue 10): two boots' logs name different boot ids, in
// the authenticated boot entry and the head, and one cannot stand in for
// the other, nor be spliced into its transcript.
func TestBootIdentity(t *testing.T) {
	key := [32]byte{7}
	run := func(id BootID) string {
		l := Start(key, id, 1000, "referee 0.2.0 on test, boot id "+id.String()+", image text blake3 00ff")
		l.Append(2000, "key", "k")
		l.Close(3000, "poweroff", "exit status 0")
		return printed(l)
	}
	a, b := BootID{0xaa}, BootID{0xbb}
	la, lb := run(a), run(b)
	ra, err := Check(la, key)
	if err != nil || ra.Boot != a || !ra.BootEntry {
		t.Fatalf("boot a: %+v, %v", ra, err)
	}
	rb, err := Check(lb, key)
	if err != nil || rb.Boot != b {
		t.Fatalf("boot b: %+v, %v", rb, err)
	}
	if !strings.HasPrefix(la, "audit 0 1000 boot ") || !strings.Contains(strings.SplitN(la, "\n", 2)[0], "boot id "+a.String()+", image") {
		t.Errorf("boot entry %q does not name the id where the detail does", strings.SplitN(la, "\n", 2)[0])
	}
	// Same key, same times, same events: only the boot id tells them
	// apart.
	if la == lb {
		t.Fatal("the two boots print the same log")
	}
	if _, err := Check(la+lb, key); !errors.Is(err, ErrMixedBoots) {
		t.Errorf("two boots in one transcript: %v, want ErrMixedBoots", err)
	}
	l := Start(key, a, 1, "no id here")
	if e := l.Entries()[0]; e.Kind != KindBoot || e.Detail != "boot id "+a.String()+", no id here" {
		t.Errorf("Start without the id in the detail: %+v", e)
	}
	if l.Boot() != a || !strings.Contains(l.FormatHead(), " boot "+a.String()+" ") {
		t.Errorf("head %q does not name boot %s", l.FormatHead(), a)
	}
	// A boot entry naming one id under a head naming another does not
	// verify, even with the key.
	forged := New(key)
	forged.Append(1, KindBoot, "boot id "+b.String())
	forged.boot = a
	if _, err := Check(printed(forged), key); !errors.Is(err, ErrBrokenChain) {
		t.Errorf("boot entry and head disagree: %v, want ErrBrokenChain", err)
	}
}

// TestOtherLinesAreNotAuditLines (finding c): console output that starts
// with "audit" but is not in the audit form — a muscle named audit in the
// list, its info, the prompt — is skipped, so it cannot break verification.
func TestOtherLinesAreNotAuditLines(t *testing.T) {
	key := [32]byte{8}
	l := Start(key, testBoot, 1, "referee test")
	l.Append(2, "accept", `bundle: "audit" v1 by 710ca043`)
	l.Append(3, "accept", `bundle: "audit-head" v1 by 710ca043`)
	noise := strings.Join([]string{
		"muscle audit: accepted \"audit\" v1",
		"referee> list",
		"audit v1 by 710ca043aa: forward; input [4], output [1]; code 36 bytes, state 20 bytes; budget 1000 µs",
		"audit-head v1 by 710ca043aa: forward; input [4], output [1]; code 36 bytes, state 20 bytes; budget 1000 µs",
		"referee> audit 0 1 boot x",
		`error: unknown command "audit-head"; try help`,
		`[{"name":"audit","version":1}]`,
		"audit",
		"audit-head",
		"",
	}, "\n")
	text := noise + printed(l) + noise
	r, err := Check(text, key)
	if err != nil || r.Count != 3 || !strings.Contains(r.Entries[1].Detail, `"audit"`) {
		t.Fatalf("%+v, %v; want the 3 entries", r, err)
	}
	for _, line := range strings.Split(noise, "\n") {
		if _, ok := parseEntry(line); ok {
			t.Errorf("%q parses as an entry", line)
		}
		if _, ok := parseHead(line); ok {
			t.Errorf("%q parses as a head", line)
		}
	}
	// Every printed line parses back to itself.
	for _, e := range l.Entries() {
		if got, ok := parseEntry(Format(e)); !ok || got != e {
			t.Errorf("%q does not parse back", Format(e))
		}
	}
	if h, ok := parseHead(l.FormatHead()); !ok || h != l.Head() {
		t.Errorf("%q does not parse back", l.FormatHead())
	}
}

// spam fills a log past its bound: the first entries, then n console
// entries.
func spam(key [32]byte, n int) *Log {
	l := Start(key, testBoot, 1, "referee test")
	l.Append(2, "key", "k")
	for i := 0; i < n; i++ {
		l.Append(int64(3+i), "console", fmt.Sprintf("unknown command %q", fmt.Sprint("x", i)))
	}
	return l
}

// TestBoundedLog (unbounded growth): spam beyond the bound leaves a log of
// at most MaxFirst+MaxRecent entries that verifies, with the dropped range
// recorded in an authenticated gap entry; removing entries next to the gap
// (or the gap entry) does not verify.
func TestBoundedLog(t *testing.T) {
	key := [32]byte{9}
	const n = 5000
	l := spam(key, n)
	entries := l.Entries()
	if len(entries) > MaxEntries || len(entries) < MaxEntries-DropBatch {
		t.Fatalf("%d entries kept, want %d-%d", len(entries), MaxEntries-DropBatch, MaxEntries)
	}
	if entries[0].Kind != KindBoot || entries[1].Kind != "key" || entries[MaxFirst-1].Seq != MaxFirst-1 {
		t.Errorf("the first entries are not kept: %+v, %+v", entries[0], entries[MaxFirst-1])
	}
	total := uint64(n + 2)
	gaps := 0
	for _, e := range entries {
		if e.Kind == KindGap {
			gaps++
			total++
		}
	}
	text := printed(l)
	r, err := Check(text, key)
	if err != nil {
		t.Fatal(err)
	}
	if r.Gap == nil || r.Gap.From != MaxFirst || r.Gap.To+1 != entries[MaxFirst].Seq || r.Boot != testBoot {
		t.Fatalf("report %+v, gap %+v; want entries %d-%d dropped", r, r.Gap, MaxFirst, entries[MaxFirst].Seq-1)
	}
	if uint64(len(r.Entries))+r.Gap.Len() != r.Count || r.Count < total {
		t.Errorf("%d listed + %d dropped != %d appended (at least %d)", len(r.Entries), r.Gap.Len(), r.Count, total)
	}
	if rec := r.Entries[len(r.Entries)-1]; gaps == 0 || r.Gap.Record <= r.Gap.To {
		t.Errorf("gap recorded by entry %d, last %d, %d gap entries", r.Gap.Record, rec.Seq, gaps)
	}

	lines := strings.Split(text, "\n")
	without := func(from, to int) string { // lines from..to removed
		c := append([]string(nil), lines[:from]...)
		return strings.Join(append(c, lines[to+1:]...), "\n")
	}
	gapLine := -1
	for i, line := range lines {
		if strings.Contains(line, " gap ") {
			gapLine = i // the last one
		}
	}
	for _, tt := range []struct {
		name     string
		from, to int
	}{
		{"first entry after the gap", MaxFirst, MaxFirst},
		{"ten entries after the gap", MaxFirst, MaxFirst + 9},
		{"last first entry", MaxFirst - 1, MaxFirst - 1},
		{"the gap entry", gapLine, gapLine},
		{"everything up to the gap entry", MaxFirst, gapLine},
		{"everything up to after the gap entry", MaxFirst, gapLine + 1},
	} {
		if _, err := Check(without(tt.from, tt.to), key); !errors.Is(err, ErrBrokenChain) {
			t.Errorf("removed %s: %v, want ErrBrokenChain", tt.name, err)
		}
	}
	// Entries removed from a log that dropped none: no gap recorded.
	small := spam(key, 20)
	sl := strings.Split(printed(small), "\n")
	cut := strings.Join(append(append([]string(nil), sl[:5]...), sl[9:]...), "\n")
	if _, err := Check(cut, key); !errors.Is(err, ErrBrokenChain) || !strings.Contains(err.Error(), "records no gap") {
		t.Errorf("entries removed from a log without a gap: %v, want ErrBrokenChain, no gap recorded", err)
	}

	// A listing before the drop and one after agree; the final one is
	// complete with its gap.
	l2 := spam(key, MaxRecent-10)
	before := printed(l2)
	for i := 0; i < 3*MaxRecent; i++ {
		l2.Append(int64(10000+i), "console", "spam")
	}
	l2.Close(1e9, "poweroff", "exit status 0")
	r, err = Check(before+printed(l2), key)
	if err != nil || !r.Complete() || r.Gap == nil || r.Listings != 2 {
		t.Errorf("listings before and after dropping: %+v, %v", r, err)
	}
	if last := r.Entries[len(r.Entries)-1]; last.Kind != "poweroff" {
		t.Errorf("the last entry is %q, not the closing one", last.Kind)
	}
}

// TestForgedGapDoesNotVerify: a gap entry only counts if it is in the
// authenticated chain: one made up to cover removed entries does not
// chain to the entries after it.
func TestForgedGapDoesNotVerify(t *testing.T) {
	key := [32]byte{10}
	l := spam(key, 20)
	lines := strings.Split(printed(l), "\n")
	all := l.Entries()
	// Entries 0-5, a made-up gap entry 10 claiming 6-9 were dropped, and
	// the real entries from 11 on with the real head.
	e := Entry{Seq: 10, Time: all[10].Time, Kind: KindGap, Detail: gapDetail(6, 9, all[5].Hash), Prev: all[9].Hash}
	e.Hash = hashEntry(&e)
	text := strings.Join(lines[:6], "\n") + "\n" + Format(e) + "\n" + strings.Join(lines[11:], "\n")
	if _, err := Check(text, key); !errors.Is(err, ErrBrokenChain) || !strings.Contains(err.Error(), "entry 11 does not follow entry 10") {
		t.Errorf("made-up gap entry: %v, want ErrBrokenChain at entry 11", err)
	}
}

// FuzzNoise: any console line that is not in the audit form, put anywhere
// in a transcript, leaves its report as it was.
func FuzzNoise(f *testing.F) {
	key := [32]byte{11}
	l := Start(key, testBoot, 1, "referee test")
	l.Append(2, "accept", `"audit" v1`)
	open := printed(l)
	l.Close(3, "poweroff", "exit status 0")
	text := open + printed(l)
	lines := strings.Split(text, "\n")
	for _, s := range []string{"audit v1 by 710ca043: forward", "audit 0 1 boot", "audit-head 3", "audit", "referee> audit",
		strings.SplitN(text, "\n", 2)[0] + " ", strings.Replace(lines[2], " open ", " final ", 1)} {
		f.Add(s, uint(3))
	}
	want, err := Check(text, key)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, noise string, at uint) {
		noise = strings.NewReplacer("\n", "", "\r", "").Replace(noise)
		if _, ok := parseEntry(noise); ok {
			return
		}
		if _, ok := parseHead(noise); ok {
			return
		}
		i := int(at % uint(len(lines)))
		c := append(append(append([]string(nil), lines[:i]...), noise), lines[i:]...)
		got, err := Check(strings.Join(c, "\n"), key)
		if err != nil || got.Count != want.Count || !got.Final || got.Listings != 2 || got.Boot != want.Boot {
			t.Fatalf("noise %q at line %d: %+v, %v", noise, i+1, got, err)
		}
	})
}
