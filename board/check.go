package board

import "fmt"

// Block sizes of the ARMv8 translation regimes the layout has to fit.
const (
	block2M = 2 << 20
	block1G = 1 << 30
)

// CheckLayout reports every way l breaks what the runtime, the linker and
// the referee need of a memory map: the runtime's RAM starts 2 MiB aligned
// (TamaGo's MMU set-up classifies memory by 2 MiB blocks) with the image
// linked inside its first 2 MiB, above TamaGo's page tables and aligned to
// the section rounding; the regions are non-empty, disjoint and inside
// DRAM; the key region holds keyMax bytes (muscle.MaxKeyRecord) and the
// bundle region bundleMax (muscle.MaxBlob); and the key region has a 2 MiB
// block of its own outside runtime RAM, in the same 1 GiB block as the
// bundle, as board/armv8.UnmapBlock needs to unmap it. It returns nil for
// a good layout.
func CheckLayout(l *Layout, keyMax, bundleMax uint64) []error {
	var errs []error
	bad := func(format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{l.Board}, a...)...))
	}

	if l.RAM.Start%block2M != 0 {
		bad("runtime RAM starts at %#x, not 2 MiB aligned", l.RAM.Start)
	}
	if l.TextRound == 0 || l.TextRound&(l.TextRound-1) != 0 {
		bad("text rounding %#x is not a power of two", l.TextRound)
	} else if l.TextStart%l.TextRound != 0 {
		bad("text start %#x is not %#x aligned", l.TextStart, l.TextRound)
	}
	if l.TextStart <= l.RAM.Start || l.TextStart >= l.RAM.Start+block2M {
		bad("text start %#x is not above the page tables inside the first 2 MiB of runtime RAM (%#x)", l.TextStart, l.RAM.Start)
	}

	dramEnd := l.DRAMStart + l.DRAMSize
	regions := l.Regions()
	for i, r := range regions {
		if r.End <= r.Start {
			bad("region %q [%#x, %#x) is empty", r.Name, r.Start, r.End)
		}
		if r.Start < l.DRAMStart || r.End > dramEnd {
			bad("region %q [%#x, %#x) is not inside DRAM [%#x, %#x)", r.Name, r.Start, r.End, l.DRAMStart, dramEnd)
		}
		if i > 0 && r.Start < regions[i-1].End {
			bad("region %q [%#x, %#x) overlaps %q [%#x, %#x)", r.Name, r.Start, r.End, regions[i-1].Name, regions[i-1].Start, regions[i-1].End)
		}
	}

	key, bundle := l.KeyRecord, l.Bundle
	if key.End > key.Start && key.Size() < keyMax {
		bad("key region holds %d bytes, a key record may be %d", key.Size(), keyMax)
	}
	if bundle.End > bundle.Start && bundle.Size() < bundleMax {
		bad("bundle region holds %d bytes, a bundle may be %d", bundle.Size(), bundleMax)
	}
	if key.Start%block2M != 0 || key.End > key.Start+block2M {
		bad("key region [%#x, %#x) is not inside one 2 MiB aligned block", key.Start, key.End)
	}
	blockStart := key.Start &^ (block2M - 1)
	keyBlock := Region{Start: blockStart, End: blockStart + block2M}
	if overlap(key, l.RAM) {
		bad("key region [%#x, %#x) is inside runtime RAM [%#x, %#x)", key.Start, key.End, l.RAM.Start, l.RAM.End)
	}
	for _, r := range append([]Region{l.RAM, bundle}, l.Others...) {
		if overlap(r, keyBlock) {
			bad("region %q [%#x, %#x) shares the key region's 2 MiB block at %#x, which is unmapped", r.Name, r.Start, r.End, keyBlock.Start)
		}
	}
	if bundle.Start/block1G != key.Start/block1G {
		bad("bundle region at %#x is not in the key region's 1 GiB block at %#x", bundle.Start, key.Start&^(block1G-1))
	}
	return errs
}

// overlap reports whether two address ranges share a byte.
func overlap(a, b Region) bool { return a.Start < b.End && b.Start < a.End }
