package armv8

import (
	"math"
	"testing"
)

func TestTicksToNanos(t *testing.T) {
	for _, tt := range []struct {
		t, freq uint64
		want    int64
	}{
		{0, 62_500_000, 0},
		{62_500_000, 62_500_000, 1e9},
		{1, 62_500_000, 16},
		{8_000_000, 8_000_000, 1e9},
		{math.MaxUint64, 62_500_000, math.MaxInt64},
		{1 << 62, 54_000_000, math.MaxInt64},
		{5, 0, 0},
	} {
		if got := TicksToNanos(tt.t, tt.freq); got != tt.want {
			t.Errorf("TicksToNanos(%d, %d) = %d, want %d", tt.t, tt.freq, got, tt.want)
		}
	}
}

func TestNanosToTicks(t *testing.T) {
	for _, tt := range []struct {
		ns   int64
		freq uint64
		want uint64
	}{
		{-5, 62_500_000, 0},
		{1e9, 62_500_000, 62_500_000},
		{math.MaxInt64, 62_500_000, 576460752303423487},
		{math.MaxInt64, math.MaxUint64, math.MaxUint64},
	} {
		if got := NanosToTicks(tt.ns, tt.freq); got != tt.want {
			t.Errorf("NanosToTicks(%d, %d) = %d, want %d", tt.ns, tt.freq, got, tt.want)
		}
	}
}

// TestBudgetTicksEdges: the conversion that overflowed 64 bits above about
// 1.475e9 µs now clamps to MaxBudgetMicros and never wraps.
func TestBudgetTicksEdges(t *testing.T) {
	const scale, freq = 200, 62_500_000
	one := BudgetTicks(1, scale, freq)
	if one != 12_500 {
		t.Errorf("1 µs: %d ticks, want 12500", one)
	}
	capped := BudgetTicks(MaxBudgetMicros, scale, freq)
	for _, us := range []uint32{MaxBudgetMicros + 1, 1_476_000_000, math.MaxUint32} {
		if got := BudgetTicks(us, scale, freq); got != capped {
			t.Errorf("%d µs: %d ticks, want the cap %d", us, got, capped)
		}
	}
	if capped < one || capped != uint64(MaxBudgetMicros)*scale*freq/1e6 {
		t.Errorf("cap %d ticks is not %d µs", capped, MaxBudgetMicros)
	}
	if got := BudgetTicks(math.MaxUint32, math.MaxUint64, math.MaxUint64); got != math.MaxUint64 {
		t.Errorf("huge scale and frequency: %d, want saturation", got)
	}
}
