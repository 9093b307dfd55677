package sdcard

import (
	"fmt"

	"github.com/muscles/referee/board/bcm2711"
	"github.com/muscles/referee/board/raspberrypi/rpi4b/layout"
)

// Files on the card's boot partition.
const (
	KernelFile = "kernel8.img"
	RAMName    = "referee.ram"
	ConfigFile = "config.txt"
)

// Config is the card's config.txt. Every line is a documented firmware
// option (Raspberry Pi documentation, "config.txt", Boot options); the
// comments say why each is there.
func Config() string {
	return fmt.Sprintf(`# config.txt for the referee on a Raspberry Pi 4 Model B, written by
# make sdcard (tools/sdcard). The firmware reads it before any ARM core runs.

# A 64-bit kernel, loaded at address 0 and started there on every core at
# EL3, with no stub of the firmware's in between (kernel_old): the referee
# parks cores 1-3 itself and owns EL3.
arm_64bit=1
kernel=%[1]s
kernel_old=1

# No ATAGs or command line written over the image at 0x100.
disable_commandline_tags=1

# Interrupts through the GIC-400 (the default, stated).
enable_gic=1

# The serial console: the referee switches GPIO 14/15 (header pins 8 and
# 10) to UART0, a PL011 clocked at init_uart_clock, at %[4]d baud 8N1.
enable_uart=1
init_uart_clock=%[5]d

# The key record and the muscle bundle, at the key region (%#[3]x); the
# bundle starts at %#[6]x inside the file. The referee wipes the key region
# after reading it; the copy on this card is yours to protect.
initramfs %[2]s %#[3]x
`, KernelFile, RAMName, layout.KeyRecordStart, bcm2711.ConsoleBaud, bcm2711.UART0Clock, layout.BundleStart-layout.KeyRecordStart)
}
