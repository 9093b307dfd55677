//go:build tamago && arm64

package armv8

import "math"

// The ARM generic timer (ARM ARM D11): a system counter read through
// CNTPCT_EL0 at CNTFRQ_EL0 ticks per second (read it, never assume it:
// 62.5 MHz on QEMU virt, 8 MHz on imx8mp-evk), and the non-secure EL1
// physical timer (CNTP_*, PPI 14, INTID 30), which wakes the idle CPU.

// TimerIRQ is the interrupt ID of the non-secure EL1 physical timer.
const TimerIRQ = 30

// DeadlineIRQ is the interrupt ID of the Secure physical timer (PPI 13),
// the deadline of a muscle call (armed by referee/sandbox).
const DeadlineIRQ = 29

// Counter reads CNTPCT_EL0.
func Counter() uint64

// Frequency reads CNTFRQ_EL0.
func Frequency() uint64

// SetTimerCompare arms CNTP to fire at counter value cval.
func SetTimerCompare(cval uint64)

// DisableTimer disarms CNTP.
func DisableTimer()

// WaitForInterrupt sleeps the core until an interrupt is pending.
func WaitForInterrupt()

// Nanotime is time since reset by the counter.
//
//go:nosplit
func Nanotime() int64 {
	return TicksToNanos(Counter(), Frequency())
}

// Idle sleeps the CPU in WFI until the runtime's next timer is due
// (pollUntil, in Nanotime terms) or any interrupt arrives; with no timer
// pending it sleeps until an interrupt. It is a runtime/goos.Idle hook; the
// board enables TimerIRQ at its interrupt controller.
func Idle(pollUntil int64) {
	if pollUntil != 0 && pollUntil != math.MaxInt64 {
		if pollUntil <= Nanotime() {
			return
		}
		SetTimerCompare(NanosToTicks(pollUntil, Frequency()))
	}
	WaitForInterrupt()
	DisableTimer()
}
