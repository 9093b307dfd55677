//go:build tamago && arm64

package sandbox

import "unsafe"

// enter runs the muscle described by f at EL0 and returns when it ends,
// however it ends (call_arm64.s), making the copies c on the way (c may be
// nil: none).
//
//go:noescape
func enter(f *frame, c *copies)

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

func init() {
	if vectorsAddr()%2048 != 0 {
		panic("sandbox: EL3 vector table is not 2 KiB aligned")
	}
}

// Call runs one entry of the muscle at Secure EL0 and returns nil when it
// returned normally, or a *Fault. The muscle's buffers (Input, Target)
// must be filled in before; Call zeroes the output and the scratch (and,
// for forward, the target) first: the trampoline does for small buffers
// (frame.wipe), clear here for large ones. Nothing is allocated unless the
// call faults.
func (s *Space) Call(e Entry) error { return s.CallFloats(e, nil, nil, nil) }

// CallFloats is Call with the caller's float32 values (the ABI's buffers
// hold float32), copied by the trampoline, not by Go: in into the input
// and, for train, target into the target before the muscle runs, the
// output into out when it returned normally (not after a fault). Each
// copy is as long as the shorter of its slice and the buffer; a nil slice
// copies nothing, leaving that buffer as the caller wrote it.
func (s *Space) CallFloats(e Entry, in, target, out []float32) error {
	if e > Train || s.entry[e] == 0 {
		return ErrNoEntry
	}
	var c copies
	c[0] = spanOf(s.inPtr, s.inN, unsafe.Pointer(unsafe.SliceData(in)), len(in))
	c[2] = spanOf(unsafe.Pointer(unsafe.SliceData(out)), len(out), s.outPtr, s.outN)
	wipeTarget := s.wipe[2]
	if e == Train {
		c[1], wipeTarget = spanOf(s.targetPtr, s.targetN, unsafe.Pointer(unsafe.SliceData(target)), len(target)), 0
	}
	if s.dirty > 1 || s.large {
		s.clearSlow(e)
	}
	f := &s.frame
	f.wipe[0][1], f.wipe[1][1], f.wipe[2][1] = s.wipe[0], s.wipe[1], wipeTarget
	f.entry = s.entry[e]
	f.budget = s.budget
	f.regime = s.enterRegime()
	enter(f, &c)
	if f.ok != 0 {
		return nil
	}
	return s.fault()
}

// clearSlow clears, for a single call, the rows an earlier batch left
// behind and the buffers the trampoline does not wipe (off the hot path).
//
//go:noinline
func (s *Space) clearSlow(e Entry) {
	if s.dirty > 1 {
		s.clearBuffers(e, 1)
		return
	}
	s.clearLarge(e)
}

// clearLarge is clearBuffers for a single call, of the buffers the
// trampoline does not wipe.
func (s *Space) clearLarge(e Entry) {
	if s.wipe[0] == 0 {
		clear(s.output)
	}
	if s.wipe[1] == 0 {
		clear(s.scratch)
	}
	if e != Train && s.wipe[2] == 0 {
		clear(s.target)
	}
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
// (batchStub): for forward, row i's input (InputRow(i), filled in before)
// gives row i's output (OutputRow(i)), k at most Rows; for train, k steps
// (at most MaxSteps) of the same input and target, as k Calls would. The
// deadline is k budgets. It returns nil, or a *BatchError naming the row
// that was running. Nothing is allocated unless it fails.
func (s *Space) Batch(e Entry, k int) error {
	if err := s.batchCheck(e, k); err != nil {
		return err
	}
	s.clearBuffers(e, batchRows(e, k))
	s.frame.wipe[0][1], s.frame.wipe[1][1], s.frame.wipe[2][1] = 0, 0, 0
	s.frame.regime = s.enterRegime()
	s.batchFrame(e, k)
	enter(&s.frame, nil)
	return s.batchResult(e, k)
}
