// Package served holds a muscle the referee serves and its call path: the
// capability check, copying the caller's floats into the muscle's buffers,
// the call into its sandbox, and reading the output back, counting runs,
// training steps and faults. It builds for the host, where calls report
// that they need the image, and for GOOS=tamago.
package served

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/referee/sandbox"
)

// Muscle is a muscle the referee serves: its sealed description and its
// sandbox (which holds the only copy of its code and state).
type Muscle struct {
	Header     *muscle.Header
	Manifest   *muscle.Manifest
	Provenance *muscle.Provenance
	Space      *sandbox.Space
	// Out receives each call's output, allocated once (the hot path
	// allocates nothing).
	Out                     []float32
	Runs, Trainings, Faults uint64
	// Memory is what the muscle holds of the loader's budget (its arena).
	Memory int64
	// LoadNanos is how long admission took (validation, verifier, mapping),
	// in guest time: instructions under -icount shift=0.
	LoadNanos int64
}

// New maps an opened muscle into a sandbox of its own, with its call
// deadline in timer ticks.
func New(m *muscle.Muscle, deadlineTicks uint64) (*Muscle, error) {
	man := m.Manifest
	sp, err := sandbox.New(specOf(m))
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	sp.SetBudget(deadlineTicks)
	return &Muscle{Header: m.Header, Manifest: man, Provenance: m.Provenance, Space: sp, Out: make([]float32, man.Output.Bytes()/4)}, nil
}

// specOf is the sandbox an opened muscle needs.
func specOf(m *muscle.Muscle) sandbox.Spec {
	man := m.Manifest
	return sandbox.Spec{
		Code: m.Code, State: m.State, Scratch: int(man.ScratchSize),
		Input: int(man.Input.Bytes()), Output: int(man.Output.Bytes()), Target: int(man.Target.Bytes()),
		ForwardEntry: man.ForwardEntry, TrainEntry: man.TrainEntry, // NoEntry lies outside any code
	}
}

// MemoryNeeded is what New will allocate for m: its arena and the output
// copy. The loader checks it against its budget first.
func MemoryNeeded(m *muscle.Muscle) (int64, error) {
	n, err := sandbox.ArenaSize(specOf(m))
	if err != nil {
		return 0, fmt.Errorf("sandbox: %w", err)
	}
	return int64(n) + m.Manifest.Output.Bytes(), nil
}

// Name is the muscle's name.
func (s *Muscle) Name() string { return s.Header.Name }

// Counts describes the muscle's calls, for the audit log.
func (s *Muscle) Counts() string {
	return fmt.Sprintf("%q v%d: %d runs, %d training steps, %d faults", s.Header.Name, s.Header.Version, s.Runs, s.Trainings, s.Faults)
}

// Persists reports whether trained state outlives a train command.
func (s *Muscle) Persists() bool { return s.Header.Capabilities&muscle.CapPersist != 0 }

// CapabilityError is May's refusal.
type CapabilityError struct{ msg string }

func (e *CapabilityError) Error() string { return e.msg }

// May reports whether the muscle may be called at entry e: it needs the
// entry's capability (forward or train) and the entry in its code.
func (s *Muscle) May(e sandbox.Entry) error {
	c, verb := muscle.CapForward, "run forward"
	if e == sandbox.Train {
		c, verb = muscle.CapTrain, "train"
	}
	if s.Header.Capabilities&c == 0 || !s.Space.HasEntry(e) {
		return &CapabilityError{fmt.Sprintf("%s may not %s: its capabilities are %s", s.Header.Name, verb, s.Header.Capabilities)}
	}
	return nil
}

// Call runs entry e on input x (and, for train, target y); the call's
// output is in s.Out. Output and scratch start zeroed (sandbox.Space.Call),
// so a call depends only on x, y and the muscle's state. The caller has checked May and the lengths of x and
// y. Nothing is allocated.
func (s *Muscle) Call(e sandbox.Entry, x, y []float32) error {
	putFloats(s.Space.Input(), x)
	if e == sandbox.Train {
		putFloats(s.Space.Target(), y)
	}
	if err := s.Space.Call(e); err != nil {
		s.Faults++
		return err
	}
	if e == sandbox.Train {
		s.Trainings++
	} else {
		s.Runs++
	}
	getFloats(s.Out, s.Space.Output())
	return nil
}

// putFloats writes little-endian float32 values into a muscle buffer.
func putFloats(dst []byte, v []float32) {
	for i, x := range v {
		binary.LittleEndian.PutUint32(dst[4*i:], math.Float32bits(x))
	}
}

// getFloats reads a muscle buffer into dst.
func getFloats(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
	}
}
