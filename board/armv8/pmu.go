//go:build tamago && arm64

package armv8

// The performance monitors' instructions-retired event (ARM ARM D7, event
// 0x08 INST_RETIRED) on event counter 0. QEMU implements the event only
// under -icount, where it counts executed instructions exactly, so idle
// time spent in WFI is visible as the absence of instructions.

const eventInstRetired = 0x08

func pmuEnable(event uint64)
func pmuCommonEvents() uint64
func pmuCounter0() uint64

var pmuChecked, pmuCounts bool

// InstructionsRetired returns the instructions executed since the first
// call, if the CPU counts them. A PMU that lists the event but does not
// advance across a loop (QEMU without -icount; QEMU 10.0.2's imx8mp-evk
// even with it) counts nothing, and is reported as no counter.
func InstructionsRetired() (uint64, bool) {
	if !pmuChecked {
		pmuChecked = true
		if pmuCommonEvents()&(1<<eventInstRetired) != 0 {
			pmuEnable(eventInstRetired)
			before := pmuCounter0()
			spin(1000)
			pmuCounts = pmuCounter0() != before
		}
	}
	if !pmuCounts {
		return 0, false
	}
	return pmuCounter0(), true
}

// spin runs n iterations of a loop the compiler keeps.
//
//go:noinline
func spin(n int) int {
	x := 0
	for i := 0; i < n; i++ {
		x += i ^ x
	}
	return x
}
