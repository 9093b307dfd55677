// Package layout is the physical memory map of the QEMU virt board as the
// referee uses it: one table of constants shared by the board package, the
// kernel and the host-side launcher, so they never disagree.
//
// The machine is qemu-system-aarch64 -machine virt,secure=on,gic-version=3
// -cpu cortex-a53 -m 2G. QEMU places the DTB at the start of RAM
// (0x4000_0000); the runtime owns RAM from 0x4020_0000 (2 MiB aligned, as
// TamaGo's MMU set-up classifies memory by 2 MiB blocks) up to the DMA
// region; the key record and the muscle bundle are loaded above it with
// QEMU's generic loader.
package layout

const (
	// DRAMStart is where QEMU virt's RAM begins.
	DRAMStart = 0x4000_0000
	// DRAMSize is the RAM the launcher gives QEMU (-m 2G).
	DRAMSize = 2 << 30

	// DTBStart is where QEMU places the flattened device tree.
	DTBStart = 0x4000_0000
	// DTBMax is the space reserved for it.
	DTBMax = 0x10_0000

	// RAMStart is the start of the runtime's memory (goos.RamStart).
	RAMStart = 0x4020_0000
	// TextStart is the link address of the image (-T); the runtime's page
	// tables sit between RAMStart and TextStart.
	TextStart = 0x4021_0000
	// TextRound is the linker's section rounding (-R).
	TextRound = 0x1000
	// RAMEnd is the end of the runtime's memory.
	RAMEnd = 0x8E00_0000
	// RAMSize is the size of the runtime's memory (goos.RamSize).
	RAMSize = RAMEnd - RAMStart
	// StackOffset is how far below RAMEnd the boot stack starts
	// (goos.RamStackOffset).
	StackOffset = 0x100

	// DMAStart is the region for device (virtio) buffers, outside runtime
	// memory as tamago's dma package requires.
	DMAStart = 0x8E00_0000
	// DMASize is its size.
	DMASize = 0x0200_0000

	// KeyRecordStart is where the launcher loads the master-key record.
	KeyRecordStart = 0x9000_0000
	// KeyRecordMax is the largest key record the region holds.
	KeyRecordMax = 0x1_0000

	// BundleStart is where the launcher loads the muscle bundle.
	BundleStart = 0x9100_0000
	// BundleMax is the largest bundle the region holds.
	BundleMax = 0x0800_0000
)

// Devices of the virt board (QEMU hw/arm/virt.c), confirmed from the DTB at
// boot.
const (
	// UART0 is the PL011 that -serial stdio drives.
	UART0 = 0x0900_0000
	// GICD and GICR are the GICv3 distributor and redistributors.
	GICD = 0x0800_0000
	GICR = 0x080A_0000
	// VirtioMMIO is the first of VirtioSlots virtio-mmio transports, each
	// VirtioSlotSize bytes apart.
	VirtioMMIO     = 0x0A00_0000
	VirtioSlotSize = 0x200
	VirtioSlots    = 32
)
