//go:build tamago && arm64

package sandbox

import "unsafe"

// enter runs the muscle described by f and c at EL0 and returns when it
// ends, however it ends (call_arm64.s), making c's copies on the way.
//
//go:noescape
func enter(f *frame, c *call)

// syncCode makes size bytes of code just stored at addr visible to
// instruction fetch (call_arm64.s): the Arm ARM's sequence for modified
// code, DC CVAU over every data-cache line, DSB ISH, IC IALLU, DSB ISH,
// ISB. QEMU does not model caches; real Cortex-A53/A72 cores need it.
//
//go:noescape
func syncCode(addr, size uint64)

// vectorsAddr is the address of el3Vectors, the EL3 vector table installed
// for the duration of a call (call_arm64.s).
func vectorsAddr() uintptr

// The trampoline sets FPCR with "msr fpcr, xzr": FPCR must stay 0 (this
// fails to compile otherwise).
var _ = [1]struct{}{}[FPCR]

func init() {
	if vectorsAddr()%2048 != 0 {
		panic("sandbox: EL3 vector table is not 2 KiB aligned")
	}
}

// Call runs one entry of the muscle at Secure EL0 and returns nil when it
// returned normally, or a *Fault. The muscle's buffers (Input, Target)
// must be filled in before; Call zeroes the output and the scratch (and,
// for forward, the target) first (the trampoline does, call.wipe).
// Nothing is allocated unless the call faults.
func (s *Space) Call(e Entry) error { return s.CallFloats(e, nil, nil, nil) }

// CallFloats is Call with the caller's float32 values (the ABI's buffers
// hold float32), copied by the trampoline, not by Go: in into the input
// and, for train, target into the target before the muscle runs, the
// output into out when it returned normally (not after a fault). Each
// copy is as long as the shorter of its slice and the buffer; a nil slice
// copies nothing, leaving that buffer as the caller wrote it.
//
// Everything else the trampoline needs was set up once (s.calls[e]); the
// per-call work here is the copies' caller side and, off the hot path
// (prepare), clearing the rows a batch left and the regime flag. The hot
// path calls nothing before enter, so that its arguments stay in
// registers; nosplit, as it needs no more stack than enter's arguments.
//
//go:nosplit
func (s *Space) CallFloats(e Entry, in, target, out []float32) error {
	if e > Train || s.entry[e] == 0 || s.dirty > 1 || entered != s.id {
		return s.callPrepared(e, in, target, out)
	}
	// The copies' caller side, as plain addresses: from here until enter
	// returns there is no safepoint (CallFloats is nosplit, enter NOSPLIT
	// assembly that neither the scheduler nor the collector interrupts),
	// so no stack moves and nothing the caller's slices hold is freed.
	c := &s.calls[e]
	c.copies[0].src, c.copies[0].n = addr(in), 4*uint64(min(len(in), s.inN))
	c.copies[2].dst, c.copies[2].n = addr(out), 4*uint64(min(len(out), s.outN))
	if e == Train {
		c.copies[1].src, c.copies[1].n = addr(target), 4*uint64(min(len(target), s.targetN))
	}
	enter(&s.frame, c)
	if s.frame.ok != 0 {
		return nil
	}
	return s.fault()
}

// callPrepared is CallFloats off the hot path: a missing entry, or a call
// that needs prepare first, then the call itself (which prepare let past
// the check).
//
//go:noinline
func (s *Space) callPrepared(e Entry, in, target, out []float32) error {
	if e > Train || s.entry[e] == 0 {
		return ErrNoEntry
	}
	s.prepare(e)
	return s.CallFloats(e, in, target, out)
}

// addr is the address of v's first element.
func addr(v []float32) uint64 { return uint64(uintptr(unsafe.Pointer(unsafe.SliceData(v)))) }

// prepare clears, for a single call, the rows an earlier batch left
// behind, and asks for the regime when another space was entered last
// (off the hot path): afterwards dirty is at most 1 and entered is s.
func (s *Space) prepare(e Entry) {
	if s.dirty > 1 {
		s.clearBuffers(e, 1)
	}
	s.frame.regime = s.enterRegime()
}

// fault decodes a call that did not return normally (off the hot path).
func (s *Space) fault() error {
	code, size := s.CodeRange()
	if f := decode(s.frame.outcome(), code, size); f != nil {
		return f
	}
	return nil
}

// Batch runs entry e k times in one EL0 entry, through the referee's stub
// (writeStub): for forward, row i's input (InputRow(i), filled in before)
// gives row i's output (OutputRow(i)), k at most Rows; for train, k steps
// (at most MaxSteps) of the same input and target, as k Calls would. The
// deadline is k budgets. It returns nil, or a *BatchError naming the row
// that was running. Nothing is allocated unless it fails.
func (s *Space) Batch(e Entry, k int) error {
	if err := s.batchCheck(e, k); err != nil {
		return err
	}
	s.clearBuffers(e, batchRows(e, k))
	s.frame.regime = s.enterRegime()
	s.batchFrame(e, k)
	enter(&s.frame, &s.batch)
	return s.batchResult(e, k)
}
