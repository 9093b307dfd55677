// Package bcm2711 holds what the referee drives of the Broadcom BCM2711, the
// SoC of the Raspberry Pi 4 (four Cortex-A72, a GIC-400): its peripheral
// addresses in low peripheral mode, the GPIO function select that puts
// UART0 (a PL011, board/arm/pl011) on GPIO 14/15, the ARM local block and
// crystal that the Pi 4's entry (board/raspberrypi/rpi4b, cpuinit) clocks
// the generic timer from, and the RNG200 entropy source.
//
// References: "BCM2711 ARM Peripherals" (Raspberry Pi Ltd, 2022-01-18),
// cited by section; for the RNG200, which that document leaves out, Linux's
// drivers/char/hw_random/iproc-rng200.c and the bcm2711.dtsi that places it
// at bus address 0x7E10_4000; for the local timer, Raspberry Pi's
// armstubs/armstub8.S, which programs it when the firmware starts a kernel
// through a stub.
package bcm2711

// Addresses in low peripheral mode (BCM2711 ARM Peripherals 1.2, figure 1:
// legacy bus addresses 0x7Exx_xxxx appear at 0xFExx_xxxx).
const (
	// RNG200 is the hardware random number generator (bus 0x7E10_4000).
	RNG200 = 0xFE10_4000
	// GPIO is the GPIO block (5.2 "Register view": bus 0x7E20_0000).
	GPIO = 0xFE20_0000
	// UART0 is the PL011 (11.5 "Register view": bus 0x7E20_1000); QEMU's
	// raspi4b connects its first -serial here.
	UART0 = 0xFE20_1000
	// ArmLocal is the ARM local peripherals block (6.5.2 "ARM_LOCAL
	// registers": 0x4C00_0000 in the 35-bit map, 0xFF80_0000 in low
	// peripheral mode).
	ArmLocal = 0xFF80_0000
	// GICD and GICC are the GIC-400's distributor and CPU interface (6.3
	// "GIC-400": 0x4_C004_0000 in the 35-bit map, 0xFF84_0000 in low peripheral mode; GIC-400
	// TRM DDI 0471B 3.1: distributor at +0x1000, CPU interface at +0x2000).
	GICD = 0xFF84_1000
	GICC = 0xFF84_2000
)

// UART0Clock is UART0's reference clock, the firmware's init_uart_clock
// default (48 MHz; config.txt states it), and ConsoleBaud the console's
// rate.
const (
	UART0Clock  = 48_000_000
	ConsoleBaud = 115_200
)

// CrystalHz is the BCM2711's crystal, which clocks the ARM generic timer
// once the local timer is set as armstub8.S sets it (OSC_FREQ).
const CrystalHz = 54_000_000
