//go:build !tamago

package loader

import (
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/muscle/muscletest"
)

// twoPublishers is one key record with publisher a (every grant) and
// publisher b (forward only), as in the review's takeover.
func twoPublishers(t *testing.T) (keys, keys) {
	a := muscletest.MustPublisher(t, muscle.CapAll)
	b, err := muscletest.AddPublisher(a.Record, a.Master, muscle.CapForward)
	if err != nil {
		t.Fatal(err)
	}
	return keys{a.Record, a.Sealer, a.Signer}, keys{b.Record, b.Sealer, b.Signer}
}

// TestNameBelongsToItsPublisher (finding 1): publisher b's muscle under a
// name publisher a serves, even at version 2^64-1, is refused with its
// own reason and audited; a's muscle keeps serving, and a's next version
// is still accepted (nobody is locked out).
func TestNameBelongsToItsPublisher(t *testing.T) {
	a, b := twoPublishers(t)
	h := newLoader(a)
	if _, err := h.Admit("a.muscle", a.neuron(t, "victim", 1)); err != nil {
		t.Fatal(err)
	}
	victim := h.Find("victim")
	copy(victim.Space.State(), "trained!") // what training left

	for _, v := range []uint64{1, 2, math.MaxUint64} {
		_, err := h.Admit("b.muscle", b.neuron(t, "victim", v))
		if !errors.Is(err, ErrNameTaken) || !strings.Contains(err.Error(), `"victim" belongs to publisher `+a.sg.Publisher.String()) {
			t.Errorf("b's victim v%d: %v, want name taken, naming a", v, err)
		}
		if e := h.last(); e.Kind != "reject" || !strings.HasPrefix(e.Detail, "b.muscle: name taken") {
			t.Errorf("b's victim v%d: last audit entry %s %q, want a reject", v, e.Kind, e.Detail)
		}
	}
	if h.Find("victim") != victim || victim.Header.Publisher != a.sg.Publisher || string(victim.Space.State()[:8]) != "trained!" {
		t.Fatal("b's muscle displaced a's, or a's state changed")
	}
	if _, err := h.Admit("a2.muscle", a.neuron(t, "victim", 2)); err != nil {
		t.Fatalf("a's v2 after b's v2^64-1: %v", err)
	}
	if m := h.Find("victim"); m.Header.Publisher != a.sg.Publisher || m.Header.Version != 2 {
		t.Errorf("served victim is v%d by %s, want a's v2", m.Header.Version, m.Header.Publisher)
	}
	// Names b holds are b's: a cannot take them either.
	if _, err := h.Admit("b-own.muscle", b.neuron(t, "bs", 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Admit("a-takes.muscle", a.neuron(t, "bs", 9)); !errors.Is(err, ErrNameTaken) {
		t.Errorf("a taking b's name: %v, want name taken", err)
	}
	h.verifies(t, a)
}

// TestReplayKeepsState (finding 5): accepting the version already served
// again would reset its trained state; it is refused, audited, and the
// served muscle and its state are untouched.
func TestReplayKeepsState(t *testing.T) {
	k := newKeys(t, muscle.CapAll)
	h := newLoader(k)
	blob := k.neuron(t, "learner", 3)
	if _, err := h.Admit("first", blob); err != nil {
		t.Fatal(err)
	}
	m := h.Find("learner")
	copy(m.Space.State(), "trained!")
	_, err := h.Admit("replay", blob)
	if !errors.Is(err, muscle.ErrRollback) || !strings.Contains(err.Error(), "v3 was accepted this boot") {
		t.Errorf("the same blob again: %v, want a refusal saying v3 is served", err)
	}
	if e := h.last(); e.Kind != "reject" || !strings.HasPrefix(e.Detail, "replay: rollback") {
		t.Errorf("last audit entry %s %q, want the replay's reject", e.Kind, e.Detail)
	}
	if h.Find("learner") != m || string(m.Space.State()[:8]) != "trained!" {
		t.Error("the replay replaced the muscle or reset its state")
	}
}

// bigScratch is a neuron declaring scratch bytes of scratch.
func (k keys) bigScratch(t *testing.T, name string, scratch uint32) []byte {
	in := muscletest.Neuron(name, 1, codeRet)
	in.Manifest.ScratchSize = scratch
	in.Provenance.Compiler, in.Provenance.Source = "loader test", name
	blob, err := muscle.Seal(k.sk, k.sg, in)
	if err != nil {
		t.Fatal(err)
	}
	return blob
}

// TestMemoryBudget (finding 4): muscles that do not fit in what is left
// of the budget are refused, by the limit, before their arenas exist; the
// others load, and a retired muscle's memory is given back.
func TestMemoryBudget(t *testing.T) {
	k := newKeys(t, muscle.CapAll)
	h := newLoader(k)
	h.MemoryBudget = 100 << 20
	var accepted []string
	for i := range 10 {
		name := "scratchy" + string(rune('0'+i))
		_, err := h.Admit(name, k.bigScratch(t, name, 32<<20))
		switch {
		case err == nil:
			accepted = append(accepted, name)
		case !errors.Is(err, ErrMemory) || !strings.Contains(err.Error(), "104857600-byte budget"):
			t.Errorf("%s: %v, want a memory-budget refusal naming the limit", name, err)
		}
		if h.Available() < 0 {
			t.Fatalf("after %s: %d bytes over the budget", name, -h.Available())
		}
	}
	if len(accepted) != 3 || len(h.Muscles()) != 3 {
		t.Errorf("accepted %v, want the three that fit in 100 MiB", accepted)
	}
	if _, err := h.Admit("small", k.neuron(t, "small", 1)); err != nil {
		t.Errorf("a small muscle after the refusals: %v", err)
	}
	before := h.Available()
	h.Retire(h.Find("scratchy0"))
	if h.Available() <= before+32<<20 {
		t.Errorf("retiring a 32 MiB muscle gave back %d bytes", h.Available()-before)
	}

	// Code too large for the budget is refused from its header, before it
	// is decrypted or decoded.
	h.MemoryBudget = 8 << 20
	h.used = 0
	code := make([]byte, 4<<20)
	for i := 0; i < len(code); i += 4 {
		copy(code[i:], []byte{0x1f, 0x20, 0x03, 0xd5}) // nop
	}
	copy(code[len(code)-4:], codeRet)
	_, err := h.Admit("huge", k.seal(t, "huge", 1, code, 5))
	if !errors.Is(err, ErrMemory) || !strings.Contains(err.Error(), "its code and state needs") {
		t.Errorf("4 MiB of code in an 8 MiB budget: %v, want refused from the header", err)
	}
}

// TestInstructionCountWithinBudget (finding 6): a loop that resets its
// pointer and runs 2^40 times is accepted by the verifier's memory rules,
// but its exact count cannot finish in its budget: refused, with the
// count.
func TestInstructionCountWithinBudget(t *testing.T) {
	k := newKeys(t, muscle.CapAll)
	h := newLoader(k)
	long := words(0xd2c02009, 0xbd400000, 0xf1000529, 0x54ffffc1, 0xd65f03c0) // x9 = 2^40; ldr s0, [x0]; subs; b.ne; ret
	_, err := h.Admit("long", k.seal(t, "long", 1, long, 5))
	want := "the forward entry executes 3298534883330 instructions; a budget of 1001 µs allows at most 4004000"
	if !errors.Is(err, ErrTooSlow) || !strings.Contains(err.Error(), want) {
		t.Errorf("2^40 iterations: %v, want %q", err, want)
	}
	short := words(0xd2800129, 0xbd400000, 0xf1000529, 0x54ffffc1, 0xd65f03c0) // x9 = 9
	if _, err := h.Admit("short", k.seal(t, "short", 1, short, 5)); err != nil {
		t.Errorf("9 iterations: %v", err)
	}
}

// words encodes A64 instructions (checked with GNU as).
func words(w ...uint32) []byte {
	b := make([]byte, 0, 4*len(w))
	for _, x := range w {
		b = binary.LittleEndian.AppendUint32(b, x)
	}
	return b
}
