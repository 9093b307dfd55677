//go:build tamago && arm64

package virt

import (
	"github.com/muscles/referee/board/qemu/virt/layout"
)

// The key and bundle regions lie outside runtime RAM, where the MMU maps
// memory as Device memory: they are read and wiped with aligned 8-byte
// accesses only (Go's memmove and memclr may use unaligned or DC ZVA
// accesses, which fault there).

// readPhys copies n bytes (a multiple of 8) from the physical address start
// (8-byte aligned) into RAM.
func readPhys(start, n uintptr) []byte {
	buf := make([]byte, n)
	for off := uintptr(0); off < n; off += 8 {
		v := *(*uint64)(phys(start + off))
		for i := uintptr(0); i < 8; i++ {
			buf[off+i] = byte(v >> (8 * i))
		}
	}
	return buf
}

// ReadKeyRegion copies the whole key region into RAM.
func ReadKeyRegion() []byte { return readPhys(layout.KeyRecordStart, layout.KeyRecordMax) }

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

// ReadBundleRegion copies the first n bytes of the bundle region (rounded
// up to 8, at most the region's size) into RAM.
func ReadBundleRegion(n int) []byte {
	size := (uintptr(n) + 7) &^ 7
	if size > layout.BundleMax {
		size = layout.BundleMax
	}
	return readPhys(layout.BundleStart, size)
}
