// Package sandbox runs a muscle's machine code at Secure EL0 in a
// translation regime of its own, from a referee running at EL3.
//
// Each muscle gets one arena of whole 4 KiB pages, allocated once when it is
// admitted. The arena holds, page-aligned and never sharing a page:
//
//	vectors  the minimal Secure EL1 vector table (16 × "smc #i")
//	code     the muscle's code, then the referee's batch stub (its row
//	         table and code)             EL0 read + execute, EL1 read
//	state    weights, updated by train   EL0 read + write, never execute
//	scratch, input, output, target       EL0 read + write, never execute
//	         (input and output hold Spec.Rows rows, RowAlign apart)
//	initial  a copy of the sealed state  not mapped
//	tables   the EL1&0 translation tables (4 KiB granule, 39-bit VA,
//	         identity-mapped)            not mapped
//
// The EL1&0 regime maps only the pages above marked as mapped (plus the
// vector page, executable at EL1 only), so at EL0 every other address, the
// referee's memory and the old key region among them, faults.
//
// A call (Space.Call) saves what the referee needs back (its stack
// pointer, g, frame pointer and link register, DAIF, FPCR, VBAR_EL3,
// SCR_EL3), installs the call's own EL3 vector table and SCR_EL3 (the
// referee's as the boot code left it, with the call's bits set and
// cleared: Secure, AArch64, IRQ, FIQ and SError to EL3, SMC on, HVC off,
// no Secure timer at EL1; computed once, as nothing writes SCR_EL3 after
// boot), points TTBR0_EL1/VBAR_EL1 at the muscle's tables and vectors
// (when needed, below), arms the Secure physical timer (CNTPS, the budget
// deadline), zeroes the output, the scratch and for forward the target
// (whatever their size, 64 bytes a store from zeroed vector registers,
// each rounded up to 64 bytes inside its pages), sets FPCR to FPCR (round
// to nearest, no flush-to-zero, no traps), clears every other register
// (from a block of read-only zeros: an ldp per two general registers, an
// ld1 per four vectors; TPIDR_EL0, SP_EL0 and FPSR with msr; NZCV by the
// eret, from SPSR_EL3 = 0) and enters the muscle at EL0 with eret, x0..x4
// pointing at input, output, state, scratch and target and x30 at
// ReturnAddress, an unmapped page. Nothing is copied: the caller writes
// the input (and train's target) into the muscle's own buffers before the
// call and reads the output there after it (served.Muscle.Input, Target,
// Output), so a call depends only on what those buffers, the zeroed ones
// and the state hold. Everything a call needs is set up once per entry (a
// call descriptor: New and SetBudget write its entry address, budget and
// wipes), so the referee writes nothing per call but the frame and the
// count.
//
// The hot path is the trampoline alone: Space.Call is inlined into its
// caller as a call of enter (call_arm64.s), which loads one word the Go
// side keeps precomputed (frame.ready[e], setReady: 1 when e is an entry
// the muscle has, no batch left rows behind and the space's regime is the
// one in place), counts the call in advance (Tally) and enters. When the
// word is 0 (or e is no entry kind) enter does nothing and goes on, a tail
// call with the same arguments, to the Go side (callSlow: ErrNoEntry, or
// clearing a batch's rows and the regime, then enterFull); when the call
// did not return normally the way back goes on to callFaulted, which takes
// the count back, decodes the fault and counts it. Every way back is an
// exception to EL3:
//
//   - the muscle's final ret fetches from ReturnAddress: an instruction abort
//     taken to Secure EL1, whose vector hands it on with smc; this is the
//     normal return, which the trampoline recognises itself in its EL3
//     vector entry (the exact ESR_EL3, ESR_EL1's class and FAR_EL1: frame.ok)
//     and returns nil;
//   - any other synchronous exception (undefined or system instruction, svc,
//     smc, hlt, a load or store outside its pages, a write to its code) takes
//     the same path and becomes a Fault;
//   - the deadline interrupt (Group 0, so FIQ) is routed straight to EL3
//     (SCR_EL3.FIQ) and becomes a Fault with FaultDeadline.
//
// The EL1&0 regime (MAIR, TCR, TTBR0, VBAR, CPACR, CNTKCTL, PMUSERENR,
// SP_EL1, SCTLR, then ISB, TLBI VMALLE1, IC IALLU, DSB ISH) is written only
// when the space entered last was another one, or none, and only by
// enterFull: every Space has an id from a counter that is never reused (so a
// Space freed and another allocated at the same address still differ), and
// the package remembers the id whose regime it wrote last (entered) and that
// Space (entering another one clears its ready words, so enter, which writes
// no regime, runs only the space whose regime is in place; Wipe forgets
// both). Calling the same space again needs none of it: EL0 can write none
// of those registers, nothing else in the referee touches the EL1&0 regime,
// and the TLB can hold only entries walked from that space's tables (the
// last switch flushed everything else, speculative walks included, and the
// tables never change after New: the referee writes only buffers and state).
// ASIDs stay 0: a switch flushes the whole EL1&0 TLB. The code needs no
// instruction-cache maintenance per call either: New made it visible to
// instruction fetch (syncCode) and nobody writes it afterwards. One ISB
// before the eret covers the per-call writes (SCR_EL3, VBAR_EL3, the timer,
// FPCR and the EL0 registers); the referee calls muscles on one core, one
// call at a time. A single call arms the deadline with CNTPS_TVAL_EL1 (the
// counter plus the budget, a signed 32-bit count: SetBudget keeps budgets
// below 2^31 ticks, more than 2 s at 1 GHz, while a budget is at most 1 s),
// enterFull with the 64-bit CNTPS_CVAL_EL1 (a batch's deadline is k
// budgets).
//
// TPIDRRO_EL0 is zeroed with the regime too: EL0 can read it but not write
// it, and the referee never writes it (tamago keeps no thread pointer), so
// it stays zero for every call after.
//
// The EL3 side then restores the referee's registers and returns (nil from
// enter, or on to callFaulted after a fault). TPIDR_EL0 and FPSR keep what
// the muscle left until the next call zeroes them: the referee reads
// neither. Nothing on this path allocates.
//
// A batch (Space.Batch: K forward rows, or K training steps) is one such
// entry (enterFull) with a deadline of K budgets (K bounded by
// SetBatchLimit, so that it is no longer than the longest single call): eret
// goes to the batch stub instead, which the referee writes after the code (a
// table of each row's input and output address, then a few instructions),
// with its registers in x19..x28 (which the ABI forbids a muscle to write).
// The stub calls the entry once per row with BLR, x0/x1 at the row's input
// and output (an ldp from the table) and x2..x4 as for a call, and ends by
// returning to ReturnAddress like a single call; forward is unrolled, a
// block of 5 instructions a row, entered k blocks before its end, train
// loops over row 0 (the table is only addresses in the muscle's own pages,
// which it is given anyway, and EL0 cannot write it). The trampoline records
// x19, the row counter, when the entry ends, so a fault names its row, and a
// batch whose counter is not at its end (a muscle that wrote x19, or x30 to
// return early) is reported, not trusted; whatever a muscle does to the
// stub's registers stays inside its own pages and its deadline.
//
// The portable parts (layout, tables, fault decoding) are unit-tested on the
// host; Call itself needs EL3 and runs only in the tamago build.
package sandbox
