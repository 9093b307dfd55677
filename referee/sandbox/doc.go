// Package sandbox runs a muscle's machine code at Secure EL0 in a
// translation regime of its own, from a referee running at EL3.
//
// Each muscle gets one arena of whole 4 KiB pages, allocated once when it is
// admitted. The arena holds, page-aligned and never sharing a page:
//
//	vectors  the minimal Secure EL1 vector table (16 × "smc #i")
//	code     the muscle's code, then the referee's batch stub
//	                                     EL0 read + execute, EL1 read
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
// A call (Space.Call, Space.CallFloats) saves the referee's registers,
// installs the call's own EL3 vector table, points TTBR0_EL1/VBAR_EL1 at the
// muscle's tables and vectors (when needed, below), arms the Secure
// physical timer (CNTPS, the budget deadline), copies the caller's input
// (and train's target) in, zeroes the output, the scratch and for forward
// the target (buffers of at most 512 bytes there, 16 bytes a store; larger
// ones with Go's clear before), sets FPCR to FPCR (round to nearest, no
// flush-to-zero, no traps), clears every other register (from a block of
// read-only zeros: an ldp per two general registers, an ld1 per four
// vectors) and enters the muscle at EL0 with eret, x0..x4 pointing at
// input, output, state, scratch and target and x30 at ReturnAddress, an
// unmapped page. Every way back is an exception to EL3:
//
//   - the muscle's final ret fetches from ReturnAddress: an instruction abort
//     taken to Secure EL1, whose vector hands it on with smc; this is the
//     normal return, which the trampoline recognises itself (frame.ok) and
//     then copies the output out to the caller;
//   - any other synchronous exception (undefined or system instruction, svc,
//     smc, hlt, a load or store outside its pages, a write to its code) takes
//     the same path and becomes a Fault;
//   - the deadline interrupt (Group 0, so FIQ) is routed straight to EL3
//     (SCR_EL3.FIQ) and becomes a Fault with FaultDeadline.
//
// The EL1&0 regime (MAIR, TCR, TTBR0, VBAR, CPACR, CNTKCTL, PMUSERENR,
// SP_EL1, SCTLR, then ISB, TLBI VMALLE1, IC IALLU, DSB ISH) is written only
// when the space entered last was another one, or none: every Space has an
// id from a counter that is never reused (so a Space freed and another
// allocated at the same address still differ), and the package remembers
// the id whose regime it wrote last (entered; Wipe forgets it). Calling
// the same space again needs none of it: EL0 can write none of those
// registers, nothing else in the referee touches the EL1&0 regime, and the
// TLB can hold only entries walked from that space's tables (the last
// switch flushed everything else, speculative walks included, and the
// tables never change after New: the referee writes only buffers and
// state). ASIDs stay 0: a switch flushes the whole EL1&0 TLB. The code
// needs no instruction-cache maintenance per call either: New made it
// visible to instruction fetch (syncCode) and nobody writes it afterwards.
// One ISB before the eret covers the per-call writes (SCR_EL3, VBAR_EL3,
// the timer, FPCR and the EL0 registers); the referee calls muscles on one
// core, one call at a time.
//
// The EL3 side then restores the referee's registers and returns from Call.
// Nothing on this path allocates.
//
// A batch (Space.Batch: K forward rows, or K training steps) is one such
// entry with a deadline of K budgets (K bounded by SetBatchLimit, so that
// it is no longer than the longest single call): eret goes to the batch stub instead,
// a few instructions the referee writes after the code, with its counters
// in x19..x28 (which the ABI forbids a muscle to write). The stub calls the
// entry once per row with BLR, x0/x1 at the row's input and output and
// x2..x4 as for a call, and ends by returning to ReturnAddress like a
// single call. The trampoline records x19 when the entry ends, so a fault
// names its row, and a batch that returns before its last row (a muscle
// that wrote x19 or x30) is reported, not trusted; whatever a muscle does
// to the stub's registers stays inside its own pages and its deadline.
//
// The portable parts (layout, tables, fault decoding) are unit-tested on the
// host; Call itself needs EL3 and runs only in the tamago build.
package sandbox
