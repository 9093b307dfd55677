//go:build tamago && arm64

package sandbox

// enter runs the muscle described by f at EL0 and returns when it ends,
// however it ends (call_arm64.s).
//
//go:noescape
func enter(f *frame)

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
// for forward, the target) first. Nothing is allocated unless the call faults.
func (s *Space) Call(e Entry) error {
	if s.entry[e] == 0 {
		return ErrNoEntry
	}
	s.clearBuffers(e, 1)
	s.frame.entry = s.entry[e]
	s.frame.budget = s.budget
	enter(&s.frame)
	if s.frame.returned() {
		return nil
	}
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
	s.batchFrame(e, k)
	enter(&s.frame)
	return s.batchResult(e, k)
}
