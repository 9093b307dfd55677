//go:build tamago && arm64

package main

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"lukechampine.com/blake3"

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/referee/sandbox"
)

// The console commands that work with muscles: list, info, run, train,
// bench. Each reply is human-readable text, or one JSON line in JSON mode.

// cmdError is a failed command: a message and a short machine-readable
// code (the "code" of the JSON reply).
type cmdError struct{ code, msg string }

func (e *cmdError) Error() string { return e.msg }

func fail(code, format string, a ...any) error { return &cmdError{code, fmt.Sprintf(format, a...)} }

// errorCode is the JSON code of any command error.
func errorCode(err error) string {
	var ce *cmdError
	var f *sandbox.Fault
	switch {
	case errors.As(err, &ce):
		return ce.code
	case errors.As(err, &f):
		return f.Kind.Code()
	}
	return "error"
}

// maxSteps bounds train's step count.
const maxSteps = 1_000_000

// muscleInfo is a muscle as list and info describe it (never its code,
// weights or state, only their sizes and hashes).
type muscleInfo struct {
	Name         string              `json:"name"`
	Version      uint64              `json:"version"`
	Publisher    string              `json:"publisher"`
	Capabilities []string            `json:"capabilities"`
	Sizes        map[string]int64    `json:"sizes"`
	Shapes       map[string][]uint32 `json:"shapes,omitempty"`
	BudgetMicros uint32              `json:"budget_us"`
	CodeHash     string              `json:"code_blake3,omitempty"`
	StateHash    string              `json:"state_hash,omitempty"`
	Runs         *uint64             `json:"runs,omitempty"`
	Trainings    *uint64             `json:"training_steps,omitempty"`
	Faults       *uint64             `json:"faults,omitempty"`
}

func describe(m *served, full bool) muscleInfo {
	man := m.man
	caps := m.h.Capabilities.Names()
	if caps == nil {
		caps = []string{}
	}
	i := muscleInfo{
		Name: m.h.Name, Version: m.h.Version, Publisher: m.h.Publisher.String(), Capabilities: caps,
		Sizes: map[string]int64{"code": int64(man.CodeSize), "state": int64(man.StateSize), "scratch": int64(man.ScratchSize),
			"input": man.Input.Bytes(), "output": man.Output.Bytes(), "target": man.Target.Bytes()},
		BudgetMicros: m.h.BudgetMicros,
	}
	if full {
		i.Shapes = map[string][]uint32{"input": shape(man.Input), "output": shape(man.Output), "target": shape(man.Target), "state": shape(man.State)}
		i.CodeHash = hex.EncodeToString(m.prov.CodeHash[:])
		i.StateHash = stateHash(m)
		i.Runs, i.Trainings, i.Faults = &m.runs, &m.trainings, &m.faults
	}
	return i
}

func shape(s muscle.Shape) []uint32 {
	if s == nil {
		return []uint32{}
	}
	return s
}

func stateHash(m *served) string {
	sum := blake3.Sum256(m.space.State())
	return hex.EncodeToString(sum[:])
}

func (s *shell) list() error {
	if s.json {
		all := make([]muscleInfo, 0, len(s.loader.muscles))
		for _, m := range s.loader.muscles {
			all = append(all, describe(m, false))
		}
		return s.replyJSON(all)
	}
	if len(s.loader.muscles) == 0 {
		fmt.Fprintln(s.w, "no muscles loaded")
	}
	for _, m := range s.loader.muscles {
		h := m.h
		fmt.Fprintf(s.w, "%s v%d by %s: %s; input %v, output %v; code %d bytes, state %d bytes; budget %d µs\n",
			h.Name, h.Version, h.Publisher, h.Capabilities, shape(m.man.Input), shape(m.man.Output), m.man.CodeSize, m.man.StateSize, h.BudgetMicros)
	}
	return nil
}

func (s *shell) muscle(name string) (*served, error) {
	if m := s.loader.find(name); m != nil {
		return m, nil
	}
	return nil, fail("no-such-muscle", "no muscle %q is loaded (list shows them)", name)
}

func (s *shell) info(args []string) error {
	if len(args) != 1 {
		return fail("usage", "usage: info NAME")
	}
	m, err := s.muscle(args[0])
	if err != nil {
		return err
	}
	i := describe(m, true)
	if s.json {
		return s.replyJSON(i)
	}
	fmt.Fprintf(s.w, "name          %s\nversion       %d\npublisher     %s\ncapabilities  %s\n", i.Name, i.Version, i.Publisher, m.h.Capabilities)
	fmt.Fprintf(s.w, "input         %v (%d bytes)\noutput        %v (%d bytes)\ntarget        %v (%d bytes)\n",
		i.Shapes["input"], i.Sizes["input"], i.Shapes["output"], i.Sizes["output"], i.Shapes["target"], i.Sizes["target"])
	fmt.Fprintf(s.w, "code          %d bytes, blake3 %s\nstate         %d bytes, blake3 %s\nscratch       %d bytes\n",
		i.Sizes["code"], i.CodeHash, i.Sizes["state"], i.StateHash, i.Sizes["scratch"])
	fmt.Fprintf(s.w, "budget        %d µs per call\nentries       forward%s\narena         %d bytes\n",
		i.BudgetMicros, map[bool]string{true: ", train", false: ""}[m.space.HasEntry(sandbox.Train)], m.space.ArenaBytes())
	fmt.Fprintf(s.w, "calls         %d runs, %d training steps, %d faults\n", m.runs, m.trainings, m.faults)
	return nil
}

// parseFloats reads "1,-1,0.5" as want float32 values.
func parseFloats(what, text string, want int) ([]float32, error) {
	parts := strings.Split(text, ",")
	if len(parts) != want {
		return nil, fail("bad-input", "%s has %d values, the muscle wants %d", what, len(parts), want)
	}
	v := make([]float32, want)
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 32)
		if err != nil {
			return nil, fail("bad-input", "%s value %d (%q) is not a number", what, i+1, p)
		}
		v[i] = float32(f)
	}
	return v, nil
}

// callFailed audits a fault and gives the command's error.
func (s *shell) callFailed(m *served, e sandbox.Entry, err error) error {
	s.log.Append(now(), "fault", fmt.Sprintf("%q v%d %s: %v", m.h.Name, m.h.Version, e, err))
	return err
}

func (s *shell) runCmd(args []string) error {
	if len(args) != 2 {
		return fail("usage", "usage: run NAME V,V,...")
	}
	m, err := s.muscle(args[0])
	if err != nil {
		return err
	}
	if err := m.may(sandbox.Forward); err != nil {
		return err
	}
	x, err := parseFloats("input", args[1], int(m.man.Input.Elements()))
	if err != nil {
		return err
	}
	if err := m.call(sandbox.Forward, x, nil); err != nil {
		return s.callFailed(m, sandbox.Forward, err)
	}
	if s.json {
		return s.replyJSON(map[string]any{"output": jsonFloats(m.out)})
	}
	fmt.Fprintf(s.w, "output %s\n", formatFloats(m.out))
	return nil
}

func (s *shell) train(args []string) error {
	if len(args) != 3 && len(args) != 4 {
		return fail("usage", "usage: train NAME INPUTS TARGETS [STEPS]")
	}
	m, err := s.muscle(args[0])
	if err != nil {
		return err
	}
	if err := m.may(sandbox.Train); err != nil {
		return err
	}
	x, err := parseFloats("inputs", args[1], int(m.man.Input.Elements()))
	if err != nil {
		return err
	}
	y, err := parseFloats("targets", args[2], int(m.man.Target.Elements()))
	if err != nil {
		return err
	}
	steps := 1
	if len(args) == 4 {
		if steps, err = strconv.Atoi(args[3]); err != nil || steps < 1 || steps > maxSteps {
			return fail("usage", "steps %q is not 1-%d", args[3], maxSteps)
		}
	}
	persist := m.h.Capabilities&muscle.CapPersist != 0
	for i := 0; i < steps; i++ {
		if err := m.call(sandbox.Train, x, y); err != nil {
			if !persist {
				m.space.ResetState()
			}
			return s.callFailed(m, sandbox.Train, err)
		}
	}
	hash := stateHash(m)
	if !persist {
		m.space.ResetState()
	}
	if s.json {
		return s.replyJSON(map[string]any{"output": jsonFloats(m.out), "state_hash": hash})
	}
	fmt.Fprintf(s.w, "output %s\nstate_hash %s", formatFloats(m.out), hash)
	if !persist {
		fmt.Fprint(s.w, " (state reset: no persist capability)")
	}
	fmt.Fprintln(s.w)
	return nil
}

func formatFloats(v []float32) string {
	b := []byte{'['}
	for i, x := range v {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = strconv.AppendFloat(b, float64(x), 'g', -1, 32)
	}
	return string(append(b, ']'))
}

func (s *shell) replyJSON(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fail("error", "cannot encode the reply: %v", err)
	}
	fmt.Fprintf(s.w, "%s\n", b)
	return nil
}

// jsonFloats encodes float32 values as JSON numbers in their shortest
// round-trip form; NaN and infinities, which JSON cannot carry, as null.
type jsonFloats []float32

func (v jsonFloats) MarshalJSON() ([]byte, error) {
	b := []byte{'['}
	for i, x := range v {
		if i > 0 {
			b = append(b, ',')
		}
		if f := float64(x); math.IsNaN(f) || math.IsInf(f, 0) {
			b = append(b, "null"...)
		} else {
			b = strconv.AppendFloat(b, f, 'g', -1, 32)
		}
	}
	return append(b, ']'), nil
}
