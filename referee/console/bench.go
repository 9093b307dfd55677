package console

import (
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"time"

	"github.com/muscles/referee/referee/sandbox"
)

// benchFigures is one entry's measurement: per call, the instructions
// retired (PMU; exact under -icount) with two different inputs, the time,
// and the heap allocations over all calls.
//
// The calls are measured as the console makes them: each through a
// closure that repeat calls, so the figures include that harness too
// (bench's "harness", measured alone with an empty closure, says how much
// of them it is).
type benchFigures struct {
	Calls         int     `json:"calls"`
	Instructions  float64 `json:"instructions_per_call"`
	Instructions2 float64 `json:"instructions_per_call_other_input"`
	Nanos         float64 `json:"ns_per_call"`
	Allocs        uint64  `json:"allocations"`
}

// pattern fills v with a deterministic, sign-alternating input that is not
// all zeros (the other input is all zeros).
func pattern(v []float32) {
	for i := range v {
		x := float32(i%7+1) * 0.37
		if i%2 == 1 {
			x = -x
		}
		v[i] = x
	}
}

func (s *Shell) instructions() uint64 {
	if s.Instructions == nil {
		return 0
	}
	n, _ := s.Instructions()
	return n
}

// measure calls fn n times with x (the muscle's input, in place) as given,
// then n times with x as the pattern, and reports the figures.
func (s *Shell) measure(n int, x []float32, fn func() error) (benchFigures, error) {
	f := benchFigures{Calls: n}
	var ms runtime.MemStats
	for pass := 0; pass < 2; pass++ {
		if pass == 1 {
			pattern(x)
		}
		if err := fn(); err != nil { // warm up (translation, caches)
			return f, err
		}
		runtime.ReadMemStats(&ms)
		mallocs := ms.Mallocs
		i0 := s.instructions()
		t0 := time.Now()
		if err := repeat(n, fn); err != nil {
			return f, err
		}
		elapsed := time.Since(t0)
		i1 := s.instructions()
		runtime.ReadMemStats(&ms)
		f.Allocs += ms.Mallocs - mallocs
		per := float64(i1-i0) / float64(n)
		if pass == 0 {
			f.Instructions, f.Nanos = per, float64(elapsed.Nanoseconds())/float64(n)
		} else {
			f.Instructions2 = per
		}
	}
	return f, nil
}

// repeat calls fn n times, stopping at its first error: a loop of its
// own, so that what it adds to each call is only the loop (measure's
// figures are per call).
//
//go:noinline
func repeat(n int, fn func() error) error {
	for i := 0; i < n; i++ {
		if err := fn(); err != nil {
			return err
		}
	}
	return nil
}

// harnessFigures is what bench's harness alone costs: per call, the
// instructions (PMU) and the time of an empty closure called n times
// through repeat, the loop every call figure goes through (their calls'
// closures do a little more: load the muscle, call it).
type harnessFigures struct {
	Instructions float64 `json:"instructions_per_call"`
	Nanos        float64 `json:"ns_per_call"`
}

// harness measures an empty closure through repeat, n times (after one
// call to warm up, as measure does).
func (s *Shell) harness(n int) harnessFigures {
	empty := func() error { return nil }
	repeat(1, empty)
	i0, t0 := s.instructions(), time.Now()
	repeat(n, empty)
	i1, elapsed := s.instructions(), time.Since(t0)
	return harnessFigures{Instructions: float64(i1-i0) / float64(n), Nanos: float64(elapsed.Nanoseconds()) / float64(n)}
}

func (s *Shell) bench(args []string) error {
	if len(args) != 1 && len(args) != 2 {
		return fail("usage", "usage: bench NAME [N]")
	}
	m, err := s.muscle(args[0])
	if err != nil {
		return err
	}
	n := 1000
	if len(args) == 2 {
		if n, err = strconv.Atoi(args[1]); err != nil || n < 1 || n > maxSteps {
			return fail("usage", "N %q is not 1-%d", args[1], maxSteps)
		}
	}
	results := map[string]benchFigures{}
	// The input (and train's target) in place, as run and train write
	// them; zeros first.
	x := m.Input()
	clear(x)
	if m.May(sandbox.Forward) == nil {
		f, err := s.measure(n, x, func() error { return m.Call(sandbox.Forward) })
		if err != nil {
			return s.callFailed(m, sandbox.Forward, err)
		}
		results["forward"] = f
	}
	if m.May(sandbox.Train) == nil {
		clear(x)
		pattern(m.Target()) // (forward calls zeroed it)
		saved := slices.Clone(m.Space.State())
		f, err := s.measure(n, x, func() error { return m.Call(sandbox.Train) })
		copy(m.Space.State(), saved)
		clear(saved)
		if err != nil {
			return s.callFailed(m, sandbox.Train, err)
		}
		results["train"] = f
	}
	harness := s.harness(n)
	var batch *batchBench
	if m.May(sandbox.Forward) == nil {
		b, err := s.benchBatch(m, n)
		if err != nil {
			return s.callFailed(m, sandbox.Forward, err)
		}
		batch = &b
	}
	if s.json {
		phases := map[string]int64{}
		for _, p := range m.LoadPhases {
			phases[p.Name] += p.Nanos
		}
		return s.replyJSON(map[string]any{"load_ns": m.LoadNanos, "load_phases_ns": phases, "calls": results, "harness": harness, "batch": batch})
	}
	fmt.Fprintf(s.Out, "load    %d ns (guest time: instructions under -icount)", m.LoadNanos)
	for i, p := range m.LoadPhases {
		sep := ", "
		if i == 0 {
			sep = ": "
		}
		fmt.Fprintf(s.Out, "%s%s %d", sep, p.Name, p.Nanos)
	}
	fmt.Fprintln(s.Out)
	for _, e := range []string{"forward", "train"} {
		if f, ok := results[e]; ok {
			fmt.Fprintf(s.Out, "%-7s %d calls: %.1f instructions/call (zero input), %.1f (other input), %.0f ns/call, %d allocations\n",
				e, f.Calls, f.Instructions, f.Instructions2, f.Nanos, f.Allocs)
		}
	}
	fmt.Fprintf(s.Out, "harness %.1f instructions/call (an empty closure through the calls' loop, included in the figures above)\n", harness.Instructions)
	if batch != nil {
		fmt.Fprintf(s.Out, "batch   %d rows/call: %.1f instructions/row, %.1f per extra row, %d allocations\n",
			batch.Rows, batch.Instructions, batch.ExtraRow, batch.Allocs)
	}
	return nil
}
