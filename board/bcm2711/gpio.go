//go:build tamago && arm64

package bcm2711

import "github.com/muscles/referee/board/armv8"

// GPIO registers (BCM2711 ARM Peripherals 5.2 "Register view").
const (
	gpfsel1 = 0x04 // GPFSEL1: function of GPIO 10-19, three bits each
	// gpioPupPdnCntrlReg0 holds the pull resistors of GPIO 0-15, two bits
	// each (5.2, GPIO_PUP_PDN_CNTRL_REG0: 0 none, 1 up, 2 down).
	gpioPupPdnCntrlReg0 = 0xe4

	fselMask = 0b111
	fselALT0 = 0b100 // 5.3 "Alternative Function Assignments": TXD0/RXD0 on GPIO 14/15

	pullUp = 0b01
)

// UART0OnHeader gives GPIO 14 and 15 (header pins 8 and 10) to UART0's TXD0
// and RXD0 (function ALT0), with the receive line pulled up. The firmware's
// enable_uart=1 gives them to the mini-UART instead unless told otherwise;
// the referee's console is UART0 on every Pi 4.
func UART0OnHeader() {
	sel := armv8.Read32(GPIO + gpfsel1)
	for _, pin := range []uint{14, 15} {
		shift := 3 * (pin - 10)
		sel = sel&^(fselMask<<shift) | fselALT0<<shift
	}
	armv8.Write32(GPIO+gpfsel1, sel)

	pull := armv8.Read32(GPIO + gpioPupPdnCntrlReg0)
	for _, pin := range []uint{14, 15} {
		shift := 2 * pin
		pull = pull&^(0b11<<shift) | pullUp<<shift
	}
	armv8.Write32(GPIO+gpioPupPdnCntrlReg0, pull)
}
