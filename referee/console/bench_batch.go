package console

import (
	"runtime"
	"time"

	"github.com/muscles/referee/referee/served"
)

// batchBench is bench's forward batch figure: K rows (the muscle's batch
// size, at most 64), written in place, in one sandbox entry (RunRows), n
// times, against n batches of one row; per row and per extra row beyond the first, in instructions
// (PMU) and nanoseconds (instructions under -icount).
type batchBench struct {
	Rows         int     `json:"rows"`
	Instructions float64 `json:"instructions_per_row"`
	ExtraRow     float64 `json:"instructions_per_extra_row"`
	Nanos        float64 `json:"ns_per_row"`
	NanosExtra   float64 `json:"ns_per_extra_row"`
	Allocs       uint64  `json:"allocations"`
}

// benchBatch measures m's forward batches (n of K rows, then n of one row).
func (s *Shell) benchBatch(m *served.Muscle, n int) (batchBench, error) {
	k := m.Rows()
	for i := 0; i < k; i++ {
		pattern(m.InputRow(i)) // in place: RunRows copies nothing
	}
	f := batchBench{Rows: k}
	var per, ns [2]float64
	var ms runtime.MemStats
	for pass, rows := range []int{k, 1} { // k first: the single rows then clear rows 1..k-1
		call := func() error { return m.RunRows(rows) }
		if err := call(); err != nil { // warm up
			return f, err
		}
		runtime.ReadMemStats(&ms)
		mallocs := ms.Mallocs
		i0, t0 := s.instructions(), time.Now()
		if err := repeat(n, call); err != nil {
			return f, err
		}
		i1, elapsed := s.instructions(), time.Since(t0)
		ns[pass] = float64(elapsed.Nanoseconds()) / float64(n)
		runtime.ReadMemStats(&ms)
		f.Allocs += ms.Mallocs - mallocs
		per[pass] = float64(i1-i0) / float64(n)
	}
	f.Instructions, f.Nanos = per[0]/float64(k), ns[0]/float64(k)
	if k > 1 {
		f.ExtraRow, f.NanosExtra = (per[0]-per[1])/float64(k-1), (ns[0]-ns[1])/float64(k-1)
	}
	return f, nil
}
