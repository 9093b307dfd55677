//go:build tamago && arm64

package armv8

import "github.com/muscles/referee/board"

// Regions implements the key- and bundle-region part of board.Board for a
// board whose loader places both in RAM outside the runtime's memory, at
// the addresses of its layout. Boards embed it.
type Regions struct {
	Layout *board.Layout
}

// ReadKeyRegion copies the whole key region into RAM.
func (r Regions) ReadKeyRegion() []byte {
	k := r.Layout.KeyRecord
	return ReadPhys(uintptr(k.Start), uintptr(k.Size()))
}

// WipeKeyRegion overwrites the whole key region with zeros.
func (r Regions) WipeKeyRegion() {
	k := r.Layout.KeyRecord
	WipePhys(uintptr(k.Start), uintptr(k.Size()))
}

// KeyRegionClear reports whether every byte of the key region is zero.
func (r Regions) KeyRegionClear() bool {
	k := r.Layout.KeyRecord
	return PhysClear(uintptr(k.Start), uintptr(k.Size()))
}

// UnmapKeyRegion removes the key region's 2 MiB block from the MMU's map.
func (r Regions) UnmapKeyRegion() error {
	k := r.Layout.KeyRecord
	return UnmapBlock(k.Start, k.Size(), r.Layout.Bundle.Start)
}

// ReadBundleRegion copies the first n bytes of the bundle region (rounded
// up to 8, at most the region's size) into RAM.
func (r Regions) ReadBundleRegion(n int) []byte {
	b := r.Layout.Bundle
	size := min((uint64(n)+7)&^7, b.Size())
	return ReadPhys(uintptr(b.Start), uintptr(size))
}
