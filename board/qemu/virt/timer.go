//go:build tamago && arm64

package virt

import (
	"math"
	_ "unsafe"
)

// The ARM generic timer (ARM ARM D11): a system counter read through
// CNTPCT_EL0 at CNTFRQ_EL0 ticks per second (62.5 MHz on QEMU virt), and
// the non-secure EL1 physical timer (CNTP_*), which wakes the idle CPU.

func readCounter() uint64
func readFrequency() uint64
func setTimerCompare(cval uint64)
func disableTimer()

//go:nosplit
func ticksToNanos(t, freq uint64) int64 {
	return int64(t/freq*1e9 + t%freq*1e9/freq)
}

// nanotime is the runtime's clock: time since reset.
//
//go:linkname nanotime runtime/goos.Nanotime
//go:nosplit
func nanotime() int64 {
	return ticksToNanos(readCounter(), readFrequency())
}

// nanosToTicks converts a runtime time back to a counter value.
func nanosToTicks(ns int64, freq uint64) uint64 {
	if ns <= 0 {
		return 0
	}
	n := uint64(ns)
	return n/1e9*freq + n%1e9*freq/1e9
}

// idle sleeps the CPU in WFI until the runtime's next timer is due
// (pollUntil, in nanotime terms) or any interrupt arrives. With no timer
// pending it sleeps until an interrupt.
func idle(pollUntil int64) {
	if pollUntil != 0 && pollUntil != math.MaxInt64 {
		if pollUntil <= nanotime() {
			return
		}
		setTimerCompare(nanosToTicks(pollUntil, readFrequency()))
	}
	waitForInterrupt()
	disableTimer()
}

func waitForInterrupt()

// BudgetScale stretches muscle budgets on this board: QEMU's TCG runs guest
// code (and translates it on first use) many times slower than the
// Cortex-A53 it models, while the generic timer follows the host's clock.
// Under -icount shift=0 one instruction takes 1 ns, so a budget of 1 µs
// allows 1000 × BudgetScale instructions.
const BudgetScale = 200

// BudgetTicks converts a muscle's budget (from its sealed header) into
// generic-timer ticks for the call deadline.
func BudgetTicks(micros uint32) uint64 {
	return uint64(micros) * BudgetScale * readFrequency() / 1e6
}
