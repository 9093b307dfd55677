//go:build tamago && arm64

package main

import (
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"time"

	"github.com/muscles/referee/board/qemu/virt"
	"github.com/muscles/referee/referee/sandbox"
)

// benchFigures is one entry's measurement: per call, the instructions
// retired (PMU; exact under -icount) with two different inputs, the time,
// and the heap allocations over all calls.
type benchFigures struct {
	Calls         int     `json:"calls"`
	Instructions  float64 `json:"instructions_per_call"`
	Instructions2 float64 `json:"instructions_per_call_other_input"`
	Nanos         float64 `json:"ns_per_call"`
	Allocs        uint64  `json:"allocations"`
	// With a plain Go twin of the model (forward only): its instructions
	// per call, and the muscle's per-call count divided by it.
	GoInstructions float64 `json:"go_instructions_per_call,omitempty"`
	Ratio          float64 `json:"muscle_to_go_ratio,omitempty"`
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

// measure calls fn n times with x as given, then n times with x as the
// pattern, and reports the figures.
func measure(n int, x []float32, fn func() error) (benchFigures, error) {
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
		i0, _ := virt.InstructionsRetired()
		t0 := time.Now()
		for i := 0; i < n; i++ {
			if err := fn(); err != nil {
				return f, err
			}
		}
		elapsed := time.Since(t0)
		i1, _ := virt.InstructionsRetired()
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

func (s *shell) bench(args []string) error {
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
	x := make([]float32, m.man.Input.Elements())
	if m.may(sandbox.Forward) == nil {
		f, err := measure(n, x, func() error { return m.call(sandbox.Forward, x, nil) })
		if err != nil {
			return s.callFailed(m, sandbox.Forward, err)
		}
		if tw, ok := twins[m.h.Name]; ok {
			if err := compareTwin(m, tw, x, &f, n); err != nil {
				return err
			}
		}
		results["forward"] = f
	}
	if m.may(sandbox.Train) == nil {
		clear(x)
		y := make([]float32, m.man.Target.Elements())
		pattern(y)
		saved := slices.Clone(m.space.State())
		f, err := measure(n, x, func() error { return m.call(sandbox.Train, x, y) })
		copy(m.space.State(), saved)
		clear(saved)
		if err != nil {
			return s.callFailed(m, sandbox.Train, err)
		}
		results["train"] = f
	}
	if s.json {
		return s.replyJSON(map[string]any{"load_ns": m.loadNanos, "calls": results})
	}
	fmt.Fprintf(s.w, "load    %d ns (guest time: instructions under -icount)\n", m.loadNanos)
	for _, e := range []string{"forward", "train"} {
		if f, ok := results[e]; ok {
			fmt.Fprintf(s.w, "%-7s %d calls: %.1f instructions/call (zero input), %.1f (other input), %.0f ns/call, %d allocations\n",
				e, f.Calls, f.Instructions, f.Instructions2, f.Nanos, f.Allocs)
			if f.GoInstructions > 0 {
				fmt.Fprintf(s.w, "        plain Go twin: %.1f instructions/call; muscle/Go %.2f\n", f.GoInstructions, f.Ratio)
			}
		}
	}
	return nil
}

// compareTwin checks the model's plain Go twin against the muscle on x and
// measures it like the muscle.
func compareTwin(m *served, tw twin, x []float32, f *benchFigures, n int) error {
	st := make([]float32, len(m.space.State())/4)
	getFloats(st, m.space.State())
	y := make([]float32, len(m.out))
	if err := m.call(sandbox.Forward, x, nil); err != nil {
		return err
	}
	tw(x, y, st)
	for i := range y {
		if d := y[i] - m.out[i]; d > 1e-5 || d < -1e-5 {
			return fail("twin", "the plain Go twin gives %v, the muscle %v", y, m.out)
		}
	}
	g, err := measure(n, x, func() error { tw(x, y, st); return nil })
	if err != nil {
		return err
	}
	f.GoInstructions = g.Instructions
	if g.Instructions > 0 {
		f.Ratio = f.Instructions / g.Instructions
	}
	return nil
}
