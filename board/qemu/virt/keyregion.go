//go:build tamago && arm64

package virt

import (
	"github.com/muscles/referee/board/qemu/virt/layout"
)

// The key region lies outside runtime RAM, where the MMU maps memory as
// Device memory: it is read and wiped with aligned 8-byte accesses only
// (Go's memmove and memclr may use unaligned or DC ZVA accesses, which fault
// there).

// ReadKeyRegion copies the whole key region into RAM.
func ReadKeyRegion() []byte {
	buf := make([]byte, layout.KeyRecordMax)
	for off := uintptr(0); off < layout.KeyRecordMax; off += 8 {
		v := *(*uint64)(phys(layout.KeyRecordStart + off))
		for i := uintptr(0); i < 8; i++ {
			buf[off+i] = byte(v >> (8 * i))
		}
	}
	return buf
}

// WipeKeyRegion overwrites the whole key region with zeros.
func WipeKeyRegion() {
	for off := uintptr(0); off < layout.KeyRecordMax; off += 8 {
		*(*uint64)(phys(layout.KeyRecordStart + off)) = 0
	}
}

// KeyRegionClear reports whether every byte of the key region is zero.
func KeyRegionClear() bool {
	for off := uintptr(0); off < layout.KeyRecordMax; off += 8 {
		if *(*uint64)(phys(layout.KeyRecordStart + off)) != 0 {
			return false
		}
	}
	return true
}
