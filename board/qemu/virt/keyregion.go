//go:build tamago && arm64

package virt

import (
	"github.com/muscles/referee/board/armv8"
	"github.com/muscles/referee/board/qemu/virt/layout"
)

// The key and bundle regions, loaded by QEMU's generic loader at the
// addresses of the layout.

// ReadKeyRegion copies the whole key region into RAM.
func ReadKeyRegion() []byte { return armv8.ReadPhys(layout.KeyRecordStart, layout.KeyRecordMax) }

// WipeKeyRegion overwrites the whole key region with zeros.
func WipeKeyRegion() { armv8.WipePhys(layout.KeyRecordStart, layout.KeyRecordMax) }

// KeyRegionClear reports whether every byte of the key region is zero.
func KeyRegionClear() bool { return armv8.PhysClear(layout.KeyRecordStart, layout.KeyRecordMax) }

// UnmapKeyRegion removes the key region's 2 MiB block from the MMU's map.
func UnmapKeyRegion() error {
	return armv8.UnmapBlock(layout.KeyRecordStart, layout.KeyRecordMax, layout.BundleStart)
}

// ReadBundleRegion copies the first n bytes of the bundle region (rounded
// up to 8, at most the region's size) into RAM.
func ReadBundleRegion(n int) []byte {
	size := (uintptr(n) + 7) &^ 7
	if size > layout.BundleMax {
		size = layout.BundleMax
	}
	return armv8.ReadPhys(layout.BundleStart, size)
}
