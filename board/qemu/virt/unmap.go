//go:build tamago && arm64

package virt

import (
	"fmt"
	"unsafe"

	"github.com/muscles/referee/board/qemu/virt/layout"
)

// Unmapping the key region from the EL3 translation regime. TamaGo's
// arm64.InitMMU identity-maps 0x8000_0000-0xC000_0000 with one 1 GiB block
// (level-1 entry 2 of the table at RamStart+0x4000). UnmapKeyRegion
// replaces that block with a level-2 table of 2 MiB blocks with the same
// attributes, except the one holding the key region, which is left
// invalid: afterwards any access to it faults.

const (
	tamagoL1Offset = 0x4000 // arm64.l1pageTableOffset in tamago v1.26.0
	descBlock      = 0b01
	descTableBits  = 0b11
	gib            = 1 << 30
	mib2           = 1 << 21
	outputMask1G   = (1<<48 - 1) &^ (gib - 1)
)

// keyL2 holds the level-2 table (4 KiB aligned inside it); it must live
// as long as the MMU uses it, so it is a global.
var keyL2 [1024]uint64

func flushTLB()
func translatesForRead(va uint64) bool

// UnmapKeyRegion removes the key region's 2 MiB block from the MMU's map
// and reports whether the region now fails to translate.
func UnmapKeyRegion() error {
	l1 := (*[512]uint64)(phys(layout.RAMStart + tamagoL1Offset))
	idx := layout.KeyRecordStart / gib
	block := l1[idx]
	switch {
	case block&0b11 == descTableBits:
		return fmt.Errorf("level-1 entry %d is already a table", idx)
	case block&0b11 != descBlock || block&outputMask1G != uint64(idx*gib):
		return fmt.Errorf("level-1 entry %d (%#x) is not the identity 1 GiB block TamaGo maps", idx, block)
	}
	if layout.KeyRecordStart%mib2 != 0 || layout.KeyRecordMax > mib2 || layout.BundleStart/mib2 == layout.KeyRecordStart/mib2 {
		return fmt.Errorf("the key region does not have a 2 MiB block of its own")
	}
	base := uintptr(unsafe.Pointer(&keyL2[0]))
	skip := (4096 - base%4096) % 4096 / 8
	l2 := keyL2[skip : skip+512]
	attrs := block &^ outputMask1G
	for i := range l2 {
		pa := uint64(idx*gib) + uint64(i)*mib2
		l2[i] = pa | attrs
		if pa == layout.KeyRecordStart {
			l2[i] = 0
		}
	}
	l1[idx] = uint64(uintptr(unsafe.Pointer(&l2[0]))) | descTableBits
	flushTLB()
	if translatesForRead(layout.KeyRecordStart) || !translatesForRead(layout.BundleStart) {
		return fmt.Errorf("the MMU does not show the new map")
	}
	return nil
}
