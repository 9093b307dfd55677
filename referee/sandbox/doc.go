// Package sandbox runs a muscle's machine code at Secure EL0 in a
// translation regime of its own, from a referee running at EL3.
//
// Each muscle gets one arena of whole 4 KiB pages, allocated once when it is
// admitted. The arena holds, page-aligned and never sharing a page:
//
//	vectors  the minimal Secure EL1 vector table (16 × "smc #i")
//	code     the muscle's code           EL0 read + execute, EL1 read
//	state    weights, updated by train   EL0 read + write, never execute
//	scratch, input, output, target       EL0 read + write, never execute
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
// The portable parts (layout, tables, fault decoding) are unit-tested on the
// host; Call itself needs EL3 and runs only in the tamago build.
package sandbox
