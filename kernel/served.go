//go:build tamago && arm64

package main

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/muscles/referee/board/qemu/virt"
	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/referee/audit"
	"github.com/muscles/referee/referee/sandbox"
)

// served is a muscle the referee serves: its sealed description and its
// sandbox (which holds the only copy of its code and state).
type served struct {
	h     *muscle.Header
	man   *muscle.Manifest
	prov  *muscle.Provenance
	space *sandbox.Space
	// out receives each call's output, allocated once (the hot path
	// allocates nothing).
	out                     []float32
	runs, trainings, faults uint64
	// loadNanos is how long admission took (validation, verifier, mapping),
	// in guest time: instructions under -icount shift=0.
	loadNanos int64
}

func newServed(m *muscle.Muscle) (*served, error) {
	man := m.Manifest
	sp, err := sandbox.New(sandbox.Spec{
		Code: m.Code, State: m.State, Scratch: int(man.ScratchSize),
		Input: int(man.Input.Bytes()), Output: int(man.Output.Bytes()), Target: int(man.Target.Bytes()),
		ForwardEntry: man.ForwardEntry, TrainEntry: man.TrainEntry, // NoEntry lies outside any code
	})
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	sp.SetBudget(virt.BudgetTicks(m.Header.BudgetMicros))
	return &served{h: m.Header, man: man, prov: m.Provenance, space: sp, out: make([]float32, man.Output.Bytes()/4)}, nil
}

// retire audits the muscle's counts and wipes its arena.
func (s *served) retire(log *audit.Log) {
	log.Append(now(), "counts", s.counts())
	s.space.Wipe()
}

func (s *served) counts() string {
	return fmt.Sprintf("%q v%d: %d runs, %d training steps, %d faults", s.h.Name, s.h.Version, s.runs, s.trainings, s.faults)
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

// may reports whether the muscle may be called at entry e: it needs the
// entry's capability (forward or train) and the entry in its code.
func (s *served) may(e sandbox.Entry) error {
	c, verb := muscle.CapForward, "run forward"
	if e == sandbox.Train {
		c, verb = muscle.CapTrain, "train"
	}
	if s.h.Capabilities&c == 0 || !s.space.HasEntry(e) {
		return fail("capability", "%s may not %s: its capabilities are %s", s.h.Name, verb, s.h.Capabilities)
	}
	return nil
}

// call runs entry e on input x (and, for train, target y); the call's
// output is in s.out. The caller has checked may. Nothing is allocated.
func (s *served) call(e sandbox.Entry, x, y []float32) error {
	putFloats(s.space.Input(), x)
	if e == sandbox.Train {
		putFloats(s.space.Target(), y)
	}
	if err := s.space.Call(e); err != nil {
		s.faults++
		return err
	}
	if e == sandbox.Train {
		s.trainings++
	} else {
		s.runs++
	}
	getFloats(s.out, s.space.Output())
	return nil
}
