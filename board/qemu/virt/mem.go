//go:build tamago && arm64

package virt

import (
	_ "unsafe"

	"github.com/muscles/referee/board/qemu/virt/layout"
)

// The runtime's memory, read by the boot code before any Go code runs.

//go:linkname ramStart runtime/goos.RamStart
var ramStart uint = layout.RAMStart

//go:linkname ramSize runtime/goos.RamSize
var ramSize uint = layout.RAMSize

//go:linkname ramStackOffset runtime/goos.RamStackOffset
var ramStackOffset uint = layout.StackOffset
