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
// A call (Space.Call) saves the referee's registers, installs the call's
// own EL3 vector table, points TTBR0_EL1/VBAR_EL1 at the muscle's tables and
// vectors, arms the Secure physical timer (CNTPS, the budget deadline), sets
// FPCR to FPCR (round to nearest, no flush-to-zero, no traps), clears every
// other register and enters the muscle at EL0 with eret, x0..x4 pointing at
// input, output, state, scratch and target and x30 at ReturnAddress, an
// unmapped page. Every way back is an exception to EL3:
//
//   - the muscle's final ret fetches from ReturnAddress: an instruction abort
//     taken to Secure EL1, whose vector hands it on with smc; this is the
//     normal return;
//   - any other synchronous exception (undefined or system instruction, svc,
//     smc, hlt, a load or store outside its pages, a write to its code) takes
//     the same path and becomes a Fault;
//   - the deadline interrupt (Group 0, so FIQ) is routed straight to EL3
//     (SCR_EL3.FIQ) and becomes a Fault with FaultDeadline.
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
