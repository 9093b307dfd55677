//go:build tamago && arm64

// Package gicv2 drives an ARM Generic Interrupt Controller of architecture
// version 2, such as the Raspberry Pi 4's GIC-400, as far as the referee
// needs one: its private timer interrupts (PPIs) enabled in Group 0 and
// signalled to the core as FIQs, which the core routes to EL3
// (SCR_EL3.FIQ). Nothing acknowledges them: they only wake the core from
// WFI and end a muscle call, and each is cleared at its source (the timer
// is disarmed).
//
// TamaGo's arm64/gic drives a GICv3 through system registers; a GICv2 is
// memory-mapped only. Register offsets and fields are from the ARM Generic
// Interrupt Controller Architecture Specification, version 2.0 (IHI 0048B),
// 4.1.2 "Distributor register map" and 4.1.3 "CPU interface register
// map", and the CoreLink GIC-400 Technical Reference Manual (DDI 0471B),
// 3.2 and 3.3.
package gicv2

import "github.com/muscles/referee/board/armv8"

// Distributor registers (IHI 0048B table 4-1).
const (
	gicdCTLR       = 0x000 // GICD_CTLR
	gicdTYPER      = 0x004 // GICD_TYPER
	gicdIGROUPR    = 0x080 // GICD_IGROUPRn: bit set = Group 1
	gicdISENABLER  = 0x100 // GICD_ISENABLERn
	gicdICENABLER  = 0x180 // GICD_ICENABLERn
	gicdICPENDR    = 0x280 // GICD_ICPENDRn
	gicdIPRIORITYR = 0x400 // GICD_IPRIORITYRn, one byte an interrupt

	ctlrEnableGrp0 = 1 << 0 // GICD_CTLR and GICC_CTLR (IHI 0048B 4.3.1, 4.4.1)
	ctlrEnableGrp1 = 1 << 1
	ctlrFIQEn      = 1 << 3 // GICC_CTLR: Group 0 signalled as FIQ

	typerITLinesNumber = 0x1f // GICD_TYPER[4:0]: 32 × (N+1) interrupt IDs
)

// CPU interface registers (IHI 0048B table 4-2).
const (
	giccCTLR = 0x0000 // GICC_CTLR
	giccPMR  = 0x0004 // GICC_PMR
	giccBPR  = 0x0008 // GICC_BPR
)

const (
	// lowestPriority in GICC_PMR lets every priority through (IHI 0048B
	// 4.4.2: an interrupt is signalled if its priority is higher, that is
	// numerically lower, than the mask).
	lowestPriority = 0xff
	// timerPriority is the priority the enabled interrupts get.
	timerPriority = 0x80
)

// GIC is one GICv2: the physical addresses of its distributor and of its
// CPU interface.
type GIC struct {
	Dist, CPU uintptr
}

// Lines is the number of interrupt IDs the distributor implements.
func (g GIC) Lines() int {
	return 32 * (int(armv8.Read32(g.Dist+gicdTYPER)&typerITLinesNumber) + 1)
}

// Init disables and clears every interrupt, puts them all in Group 0, and
// enables both groups at the distributor and at this core's CPU interface,
// with Group 0 signalled as FIQ and no priority masked.
func (g GIC) Init() {
	armv8.Write32(g.Dist+gicdCTLR, 0)
	for n := 0; n < g.Lines()/32; n++ {
		off := uintptr(4 * n)
		armv8.Write32(g.Dist+gicdICENABLER+off, 0xffff_ffff)
		armv8.Write32(g.Dist+gicdICPENDR+off, 0xffff_ffff)
		armv8.Write32(g.Dist+gicdIGROUPR+off, 0)
	}
	armv8.Write32(g.CPU+giccPMR, lowestPriority)
	armv8.Write32(g.CPU+giccBPR, 0)
	armv8.Write32(g.CPU+giccCTLR, ctlrEnableGrp0|ctlrEnableGrp1|ctlrFIQEn)
	armv8.Write32(g.Dist+gicdCTLR, ctlrEnableGrp0|ctlrEnableGrp1)
}

// EnableInterrupt enables interrupt id in Group 0 at timerPriority.
func (g GIC) EnableInterrupt(id int) {
	n, bit := uintptr(id/32), uint32(1)<<(id%32)
	group := g.Dist + gicdIGROUPR + 4*n
	armv8.Write32(group, armv8.Read32(group)&^bit)
	// GICD_IPRIORITYR is byte-accessible (IHI 0048B 4.3.11); a word write
	// keeps the neighbours' bytes.
	prio := g.Dist + gicdIPRIORITYR + uintptr(id&^3)
	shift := 8 * uint(id&3)
	armv8.Write32(prio, armv8.Read32(prio)&^(0xff<<shift)|timerPriority<<shift)
	armv8.Write32(g.Dist+gicdISENABLER+4*n, bit)
}
