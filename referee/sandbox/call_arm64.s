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

// SAVE saves what Go needs back (frame R5: sp, g; fp, lr; daif, gofpcr;
// vbar3, scr, in pairs), masks every interrupt, points TPIDR_EL3 at the
// frame (for the vectors) and installs the call's EL3 vectors and routing
// (frame.vectors3, frame.scr3: el3Vectors and scrCall's value); R30 gets
// frame.zeros (abiZeros) for the zeroing below. R2, R3 and R4 are scratch.
#define SAVE \
	MOVD	RSP, R2; \
	STP	(R2, g), frame_sp(R5); \
	STP	(R29, R30), frame_fp(R5); \
	WORD	$0xd53b4222;	/* mrs x2, daif */ \
	WORD	$0xd5034fdf;	/* msr daifset, #0xf */ \
	WORD	$0xd53b4403;	/* mrs x3, fpcr */ \
	STP	(R2, R3), frame_daif(R5); \
	WORD	$0xd53ec002;	/* mrs x2, vbar_el3 */ \
	WORD	$0xd53e1103;	/* mrs x3, scr_el3 */ \
	STP	(R2, R3), frame_vbar3(R5); \
	WORD	$0xd51ed045;	/* msr tpidr_el3, x5 */ \
	LDP	frame_vectors3(R5), (R2, R30); \
	MOVD	frame_scr3(R5), R4; \
	WORD	$0xd51ec002;	/* msr vbar_el3, x2 */ \
	WORD	$0xd51e1104	/* msr scr_el3, x4 */

// CLEAN(c) zeroes the vector registers (the ABI's, and what the wipes
// store) from the zeros at R30, then the output, scratch and (forward)
// target (the wipes of the call at c(R1)). The input and train's target
// are the caller's, written in place.
#define CLEAN(c) \
	ABI_ZERO_VECTORS \
	WIPE(c+call_wipe+0); \
	WIPE(c+call_wipe+16); \
	WIPE(c+call_wipe+32)

// func enter(s *Space, e uintptr) error
//
// A single call (Space.Call's hot path, doc.go). The frame is at s, and
// frame.ready[e] (at the frame's start) is 1 only when e is an entry the
// muscle has, no batch left rows behind and s is the space whose EL1&0
// regime the trampoline wrote last (setReady): then none of the regime is
// written. Otherwise (and for any e above Train) it goes on to callSlow
// with the same arguments, having done nothing. The call is counted in
// s.Tally in advance (word e: Runs, Trainings), which callFaulted takes
// back. R5 holds the frame and R1 the call until the registers are set
// for EL0.
TEXT ·enter(SB),NOSPLIT|NOFRAME,$0-32
	MOVD	s+0(FP), R5
	MOVD	e+8(FP), R1
	CMP	$const_Train, R1
	BHI	slow
	MOVD	(R5)(R1<<3), R2	// frame.ready[e]
	CBZ	R2, slow
	ADD	R1<<3, R5, R2
	MOVD	Space_Tally(R2), R3
	ADD	$1, R3
	MOVD	R3, Space_Tally(R2)
	ADD	R1<<6, R5, R1	// calls[e] is at frame_calls(R1)
	MOVD	R5, frame_fast(R5)	// not 0: the way back after a fault goes on to callFaulted
	SAVE
	CLEAN(frame_calls)
	// The entry, and the budget deadline on the Secure physical timer:
	// CNTPS_TVAL_EL1 sets the compare value to the counter plus the
	// budget (which SetBudget keeps below 2^31 ticks, TVAL's range).
	LDP	frame_calls+call_entry(R1), (R2, R3)
	WORD	$0xd51e4022	// msr elr_el3, x2
	WORD	$0xd51fe203	// msr cntps_tval_el1, x3
	MOVD	$1, R2
	WORD	$0xd51fe222	// msr cntps_ctl_el1, x2 (enabled, not masked)
	WORD	$0xd51b441f	// msr fpcr, xzr (FPCR, which is 0: call.go)
	WORD	$0xd51e401f	// msr spsr_el3, xzr (EL0t, nothing masked; NZCV 0)
	// Every EL0-visible register as the ABI says (abi_arm64.h, generated
	// from muscle/abi.go): the arguments, the return address, zero
	// elsewhere, the vectors (CLEAN) and x5..x29 loaded from ·abiZeros
	// (x30). NZCV is zero from SPSR_EL3 = 0 at the eret; TPIDRRO_EL0,
	// which EL0 cannot write, was zeroed with the regime
	// (ABI_ZERO_SYSTEM_EL0RO).
	ABI_ZERO_SYSTEM
	ABI_ARGS(R5)
	ABI_ZERO_GPRS
	MOVD	$const_ReturnAddress, R30
	// One ISB for every system register write above (the eret is a
	// context synchronization event too, except where FEAT_ExS lets
	// SCTLR_EL3.EOS say otherwise).
	WORD	$0xd5033fdf	// isb
	WORD	$0xd69f03e0	// eret
slow:
	JMP	·callSlow(SB)

// func enterFull(s *Space, c *call) error
//
// Any other entry: a single call that needed preparing (callSlow), or a
// batch (Batch: frame.batch not 0, x19..x28 for the stub). It writes the
// EL1&0 regime when another space (or none) was entered last
// (frame.regime), and arms the deadline with the 64-bit compare value (a
// batch's is k budgets). Otherwise as enter; it returns when the call
// ended, however it ended (frame.ok says), with a nil error.
TEXT ·enterFull(SB),NOSPLIT|NOFRAME,$0-32
	MOVD	s+0(FP), R5
	MOVD	c+8(FP), R1
	MOVD	ZR, frame_fast(R5)
	SAVE

	// The muscle's EL1&0 regime, only when another space (or none) was
	// entered last (doc.go): otherwise every register below still holds
	// what this space's last call wrote (EL0 can write none of them,
	// nothing else in the referee does), and the TLB holds only entries
	// walked from its tables, which never change. TPIDRRO_EL0 likewise:
	// EL0 cannot write it and the referee never does (tamago keeps no
	// TLS), so it stays zero from here on.
	MOVD	frame_regime(R5), R2
	CBZ	R2, regimeSet
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
regimeSet:
	CLEAN(0)
	// The budget deadline: the counter plus the budget, 64 bits.
	WORD	$0xd53be022	// mrs x2, cntpct_el0
	LDP	call_entry(R1), (R4, R3)
	ADD	R3, R2, R2
	WORD	$0xd51fe242	// msr cntps_cval_el1, x2
	MOVD	$1, R2
	WORD	$0xd51fe222	// msr cntps_ctl_el1, x2 (enabled, not masked)
	WORD	$0xd51b441f	// msr fpcr, xzr (FPCR, which is 0: call.go)
	WORD	$0xd51e4024	// msr elr_el3, x4
	WORD	$0xd51e401f	// msr spsr_el3, xzr (EL0t, nothing masked; NZCV 0)
	ABI_ZERO_SYSTEM
	// A batch enters the referee's stub with its registers in x19..x28
	// (batchCall.batch, at frame.batch).
	MOVD	frame_batch(R5), R6
	ABI_ARGS(R5)
	CBNZ	R6, batchRegs
	ABI_ZERO_GPRS
	MOVD	$const_ReturnAddress, R30
	WORD	$0xd5033fdf	// isb
	WORD	$0xd69f03e0	// eret

batchRegs:
	ABI_ZERO_GPRS
	WORD	$0xd53ed05e	// mrs x30, tpidr_el3 (the frame)
	MOVD	frame_batch(R30), R30
	LDP	0(R30), (R19, R20)
	LDP	16(R30), (R21, R22)
	LDP	32(R30), (R23, R24)
	LDP	48(R30), (R25, R26)
	LDP	64(R30), (R27, g)	// g is R28; SAVE saved it
	MOVD	$const_ReturnAddress, R30
	WORD	$0xd5033fdf	// isb
	WORD	$0xd69f03e0	// eret

// ENDED starts the way back, whatever ended the call: the frame (R8), a
// batch's row counter (x19, writeStub) and the syndromes (R2 ESR_EL3, R3
// ESR_EL1, R5 FAR_EL1).
#define ENDED \
	WORD	$0xd53ed048;	/* mrs x8, tpidr_el3 */ \
	MOVD	R19, frame_row(R8); \
	WORD	$0xd53e5202;	/* mrs x2, esr_el3 */ \
	WORD	$0xd5385203;	/* mrs x3, esr_el1 */ \
	WORD	$0xd5386005	/* mrs x5, far_el1 */

// STOPPED records the timer's state (R6) and stops it.
#define STOPPED \
	WORD	$0xd53fe226;	/* mrs x6, cntps_ctl_el1 */ \
	WORD	$0xd51fe23f	/* msr cntps_ctl_el1, xzr */

// RESTORE goes back to the referee, R8 the frame: its FPCR, SCR_EL3,
// VBAR_EL3, stack, g, frame pointer, link register and DAIF, as they were
// when enter (or enterFull) was called. FPSR and TPIDR_EL0 keep what the
// muscle left: the referee never reads either (tamago keeps no TLS) and
// the next call zeroes both.
#define RESTORE \
	LDP	frame_daif(R8), (R3, R2); \
	WORD	$0xd51b4402;	/* msr fpcr, x2 */ \
	LDP	frame_vbar3(R8), (R4, R5); \
	WORD	$0xd51e1105;	/* msr scr_el3, x5 */ \
	WORD	$0xd51ec004;	/* msr vbar_el3, x4 */ \
	WORD	$0xd5033fdf;	/* isb */ \
	LDP	frame_sp(R8), (R2, g); \
	MOVD	R2, RSP; \
	LDP	frame_fp(R8), (R29, R30); \
	WORD	$0xd51b4223	/* msr daif, x3 */

// One EL3 vector entry: record which entry ran (0..15) and leave.
#define VECTOR(n) PCALIGN $128; MOVD $n, R0; B leave

// el3Vectors is VBAR_EL3 during a call (ARM ARM D1.10.2: 16 entries of
// 0x80 bytes; 8..11 are the ones a call expects, from lower ELs), then
// leave. Entry 8 (synchronous, from a lower EL) holds the normal return's
// check and the way back itself (27 of its 32 instructions).
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
	// Entry 8. The normal return (outcome.returned: the muscle's final
	// ret, an instruction abort at ReturnAddress handed on by the EL1
	// vector's smc) stops the deadline and sets frame.ok (the caller
	// reads the output in place); anything else records the outcome for
	// decode (notReturned).
	ENDED
	MOVD	$const_esrReturn, R7
	CMP	R7, R2
	BNE	notReturned
	UBFX	$26, R3, $6, R7
	CMP	$const_ecInstrAbort, R7
	BNE	notReturned
	CMP	$const_ReturnAddress, R5
	BNE	notReturned
	WORD	$0xd51fe23f	// msr cntps_ctl_el1, xzr
	MOVD	R5, frame_ok(R8)	// ReturnAddress: not 0
	RESTORE
	STP	(ZR, ZR), 24(RSP)	// enter's (or enterFull's) result: nil
	RET
	VECTOR(9)
	VECTOR(10)
	VECTOR(11)
	VECTOR(12)
	VECTOR(13)
	VECTOR(14)
	VECTOR(15)
	PCALIGN	$128

	// leave (entry R0) and notReturned (entry 8, not the normal return)
	// record how the call ended, stop the deadline and return from enter
	// with the referee's registers and EL3 configuration back.
leave:
	ENDED
	B	outcome
notReturned:
	MOVD	$const_el3LowerSync, R0
outcome:
	STOPPED
	MOVD	ZR, frame_ok(R8)
	MOVD	R0, frame_vector(R8)
	MOVD	R2, frame_esr3(R8)
	MOVD	R3, frame_esr1(R8)
	WORD	$0xd5384024	// mrs x4, elr_el1
	MOVD	R4, frame_elr1(R8)
	MOVD	R5, frame_far1(R8)
	MOVD	R6, frame_timer(R8)
	RESTORE
	// enter's and enterFull's arguments and result lie at the same
	// places (8(RSP) on): after enter (a call counted in advance) the
	// call goes on to callFaulted, which returns enter's result;
	// enterFull returns nil (its callers read the frame).
	MOVD	frame_fast(R8), R0
	CBNZ	R0, faulted
	STP	(ZR, ZR), 24(RSP)
	RET
faulted:
	JMP	·callFaulted(SB)

// abiZeros is what ABI_ZERO_VECTORS and ABI_ZERO_GPRS load: zeros that
// nothing writes (read-only data).
GLOBL	·abiZeros(SB), RODATA|NOPTR, $ABI_ZERO_BYTES

// func vectorsAddr() uintptr
TEXT ·vectorsAddr(SB),NOSPLIT,$0-8
	MOVD	$·el3Vectors(SB), R0
	MOVD	R0, ret+0(FP)
	RET

// func scrCall() uint64
//
// SCR_EL3 as it is, with the bits a call needs set and cleared.
TEXT ·scrCall(SB),NOSPLIT,$0-8
	WORD	$0xd53e1100	// mrs x0, scr_el3
	ORR	$SCR_SET, R0, R0
	AND	$~SCR_CLEAR, R0, R0
	MOVD	R0, ret+0(FP)
	RET

// func zerosAddr() uintptr
TEXT ·zerosAddr(SB),NOSPLIT,$0-8
	MOVD	$·abiZeros(SB), R0
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
