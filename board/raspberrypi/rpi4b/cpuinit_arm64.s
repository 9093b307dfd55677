//go:build tamago && arm64

#include "textflag.h"

// cpuinit is the image's entry (runtime/goos.CPUInit; the kernel is built
// with the linkcpuinit tag, which leaves TamaGo's own out). Every core
// arrives here at once, at EL3 with the MMU and caches off: from QEMU's
// -kernel, and from the firmware with kernel_old=1 through the entry stub
// at 0. Cores 1-3 are parked for good; core 0 does what the firmware's stub
// (armstub8.S) would have done and what TamaGo's cpuinit does, and starts
// the runtime.
//
// The parked cores sleep in WFI, not WFE: QEMU's TCG takes WFE for a yield,
// so three cores in a WFE loop keep three host threads busy (measured: the
// boot tests ran several times slower on two host cores) and, under
// -icount, advance guest time. WFI halts them until an interrupt, and none
// reaches them: every exception is masked from reset, their generic timers
// are off, and the GIC-400's CPU interfaces of cores 1-3 are never enabled.
TEXT cpuinit(SB),NOSPLIT|NOFRAME,$0
	// MPIDR_EL1.Aff0 is the core number (Cortex-A72 TRM 4.3.2).
	WORD	$0xd53800a0	// mrs x0, mpidr_el1
	AND	$0xff, R0, R1
	CBZ	R1, primary
park:
	WFI
	B	park

primary:
	// Only EL3 will do.
	WORD	$0xd5384240	// mrs x0, CurrentEL
	LSR	$2, R0, R0
	AND	$3, R0, R0
	CMP	$3, R0
	BNE	park

	// SCTLR_EL3 (ARM ARM D13.2.118): MMU (M) and alignment check (A) off.
	WORD	$0xd53e1000	// mrs x0, sctlr_el3
	BIC	$(1<<1), R0
	BIC	$(1<<0), R0
	WORD	$0xd51e1000	// msr sctlr_el3, x0
	WORD	$0xd5033fdf	// isb

	// SCR_EL3 (D13.2.117): external aborts (EA), FIQ and IRQ to EL3.
	WORD	$0xd53e1100	// mrs x0, scr_el3
	ORR	$(1<<3), R0
	ORR	$(1<<2), R0
	ORR	$(1<<1), R0
	WORD	$0xd51e1100	// msr scr_el3, x0

	// CPTR_EL3 (D13.2.30) = 0: FP/SIMD not trapped, as the firmware's
	// stub leaves it.
	WORD	$0xd51e115f	// msr cptr_el3, xzr

	// CPUECTLR_EL1.SMPEN (Cortex-A72 TRM 4.3.67, S3_1_C15_C2_1 bit 6):
	// the core takes part in coherency, which must be set before the
	// caches and the MMU are on.
	WORD	$0xd539f220	// mrs x0, s3_1_c15_c2_1
	ORR	$(1<<6), R0
	WORD	$0xd519f220	// msr s3_1_c15_c2_1, x0
	WORD	$0xd5033fdf	// isb

	// Zero-initialised data (.bss, .noptrbss): the firmware loads only
	// the file (tools/sdcard.KernelImage), and RAM holds whatever it held.
	// It is over 32 MiB (Go's FIPS entropy scratch buffer alone,
	// crypto/internal/fips140/drbg.memory, is 32 MiB): 512 bytes a pass
	// in pairs of zeroed vector registers while that many remain (about
	// 1.3 million instructions in all, against 8.4 million sixteen bytes a
	// store), then sixteen bytes a store. The start is 16-byte aligned
	// (the linker aligns both sections to 32 bytes), as stores of vector
	// registers need with the MMU off; the last store may clear 8 bytes
	// past the end, where nothing lives before the runtime starts.
	MOVD	$runtime·bss(SB), R1
	MOVD	$runtime·enoptrbss(SB), R2
	VEOR	V0.B16, V0.B16, V0.B16
	SUB	R1, R2, R3
zero512:
	CMP	$512, R3
	BLO	zero16
	FSTPQ.P	(F0, F0), 32(R1)
	FSTPQ.P	(F0, F0), 32(R1)
	FSTPQ.P	(F0, F0), 32(R1)
	FSTPQ.P	(F0, F0), 32(R1)
	FSTPQ.P	(F0, F0), 32(R1)
	FSTPQ.P	(F0, F0), 32(R1)
	FSTPQ.P	(F0, F0), 32(R1)
	FSTPQ.P	(F0, F0), 32(R1)
	FSTPQ.P	(F0, F0), 32(R1)
	FSTPQ.P	(F0, F0), 32(R1)
	FSTPQ.P	(F0, F0), 32(R1)
	FSTPQ.P	(F0, F0), 32(R1)
	FSTPQ.P	(F0, F0), 32(R1)
	FSTPQ.P	(F0, F0), 32(R1)
	FSTPQ.P	(F0, F0), 32(R1)
	FSTPQ.P	(F0, F0), 32(R1)
	SUB	$512, R3
	B	zero512
zero16:
	CMP	R2, R1
	BHS	zeroed
	STP.P	(ZR, ZR), 16(R1)
	B	zero16
zeroed:

	// The generic timer. QEMU presets CNTFRQ_EL0 (62.5 MHz); the
	// firmware's stub would program the local timer and CNTFRQ_EL0, which
	// only EL3 may write, but kernel_old=1 runs no stub. If no one has,
	// clock the counter from the crystal by 1 (ARM_CONTROL = 0, the
	// prescaler at 2^31: BCM2711 ARM Peripherals 6.5.2 and armstub8.S)
	// and say so in CNTFRQ_EL0 (54 MHz).
	WORD	$0xd53be000	// mrs x0, cntfrq_el0
	CBNZ	R0, stack
	// The constants are bcm2711.ArmLocal and bcm2711.CrystalHz, which
	// assembly cannot import.
	MOVD	$0xff800000, R1	// ARM_LOCAL: ARM_CONTROL
	MOVW	$0, R2
	MOVW	R2, 0(R1)
	MOVW	$0x80000000, R2	// LOCAL_PRESCALER
	MOVW	R2, 8(R1)
	MOVD	$54000000, R1
	WORD	$0xd51be001	// msr cntfrq_el0, x1
	MOVD	$·timerProgrammed(SB), R1
	MOVW	$1, R2
	MOVW	R2, 0(R1)
	WORD	$0xd5033fdf	// isb

stack:
	// The boot stack, at the top of the runtime's memory.
	MOVD	runtime∕goos·RamStart(SB), R1
	MOVD	R1, RSP
	MOVD	runtime∕goos·RamSize(SB), R1
	MOVD	runtime∕goos·RamStackOffset(SB), R2
	ADD	R1, RSP
	SUB	R2, RSP

	B	_rt0_tamago_start(SB)
