//go:build !tamago

// The tests write bundles with bundle.Write, which builds for the host only.

package loader

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"testing"

	"lukechampine.com/blake3"

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/muscle/bundle"
	"github.com/muscles/referee/muscle/muscletest"
	"github.com/muscles/referee/referee/audit"
	"github.com/muscles/referee/referee/persist"
	"github.com/muscles/referee/referee/sandbox"
	"github.com/muscles/referee/referee/verify"
)

var codeRet, codeSVC = muscletest.CodeRet, muscletest.CodeSVC

// keys is a fresh master-key record with one publisher and its keys.
type keys struct {
	rec *muscle.KeyRecord
	sk  *muscle.SealingKey
	sg  *muscle.SigningKey
}

func newKeys(t testing.TB, grants muscle.Capabilities) keys {
	p := muscletest.MustPublisher(t, grants)
	return keys{p.Record, p.Sealer, p.Signer}
}

func floats(n int) []byte {
	b := make([]byte, 0, 4*n)
	for i := range n {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(i+1)/4))
	}
	return b
}

// seal seals a forward-only muscle of code with input [4], output [1]
// and a state of stateFloats floats.
func (k keys) seal(t testing.TB, name string, version uint64, code []byte, stateFloats int) []byte {
	t.Helper()
	in := &muscle.Input{
		Name: name, Version: version, Capabilities: muscle.CapForward, BudgetMicros: 1000 + uint32(version),
		Code: code, State: floats(stateFloats),
	}
	in.Manifest.TrainEntry = muscle.NoEntry
	in.Manifest.Input, in.Manifest.Output, in.Manifest.State = muscle.Shape{4}, muscle.Shape{1}, muscle.Shape{uint32(stateFloats)}
	in.Provenance.Compiler, in.Provenance.Source = "loader test", name+".py"
	blob, err := muscle.Seal(k.sk, k.sg, in)
	if err != nil {
		t.Fatal(err)
	}
	return blob
}

func (k keys) neuron(t testing.TB, name string, version uint64) []byte {
	return k.seal(t, name, version, codeRet, 5)
}

type harness struct {
	*Loader
	out     *bytes.Buffer
	budgets []uint32
}

func newLoader(k keys) *harness {
	h := &harness{out: &bytes.Buffer{}}
	var now int64
	h.Loader = &Loader{
		Out: h.out, Rec: k.rec, Log: audit.New(k.rec.AuditKey()),
		MemoryBudget: 64 << 20, PeakInstructionsPerMicro: 4000,
		Now: func() int64 { now += 1000; return now },
		DeadlineTicks: func(micros uint32) uint64 {
			h.budgets = append(h.budgets, micros)
			return uint64(micros) * 62
		},
	}
	return h
}

// last is the newest audit entry.
func (h *harness) last() audit.Entry {
	e := h.Log.Entries()
	return e[len(e)-1]
}

// verifies checks that the log as printed verifies with the record's key.
func (h *harness) verifies(t *testing.T, k keys) {
	t.Helper()
	var b strings.Builder
	for _, e := range h.Log.Entries() {
		b.WriteString(audit.Format(e) + "\n")
	}
	b.WriteString(h.Log.FormatHead() + "\n")
	if _, err := audit.Verify(b.String(), k.rec.AuditKey()); err != nil {
		t.Errorf("the audit log does not verify: %v", err)
	}
}

func TestAdmitAccepts(t *testing.T) {
	k := newKeys(t, muscle.CapAll)
	h := newLoader(k)
	detail, err := h.Admit("good.muscle", k.neuron(t, "neuron4", 5))
	if err != nil {
		t.Fatal(err)
	}
	codeHash := blake3.Sum256(codeRet)
	stateHash := blake3.Sum256(floats(5))
	want := fmt.Sprintf(`"neuron4" v5 by %s, forward, code 4 bytes blake3 %x, state 20 bytes blake3 %x`, k.sg.Publisher, codeHash[:8], stateHash[:8])
	if detail != want {
		t.Errorf("detail %q, want %q", detail, want)
	}
	if e := h.last(); e.Kind != "accept" || e.Detail != "good.muscle: "+want {
		t.Errorf("last audit entry %s %q, want accept %q", e.Kind, e.Detail, "good.muscle: "+want)
	}
	m := h.Find("neuron4")
	if m == nil || len(h.Muscles()) != 1 || h.Muscles()[0] != m {
		t.Fatalf("Find %v, Muscles %v: the muscle is not served", m, h.Muscles())
	}
	if h.Find("neuron5") != nil {
		t.Error("Find of a muscle never admitted is not nil")
	}
	// The arena holds the only copy of the code and state: Admit wiped
	// the decrypted ones, not the arena's.
	if !bytes.Equal(m.Space.State(), floats(5)) {
		t.Errorf("the arena's state is %x, want the sealed %x", m.Space.State(), floats(5))
	}
	if m.Provenance.CodeHash != codeHash || m.Manifest.CodeSize != 4 || !m.Space.HasEntry(sandbox.Forward) || m.Space.HasEntry(sandbox.Train) {
		t.Error("the served muscle does not describe its code and entries")
	}
	if len(h.budgets) != 1 || h.budgets[0] != 1005 {
		t.Errorf("DeadlineTicks was asked for %v µs, want the sealed budget [1005]", h.budgets)
	}
	if m.LoadNanos <= 0 {
		t.Errorf("LoadNanos %d: the load was not timed with Now", m.LoadNanos)
	}
	if h.out.Len() != 0 {
		t.Errorf("Admit printed %q; verdict lines are LoadBundle's", h.out.String())
	}
	h.verifies(t, k)
}

func TestAdmitVersions(t *testing.T) {
	k := newKeys(t, muscle.CapAll)
	h := newLoader(k)
	if _, err := h.Admit("v5", k.neuron(t, "neuron4", 5)); err != nil {
		t.Fatal(err)
	}
	v5 := h.Find("neuron4")

	_, err := h.Admit("older.muscle", k.neuron(t, "neuron4", 4))
	if !errors.Is(err, muscle.ErrRollback) || !strings.HasPrefix(err.Error(), "rollback") {
		t.Errorf("older version: error %v, want rollback", err)
	}
	if e := h.last(); e.Kind != "reject" || !strings.HasPrefix(e.Detail, "older.muscle: rollback") {
		t.Errorf("last audit entry %s %q, want reject older.muscle: rollback...", e.Kind, e.Detail)
	}
	if h.Find("neuron4") != v5 || v5.Header.Version != 5 {
		t.Error("a rejected older version displaced the served one")
	}

	v5.Space.Runs, v5.Space.Faults = 3, 1
	n := len(h.Log.Entries())
	if _, err := h.Admit("newer.muscle", k.neuron(t, "neuron4", 6)); err != nil {
		t.Fatal(err)
	}
	if ms := h.Muscles(); len(ms) != 1 || ms[0].Header.Version != 6 || h.Find("neuron4") != ms[0] {
		t.Fatalf("after v6: %d muscles, want one neuron4 v6", len(ms))
	}
	e := h.Log.Entries()[n:]
	if len(e) != 2 || e[0].Kind != "accept" || !strings.Contains(e[0].Detail, `"neuron4" v6`) ||
		e[1].Kind != "counts" || e[1].Detail != `"neuron4" v5: 3 runs, 0 training steps, 1 faults` {
		t.Errorf("audit entries for the replacement %+v, want accept v6 then counts of v5", e)
	}
	if !bytes.Equal(v5.Space.State(), make([]byte, 20)) || v5.Space.HasEntry(sandbox.Forward) {
		t.Error("the replaced muscle's arena was not wiped")
	}
	// v5 is now below the policy too.
	if _, err := h.Admit("v5 again", k.neuron(t, "neuron4", 5)); !errors.Is(err, muscle.ErrRollback) {
		t.Errorf("v5 after v6: %v, want rollback", err)
	}
	// Other names are independent.
	if _, err := h.Admit("other", k.neuron(t, "other", 1)); err != nil || len(h.Muscles()) != 2 {
		t.Errorf("another name at version 1: %v, %d muscles", err, len(h.Muscles()))
	}
	h.verifies(t, k)
}

func TestAdmitRejects(t *testing.T) {
	k := newKeys(t, muscle.CapAll)
	stranger := newKeys(t, muscle.CapAll)
	forwardOnly := newKeys(t, muscle.CapForward)
	h := newLoader(k)
	if _, err := h.Admit("good.muscle", k.neuron(t, "neuron4", 5)); err != nil {
		t.Fatal(err)
	}
	good := h.Find("neuron4")

	tampered := k.neuron(t, "tampered", 1)
	tampered[len(tampered)-100] ^= 0x20
	trains := &muscle.Input{Name: "trains", Version: 1, Capabilities: muscle.CapForward | muscle.CapTrain, BudgetMicros: 1000,
		Code: append(bytes.Clone(codeRet), codeRet...), State: floats(5)}
	trains.Manifest.TrainEntry = 4
	trains.Manifest.Input, trains.Manifest.Output, trains.Manifest.State = muscle.Shape{4}, muscle.Shape{1}, muscle.Shape{5}
	sealedTrains, err := muscle.Seal(forwardOnly.sk, forwardOnly.sg, trains)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		source string
		rec    *muscle.KeyRecord
		blob   []byte
		want   error
		prefix string
	}{
		{"tampered.muscle", k.rec, tampered, muscle.ErrTampered, "tampered"},
		{"stranger.muscle", k.rec, stranger.neuron(t, "stranger", 1), muscle.ErrUnknownPublisher, "unknown publisher"},
		{"junk.muscle", k.rec, []byte("this is not a muscle at all, just some bytes"), muscle.ErrNotMuscle, "not a .muscle blob"},
		{"empty.muscle", k.rec, nil, muscle.ErrTruncated, "truncated"},
		{"truncated.muscle", k.rec, k.neuron(t, "cut", 1)[:200], muscle.ErrTruncated, ""},
		{"svc.muscle", k.rec, k.seal(t, "svc", 1, codeSVC, 5), verify.ErrForm, "machine-code verifier: verify: offset 0x0"},
		{"trains.muscle", forwardOnly.rec, sealedTrains, muscle.ErrCapability, "capability not grantable"},
	}
	for _, tt := range tests {
		h.Rec = tt.rec
		n := len(h.Log.Entries())
		detail, err := h.Admit(tt.source, tt.blob)
		if detail != "" || !errors.Is(err, tt.want) || !strings.HasPrefix(err.Error(), tt.prefix) {
			t.Errorf("%s: %q, %v; want %v starting %q", tt.source, detail, err, tt.want, tt.prefix)
			continue
		}
		e := h.Log.Entries()[n:]
		if len(e) != 1 || e[0].Kind != "reject" || e[0].Detail != tt.source+": "+err.Error() {
			t.Errorf("%s: audit entries %+v, want one reject", tt.source, e)
		}
		if ms := h.Muscles(); len(ms) != 1 || ms[0] != good || h.Find("neuron4") != good {
			t.Errorf("%s: the good muscle is no longer the one served", tt.source)
		}
	}
	if !bytes.Equal(good.Space.State(), floats(5)) {
		t.Error("rejections disturbed the good muscle's arena")
	}
	h.verifies(t, k)
}

func TestSkipVerify(t *testing.T) {
	k := newKeys(t, muscle.CapAll)
	h := newLoader(k)
	h.SkipVerify = true
	detail, err := h.Admit("svc.muscle", k.seal(t, "svc", 1, codeSVC, 5))
	if err != nil || !strings.HasSuffix(detail, ", code 8 bytes blake3 "+fmt.Sprintf("%x", blake3.Sum256(codeSVC))[:16]+", state 20 bytes blake3 "+fmt.Sprintf("%x", blake3.Sum256(floats(5)))[:16]+" (verifier skipped: test image)") {
		t.Errorf("with SkipVerify: %q, %v", detail, err)
	}
	if h.Find("svc") == nil {
		t.Error("the muscle the verifier would refuse is not served with SkipVerify")
	}
	if e := h.last(); e.Kind != "accept" || !strings.HasSuffix(e.Detail, "(verifier skipped: test image)") {
		t.Errorf("audit %s %q does not say the verifier was skipped", e.Kind, e.Detail)
	}
	// The rest of the chain still runs.
	if _, err := h.Admit("junk", []byte("junk")); !errors.Is(err, muscle.ErrNotMuscle) {
		t.Errorf("junk with SkipVerify: %v", err)
	}
}

func TestShutdown(t *testing.T) {
	k := newKeys(t, muscle.CapAll)
	h := newLoader(k)
	for _, name := range []string{"a", "b"} {
		if _, err := h.Admit(name, k.neuron(t, name, 1)); err != nil {
			t.Fatal(err)
		}
	}
	served := h.Muscles()
	served[1].Space.Runs = 7
	n := len(h.Log.Entries())
	h.Shutdown()
	if len(h.Muscles()) != 0 || h.Find("a") != nil {
		t.Error("muscles are still served after Shutdown")
	}
	e := h.Log.Entries()[n:]
	if len(e) != 2 || e[0].Kind != "counts" || e[0].Detail != `"a" v1: 0 runs, 0 training steps, 0 faults` ||
		e[1].Kind != "counts" || e[1].Detail != `"b" v1: 7 runs, 0 training steps, 0 faults` {
		t.Errorf("audit entries %+v, want the counts of a then b", e)
	}
	for _, m := range served {
		if !bytes.Equal(m.Space.State(), make([]byte, 20)) || m.Space.HasEntry(sandbox.Forward) {
			t.Errorf("%s: arena not wiped", m.Name())
		}
	}
}

// cpioBundle writes files, in order, as a newc archive.
func cpioBundle(t *testing.T, names []string, files map[string][]byte) []byte {
	t.Helper()
	b, err := bundle.Write(bundle.Entries(files, names))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// regionReader reads a region as a board does, logging each size asked.
func regionReader(region []byte, asked *[]int) func(int) []byte {
	return func(n int) []byte {
		*asked = append(*asked, n)
		return bytes.Clone(region[:min(n, len(region))])
	}
}

func TestReadBundleGrows(t *testing.T) {
	k := newKeys(t, muscle.CapAll)
	files := map[string][]byte{
		"neuron4.muscle": k.neuron(t, "neuron4", 1),
		"big.muscle":     k.seal(t, "big", 1, codeRet, 60_000), // 240 KB of state
		"last.muscle":    k.neuron(t, "last", 1),
	}
	names := []string{"neuron4.muscle", "big.muscle", "last.muscle"}
	b := cpioBundle(t, names, files)
	if len(b) <= 128<<10 || len(b) > 256<<10 {
		t.Fatalf("the bundle is %d bytes; the test wants 128..256 KiB", len(b))
	}
	region := make([]byte, 1<<20)
	copy(region, b)

	var asked []int
	entries, err := ReadBundle(regionReader(region, &asked), len(region))
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{64 << 10, 128 << 10, 256 << 10}; fmt.Sprint(asked) != fmt.Sprint(want) {
		t.Errorf("read sizes %v, want %v (from 64 KiB, doubling until the trailer is in)", asked, want)
	}
	if len(entries) != len(names) {
		t.Fatalf("%d entries, want %d", len(entries), len(names))
	}
	for i, e := range entries {
		if e.Name != names[i] || !bytes.Equal(e.Data, files[names[i]]) {
			t.Errorf("entry %d: %q (%d bytes), want %q (%d bytes)", i, e.Name, len(e.Data), names[i], len(files[names[i]]))
		}
	}

	// A region smaller than the bundle: the reads stop at max.
	asked = nil
	limit := 200 << 10
	if _, err := ReadBundle(regionReader(region, &asked), limit); !errors.Is(err, bundle.ErrTruncated) {
		t.Errorf("bundle larger than the region: %v, want truncated", err)
	}
	if want := []int{64 << 10, 128 << 10, limit}; fmt.Sprint(asked) != fmt.Sprint(want) {
		t.Errorf("read sizes %v, want %v", asked, want)
	}

	// A region smaller than the first read is read whole, once.
	small := cpioBundle(t, []string{"neuron4.muscle"}, files)
	asked = nil
	entries, err = ReadBundle(regionReader(small, &asked), len(small))
	if err != nil || len(entries) != 1 || fmt.Sprint(asked) != fmt.Sprint([]int{len(small)}) {
		t.Errorf("small region: %d entries, %v, reads %v; want 1 entry in one read of %d", len(entries), err, asked, len(small))
	}
}

func TestReadBundleEmptyAndMalformed(t *testing.T) {
	var asked []int
	_, err := ReadBundle(regionReader(make([]byte, 1<<20), &asked), 1<<20)
	if !errors.Is(err, bundle.ErrNoBundle) || len(asked) != 1 {
		t.Errorf("all-zero region: %v after reads %v; want no bundle after one read", err, asked)
	}
	asked = nil
	junk := bytes.Repeat([]byte("not a cpio archive "), 10_000)
	if _, err := ReadBundle(regionReader(junk, &asked), len(junk)); !errors.Is(err, bundle.ErrMalformed) || len(asked) != 1 {
		t.Errorf("junk region: %v after reads %v; want malformed after one read", err, asked)
	}
}

func TestLoadBundle(t *testing.T) {
	k := newKeys(t, muscle.CapAll)
	stranger := newKeys(t, muscle.CapAll)
	tampered := k.neuron(t, "tampered", 1)
	tampered[len(tampered)-100] ^= 0x20
	files := map[string][]byte{
		"good.muscle":     k.neuron(t, "neuron4", 5),
		"older.muscle":    k.neuron(t, "neuron4", 4),
		"tampered.muscle": tampered,
		"stranger.muscle": stranger.neuron(t, "stranger", 1),
		"junk.muscle":     []byte("this is not a muscle at all, just some bytes"),
		"svc.muscle":      k.seal(t, "svc", 1, codeSVC, 5),
		"second.muscle":   k.neuron(t, "second", 2),
	}
	names := []string{"good.muscle", "older.muscle", "tampered.muscle", "stranger.muscle", "junk.muscle", "svc.muscle", "second.muscle"}
	region := make([]byte, 256<<10)
	copy(region, cpioBundle(t, names, files))
	var asked []int
	entries, err := ReadBundle(regionReader(region, &asked), len(region))

	h := newLoader(k)
	h.LoadBundle("at 0x91000000", "bundle/", entries, err)
	lines := strings.Split(strings.TrimSuffix(h.out.String(), "\n"), "\n")
	want := []string{
		`^muscles: bundle at 0x91000000 with 7 entries$`,
		`^muscle bundle/good.muscle: accepted "neuron4" v5 by [0-9a-f]{16}, forward, code 4 bytes blake3 [0-9a-f]{16}, state 20 bytes blake3 [0-9a-f]{16}$`,
		`^muscle bundle/older.muscle: rejected: rollback`,
		`^muscle bundle/tampered.muscle: rejected: tampered`,
		`^muscle bundle/stranger.muscle: rejected: unknown publisher`,
		`^muscle bundle/junk.muscle: rejected: not a .muscle blob`,
		`^muscle bundle/svc.muscle: rejected: machine-code verifier: verify: offset 0x0: instruction form: `,
		`^muscle bundle/second.muscle: accepted "second" v2 `,
	}
	if len(lines) != len(want) {
		t.Fatalf("LoadBundle printed %d lines, want %d:\n%s", len(lines), len(want), h.out.String())
	}
	for i, re := range want {
		if !regexp.MustCompile(re).MatchString(lines[i]) {
			t.Errorf("line %d %q does not match %s", i+1, lines[i], re)
		}
	}
	if ms := h.Muscles(); len(ms) != 2 || ms[0].Name() != "neuron4" || ms[1].Name() != "second" {
		t.Errorf("served %d muscles, want neuron4 and second", len(ms))
	}
	var kinds []string
	for _, e := range h.Log.Entries() {
		kinds = append(kinds, e.Kind)
	}
	if got := strings.Join(kinds, " "); got != "bundle accept reject reject reject reject reject accept" {
		t.Errorf("audit kinds %q", got)
	}
	if e := h.Log.Entries()[0]; e.Detail != "at 0x91000000, 7 entries" {
		t.Errorf("bundle audit entry %q", e.Detail)
	}
	if e := h.Log.Entries()[2]; !strings.HasPrefix(e.Detail, "bundle/older.muscle: rollback") {
		t.Errorf("rollback audit entry %q", e.Detail)
	}
	h.verifies(t, k)
}

func TestLoadBundleWithoutBundle(t *testing.T) {
	k := newKeys(t, muscle.CapAll)
	h := newLoader(k)
	entries, err := ReadBundle(regionReader(make([]byte, 64<<10), new([]int)), 64<<10)
	h.LoadBundle("at 0x91000000", "", entries, err)
	if h.out.String() != "muscles: no bundle at 0x91000000\n" {
		t.Errorf("output %q", h.out.String())
	}
	if e := h.last(); e.Kind != "bundle" || e.Detail != "none at 0x91000000" {
		t.Errorf("audit %s %q", e.Kind, e.Detail)
	}

	h = newLoader(k)
	junk := bytes.Repeat([]byte("junk"), 100)
	entries, err = ReadBundle(regionReader(junk, new([]int)), len(junk))
	h.LoadBundle("built into the image", "", entries, err)
	if !strings.HasPrefix(h.out.String(), "muscles: bundle built into the image rejected: malformed bundle: bad magic at offset 0") {
		t.Errorf("output %q", h.out.String())
	}
	if e := h.last(); e.Kind != "bundle-error" || !strings.HasPrefix(e.Detail, "built into the image: malformed bundle") {
		t.Errorf("audit %s %q", e.Kind, e.Detail)
	}
	if len(h.Muscles()) != 0 {
		t.Error("muscles served from a rejected bundle")
	}

	// A bundle holding only the trailer: no entries, nothing admitted.
	h = newLoader(k)
	entries, err = ReadBundle(regionReader(cpioBundle(t, nil, nil), new([]int)), 512)
	h.LoadBundle("at 0x91000000", "", entries, err)
	if h.out.String() != "muscles: bundle at 0x91000000 with 0 entries\n" {
		t.Errorf("empty bundle: output %q", h.out.String())
	}
}

// TestStoredState: the sealed store's floors refuse older versions and
// other publishers across boots; stored state is given back only to the
// muscle it was saved from (same publisher, version and state size), never
// to another name's, version's or publisher's.
func TestStoredState(t *testing.T) {
	k := newKeys(t, muscle.CapAll)
	persisted := func(name string, version uint64, stateFloats int) []byte {
		in := &muscle.Input{Name: name, Version: version, Capabilities: muscle.CapAll, BudgetMicros: 1000,
			Code: append(append([]byte{}, codeRet...), codeRet...), State: floats(stateFloats)}
		in.Manifest.TrainEntry = 4
		in.Manifest.Input, in.Manifest.Output, in.Manifest.State, in.Manifest.Target = muscle.Shape{4}, muscle.Shape{1}, muscle.Shape{uint32(stateFloats)}, muscle.Shape{1}
		in.Provenance.Compiler, in.Provenance.Source = "loader test", name+".py"
		blob, err := muscle.Seal(k.sk, k.sg, in)
		if err != nil {
			t.Fatal(err)
		}
		return blob
	}
	trained := func(b byte, n int) persist.Muscle {
		st := bytes.Repeat([]byte{b}, 4*n)
		return persist.Muscle{Publisher: k.sg.Publisher, Version: 2, Hash: blake3.Sum256(st), State: st}
	}
	other := muscle.PublisherID{0xee}
	a, b, c, d := trained(1, 5), trained(2, 5), trained(3, 6), trained(4, 5)
	a.Name, b.Name, c.Name, d.Name = "a", "b", "c", "d"
	b.Version = 1       // saved from v1; v2 is served
	d.Publisher = other // saved from another publisher's "d"
	h := newLoader(k)
	h.Stored = &persist.State{
		Muscles: []persist.Muscle{a, b, c, d},
		Floors: []persist.Floor{{Name: "a", Publisher: k.sg.Publisher, Version: 2}, {Name: "old", Publisher: k.sg.Publisher, Version: 5},
			{Name: "theirs", Publisher: other, Version: 1}},
	}
	for _, m := range []struct {
		name    string
		version uint64
		floats  int
		restore bool
		err     error
	}{
		{"a", 2, 5, true, nil},
		{"b", 2, 5, false, nil}, // another version's state
		{"c", 2, 5, false, nil}, // a state of another size
		{"d", 2, 5, false, nil}, // another publisher's state
		{"old", 4, 5, false, muscle.ErrRollback},
		{"old", 5, 5, false, nil}, // the floor itself is the same muscle again
		{"theirs", 3, 5, false, ErrNameTaken},
	} {
		detail, err := h.Admit(m.name, persisted(m.name, m.version, m.floats))
		if !errors.Is(err, m.err) {
			t.Fatalf("%s v%d: %v, want %v", m.name, m.version, err, m.err)
		}
		if err != nil {
			continue
		}
		restored := strings.Contains(detail, "restored")
		if restored != m.restore {
			t.Errorf("%s v%d: restored %v (%s)", m.name, m.version, restored, detail)
		}
		if got := h.Find(m.name).Space.State(); restored && !bytes.Equal(got, a.State) {
			t.Errorf("%s: restored state differs", m.name)
		}
	}
	// The snapshot keeps the floors of names not served and the highest
	// versions of those served.
	snap := h.Snapshot()
	if f := snap.FindFloor("theirs"); f == nil || f.Publisher != other {
		t.Errorf("snapshot lost another publisher's floor: %+v", snap.Floors)
	}
	if f := snap.FindFloor("old"); f == nil || f.Version != 5 {
		t.Errorf("snapshot floor of old: %+v", f)
	}
	if m := snap.FindMuscle("a"); m == nil || !bytes.Equal(m.State, a.State) {
		t.Errorf("snapshot of a: %+v", m)
	}
	if m := snap.FindMuscle("b"); m == nil || m.Version != 2 {
		t.Errorf("snapshot keeps b's old state instead of the served v2's: %+v", m)
	}
}
