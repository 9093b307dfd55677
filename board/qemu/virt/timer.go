//go:build tamago && arm64

package virt

import (
	_ "unsafe"

	"github.com/muscles/referee/board/armv8"
)

// nanotime is the runtime's clock: time since reset, by the generic timer.
//
//go:linkname nanotime runtime/goos.Nanotime
//go:nosplit
func nanotime() int64 { return armv8.Nanotime() }
