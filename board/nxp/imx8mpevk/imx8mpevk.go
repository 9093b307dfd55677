//go:build tamago && arm64

// Package imx8mpevk runs the referee on the NXP 8MPLUSLPD4-EVK (i.MX 8M
// Plus, four Cortex-A53), on top of TamaGo's own soc/nxp/imx8mp and
// board/nxp/imx8mpevk packages, which provide the runtime's hooks (UART1
// console, clocks, watchdogs, generic timers, RNG). This package adds what
// the referee needs from the board (board.Board): the key and bundle
// regions of the layout, the GICv3 interrupts for the idle wake-up and the
// call deadline, the instruction counter, power-off, and the state device:
// the SD card in uSDHC3 (QEMU's -drive if=sd,bus=2), through a small
// polled driver of its own (usdhc.go says why not TamaGo's soc/nxp/usdhc).
//
// Build with the linkramsize tag, which gives the runtime the layout's RAM
// size in place of the EVK's 6 GiB (tools/image does so for
// BOARD=imx8mpevk).
//
// Under QEMU's imx8mp-evk model the image starts at EL3 on core 0; on the
// EVK, U-Boot's SPL must start it at EL3 in place of BL31 (README).
package imx8mpevk

import (
	"fmt"
	"runtime/goos"
	_ "unsafe"

	_ "github.com/usbarmory/tamago/board/nxp/imx8mpevk"
	"github.com/usbarmory/tamago/soc/nxp/imx8mp"

	"github.com/muscles/referee/board"
	"github.com/muscles/referee/board/armv8"
	"github.com/muscles/referee/board/nxp/imx8mpevk/layout"
)

// Name identifies the board.
const Name = "NXP 8MPLUSLPD4-EVK (i.MX 8M Plus, cortex-a53, GICv3, EL3)"

//go:linkname ramSize runtime/goos.RamSize
var ramSize uint = layout.RAMSize

// emulated is set at start-up when the SoC looks like QEMU's model: its
// OCOTP is a placeholder that reads zero, where silicon has a unique ID.
var emulated bool

func init() {
	emulated = imx8mp.UniqueID() == [16]byte{}
	// Tamago's arm64 exit halts; under QEMU, semihosting carries the
	// status to the host.
	if emulated {
		goos.Exit = armv8.SemihostingExit
	}
	goos.Idle = armv8.Idle
	imx8mp.GIC.Init()
	imx8mp.GIC.EnableInterrupt(armv8.TimerIRQ)
	imx8mp.GIC.EnableInterrupt(armv8.DeadlineIRQ)
}

// Board is the EVK as the referee sees it: the key and bundle regions the
// boot loader fills (armv8.Regions) and the methods below.
type Board struct{ armv8.Regions }

// New returns the board.
func New() Board { return Board{armv8.Regions{Layout: layout.Layout}} }

var _ board.Board = Board{}

func (Board) Name() string {
	if emulated {
		return Name + " under QEMU imx8mp-evk"
	}
	return Name
}

func (b Board) Layout() *board.Layout   { return b.Regions.Layout }
func (Board) ReadConsole() (byte, bool) { return readConsole() }

func (Board) Entropy() string {
	return "NONE: TamaGo v1.26.0's imx8mp package seeds its DRBG from the clock (its CAAM TRNG path is not enabled, and QEMU models no CAAM); random numbers are PREDICTABLE"
}

func (Board) DeadlineTicks(micros uint32) uint64 { return armv8.DeadlineTicks(micros, emulated) }

func (Board) InstructionsRetired() (uint64, bool) { return armv8.InstructionsRetired() }

func (Board) PowerOff(status int) { armv8.PowerOff(status, emulated) }

func (Board) Details() []string {
	_, major, minor := imx8mp.SiliconVersion()
	return []string{
		fmt.Sprintf("soc: %s rev %d.%d, uart1@%#x, generic timer %d Hz, emulated %v", imx8mp.Model(), major, minor, layout.UART1, armv8.Frequency(), emulated),
		armv8.FeaturesLine(),
	}
}
