//go:build tamago && arm64

package armv8

// What a board decides from whether it runs under QEMU or on silicon,
// written once for every board (virt always runs under QEMU; the EVK and
// the Pi 4 find out at start-up).

// QEMUBudgetScale stretches muscle budgets under QEMU: its TCG runs guest
// code (and translates it on first use) many times slower than the core it
// models, while the generic timer follows the host's clock. Under -icount
// shift=0 one instruction takes 1 ns, so a budget of 1 µs allows
// 1000 × QEMUBudgetScale instructions.
const QEMUBudgetScale = 200

// DeadlineTicks converts a muscle's budget (µs) into generic-timer ticks
// for the call deadline, stretched by QEMUBudgetScale under QEMU
// (board.Board.DeadlineTicks).
func DeadlineTicks(micros uint32, emulated bool) uint64 {
	scale := uint64(1)
	if emulated {
		scale = QEMUBudgetScale
	}
	return BudgetTicks(micros, scale, Frequency())
}

// PowerOff stops the board with status: under QEMU through semihosting,
// which the emulator turns into its exit status; on silicon, where
// semihosting's HLT is undefined, by halting the core (board.Board.PowerOff).
func PowerOff(status int, emulated bool) {
	if emulated {
		SemihostingExit(int32(status))
	}
	Halt()
}
