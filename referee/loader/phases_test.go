//go:build !tamago

package loader

import (
	"testing"

	"github.com/muscles/referee/muscle"
)

// TestLoadPhases: an admitted muscle records every phase of its load, in
// the order they ran, each timed with Now (the test's clock advances on
// every reading, so a timed phase is never 0), and the phases before the
// verdict's audit entry add up to at most LoadNanos.
func TestLoadPhases(t *testing.T) {
	k := newKeys(t, muscle.CapAll)
	h := newLoader(k)
	if _, err := h.Admit("good.muscle", k.neuron(t, "neuron4", 5)); err != nil {
		t.Fatal(err)
	}
	m := h.Find("neuron4")
	want := []string{PhaseSignature, PhaseDerive, PhaseDecrypt, PhaseVerify, PhaseSandbox, PhaseRest, PhaseAudit}
	if len(m.LoadPhases) != len(want) {
		t.Fatalf("phases %+v, want %v", m.LoadPhases, want)
	}
	var sum int64
	for i, p := range m.LoadPhases {
		if p.Name != want[i] || p.Nanos <= 0 {
			t.Errorf("phase %d is %+v, want %s timed with Now", i, p, want[i])
		}
		if p.Name != PhaseAudit {
			sum += p.Nanos
		}
	}
	if sum > m.LoadNanos {
		t.Errorf("the phases add up to %d ns, more than LoadNanos %d", sum, m.LoadNanos)
	}
}
