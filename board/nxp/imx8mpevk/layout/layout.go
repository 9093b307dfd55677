// Package layout is the physical memory map of the NXP 8MPLUSLPD4-EVK as
// the referee uses it: one table of constants shared by the board package,
// the kernel and the host tools, so they never disagree.
//
// DDR starts at 0x4000_0000 (i.MX 8M Plus Reference Manual, IMX8MPRM,
// 2.1 "Memory map"); the EVK has 6 GiB, QEMU's imx8mp-evk what -m gives
// it (the launcher gives 2 GiB). TamaGo's imx8mp package starts the
// runtime's memory at the start of DDR; the image is linked just above
// TamaGo's page tables. The key record and the muscle bundle lie above the
// runtime's memory, loaded by QEMU's generic loader in tests and by the
// boot loader on hardware.
package layout

import "github.com/muscles/referee/board"

const (
	// DRAMStart is where DDR begins.
	DRAMStart = 0x4000_0000
	// DRAMSize is the RAM the launcher gives QEMU (-m 2G); the EVK has more.
	DRAMSize = 2 << 30

	// RAMStart is the start of the runtime's memory (tamago's
	// imx8mp.DDR_BASE, goos.RamStart).
	RAMStart = 0x4000_0000
	// TextStart is the link address of the image (-T), above the page
	// tables TamaGo keeps at RAMStart+0x4000..0x8000.
	TextStart = 0x4001_0000
	// TextRound is the linker's section rounding (-R).
	TextRound = 0x1000
	// RAMEnd is the end of the runtime's memory.
	RAMEnd = 0x8E00_0000
	// RAMSize is the size of the runtime's memory (goos.RamSize, set with
	// the linkramsize build tag).
	RAMSize = RAMEnd - RAMStart

	// KeyRecordStart is where the master-key record is loaded.
	KeyRecordStart = 0x9000_0000
	// KeyRecordMax is the size of the key region.
	KeyRecordMax = 0x1_0000

	// BundleStart is where the muscle bundle is loaded.
	BundleStart = 0x9100_0000
	// BundleMax is the size of the bundle region.
	BundleMax = 0x0800_0000
)

// Devices (IMX8MPRM 2.1; QEMU hw/arm/fsl-imx8mp.c).
const (
	// UART1 is the console (the EVK's debug USB port; QEMU's first
	// -serial).
	UART1 = 0x3086_0000
	// CCM is the clock controller (the uSDHC3 clock root and gate).
	CCM = 0x3038_0000
	// USDHC3 is the SD host controller whose card holds the sealed state
	// (QEMU's -drive if=sd,bus=2; on the EVK it carries the eMMC, and the
	// microSD slot is uSDHC2 at 0x30B5_0000).
	USDHC3 = 0x30B6_0000
)

// Layout is the memory map in the board contract's terms.
var Layout = &board.Layout{
	Board:     "imx8mpevk",
	DRAMStart: DRAMStart, DRAMSize: DRAMSize,
	RAM:       board.Region{Name: "runtime ram", Start: RAMStart, End: RAMEnd},
	TextStart: TextStart, TextRound: TextRound,
	KeyRecord: board.Region{Name: "key record", Start: KeyRecordStart, End: KeyRecordStart + KeyRecordMax},
	Bundle:    board.Region{Name: "muscle bundle", Start: BundleStart, End: BundleStart + BundleMax},
}
