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

// WIPE(off) zeroes the buffer whose address and length (a multiple of 64,
// possibly 0) are at off(R1), 64 bytes a store from V0..V3 (zero). R2 and
// R3 are scratch.
#define WIPE(off) \
	LDP	off(R1), (R2, R3); \
	CBZ	R3, 4(PC); \
	WORD	$0x4c9f2c40;	/* st1 {v0.2d-v3.2d}, [x2], #64 */ \
	SUBS	$64, R3, R3; \
	BNE	-2(PC)

// COPY(off) makes the copy (span) at off(R1): its length (a multiple of
// 4, possibly 0: nothing) from its source to its destination, a 4-byte
// piece, an 8-byte piece, then 16 bytes a load and store. R2, R3, R4, R6
// and R7 are scratch.
#define COPY(off) \
	MOVD	off+16(R1), R4; \
	CBZ	R4, 14(PC); \
	LDP	off(R1), (R2, R3); \
	TBZ	$2, R4, 3(PC); \
	MOVWU.P	4(R2), R6; \
	MOVW.P	R6, 4(R3); \
	TBZ	$3, R4, 3(PC); \
	MOVD.P	8(R2), R6; \
	MOVD.P	R6, 8(R3); \
	LSR	$4, R4, R4; \
	CBZ	R4, 5(PC); \
	LDP.P	16(R2), (R6, R7); \
	STP.P	(R6, R7), 16(R3); \
	SUBS	$1, R4, R4; \
	BNE	-3(PC)

// func enter(f *frame, c *call)
//
// R5 holds the frame and R1 the call until the registers are set for EL0.
TEXT ·enter(SB),NOSPLIT|NOFRAME,$0-16
	MOVD	f+0(FP), R5
	MOVD	c+8(FP), R1
	// Save what Go needs back, in pairs (frame: sp, g; fp, lr; daif,
	// gofpcr; vbar3, scr).
	MOVD	RSP, R2
	STP	(R2, g), frame_sp(R5)
	STP	(R29, R30), frame_fp(R5)
	WORD	$0xd53b4222	// mrs x2, daif
	WORD	$0xd5034fdf	// msr daifset, #0xf
	WORD	$0xd53b4403	// mrs x3, fpcr
	STP	(R2, R3), frame_daif(R5)
	WORD	$0xd53ec002	// mrs x2, vbar_el3
	WORD	$0xd53e1103	// mrs x3, scr_el3
	STP	(R2, R3), frame_vbar3(R5)
	WORD	$0xd51ed045	// msr tpidr_el3, x5 (the frame, for the vectors)
	MOVD	R1, frame_call(R5)

	// The call's EL3 vectors and routing.
	MOVD	$·el3Vectors(SB), R2
	WORD	$0xd51ec002	// msr vbar_el3, x2
	ORR	$SCR_SET, R3, R3
	AND	$~SCR_CLEAR, R3, R3
	WORD	$0xd51e1103	// msr scr_el3, x3

	// The muscle's EL1&0 regime, only when another space (or none) was
	// entered last (frame.regime, out of line below).
	MOVD	frame_regime(R5), R2
	CBNZ	R2, regime
regimeSet:

	// The caller's input and (train's) target in.
	COPY(call_copies+0)
	COPY(call_copies+24)

	// The vector registers zero (the ABI's, and what the wipes store),
	// then the output, scratch and (forward) target (call.wipe).
	MOVD	$·abiZeros(SB), R30
	ABI_ZERO_VECTORS
	WIPE(call_wipe+0)
	WIPE(call_wipe+16)
	WIPE(call_wipe+32)

	// The budget deadline on the Secure physical timer.
	WORD	$0xd53be022	// mrs x2, cntpct_el0
	MOVD	call_budget(R1), R3
	ADD	R3, R2, R2
	WORD	$0xd51fe242	// msr cntps_cval_el1, x2
	MOVD	$1, R2
	WORD	$0xd51fe222	// msr cntps_ctl_el1, x2 (enabled, not masked)

	WORD	$0xd51b441f	// msr fpcr, xzr (FPCR, which is 0: call.go)
	MOVD	call_entry(R1), R2
	WORD	$0xd51e4022	// msr elr_el3, x2
	WORD	$0xd51e401f	// msr spsr_el3, xzr (EL0t, nothing masked; NZCV 0)

	// Every EL0-visible register as the ABI says (abi_arm64.h, generated
	// from muscle/abi.go): the arguments, the return address, zero
	// elsewhere, the vectors (above) and x5..x29 loaded from ·abiZeros
	// (x30).
	// NZCV is zero from SPSR_EL3 = 0 at the eret; TPIDRRO_EL0, which EL0
	// cannot write, was zeroed with the regime (ABI_ZERO_SYSTEM_EL0RO).
	// A batch enters the referee's stub with its counters in x19..x28
	// (call.batch, whose rows word, x20, is zero for a single call).
	ABI_ZERO_SYSTEM
	MOVD	call_batch+8(R1), R6
	ABI_ARGS(R5)
	CBNZ	R6, batch
	ABI_ZERO_GPRS
	MOVD	$const_ReturnAddress, R30
	// One ISB for every system register write above (the eret is a
	// context synchronization event too, except where FEAT_ExS lets
	// SCTLR_EL3.EOS say otherwise).
	WORD	$0xd5033fdf	// isb
	WORD	$0xd69f03e0	// eret

batch:
	ABI_ZERO_GPRS
	WORD	$0xd53ed05e	// mrs x30, tpidr_el3 (the frame)
	MOVD	frame_call(R30), R30
	LDP	call_batch+0(R30), (R19, R20)
	LDP	call_batch+16(R30), (R21, R22)
	LDP	call_batch+32(R30), (R23, R24)
	LDP	call_batch+48(R30), (R25, R26)
	LDP	call_batch+64(R30), (R27, g)	// g is R28; enter saved it
	MOVD	$const_ReturnAddress, R30
	WORD	$0xd5033fdf	// isb
	WORD	$0xd69f03e0	// eret

	// The EL1&0 regime, when another space (or none) was entered last
	// (doc.go): otherwise every register below still holds what this
	// space's last call wrote (EL0 can write none of them, nothing else
	// in the referee does), and the TLB holds only entries walked from
	// its tables, which never change. TPIDRRO_EL0 likewise: EL0 cannot
	// write it and the referee never does (tamago keeps no TLS), so it
	// stays zero from here on.
regime:
	MOVD	ZR, frame_regime(R5)
	MOVD	$MAIR, R2
	WORD	$0xd518a202	// msr mair_el1, x2
	MOVD	$TCR, R2
	WORD	$0xd5182042	// msr tcr_el1, x2
	MOVD	frame_ttbr0(R5), R2
	WORD	$0xd5182002	// msr ttbr0_el1, x2
	MOVD	frame_vbar1(R5), R2
	WORD	$0xd518c002	// msr vbar_el1, x2
	MOVD	$CPACR, R2
	WORD	$0xd5181042	// msr cpacr_el1, x2
	WORD	$0xd518e11f	// msr cntkctl_el1, xzr (no counter or timer at EL0)
	WORD	$0xd51b9e1f	// msr pmuserenr_el0, xzr (no PMU at EL0)
	WORD	$0xd51c411f	// msr sp_el1, xzr
	MOVD	$SCTLR, R2
	WORD	$0xd5181002	// msr sctlr_el1, x2
	ABI_ZERO_SYSTEM_EL0RO
	WORD	$0xd5033fdf	// isb (the TLBI after the new TTBR0_EL1)
	WORD	$0xd508871f	// tlbi vmalle1
	WORD	$0xd508751f	// ic iallu
	WORD	$0xd5033b9f	// dsb ish
	B	regimeSet

// ENDED starts the way back, whatever ended the call: the frame (R8), a
// batch's row counter (x19, writeStub), the syndromes (R2 ESR_EL3, R3
// ESR_EL1, R5 FAR_EL1), the timer's state (R6) and the timer stopped.
#define ENDED \
	WORD	$0xd53ed048;	/* mrs x8, tpidr_el3 */ \
	MOVD	R19, frame_row(R8); \
	WORD	$0xd53e5202;	/* mrs x2, esr_el3 */ \
	WORD	$0xd5385203;	/* mrs x3, esr_el1 */ \
	WORD	$0xd5386005;	/* mrs x5, far_el1 */ \
	WORD	$0xd53fe226;	/* mrs x6, cntps_ctl_el1 */ \
	WORD	$0xd51fe23f	/* msr cntps_ctl_el1, xzr */

// One EL3 vector entry: record which entry ran (0..15) and leave.
#define VECTOR(n) PCALIGN $128; MOVD $n, R0; B leave

// el3Vectors is VBAR_EL3 during a call (ARM ARM D1.10.2: 16 entries of
// 0x80 bytes; 8..11 are the ones a call expects, from lower ELs), then
// leave. Entry 8 (synchronous, from a lower EL) goes straight to the
// normal return's check.
TEXT ·el3Vectors(SB),NOSPLIT|NOFRAME,$0
	PCALIGN	$2048
	MOVD	$0, R0
	B	leave
	VECTOR(1)
	VECTOR(2)
	VECTOR(3)
	VECTOR(4)
	VECTOR(5)
	VECTOR(6)
	VECTOR(7)
	PCALIGN	$128
	B	lowerSync
	VECTOR(9)
	VECTOR(10)
	VECTOR(11)
	VECTOR(12)
	VECTOR(13)
	VECTOR(14)
	VECTOR(15)
	PCALIGN	$128

	// leave (entry R0) and lowerSync (entry 8) record how the call
	// ended, stop the deadline and return from enter with the referee's
	// registers and EL3 configuration back. R8 holds the frame.
leave:
	ENDED
	B	outcome

	// The normal return (outcome.returned: the muscle's final ret, an
	// instruction abort at ReturnAddress handed on by the EL1 vector's
	// smc, from entry 8) sets frame.ok and copies the output out (enter's
	// c); anything else records the outcome for decode.
lowerSync:
	ENDED
	MOVD	$const_esrReturn, R7
	CMP	R7, R2
	BNE	notReturned
	UBFX	$26, R3, $6, R7
	CMP	$const_ecInstrAbort, R7
	BNE	notReturned
	CMP	$const_ReturnAddress, R5
	BNE	notReturned
	MOVD	R5, frame_ok(R8)	// ReturnAddress: not 0
	MOVD	frame_call(R8), R1
	COPY(call_copies+48)
	B	restore
notReturned:
	MOVD	$const_el3LowerSync, R0
outcome:
	MOVD	ZR, frame_ok(R8)
	MOVD	R0, frame_vector(R8)
	MOVD	R2, frame_esr3(R8)
	MOVD	R3, frame_esr1(R8)
	WORD	$0xd5384024	// mrs x4, elr_el1
	MOVD	R4, frame_elr1(R8)
	MOVD	R5, frame_far1(R8)
	MOVD	R6, frame_timer(R8)
restore:
	// FPSR and TPIDR_EL0 keep what the muscle left: the referee never
	// reads either (tamago keeps no TLS) and the next call zeroes both.
	LDP	frame_daif(R8), (R3, R2)
	WORD	$0xd51b4402	// msr fpcr, x2
	LDP	frame_vbar3(R8), (R4, R5)
	WORD	$0xd51e1105	// msr scr_el3, x5
	WORD	$0xd51ec004	// msr vbar_el3, x4
	WORD	$0xd5033fdf	// isb
	LDP	frame_sp(R8), (R2, g)
	MOVD	R2, RSP
	LDP	frame_fp(R8), (R29, R30)
	WORD	$0xd51b4223	// msr daif, x3
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
