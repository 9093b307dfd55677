//go:build tamago && arm64

// Package virt supports QEMU's arm64 virt board for bare-metal Go programs
// built with GOOS=tamago GOARCH=arm64, on the machine
//
//	qemu-system-aarch64 -machine virt,secure=on,gic-version=3 -cpu cortex-a53 -m 2G
//
// It provides the runtime/goos hooks the runtime needs (RAM layout, PL011
// console, generic-timer clock, entropy, idle and power-off through
// semihosting) on top of TamaGo's arm64 and GICv3 packages. The memory map
// is in the layout package, which host tools import too.
//
// Importing the package is enough: the runtime calls its hooks.
package virt

import (
	"runtime/goos"
	_ "unsafe"

	"github.com/usbarmory/tamago/arm64"
	"github.com/usbarmory/tamago/arm64/gic"

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
	goos.Exit = exit
	GIC.Init()
	GIC.EnableInterrupt(layout.TimerIRQ)
	GIC.EnableInterrupt(layout.DeadlineIRQ)
	goos.Idle = idle
	startDRBG()
}
