//go:build tamago && arm64

package virt

import (
	_ "unsafe"

	"github.com/muscles/referee/board/armv8"
	"github.com/muscles/referee/board/qemu/virt/layout"
)

// PL011 registers (ARM PrimeCell UART (PL011) Technical Reference Manual,
// 3.2 Summary of registers).
const (
	uartDR   = 0x00
	uartFR   = 0x18
	frTXFF   = 1 << 5 // transmit FIFO full
	frRXFE   = 1 << 4 // receive FIFO empty
	uartMask = 0xff
)

// printk writes one byte of standard output to the PL011. It runs before the
// runtime is up, so it allocates nothing and does not grow the stack.
//
//go:linkname printk runtime/goos.Printk
//go:nosplit
func printk(c byte) {
	for armv8.Read32(layout.UART0+uartFR)&frTXFF != 0 {
	}
	armv8.Write32(layout.UART0+uartDR, uint32(c))
}

// ReadByte returns the next byte received on the console, if any.
func ReadByte() (byte, bool) {
	if armv8.Read32(layout.UART0+uartFR)&frRXFE != 0 {
		return 0, false
	}
	return byte(armv8.Read32(layout.UART0+uartDR) & uartMask), true
}
