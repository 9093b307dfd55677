//go:build tamago && arm64

package virt

import (
	_ "unsafe"

	"github.com/muscles/referee/board/armv8"
)

// nanotime is the runtime's clock: time since reset, by the generic timer.
//
//go:linkname nanotime runtime/goos.Nanotime
//go:nosplit
func nanotime() int64 { return armv8.Nanotime() }

// budgetScale stretches muscle budgets on this board: QEMU's TCG runs guest
// code (and translates it on first use) many times slower than the
// Cortex-A53 it models, while the generic timer follows the host's clock.
// Under -icount shift=0 one instruction takes 1 ns, so a budget of 1 µs
// allows 1000 × budgetScale instructions.
const budgetScale = 200
