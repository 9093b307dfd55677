// Package board states, once, the contract between the referee and the
// board it runs on: the Board interface that every board package
// implements (board/qemu/virt, board/nxp/imx8mpevk,
// board/raspberrypi/rpi4b), and the Layout that describes a board's memory
// map to the board package, the kernel and the host tools (image builder,
// SD-card writer, QEMU launcher) alike.
//
// The package builds for the host as well as for GOOS=tamago; what every
// ARMv8 board shares in code is in board/armv8.
package board

import (
	"cmp"
	"slices"
)

// Board is what the referee needs from the machine under it. The console's
// output is the runtime's Printk hook (os.Stdout), which the board package
// provides; everything else goes through these methods.
type Board interface {
	// Name describes the board and how it is run, for the banner and
	// the boot audit entry ("qemu virt (cortex-a53, GICv3, EL3)").
	Name() string

	// Layout is the board's memory map.
	Layout() *Layout

	// ReadConsole returns the next byte received on the console, if one is
	// waiting; it never blocks.
	ReadConsole() (byte, bool)

	// ReadKeyRegion copies the whole key region into RAM.
	ReadKeyRegion() []byte
	// WipeKeyRegion overwrites the whole key region with zeros.
	WipeKeyRegion()
	// KeyRegionClear reports whether every byte of the key region is zero.
	KeyRegionClear() bool
	// UnmapKeyRegion removes the key region from the MMU's map and reports
	// an error unless it then fails to translate while the bundle region
	// still does.
	UnmapKeyRegion() error

	// ReadBundleRegion copies the first n bytes of the bundle region
	// (rounded up to 8, at most the region's size) into RAM.
	ReadBundleRegion(n int) []byte

	// Entropy says where the board's random numbers come from, or that
	// there is no real source ("NONE: ..."), for the banner.
	Entropy() string

	// DeadlineTicks converts a muscle's budget (µs, from its sealed header)
	// into generic-timer ticks for the call deadline (the Secure physical
	// timer, INTID 29, which the board routes to EL3 as an FIQ), stretched
	// by how much slower than the real core the board runs code. It never
	// overflows.
	DeadlineTicks(micros uint32) uint64

	// InstructionsRetired reads the CPU's instruction counter, if it has
	// one (the PMU's INST_RETIRED; exact under QEMU -icount).
	InstructionsRetired() (uint64, bool)

	// PowerOff stops the board with an exit status: under QEMU the
	// emulator exits with it (semihosting); on hardware the core halts.
	// It does not return.
	PowerOff(status int)

	// Details are board-specific banner lines (device tree, CPU features).
	Details() []string

	// StateDevice finds and initialises the medium that holds the sealed
	// state (referee/store), or says why the board has none.
	StateDevice() (BlockDevice, error)
}

// BlockDevice is a medium of fixed-size blocks, read and written whole
// blocks at a time, which the sealed store (referee/store) keeps its
// records on. A write may sit in a volatile cache until Flush returns.
type BlockDevice interface {
	// Name describes the device for the banner and the audit log
	// ("virtio-blk at 0xa003e00, 16 MiB").
	Name() string
	// BlockSize is the size of one block in bytes.
	BlockSize() int
	// Blocks is how many blocks the device holds.
	Blocks() uint64
	// ReadBlocks fills b (a whole number of blocks) from block lba on.
	ReadBlocks(lba uint64, b []byte) error
	// WriteBlocks writes b (a whole number of blocks) from block lba on.
	WriteBlocks(lba uint64, b []byte) error
	// Flush returns once every block written before it is durable (on
	// the medium, not in a cache).
	Flush() error
}

// Region is a named physical address range [Start, End).
type Region struct {
	Name       string
	Start, End uint64
}

// Size is the region's length in bytes.
func (r Region) Size() uint64 { return r.End - r.Start }

// Layout is a board's memory map as the referee uses it.
type Layout struct {
	// Board is the board's name for BOARD= (virt, imx8mpevk, rpi4b).
	Board string
	// DRAMStart and DRAMSize are the RAM the machine has (under QEMU,
	// what the launcher gives it with -m).
	DRAMStart, DRAMSize uint64
	// RAM is the runtime's memory (goos.RamStart, goos.RamSize).
	RAM Region
	// TextStart is the image's link address (-T); TextRound the linker's
	// section rounding (-R).
	TextStart, TextRound uint64
	// KeyRecord is the region the master-key record is loaded into.
	KeyRecord Region
	// Bundle is the region the muscle bundle is loaded into.
	Bundle Region
	// Others are the board's other regions (DTB, DMA), for the banner.
	Others []Region
}

// Regions lists every region in address order, for banners.
func (l *Layout) Regions() []Region {
	all := append([]Region{l.RAM, l.KeyRecord, l.Bundle}, l.Others...)
	slices.SortFunc(all, func(a, b Region) int { return cmp.Compare(a.Start, b.Start) })
	return all
}
