//go:build tamago && arm64

// Package virt supports QEMU's arm64 virt board for bare-metal Go programs
// built with GOOS=tamago GOARCH=arm64, on the machine
//
//	qemu-system-aarch64 -machine virt,secure=on,gic-version=3 -cpu cortex-a53 -m 2G
//
// It provides the runtime/goos hooks the runtime needs (RAM layout, PL011
// console, generic-timer clock, entropy, idle and power-off through
// semihosting) on top of TamaGo's arm64 and GICv3 packages and the
// project's board/armv8, and implements board.Board for the referee, with
// a virtio block device as the state medium. Its virtio drivers (entropy,
// block) are polled and share one virtio-mmio transport. The memory map
// is in the layout package, which host tools import too.
//
// Importing the package is enough: the runtime calls its hooks.
package virt

import (
	"fmt"
	"runtime/goos"
	_ "unsafe"

	"github.com/usbarmory/tamago/arm64"
	"github.com/usbarmory/tamago/arm64/gic"

	"github.com/muscles/referee/board"
	"github.com/muscles/referee/board/armv8"
	"github.com/muscles/referee/board/qemu/virt/layout"
)

// Name identifies the board.
const Name = "qemu virt (cortex-a53, GICv3, EL3)"

var (
	// CPU is the Cortex-A53 core.
	CPU = &arm64.CPU{}
	// GIC is the GICv3 interrupt controller.
	GIC = &gic.GIC{GICD: layout.GICD, GICR: layout.GICR}
)

// Init runs once the runtime has a heap and before package initialisation:
// exception vectors, power-off, interrupts, the idle governor and the DRBG.
//
//go:linkname Init runtime/goos.Hwinit1
func Init() {
	CPU.Init()
	goos.Exit = armv8.SemihostingExit
	GIC.Init()
	GIC.EnableInterrupt(armv8.TimerIRQ)
	GIC.EnableInterrupt(armv8.DeadlineIRQ)
	goos.Idle = armv8.Idle
	startDRBG()
}

// Board is the virt board as the referee sees it: the key and bundle
// regions QEMU's loader fills (armv8.Regions) and the methods below.
type Board struct{ armv8.Regions }

// New returns the board.
func New() Board { return Board{armv8.Regions{Layout: layout.Layout}} }

var _ board.Board = Board{}

func (Board) Name() string              { return Name }
func (b Board) Layout() *board.Layout   { return b.Regions.Layout }
func (Board) ReadConsole() (byte, bool) { return ReadByte() }
func (Board) InstructionsRetired() (uint64, bool) {
	return armv8.InstructionsRetired()
}
func (Board) PowerOff(status int) { armv8.PowerOff(status, true) }

func (Board) DeadlineTicks(micros uint32) uint64 {
	return armv8.DeadlineTicks(micros, true)
}

func (Board) Entropy() string {
	e := Entropy()
	switch {
	case e.DTBSeed && e.VirtioRNG != 0:
		return fmt.Sprintf("dtb rng-seed + virtio-rng@%#x, ChaCha8 DRBG", e.VirtioRNG)
	case e.DTBSeed:
		return fmt.Sprintf("dtb rng-seed only, ChaCha8 DRBG (virtio-rng: %v)", e.Err)
	case e.VirtioRNG != 0:
		return fmt.Sprintf("virtio-rng@%#x only, ChaCha8 DRBG (no dtb rng-seed)", e.VirtioRNG)
	}
	return fmt.Sprintf("NONE FOUND: no dtb rng-seed and no virtio-rng (%v); random numbers are PREDICTABLE", e.Err)
}

func (Board) Details() []string {
	var lines []string
	dt, err := ReadDeviceTree()
	switch {
	case err != nil:
		lines = append(lines, fmt.Sprintf("dtb: %v", err))
	case dt.Check() != nil:
		lines = append(lines, fmt.Sprintf("dtb: %d bytes, DOES NOT MATCH the link-time layout: %v", dt.Size, dt.Check()))
	default:
		lines = append(lines, fmt.Sprintf("dtb: %d bytes at %#x; memory %#x+%#x covers the layout; pl011@%x; %d virtio-mmio slots",
			dt.Size, layout.DTBStart, dt.MemStart, dt.MemSize, layout.UART0, dt.VirtioSlots))
	}
	return append(lines, armv8.FeaturesLine())
}
