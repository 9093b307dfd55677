//go:build tamago && arm64

#include "go_asm.h"
#include "textflag.h"
#include "abi_arm64.h"

// The EL3 side of a sandboxed call (see doc.go). System registers that the
// Go assembler does not name are written as WORDs (checked against GNU as).

// SCR_EL3 during a call: lower ELs Secure (NS=0) and AArch64 (RW), IRQ,
// FIQ and SError routed to EL3, SMC enabled (SMD=0), HVC off (HCE=0),
// Secure EL1 denied the Secure timer (ST=0). Bits 5:4 are RES1.
#define SCR_SET ((1<<10)|(1<<5)|(1<<4)|(1<<3)|(1<<2)|(1<<1))
#define SCR_CLEAR ((1<<0)|(1<<7)|(1<<8)|(1<<11))
// MAIR_EL1: attr0 Device-nGnRnE, attr1 Normal inner/outer write-back.
#define MAIR 0xFF00
// TCR_EL1: T0SZ 25 (39-bit VA, walks start at level 1), inner/outer
// write-back walks, inner shareable, 4 KiB granule, no TTBR1 walks
// (EPD1), 48-bit IPS.
#define TCR (25|(1<<8)|(1<<10)|(3<<12)|(1<<23)|(5<<32))
// SCTLR_EL1: MMU, data and instruction caches on; RES1 bits 29, 28, 23,
// 22, 20, 11; everything EL0 could use to reach the system (cache
// maintenance, DC ZVA, CTR_EL0, DAIF, WFI/WFE) trapped by the zero bits.
#define SCTLR (0x30D00800|(1<<12)|(1<<2)|(1<<0))
// CPACR_EL1.FPEN: FP/SIMD usable at EL0 and EL1.
#define CPACR (3<<20)

// WIPE(off) zeroes the buffer whose address and length (a multiple of 16,
// possibly 0) are at off(R0), 16 bytes a store.
#define WIPE(off) \
	LDP	off(R0), (R1, R2); \
	CBZ	R2, 4(PC); \
	STP.P	(ZR, ZR), 16(R1); \
	SUBS	$16, R2, R2; \
	BNE	-2(PC)

// COPY(off) copies the bytes whose source, destination and length (a
// multiple of 4, possibly 0) are at off(R1): a 4-byte piece, an 8-byte
// piece, then 16 bytes a load and store. R2..R6 are scratch.
#define COPY(off) \
	LDP	off(R1), (R2, R3); \
	MOVD	off+16(R1), R4; \
	TBZ	$2, R4, 3(PC); \
	MOVWU.P	4(R2), R5; \
	MOVW.P	R5, 4(R3); \
	TBZ	$3, R4, 3(PC); \
	MOVD.P	8(R2), R5; \
	MOVD.P	R5, 8(R3); \
	LSR	$4, R4, R4; \
	CBZ	R4, 5(PC); \
	LDP.P	16(R2), (R5, R6); \
	STP.P	(R5, R6), 16(R3); \
	SUBS	$1, R4, R4; \
	BNE	-3(PC)

// func enter(f *frame, c *copies)
TEXT ·enter(SB),NOSPLIT|NOFRAME,$0-16
	MOVD	f+0(FP), R0
	MOVD	c+8(FP), R1
	MOVD	R1, frame_copies(R0)
	// Save what Go needs back.
	MOVD	RSP, R1
	MOVD	R1, frame_sp(R0)
	MOVD	g, frame_g(R0)
	MOVD	R29, frame_fp(R0)
	MOVD	R30, frame_lr(R0)
	WORD	$0xd53b4221	// mrs x1, daif
	MOVD	R1, frame_daif(R0)
	WORD	$0xd5034fdf	// msr daifset, #0xf
	WORD	$0xd53ec001	// mrs x1, vbar_el3
	MOVD	R1, frame_vbar3(R0)
	WORD	$0xd53e1101	// mrs x1, scr_el3
	MOVD	R1, frame_scr(R0)
	WORD	$0xd53b4401	// mrs x1, fpcr
	MOVD	R1, frame_gofpcr(R0)
	WORD	$0xd53bd041	// mrs x1, tpidr_el0
	MOVD	R1, frame_tpidr(R0)
	WORD	$0xd53bd061	// mrs x1, tpidrro_el0
	MOVD	R1, frame_tpidrro(R0)
	WORD	$0xd51ed040	// msr tpidr_el3, x0 (the frame, for the vectors)

	// The call's EL3 vectors and routing.
	MOVD	$·el3Vectors(SB), R1
	WORD	$0xd51ec001	// msr vbar_el3, x1
	MOVD	frame_scr(R0), R1
	ORR	$SCR_SET, R1, R1
	AND	$~SCR_CLEAR, R1, R1
	WORD	$0xd51e1101	// msr scr_el3, x1

	// The muscle's EL1&0 regime, only when another space (or none) was
	// entered last (frame.regime; doc.go): otherwise every register below
	// still holds what this space's last call wrote (EL0 can write none
	// of them, nothing else in the referee does), and the TLB holds only
	// entries walked from its tables, which never change.
	MOVD	frame_regime(R0), R1
	CBZ	R1, regimeSet
	MOVD	$MAIR, R1
	WORD	$0xd518a201	// msr mair_el1, x1
	MOVD	$TCR, R1
	WORD	$0xd5182041	// msr tcr_el1, x1
	MOVD	frame_ttbr0(R0), R1
	WORD	$0xd5182001	// msr ttbr0_el1, x1
	MOVD	frame_vbar1(R0), R1
	WORD	$0xd518c001	// msr vbar_el1, x1
	MOVD	$CPACR, R1
	WORD	$0xd5181041	// msr cpacr_el1, x1
	WORD	$0xd518e11f	// msr cntkctl_el1, xzr (no counter or timer at EL0)
	WORD	$0xd51b9e1f	// msr pmuserenr_el0, xzr (no PMU at EL0)
	WORD	$0xd51c411f	// msr sp_el1, xzr
	MOVD	$SCTLR, R1
	WORD	$0xd5181001	// msr sctlr_el1, x1
	WORD	$0xd5033fdf	// isb (the TLBI after the new TTBR0_EL1)
	WORD	$0xd508871f	// tlbi vmalle1
	WORD	$0xd508751f	// ic iallu
	WORD	$0xd5033b9f	// dsb ish
regimeSet:

	// The caller's input (and train's target) in (c).
	MOVD	frame_copies(R0), R1
	CBZ	R1, copied
	COPY(0)
	COPY(24)
copied:

	// The output, scratch and (forward) target, when small (frame.wipe:
	// address and length, a multiple of 16 inside the region's pages).
	WIPE(frame_wipe+0)
	WIPE(frame_wipe+16)
	WIPE(frame_wipe+32)

	// The budget deadline on the Secure physical timer.
	WORD	$0xd53be021	// mrs x1, cntpct_el0
	MOVD	frame_budget(R0), R2
	ADD	R2, R1, R1
	WORD	$0xd51fe241	// msr cntps_cval_el1, x1
	MOVD	$1, R1
	WORD	$0xd51fe221	// msr cntps_ctl_el1, x1 (enabled, not masked)

	MOVD	frame_fpcr(R0), R1
	WORD	$0xd51b4401	// msr fpcr, x1
	MOVD	frame_entry(R0), R1
	WORD	$0xd51e4021	// msr elr_el3, x1
	WORD	$0xd51e401f	// msr spsr_el3, xzr (EL0t, nothing masked)

	// Every EL0-visible register as the ABI says (abi_arm64.h, generated
	// from muscle/abi.go): the arguments, the return address, zero
	// elsewhere, the vectors and x5..x29 loaded from ·abiZeros (x30).
	// NZCV is zero from SPSR_EL3 = 0 at the eret.
	ABI_ZERO_SYSTEM
	MOVD	$·abiZeros(SB), R30
	ABI_ZERO_VECTORS
	MOVD	R0, R5
	ABI_ARGS(R5)
	ABI_ZERO_GPRS
	// A batch enters the referee's stub with its counters in x19..x28
	// (frame.batch, whose rows word, x20, is zero for a single call).
	WORD	$0xd53ed05e	// mrs x30, tpidr_el3 (the frame)
	MOVD	frame_batch+8(R30), R20
	CBZ	R20, single
	LDP	frame_batch+0(R30), (R19, R20)
	LDP	frame_batch+16(R30), (R21, R22)
	LDP	frame_batch+32(R30), (R23, R24)
	LDP	frame_batch+48(R30), (R25, R26)
	LDP	frame_batch+64(R30), (R27, g)	// g is R28; enter saved it
single:
	MOVD	$0x1000, R30	// ReturnAddress
	// One ISB for every system register write above (the eret is a
	// context synchronization event too, except where FEAT_ExS lets
	// SCTLR_EL3.EOS say otherwise).
	WORD	$0xd5033fdf	// isb
	WORD	$0xd69f03e0	// eret

// One EL3 vector entry: record which entry ran (0..15) and leave.
#define VECTOR(n) PCALIGN $128; MOVD $n, R0; JMP ·leave(SB)

// el3Vectors is VBAR_EL3 during a call (ARM ARM D1.10.2: 16 entries of
// 0x80 bytes; 8..11 are the ones a call expects, from lower ELs).
TEXT ·el3Vectors(SB),NOSPLIT|NOFRAME,$0
	PCALIGN	$2048
	MOVD	$0, R0
	JMP	·leave(SB)
	VECTOR(1)
	VECTOR(2)
	VECTOR(3)
	VECTOR(4)
	VECTOR(5)
	VECTOR(6)
	VECTOR(7)
	VECTOR(8)
	VECTOR(9)
	VECTOR(10)
	VECTOR(11)
	VECTOR(12)
	VECTOR(13)
	VECTOR(14)
	VECTOR(15)

// leave records how the call ended, stops the deadline and returns from
// enter with the referee's registers and EL3 configuration back.
TEXT ·leave(SB),NOSPLIT|NOFRAME,$0
	WORD	$0xd53ed041	// mrs x1, tpidr_el3
	MOVD	R19, frame_row(R1)	// a batch's row counter (batchStub)
	WORD	$0xd53e5202	// mrs x2, esr_el3
	WORD	$0xd5385203	// mrs x3, esr_el1
	WORD	$0xd5386005	// mrs x5, far_el1
	WORD	$0xd53fe226	// mrs x6, cntps_ctl_el1
	WORD	$0xd51fe23f	// msr cntps_ctl_el1, xzr
	// The normal return (outcome.returned: the muscle's final ret, an
	// instruction abort at ReturnAddress handed on by the EL1 vector's
	// smc) sets frame.ok and copies the output out (enter's c); anything
	// else records the outcome for decode.
	CMP	$const_el3LowerSync, R0
	BNE	outcome
	UBFX	$26, R2, $6, R7
	CMP	$const_ecSMC64, R7
	BNE	outcome
	AND	$0xFFFF, R2, R7
	CMP	$const_el1LowerSync, R7
	BNE	outcome
	UBFX	$26, R3, $6, R7
	CMP	$const_ecInstrAbort, R7
	BNE	outcome
	CMP	$const_ReturnAddress, R5
	BNE	outcome
	MOVD	$1, R7
	MOVD	R7, frame_ok(R1)
	MOVD	R1, R8
	MOVD	frame_copies(R8), R1
	CBZ	R1, copiedOut
	COPY(48)
copiedOut:
	MOVD	R8, R1
	B	restore
outcome:
	MOVD	ZR, frame_ok(R1)
	MOVD	R0, frame_vector(R1)
	MOVD	R2, frame_esr3(R1)
	MOVD	R3, frame_esr1(R1)
	WORD	$0xd5384024	// mrs x4, elr_el1
	MOVD	R4, frame_elr1(R1)
	MOVD	R5, frame_far1(R1)
	MOVD	R6, frame_timer(R1)
restore:
	MOVD	frame_gofpcr(R1), R2
	WORD	$0xd51b4402	// msr fpcr, x2
	WORD	$0xd51b443f	// msr fpsr, xzr
	MOVD	frame_tpidr(R1), R2
	WORD	$0xd51bd042	// msr tpidr_el0, x2
	MOVD	frame_tpidrro(R1), R2
	WORD	$0xd51bd062	// msr tpidrro_el0, x2
	MOVD	frame_scr(R1), R2
	WORD	$0xd51e1102	// msr scr_el3, x2
	MOVD	frame_vbar3(R1), R2
	WORD	$0xd51ec002	// msr vbar_el3, x2
	WORD	$0xd5033fdf	// isb
	MOVD	frame_sp(R1), R2
	MOVD	R2, RSP
	MOVD	frame_g(R1), g
	MOVD	frame_fp(R1), R29
	MOVD	frame_lr(R1), R30
	MOVD	frame_daif(R1), R2
	WORD	$0xd51b4222	// msr daif, x2
	RET

// abiZeros is what ABI_ZERO_VECTORS and ABI_ZERO_GPRS load: zeros that
// nothing writes (read-only data).
GLOBL	·abiZeros(SB), RODATA|NOPTR, $ABI_ZERO_BYTES

// func vectorsAddr() uintptr
TEXT ·vectorsAddr(SB),NOSPLIT,$0-8
	MOVD	$·el3Vectors(SB), R0
	MOVD	R0, ret+0(FP)
	RET

// func syncCode(addr, size uint64)
//
// Cleans every data-cache line of [addr, addr+size) to the point of
// unification, then invalidates the instruction cache (Arm ARM, B2.4.4
// "Concurrent modification and execution of instructions": DC CVAU, DSB
// ISH, IC IALLU, DSB ISH, ISB). The line size is CTR_EL0.DminLine.
TEXT ·syncCode(SB),NOSPLIT,$0-16
	MOVD	addr+0(FP), R0
	MOVD	size+8(FP), R1
	ADD	R0, R1, R1
	WORD	$0xd53b0022	// mrs x2, ctr_el0
	WORD	$0xd3504c42	// ubfx x2, x2, #16, #4 (DminLine: log2 of words)
	MOVD	$4, R3
	LSL	R2, R3, R3	// line size in bytes
	SUB	$1, R3, R4
	BIC	R4, R0, R0	// first line
clean:
	CMP	R1, R0
	BHS	cleaned
	WORD	$0xd50b7b20	// dc cvau, x0
	ADD	R3, R0, R0
	B	clean
cleaned:
	WORD	$0xd5033b9f	// dsb ish
	WORD	$0xd508751f	// ic iallu
	WORD	$0xd5033b9f	// dsb ish
	WORD	$0xd5033fdf	// isb
	RET
