//go:build tamago && arm64

// Package rpi4b supports the Raspberry Pi 4 Model B (BCM2711, four
// Cortex-A72, a GIC-400) for bare-metal Go programs built with GOOS=tamago
// GOARCH=arm64 and the linkcpuinit tag, on the board itself (started by the
// firmware with kernel_old=1, see tools/sdcard) and under
//
//	qemu-system-aarch64 -machine raspi4b
//
// TamaGo has no arm64 Raspberry Pi support, so this package provides what
// its board packages would: the runtime/goos hooks (the entry that parks
// cores 1-3, RAM layout, PL011 console on UART0, generic-timer clock,
// entropy, idle), on top of TamaGo's arm64 package, the project's
// board/armv8, board/arm/pl011, board/arm/gicv2 and board/bcm2711; and it
// implements board.Board for the referee. The memory map is in the layout
// package, which host tools import too.
//
// Importing the package is enough: the runtime calls its hooks.
package rpi4b

import (
	"fmt"
	"runtime/goos"
	_ "unsafe"

	"github.com/usbarmory/tamago/arm64"

	"github.com/muscles/referee/board"
	"github.com/muscles/referee/board/arm/gicv2"
	"github.com/muscles/referee/board/arm/pl011"
	"github.com/muscles/referee/board/armv8"
	"github.com/muscles/referee/board/bcm2711"
	"github.com/muscles/referee/board/raspberrypi/rpi4b/layout"
)

// Name identifies the board.
const Name = "Raspberry Pi 4 Model B (BCM2711, cortex-a72, GIC-400, EL3)"

var (
	// CPU is core 0, the only one that runs.
	CPU = &arm64.CPU{}
	// GIC is the GIC-400.
	GIC = gicv2.GIC{Dist: bcm2711.GICD, CPU: bcm2711.GICC}
)

// timerProgrammed is set by cpuinit when it found CNTFRQ_EL0 zero and
// clocked the counter itself.
var timerProgrammed uint32

// emulated is set at start-up when no RNG200 answers: every BCM2711 has
// one, QEMU 10's raspi4b does not.
var emulated bool

// Init runs once the runtime has a heap and before package initialisation:
// exception vectors, interrupts, the idle governor, the entropy source
// (whose absence says the board is QEMU's), power-off, and the console's
// pins and line.
//
//go:linkname Init runtime/goos.Hwinit1
func Init() {
	CPU.Init()
	GIC.Init()
	GIC.EnableInterrupt(armv8.TimerIRQ)
	GIC.EnableInterrupt(armv8.DeadlineIRQ)
	goos.Idle = armv8.Idle
	startDRBG()
	// TamaGo's arm64 exit halts; under QEMU, semihosting carries the
	// status to the host.
	if emulated {
		goos.Exit = armv8.SemihostingExit
	}
	// UART0 on the header pins at the console's rate, with its FIFOs,
	// which a line typed or uploaded during a muscle call needs. Under
	// QEMU the UART needs no set-up, and reprogramming it lost the first
	// byte the host had typed (seen in many boot tests: "help" arrived as
	// "elp"), so it is left as QEMU resets it.
	bcm2711.UART0OnHeader()
	if !emulated {
		pl011.Init(bcm2711.UART0, bcm2711.UART0Clock, bcm2711.ConsoleBaud)
	}
}

// Board is the Pi 4 as the referee sees it: the key and bundle regions the
// firmware (or QEMU's loader) fills (armv8.Regions) and the methods below.
type Board struct{ armv8.Regions }

// New returns the board.
func New() Board { return Board{armv8.Regions{Layout: layout.Layout}} }

var _ board.Board = Board{}

func (Board) Name() string {
	if emulated {
		return Name + " under QEMU raspi4b"
	}
	return Name
}

func (b Board) Layout() *board.Layout { return b.Regions.Layout }

func (Board) ReadConsole() (byte, bool) { return pl011.ReadByte(bcm2711.UART0) }

func (Board) DeadlineTicks(micros uint32) uint64 { return armv8.DeadlineTicks(micros, emulated) }

func (Board) InstructionsRetired() (uint64, bool) { return armv8.InstructionsRetired() }

func (Board) PowerOff(status int) { armv8.PowerOff(status, emulated) }

func (Board) Entropy() string {
	if drbg != nil && drbg.Strong() {
		return "RNG200 (BCM2711 hardware RNG), ChaCha8 DRBG"
	}
	return fmt.Sprintf("NONE: %v; random numbers are PREDICTABLE", rngErr())
}

func (Board) Details() []string {
	timer := "as the firmware set it"
	if timerProgrammed != 0 {
		timer = "CNTFRQ_EL0 was 0: set by the referee from the 54 MHz crystal"
	}
	return []string{
		fmt.Sprintf("soc: bcm2711, uart0 (pl011)@%#x on gpio 14/15 at %d baud, gic-400@%#x, generic timer %d Hz (%s), emulated %v",
			bcm2711.UART0, bcm2711.ConsoleBaud, bcm2711.GICD, armv8.Frequency(), timer, emulated),
		armv8.FeaturesLine(),
	}
}
