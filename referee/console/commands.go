package console

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/muscle/b3"
	"github.com/muscles/referee/referee/sandbox"
	"github.com/muscles/referee/referee/served"
)

// The commands that work with muscles: list, info, run, train. Each reply
// is human-readable text, or one JSON line in JSON mode.

// maxSteps bounds train's step count and bench's call count.
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

func describe(m *served.Muscle, full bool) muscleInfo {
	man, h := m.Manifest, m.Header
	caps := h.Capabilities.Names()
	if caps == nil {
		caps = []string{}
	}
	i := muscleInfo{
		Name: h.Name, Version: h.Version, Publisher: h.Publisher.String(), Capabilities: caps,
		Sizes: map[string]int64{"code": int64(man.CodeSize), "state": int64(man.StateSize), "scratch": int64(man.ScratchSize),
			"input": man.Input.Bytes(), "output": man.Output.Bytes(), "target": man.Target.Bytes()},
		BudgetMicros: h.BudgetMicros,
	}
	if full {
		i.Shapes = map[string][]uint32{"input": shape(man.Input), "output": shape(man.Output), "target": shape(man.Target), "state": shape(man.State)}
		i.CodeHash = hex.EncodeToString(m.Provenance.CodeHash[:])
		i.StateHash = stateHash(m)
		t := m.Space.Tally
		i.Runs, i.Trainings, i.Faults = &t.Runs, &t.Trainings, &t.Faults
	}
	return i
}

func shape(s muscle.Shape) []uint32 {
	if s == nil {
		return []uint32{}
	}
	return s
}

func stateHash(m *served.Muscle) string {
	sum := b3.Sum256(m.Space.State())
	return hex.EncodeToString(sum[:])
}

func (s *Shell) list() error {
	all := s.Loader.Muscles()
	if s.json {
		infos := make([]muscleInfo, 0, len(all))
		for _, m := range all {
			infos = append(infos, describe(m, false))
		}
		return s.replyJSON(infos)
	}
	if len(all) == 0 {
		fmt.Fprintln(s.Out, "no muscles loaded")
	}
	for _, m := range all {
		h := m.Header
		fmt.Fprintf(s.Out, "%s v%d by %s: %s; input %v, output %v; code %d bytes, state %d bytes; budget %d µs\n",
			h.Name, h.Version, h.Publisher, h.Capabilities, shape(m.Manifest.Input), shape(m.Manifest.Output), m.Manifest.CodeSize, m.Manifest.StateSize, h.BudgetMicros)
	}
	return nil
}

func (s *Shell) muscle(name string) (*served.Muscle, error) {
	if m := s.Loader.Find(name); m != nil {
		return m, nil
	}
	return nil, fail("no-such-muscle", "no muscle %q is loaded (list shows them)", name)
}

func (s *Shell) info(args []string) error {
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
	fmt.Fprintf(s.Out, "name          %s\nversion       %d\npublisher     %s\ncapabilities  %s\n", i.Name, i.Version, i.Publisher, m.Header.Capabilities)
	fmt.Fprintf(s.Out, "input         %v (%d bytes)\noutput        %v (%d bytes)\ntarget        %v (%d bytes)\n",
		i.Shapes["input"], i.Sizes["input"], i.Shapes["output"], i.Sizes["output"], i.Shapes["target"], i.Sizes["target"])
	fmt.Fprintf(s.Out, "code          %d bytes, blake3 %s\nstate         %d bytes, blake3 %s\nscratch       %d bytes\n",
		i.Sizes["code"], i.CodeHash, i.Sizes["state"], i.StateHash, i.Sizes["scratch"])
	fmt.Fprintf(s.Out, "budget        %d µs per call\nentries       forward%s\narena         %d bytes\n",
		i.BudgetMicros, map[bool]string{true: ", train", false: ""}[m.Space.HasEntry(sandbox.Train)], m.Space.ArenaBytes())
	fmt.Fprintf(s.Out, "calls         %d runs, %d training steps, %d faults\n", m.Space.Runs, m.Space.Trainings, m.Space.Faults)
	return nil
}

// parseFloats reads "1,-1,0.5" as len(v) float32 values into v (for a
// single call, the muscle's buffer itself: served.Muscle.Input, Target).
// On an error v may hold some of them: every call's caller writes all of
// its input first.
func parseFloats(what, text string, v []float32) error {
	parts := strings.Split(text, ",")
	if len(parts) != len(v) {
		return fail("bad-input", "%s has %d values, the muscle wants %d", what, len(parts), len(v))
	}
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 32)
		if err != nil {
			return fail("bad-input", "%s value %d (%q) is not a number", what, i+1, p)
		}
		v[i] = float32(f)
	}
	return nil
}

// callFailed audits a fault and gives the command's error.
func (s *Shell) callFailed(m *served.Muscle, e sandbox.Entry, err error) error {
	s.Log.Append(s.Now(), "fault", fmt.Sprintf("%q v%d %s: %v", m.Header.Name, m.Header.Version, e, err))
	return err
}

func (s *Shell) runCmd(args []string) error {
	if len(args) != 2 {
		return fail("usage", "usage: run NAME V,V,...")
	}
	m, err := s.muscle(args[0])
	if err != nil {
		return err
	}
	if err := m.May(sandbox.Forward); err != nil {
		return err
	}
	rows := strings.Split(args[1], ";") // V,V,...;V,V,...: a batch
	in, out := len(m.Input()), len(m.Output())
	if len(rows) == 1 { // straight into the muscle's input, output in place
		if err := parseFloats("input", rows[0], m.Input()); err != nil {
			return err
		}
		if err := m.Call(sandbox.Forward); err != nil {
			return s.callFailed(m, sandbox.Forward, err)
		}
		if s.json {
			return s.replyJSON(map[string]any{"output": jsonFloats(m.Output())})
		}
		fmt.Fprintf(s.Out, "output %s\n", formatFloats(m.Output()))
		return nil
	}
	x := make([]float32, len(rows)*in)
	for i, r := range rows {
		if err := parseFloats(fmt.Sprintf("input row %d", i+1), r, x[i*in:(i+1)*in]); err != nil {
			return err
		}
	}
	y := make([]float32, len(rows)*out)
	// Rows go to the muscle a batch (one EL0 entry) at a time.
	for i := 0; i < len(rows); i += m.Rows() {
		k := min(m.Rows(), len(rows)-i)
		if err := m.Batch(sandbox.Forward, x[i*in:(i+k)*in], nil, k, y[i*out:(i+k)*out]); err != nil {
			var be *sandbox.BatchError
			if errors.As(err, &be) && be.Row >= 0 {
				be.Row += i
				be.Rows = len(rows)
			}
			return s.callFailed(m, sandbox.Forward, err)
		}
	}
	if s.json {
		outs := make([]any, len(rows))
		for i := range outs {
			outs[i] = jsonFloats(y[i*out : (i+1)*out])
		}
		return s.replyJSON(map[string]any{"outputs": outs})
	}
	for i := range rows {
		fmt.Fprintf(s.Out, "output %s\n", formatFloats(y[i*out:(i+1)*out]))
	}
	return nil
}

// trained audits the end of a train command, with the hash of the state
// it leaves: the trained state with persist, else the sealed state put
// back. It returns the hash of the state the steps produced.
func (s *Shell) trained(m *served.Muscle, steps int, persist bool) string {
	hash := stateHash(m)
	kept := "kept (persist)"
	if !persist {
		m.Space.ResetState()
		kept = "reset to the sealed state " + stateHash(m)[:16] + " (no persist capability)"
	}
	s.Log.Append(s.Now(), "train", fmt.Sprintf("%q v%d by %s: %d steps, state blake3 %s %s", m.Header.Name, m.Header.Version, m.Header.Publisher, steps, hash[:16], kept))
	return hash
}

func (s *Shell) train(args []string) error {
	if len(args) != 3 && len(args) != 4 {
		return fail("usage", "usage: train NAME INPUTS TARGETS [STEPS]")
	}
	m, err := s.muscle(args[0])
	if err != nil {
		return err
	}
	if err := m.May(sandbox.Train); err != nil {
		return err
	}
	// Straight into the muscle's input and target (every step uses
	// them as they are; the output is read in place).
	if err := parseFloats("inputs", args[1], m.Input()); err != nil {
		return err
	}
	if err := parseFloats("targets", args[2], m.Target()); err != nil {
		return err
	}
	steps := 1
	if len(args) == 4 {
		if steps, err = strconv.Atoi(args[3]); err != nil || steps < 1 || steps > maxSteps {
			return fail("usage", "steps %q is not 1-%d", args[3], maxSteps)
		}
	}
	persist := m.Persists()
	// Up to m.Steps() steps (1024, fewer for long budgets) enter the
	// sandbox at once.
	for i := 0; i < steps; i += m.Steps() {
		k := min(m.Steps(), steps-i)
		call := func() error { return m.TrainSteps(k) }
		if steps == 1 {
			call = func() error { return m.Call(sandbox.Train) }
		}
		if err := call(); err != nil {
			done := i
			var be *sandbox.BatchError
			if errors.As(err, &be) {
				if be.Row >= 0 {
					done += be.Row
					be.Row += i
				}
				be.Rows = steps
			}
			s.trained(m, done, persist)
			if persist && done > 0 && s.State != nil {
				s.State.Changed()
			}
			return s.callFailed(m, sandbox.Train, err)
		}
	}
	hash := s.trained(m, steps, persist)
	saved := ""
	if persist {
		saved = s.afterTrain()
	}
	if s.json {
		reply := map[string]any{"output": jsonFloats(m.Output()), "state_hash": hash}
		if persist {
			reply["state_save"] = saved
		}
		return s.replyJSON(reply)
	}
	fmt.Fprintf(s.Out, "output %s\nstate_hash %s", formatFloats(m.Output()), hash)
	if !persist {
		fmt.Fprint(s.Out, " (state reset: no persist capability)")
	}
	fmt.Fprintln(s.Out)
	if persist {
		fmt.Fprintf(s.Out, "state %s\n", saved)
	}
	return nil
}
