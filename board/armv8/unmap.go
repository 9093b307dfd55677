//go:build tamago && arm64

package armv8

import (
	"fmt"
	"runtime"
	"unsafe"
)

// Unmapping a 2 MiB region from the EL3 translation regime. TamaGo's
// arm64.InitMMU identity-maps memory above the image with 1 GiB blocks in
// its level-1 table at RamStart+0x4000, except for the 1 GiB that holds the
// end of the image, which it maps through a level-2 table of 2 MiB blocks.
// UnmapBlock replaces a 1 GiB block holding the region with a level-2
// table of 2 MiB blocks with the same attributes, except the one holding
// the region, which is left invalid; where the region's 1 GiB is TamaGo's
// level-2 table already, it invalidates the region's entry there.
// Afterwards any access to the region faults.

const (
	tamagoL1Offset = 0x4000 // arm64.l1pageTableOffset in tamago v1.26.0
	descBlock      = 0b01
	descTableBits  = 0b11
	gib            = 1 << 30
	mib2           = 1 << 21
	outputMask1G   = (1<<48 - 1) &^ (gib - 1)
	outputMask2M   = (1<<48 - 1) &^ (mib2 - 1)
	tableMask      = (1<<48 - 1) &^ (4096 - 1)
)

// keyL2 holds the level-2 table (4 KiB aligned inside it); it must live
// as long as the MMU uses it, so it is a global. One region can be
// unmapped.
var (
	keyL2    [1024]uint64
	keyL2Set bool
)

func flushTLB()
func translatesForRead(va uint64) bool

// UnmapBlock removes the 2 MiB block at start (2 MiB aligned, holding a
// region of size bytes) from the MMU's map and reports an error unless
// start then fails to translate while keep, an address in the same 1 GiB
// block, still does.
func UnmapBlock(start, size, keep uint64) error {
	ramStart, _ := runtime.MemRegion()
	l1 := (*[512]uint64)(Phys(uintptr(ramStart + tamagoL1Offset)))
	idx := start / gib
	block := l1[idx]
	switch {
	case keyL2Set:
		return fmt.Errorf("a region is already unmapped")
	case start%mib2 != 0 || size > mib2 || keep/mib2 == start/mib2 || keep/gib != idx:
		return fmt.Errorf("the region %#x+%#x does not have a 2 MiB block of its own in a 1 GiB block with %#x", start, size, keep)
	case block&0b11 == descTableBits:
		return unmapInTable(block, start, keep)
	case block&0b11 != descBlock || block&outputMask1G != idx*gib:
		return fmt.Errorf("level-1 entry %d (%#x) is not the identity 1 GiB block TamaGo maps", idx, block)
	}
	base := uintptr(unsafe.Pointer(&keyL2[0]))
	skip := (4096 - base%4096) % 4096 / 8
	l2 := keyL2[skip : skip+512]
	attrs := block &^ outputMask1G
	for i := range l2 {
		pa := idx*gib + uint64(i)*mib2
		l2[i] = pa | attrs
		if pa == start {
			l2[i] = 0
		}
	}
	l1[idx] = uint64(uintptr(unsafe.Pointer(&l2[0]))) | descTableBits
	keyL2Set = true
	flushTLB()
	if translatesForRead(start) || !translatesForRead(keep) {
		return fmt.Errorf("the MMU does not show the new map")
	}
	return nil
}

// unmapInTable invalidates the 2 MiB block at start in the level-2 table
// that the level-1 descriptor l1 points to.
func unmapInTable(l1, start, keep uint64) error {
	table := l1 & tableMask
	ramStart, ramEnd := runtime.MemRegion()
	if table < uint64(ramStart) || table >= uint64(ramEnd) {
		return fmt.Errorf("the level-2 table at %#x is not in runtime RAM", table)
	}
	l2 := (*[512]uint64)(Phys(uintptr(table)))
	i := (start % gib) / mib2
	entry := l2[i]
	if entry&0b11 != descBlock || entry&outputMask2M != start {
		return fmt.Errorf("level-2 entry %d (%#x) is not the identity 2 MiB block TamaGo maps", i, entry)
	}
	l2[i] = 0
	keyL2Set = true
	flushTLB()
	if translatesForRead(start) || !translatesForRead(keep) {
		return fmt.Errorf("the MMU does not show the new map")
	}
	return nil
}
