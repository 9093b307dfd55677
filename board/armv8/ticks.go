package armv8

import (
	"math/bits"

	"github.com/muscles/referee/muscle"
)

// Conversions between generic-timer ticks (CNTFRQ_EL0 a second) and the
// runtime's nanoseconds and the muscles' microsecond budgets. None of them
// overflows: products are computed in 128 bits and results saturate.

// TicksToNanos converts a counter value to nanoseconds.
//
//go:nosplit
func TicksToNanos(t, freq uint64) int64 {
	if freq == 0 {
		return 0
	}
	hi, lo := bits.Mul64(t, 1e9)
	if hi >= freq {
		return 1<<63 - 1
	}
	q, _ := bits.Div64(hi, lo, freq)
	if q > 1<<63-1 {
		return 1<<63 - 1
	}
	return int64(q)
}

// NanosToTicks converts a runtime time back to a counter value.
func NanosToTicks(ns int64, freq uint64) uint64 {
	if ns <= 0 {
		return 0
	}
	hi, lo := bits.Mul64(uint64(ns), freq)
	if hi >= 1e9 {
		return 1<<64 - 1
	}
	q, _ := bits.Div64(hi, lo, 1e9)
	return q
}

// MaxBudgetMicros is the largest call budget the referee grants, the
// limit of the format's sealing tools (muscle.MaxBudgetMicros), which the
// loader enforces; the conversion clamps to it as well, so no input
// overflows it.
const MaxBudgetMicros = muscle.MaxBudgetMicros

// BudgetTicks converts a muscle's budget (µs, from its sealed header) into
// counter ticks for the call deadline, stretched by the board's scale (how
// many times slower than the real core the board runs guest code), with the
// budget clamped to MaxBudgetMicros.
func BudgetTicks(micros uint32, scale, freq uint64) uint64 {
	m := uint64(min(micros, MaxBudgetMicros))
	hi, lo := bits.Mul64(m*scale, freq)
	if hi >= 1e6 {
		return 1<<64 - 1
	}
	q, _ := bits.Div64(hi, lo, 1e6)
	return q
}

// PeakInstructionsPerMicro bounds how many instructions an ARMv8-A core of
// these boards retires in a microsecond: two a cycle (the dual-issue
// Cortex-A53; the A72 sustains about as much on the muscles' mix of loads,
// stores and FMAs) at 2 GHz, above every board's clock. The loader refuses
// an entry whose exact instruction count exceeds its budget at this rate:
// it could never finish in time. Under QEMU the deadline is stretched
// (QEMUBudgetScale), the count is not.
const PeakInstructionsPerMicro = 2 * 2000
