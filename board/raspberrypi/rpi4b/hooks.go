//go:build tamago && arm64

package rpi4b

import (
	_ "unsafe"

	"github.com/muscles/referee/board/arm/pl011"
	"github.com/muscles/referee/board/armv8"
	"github.com/muscles/referee/board/bcm2711"
	"github.com/muscles/referee/board/raspberrypi/rpi4b/layout"
)

// The runtime's memory, read by cpuinit before any Go code runs.

//go:linkname ramStart runtime/goos.RamStart
var ramStart uint = layout.RAMStart

//go:linkname ramSize runtime/goos.RamSize
var ramSize uint = layout.RAMSize

//go:linkname ramStackOffset runtime/goos.RamStackOffset
var ramStackOffset uint = layout.StackOffset

// printk writes one byte of standard output to UART0. It runs before the
// runtime is up, so it allocates nothing and does not grow the stack.
//
//go:linkname printk runtime/goos.Printk
//go:nosplit
func printk(c byte) { pl011.WriteByte(bcm2711.UART0, c) }

// nanotime is the runtime's clock: time since reset, by the generic timer.
//
//go:linkname nanotime runtime/goos.Nanotime
//go:nosplit
func nanotime() int64 { return armv8.Nanotime() }
