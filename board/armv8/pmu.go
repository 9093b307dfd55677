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

var pmuOn bool

// InstructionsRetired returns the instructions executed since the first
// call, if the CPU counts them.
func InstructionsRetired() (uint64, bool) {
	if pmuCommonEvents()&(1<<eventInstRetired) == 0 {
		return 0, false
	}
	if !pmuOn {
		pmuEnable(eventInstRetired)
		pmuOn = true
	}
	return pmuCounter0(), true
}
