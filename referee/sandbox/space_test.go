package sandbox

import (
	"encoding/binary"
	"strings"
	"testing"
)

func init() {
	// Host addresses do not fit a 39-bit regime: pretend the arena is at
	// a referee-like address (the tables are only walked, never used).
	addressOf = func(b []byte) uint64 { return 0x4812_3000 }
}

func testSpec() Spec {
	code := make([]byte, 5000) // two pages
	binary.LittleEndian.PutUint32(code[4996:], 0xD65F03C0)
	return Spec{Code: code, State: []byte{1, 2, 3, 4, 5}, Scratch: 64, Input: 16, Output: 8192, Target: 0,
		ForwardEntry: 0, TrainEntry: 0xFFFF_FFFF}
}

// TestTablesMapOnlyTheMuscle walks the tables as the MMU would: every page
// of the arena and the pages around it have exactly the permissions doc.go
// promises, and nothing else is mapped.
func TestTablesMapOnlyTheMuscle(t *testing.T) {
	s, err := New(testSpec())
	if err != nil {
		t.Fatal(err)
	}
	l := s.l
	want := map[int]uint64{}
	for _, m := range l.mapped() {
		for off := m.r.off; off < m.r.end(); off += PageSize {
			want[off] = m.attr
		}
	}
	if len(want) != 9 { // vectors, code ×2, state, scratch, input, output ×2, target
		t.Fatalf("%d mapped pages, want 9", len(want))
	}
	for off := -4 * PageSize; off < l.size+4*PageSize; off += PageSize {
		va := s.base + uint64(off)
		d := walk(s.mem, s.base, s.ttbr, va)
		attr, ok := want[off]
		switch {
		case !ok && d != 0:
			t.Errorf("offset %#x (%#x) mapped (%#x), should not be", off, va, d)
		case ok && d != va|attr:
			t.Errorf("offset %#x: descriptor %#x, want %#x", off, d, va|attr)
		}
	}
	for _, va := range []uint64{0, ReturnAddress, 0x9000_0000, 0x4020_0000} {
		if d := walk(s.mem, s.base, s.ttbr, va); d != 0 {
			t.Errorf("%#x is mapped: %#x", va, d)
		}
	}
	// Code: EL0 may execute, nobody may write; buffers: never execute.
	if pageCode&uxn != 0 || pageCode&apMask != apRO || pageBuffer&(uxn|pxn) != uxn|pxn || pageVectors&apMask != apEL1RO {
		t.Error("permission bits are wrong")
	}
}

func TestVectorsAndBuffers(t *testing.T) {
	s, err := New(testSpec())
	if err != nil {
		t.Fatal(err)
	}
	v := s.mem[s.l.vectors.off:]
	for i := 0; i < vectorLen; i++ {
		if got := binary.LittleEndian.Uint32(v[0x80*i:]); got != 0xD4000003|uint32(i)<<5 {
			t.Errorf("vector %d is %#x", i, got)
		}
	}
	if len(s.Input()) != 16 || len(s.Output()) != 8192 || len(s.State()) != 5 || len(s.Target()) != 0 {
		t.Errorf("buffer sizes %d %d %d %d", len(s.Input()), len(s.Output()), len(s.State()), len(s.Target()))
	}
	if !s.HasEntry(Forward) || s.HasEntry(Train) {
		t.Error("entries wrong")
	}
	s.State()[0] = 99
	s.ResetState()
	if s.State()[0] != 1 {
		t.Error("ResetState did not restore the sealed state")
	}
	for _, r := range []region{s.l.input, s.l.output, s.l.state, s.l.scratch, s.l.target, s.l.code, s.l.vectors} {
		if (s.base+uint64(r.off))%PageSize != 0 {
			t.Errorf("region at %#x is not page-aligned", r.off)
		}
	}
	s.Wipe()
	for _, b := range s.raw {
		if b != 0 {
			t.Fatal("Wipe left data")
		}
	}
}

func TestNewRejects(t *testing.T) {
	for name, spec := range map[string]Spec{
		"no code":         {},
		"huge scratch":    {Code: make([]byte, 4), Scratch: MaxArena + 1},
		"negative":        {Code: make([]byte, 4), Input: -1},
		"entry outside":   {Code: make([]byte, 4), ForwardEntry: 4},
		"entry unaligned": {Code: make([]byte, 8), ForwardEntry: 2},
	} {
		if _, err := New(spec); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestDecode(t *testing.T) {
	const code, size = 0x4100_0000, 0x100
	esr := func(ec, iss uint64) uint64 { return ec<<26 | iss }
	smc := esr(ecSMC64, el1LowerSync) | 1<<25 // IL: a 32-bit instruction
	if f := decode(outcome{vector: el3LowerSync, esr3: smc, esr1: esr(ecInstrAbort, fscTranslate), far1: ReturnAddress}, code, size); f != nil {
		t.Fatalf("normal return decoded as %v", f)
	}
	// The normal return is exactly that syndrome (as the trampoline
	// checks it): anything else at ReturnAddress is a fault.
	for _, other := range []uint64{smc &^ (1 << 25), smc | 1<<16, smc | 1<<32} {
		if f := decode(outcome{vector: el3LowerSync, esr3: other, esr1: esr(ecInstrAbort, fscTranslate), far1: ReturnAddress}, code, size); f == nil {
			t.Errorf("ESR_EL3 %#x at ReturnAddress decoded as a normal return", other)
		}
	}
	for _, c := range []struct {
		o    outcome
		kind FaultKind
		text string
	}{
		{outcome{vector: el3LowerFIQ, timer: 5}, FaultDeadline, "budget exceeded"},
		{outcome{vector: el3LowerIRQ}, FaultOther, "unexpected interrupt"},
		{outcome{vector: el3LowerSync, esr3: smc, esr1: esr(ecDataAbort, fscTranslate), far1: 0x9000_0000, elr1: code + 8}, FaultMemory, "read from 0x90000000 (not mapped) at code offset 0x8"},
		{outcome{vector: el3LowerSync, esr3: smc, esr1: esr(ecDataAbort, wnr|fscPermission), far1: code, elr1: code}, FaultMemory, "write to 0x41000000 (permission)"},
		{outcome{vector: el3LowerSync, esr3: smc, esr1: esr(ecInstrAbort, fscTranslate), far1: 0x5000}, FaultFetch, "instruction fetch from 0x5000"},
		{outcome{vector: el3LowerSync, esr3: smc, esr1: esr(ecUnknown, 0), elr1: code + 4}, FaultUndefined, "undefined instruction at code offset 0x4"},
		{outcome{vector: el3LowerSync, esr3: smc, esr1: esr(ecSVC64, 0)}, FaultSupervisorCall, "svc"},
		{outcome{vector: el3LowerSync, esr3: smc, esr1: esr(ecSysReg, 0)}, FaultSystem, "system instruction"},
		{outcome{vector: el3LowerSync, esr3: smc, esr1: esr(ecBRK, 0)}, FaultBreakpoint, "breakpoint"},
		{outcome{vector: el3LowerSync, esr3: esr(ecSMC64, 4)}, FaultOther, "Secure EL1 vector"},
		{outcome{vector: 4}, FaultOther, "at EL3 during the call"},
	} {
		f := decode(c.o, code, size)
		if f == nil || f.Kind != c.kind || !strings.Contains(f.Error(), c.text) {
			t.Errorf("%+v: got %v, want kind %d containing %q", c.o, f, c.kind, c.text)
		}
	}
}

// TestCallsStartClean (finding 3): whatever the previous call left in the
// output, the scratch or (for forward) the target, the next call starts
// from zeros; the state and the input are the caller's to set.
func TestCallsStartClean(t *testing.T) {
	spec := testSpec()
	spec.Target = 12
	s, err := New(spec)
	if err != nil {
		t.Fatal(err)
	}
	fill := func() {
		for _, b := range [][]byte{s.Output(), s.Scratch(), s.Target(), s.Input()} {
			for i := range b {
				b[i] = 0xA5
			}
		}
	}
	zero := func(b []byte) bool {
		for _, x := range b {
			if x != 0 {
				return false
			}
		}
		return true
	}
	for _, e := range []Entry{Forward, Train} {
		fill()
		s.Call(e) // on the host it only reports that it needs the image
		if !zero(s.Output()) || !zero(s.Scratch()) {
			t.Errorf("%s call: output or scratch not zeroed", e)
		}
		if zero(s.Target()) != (e == Forward) {
			t.Errorf("%s call: target zeroed %v, want %v (train's target is the caller's)", e, zero(s.Target()), e == Forward)
		}
		if zero(s.Input()) || string(s.State()) != "\x01\x02\x03\x04\x05" {
			t.Errorf("%s call: the input or the state was changed", e)
		}
	}
	if n, err := ArenaSize(spec); err != nil || n != s.ArenaBytes()+PageSize || n != len(s.raw) {
		t.Errorf("ArenaSize %d, %v; New allocated %d", n, err, len(s.raw))
	}
}

// TestCallSetup: New prepares each entry's call once: the wipes (each buffer rounded up to wipeBlock inside its pages,
// train's target not at all), the entry and the budget (SetBudget); a
// batch's call wipes nothing.
func TestCallSetup(t *testing.T) {
	spec := testSpec()
	spec.Output, spec.Scratch, spec.Target, spec.TrainEntry = 12, 4097, 4, 0
	s, err := New(spec)
	if err != nil {
		t.Fatal(err)
	}
	s.SetBudget(777)
	at := func(r region) uint64 { return s.base + uint64(r.off) }
	for e, want := range map[Entry][3]int{Forward: {64, 4160, 64}, Train: {64, 4160, 0}} {
		c := &s.frame.calls[e]
		if c.entry != s.entry[e] || c.budget != 777 {
			t.Errorf("%v: entry %#x budget %d", e, c.entry, c.budget)
		}
		for i, r := range []region{s.l.output, s.l.scratch, s.l.target} {
			if w := c.wipe[i]; w[1] != uint64(want[i]) || w[1] != 0 && w[0] != at(r) || w[1] > uint64(r.size) {
				t.Errorf("%v: wipe %d is %#x, want %d bytes at %#x", e, i, w, want[i], at(r))
			}
		}
	}
	for _, w := range s.batch.wipe {
		if w[1] != 0 {
			t.Errorf("a batch's call wipes %#x", s.batch.wipe)
		}
	}
}

// TestReadyWords: frame.ready[e], the one word enter checks before running
// a call without writing the regime, is 1 only while e exists, no batch
// rows are dirty and the space is the one entered last: entering another
// space, dirtying a row or wiping clears it.
func TestReadyWords(t *testing.T) {
	spec := testSpec()
	spec.Rows, spec.TrainEntry = 4, 0
	a, err := New(spec)
	if err != nil {
		t.Fatal(err)
	}
	spec.TrainEntry = 0xFFFF_FFFF // no train entry
	b, err := New(spec)
	if err != nil {
		t.Fatal(err)
	}
	want := func(s *Space, name string, r [2]uint64) {
		t.Helper()
		if s.frame.ready != r {
			t.Errorf("%s: ready %v, want %v", name, s.frame.ready, r)
		}
	}
	want(a, "a, never entered", [2]uint64{})
	if a.enterRegime() != 1 || a.enterRegime() != 0 {
		t.Error("entering a: the regime is not asked for exactly once")
	}
	want(a, "a, entered", [2]uint64{1, 1})
	a.InputRow(1) // a batch row holds the caller's data
	want(a, "a, a dirty row", [2]uint64{})
	a.clearBuffers(Forward, 1)
	want(a, "a, rows cleared", [2]uint64{1, 1})
	a.clearBuffers(Forward, 3) // a batch of 3
	want(a, "a, after a batch", [2]uint64{})
	a.clearBuffers(Forward, 1)
	if b.enterRegime() != 1 {
		t.Error("entering b after a: the regime is not asked for")
	}
	want(a, "a, b entered since", [2]uint64{})
	want(b, "b, entered (no train entry)", [2]uint64{1, 0})
	b.Wipe()
	want(b, "b, wiped", [2]uint64{})
	if entered != 0 || last != nil {
		t.Errorf("after wiping the space entered last: entered %d, last %p", entered, last)
	}
	if a.enterRegime() != 1 {
		t.Error("entering a again: the regime is not asked for")
	}
	want(a, "a, entered again", [2]uint64{1, 1})
	a.Wipe()
	want(a, "a, wiped", [2]uint64{})
}
