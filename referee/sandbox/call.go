//go:build tamago && arm64

package sandbox

import "unsafe"

// enter is a single call of entry e (Space.Call; call_arm64.s): when
// s.frame.ready[e] says it needs nothing before it (e is Forward or Train,
// the entry exists, no batch left rows, s's regime is in place), it counts
// the call in s.Tally in advance, runs it at EL0 (writing no EL1&0
// regime) and returns nil when it returned normally, or goes on to
// callFaulted (a tail call) when it did not; otherwise it goes on to
// callSlow, without running anything. Either returns enter's result.
//
//go:noescape
func enter(s *Space, e uintptr) error

// enterFull runs the call c of s (a single call that was prepared, or
// s.batch's) at EL0 and returns when it ended, however it ended
// (s.frame.ok says), with a nil error: it writes the EL1&0 regime first
// when s.frame.regime asks for it, and enters a batch's stub with its
// registers when s.frame.batch is not 0.
//
//go:noescape
func enterFull(s *Space, c *call) error

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

// zerosAddr is the address of abiZeros, the read-only zeros the
// trampoline loads the EL0 registers from (call_arm64.s).
func zerosAddr() uintptr

// The trampoline sets FPCR with "msr fpcr, xzr": FPCR must stay 0 (this
// fails to compile otherwise).
var _ = [1]struct{}{}[FPCR]

// enter finds the frame at s, frame.ready at its start and calls[e] 64
// bytes apart; it counts calls[e] at Tally's word e (Runs, Trainings).
var (
	_ = [1]struct{}{}[unsafe.Offsetof(Space{}.frame)+unsafe.Offsetof(frame{}.ready)]
	_ = [1]struct{}{}[unsafe.Offsetof(Tally{}.Runs)+uintptr(Forward)]
	_ = [1]struct{}{}[unsafe.Offsetof(Tally{}.Trainings)-8*uintptr(Train)]
)

func init() {
	if vectorsAddr()%2048 != 0 {
		panic("sandbox: EL3 vector table is not 2 KiB aligned")
	}
}

// Call runs one entry of the muscle at Secure EL0 and returns nil when it
// returned normally, or a *Fault (or ErrNoEntry), counting it in s.Tally:
// Runs or Trainings when it returned, else Faults. The caller writes the
// muscle's input (and, for train, its target) in place before (Input,
// Target; InputRow(0) is Input) and reads its output in place after
// (Output): nothing is copied. Call zeroes the output and the scratch
// (and, for forward, the target) first (the trampoline does, call.wipe).
// Nothing is allocated unless the call faults.
//
// Everything the trampoline needs was set up once (s.frame.calls[e]); the
// hot path is the trampoline alone (enter, which Call is inlined to): one
// load of a word precomputed by setReady, the count, the call. Off it are
// a missing entry, clearing the rows a batch left and the regime
// (callSlow, then enterFull), and a call that did not return normally
// (callFaulted).
func (s *Space) Call(e Entry) error { return enter(s, uintptr(e)) }

// callSlow is Call off the hot path (enter goes on to it when
// frame.ready[e] is 0, without running anything): a missing entry, or a
// call that needs prepare first, then the call itself.
func callSlow(s *Space, e uintptr) error {
	if e > uintptr(Train) || s.entry[e] == 0 {
		s.Faults++
		return ErrNoEntry
	}
	s.prepare(Entry(e))
	s.frame.batch = 0
	enterFull(s, &s.frame.calls[e])
	return s.ended(Entry(e))
}

// callFaulted is the rest of a call that enter ran (and counted in
// advance) and that did not return normally: the way back goes on to it.
func callFaulted(s *Space, e uintptr) error {
	if e == uintptr(Train) {
		s.Trainings--
	} else {
		s.Runs--
	}
	return s.ended(Entry(e))
}

// ended counts a single call that ended and gives its result.
func (s *Space) ended(e Entry) error {
	if err := s.fault(); err != nil {
		s.Faults++
		return err
	}
	if e == Train {
		s.Trainings++
	} else {
		s.Runs++
	}
	return nil
}

// trampolineAddrs are the addresses of el3Vectors and abiZeros and the
// value of SCR_EL3 during a call, for the frame (New).
func trampolineAddrs() (vectors, zeros, scr uint64) {
	return uint64(vectorsAddr()), uint64(zerosAddr()), callSCR
}

// callSCR is SCR_EL3 during a call: the referee's, as the boot code left
// it (the board's cpuinit and tamago's init set it before Go runs;
// nothing writes it afterwards), with the bits the sandbox needs set and
// cleared (scrCall, call_arm64.s: Secure, AArch64, IRQ, FIQ and SError to
// EL3, SMC on, HVC off, no Secure timer at EL1). Every call still saves
// and restores the live value.
var callSCR = scrCall()

// scrCall computes callSCR from the live SCR_EL3 (call_arm64.s).
func scrCall() uint64

// prepare clears, for a single call, the rows an earlier batch left
// behind, and asks for the regime when another space was entered last
// (off the hot path): afterwards dirty is at most 1 and entered is s, so
// ready[e] == entered.
func (s *Space) prepare(e Entry) {
	if s.dirty > 1 {
		s.clearBuffers(e, 1)
	}
	s.frame.regime = s.enterRegime()
}

// fault decodes how a call ended (off the hot path): nil when it returned
// normally.
func (s *Space) fault() error {
	if s.frame.ok != 0 {
		return nil
	}
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
// that was running, counting it in s.Tally (counted). Nothing is allocated
// unless it fails.
func (s *Space) Batch(e Entry, k int) error {
	if err := s.batchCheck(e, k); err != nil {
		return s.counted(e, k, err)
	}
	s.clearBuffers(e, batchRows(e, k))
	s.frame.regime = s.enterRegime()
	s.batchFrame(e, k)
	s.frame.batch = uint64(uintptr(unsafe.Pointer(&s.batch.batch)))
	enterFull(s, &s.batch.call)
	return s.counted(e, k, s.batchResult(e, k))
}
