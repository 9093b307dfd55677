// Package layout is the physical memory map of the Raspberry Pi 4 Model B
// as the referee uses it: one table of constants shared by the board
// package, the kernel and the host tools (image builder, SD-card writer,
// QEMU launcher), so they never disagree.
//
// The BCM2711 starts in "low peripheral" mode, the firmware's default
// without arm_peri_high (BCM2711 ARM Peripherals, 1.2 "Address map",
// figure 1): SDRAM from 0, the main peripherals at 0xFC00_0000-0xFF7F_FFFF
// (the legacy bus address 0x7Exx_xxxx at 0xFExx_xxxx), the ARM local
// peripherals and the GIC-400 at 0xFF80_0000. Every model has at least
// 1 GiB below 0x4000_0000, less what the firmware keeps for the VideoCore
// at the top of it (gpu_mem, 76 MiB by default on the Pi 4); QEMU's
// raspi4b has 2 GiB at 0, fixed. Everything below lies under 0x3820_0000,
// inside ARM memory on every model.
//
// The firmware (config.txt: kernel_old=1) loads kernel8.img at 0 and starts
// every core there at EL3; the image's first bytes are an entry stub that
// branches to the ELF's entry (tools/sdcard writes it). The runtime owns
// RAM from 2 MiB. The key record and the bundle are loaded above it by the
// firmware's initramfs directive (one file, the key region padded to the
// bundle's start, then the bundle) or by QEMU's generic loader.
package layout

import "github.com/muscles/referee/board"

const (
	// DRAMStart is where SDRAM begins.
	DRAMStart = 0x0
	// DRAMSize is the RAM QEMU's raspi4b has (2 GiB, fixed); the layout
	// uses less than 1 GiB of it.
	DRAMSize = 2 << 30

	// StubStart and StubMax are the entry stub at the load address of a
	// kernel_old image (tools/sdcard.EntryStub).
	StubStart = 0x0
	StubMax   = 0x1000

	// RAMStart is the start of the runtime's memory (goos.RamStart).
	RAMStart = 0x0020_0000
	// TextStart is the link address of the image (-T), above TamaGo's page
	// tables at RAMStart+0x4000..0x8000.
	TextStart = 0x0021_0000
	// TextRound is the linker's section rounding (-R).
	TextRound = 0x1000
	// RAMEnd is the end of the runtime's memory.
	RAMEnd = 0x3000_0000
	// RAMSize is the size of the runtime's memory (goos.RamSize).
	RAMSize = RAMEnd - RAMStart
	// StackOffset is how far below RAMEnd the boot stack starts
	// (goos.RamStackOffset).
	StackOffset = 0x100

	// KeyRecordStart is where the master-key record is loaded: a 2 MiB
	// block of its own, which the referee unmaps after reading it.
	KeyRecordStart = 0x3000_0000
	// KeyRecordMax is the size of the key region.
	KeyRecordMax = 0x1_0000

	// BundleStart is where the muscle bundle is loaded, the next 2 MiB
	// block.
	BundleStart = 0x3020_0000
	// BundleMax is the size of the bundle region.
	BundleMax = 0x0800_0000
)

// Layout is the memory map in the board contract's terms.
var Layout = &board.Layout{
	Board:     "rpi4b",
	DRAMStart: DRAMStart, DRAMSize: DRAMSize,
	RAM:       board.Region{Name: "runtime ram", Start: RAMStart, End: RAMEnd},
	TextStart: TextStart, TextRound: TextRound,
	KeyRecord: board.Region{Name: "key record", Start: KeyRecordStart, End: KeyRecordStart + KeyRecordMax},
	Bundle:    board.Region{Name: "muscle bundle", Start: BundleStart, End: BundleStart + BundleMax},
	Others: []board.Region{
		{Name: "entry stub", Start: StubStart, End: StubStart + StubMax},
	},
}
