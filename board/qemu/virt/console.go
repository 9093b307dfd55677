//go:build tamago && arm64

package virt

import (
	_ "unsafe"

	"github.com/muscles/referee/board/arm/pl011"
	"github.com/muscles/referee/board/qemu/virt/layout"
)

// printk writes one byte of standard output to the PL011 (QEMU needs no
// set-up of it). It runs before the runtime is up, so it allocates nothing
// and does not grow the stack.
//
//go:linkname printk runtime/goos.Printk
//go:nosplit
func printk(c byte) { pl011.WriteByte(layout.UART0, c) }

// ReadByte returns the next byte received on the console, if any.
func ReadByte() (byte, bool) { return pl011.ReadByte(layout.UART0) }
