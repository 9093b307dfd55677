//go:build tamago && arm64

// Package pl011 drives the ARM PrimeCell UART (PL011), the console of QEMU's
// virt and of the Raspberry Pi 4's BCM2711 (its UART0), by polling: no
// interrupts, no DMA. Register offsets and bits are from the ARM PrimeCell
// UART (PL011) Technical Reference Manual (DDI 0183G), 3.2 "Summary of
// registers" and 3.3 "Register descriptions".
package pl011

import "github.com/muscles/referee/board/armv8"

// Registers (DDI 0183G table 3-1).
const (
	dr   = 0x00 // UARTDR data
	fr   = 0x18 // UARTFR flags
	ibrd = 0x24 // UARTIBRD integer baud-rate divisor
	fbrd = 0x28 // UARTFBRD fractional baud-rate divisor
	lcrh = 0x2c // UARTLCR_H line control
	cr   = 0x30 // UARTCR control
	imsc = 0x38 // UARTIMSC interrupt mask
	icr  = 0x44 // UARTICR interrupt clear
)

// Bits.
const (
	frBUSY = 1 << 3 // UARTFR: transmitting
	frRXFE = 1 << 4 // UARTFR: receive FIFO empty
	frTXFF = 1 << 5 // UARTFR: transmit FIFO full

	lcrhFEN  = 1 << 4 // UARTLCR_H: FIFOs enabled
	lcrhWLEN = 3 << 5 // UARTLCR_H: 8-bit words (no parity, one stop bit)

	crUARTEN = 1 << 0 // UARTCR: UART enabled
	crTXE    = 1 << 8 // UARTCR: transmit enabled
	crRXE    = 1 << 9 // UARTCR: receive enabled

	dataMask = 0xff
)

// WriteByte sends c on the UART at base, waiting while the transmit FIFO is
// full. It allocates nothing and does not grow the stack, so it serves as
// the runtime's Printk before the runtime is up.
//
//go:nosplit
func WriteByte(base uintptr, c byte) {
	for armv8.Read32(base+fr)&frTXFF != 0 {
	}
	armv8.Write32(base+dr, uint32(c))
}

// ReadByte returns the next byte received on the UART at base, if one is
// waiting; it never blocks.
func ReadByte(base uintptr) (byte, bool) {
	if armv8.Read32(base+fr)&frRXFE != 0 {
		return 0, false
	}
	return byte(armv8.Read32(base+dr) & dataMask), true
}

// Init programs the UART at base for baud bits a second, 8N1 with FIFOs,
// from a reference clock of clockHz, and masks its interrupts. It follows
// DDI 0183G 3.3.8 ("Program the control registers as follows": disable,
// wait for the end of the current character, set the divisors and the line
// control, enable), except that it writes the line control only where it
// differs, as a change of FEN empties the FIFOs.
func Init(base uintptr, clockHz, baud uint32) {
	armv8.Write32(base+cr, 0)
	for armv8.Read32(base+fr)&frBUSY != 0 {
	}
	i, f := Divisors(clockHz, baud)
	armv8.Write32(base+ibrd, i)
	armv8.Write32(base+fbrd, f)
	if armv8.Read32(base+lcrh) != lcrhWLEN|lcrhFEN {
		armv8.Write32(base+lcrh, lcrhWLEN|lcrhFEN)
	}
	armv8.Write32(base+imsc, 0)
	armv8.Write32(base+icr, 0x7ff)
	armv8.Write32(base+cr, crUARTEN|crTXE|crRXE)
}
