package sandbox

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/muscles/referee/muscle"
)

// FPCR is the floating-point control value every call starts with: round
// to nearest even, no flush-to-zero, no default NaN, no trapped exceptions
// (the value Linux gives a process, so results match musclec exec).
const FPCR = 0

// Entry selects a muscle's entry point (the ABI's entry kinds).
type Entry = muscle.EntryKind

// The entries a Space can call.
const (
	Forward = muscle.EntryForward
	Train   = muscle.EntryTrain
)

// ErrNoEntry is returned by Call for an entry the muscle does not have.
var ErrNoEntry = errors.New("the muscle has no such entry")

// Tally counts a muscle's calls: forward calls and train steps that
// returned, and calls that did not (a Space counts its own: Call, Batch).
type Tally struct {
	Runs, Trainings, Faults uint64
}

// Space is one muscle's arena and translation regime.
type Space struct {
	// frame is what the trampoline reads and writes (first: enter is
	// given s and finds the frame at it)
	frame frame
	// Tally counts the calls (Call, Batch) that returned and those that
	// did not; the trampoline counts a single call.
	Tally
	// batch is a batch's call (enterFull)
	batch  batchCall
	raw    []byte // the allocation; mem is its page-aligned part
	mem    []byte
	base   uint64
	l      layout
	ttbr   uint64
	entry  [2]uint64 // virtual addresses of forward and train; 0: none
	budget uint64    // counter ticks per call
	stub   uint64    // virtual address of the batch stub (writeStub)
	// maxBatch, when not 0, bounds the rows or steps of one batch
	// (SetBatchLimit)
	maxBatch int
	// dirty is how many input and output rows may hold a caller's data
	// (beyond row 0, cleared before the next call that does not use them)
	dirty int
	// id names this Space among every one New made (never reused), for
	// the last-entered check (enterRegime)
	id uint64
	// input, output, scratch, target: Input() ... Target(), sliced once
	input, output, scratch, target []byte
}

// setReady recomputes frame.ready from the entries, the dirty rows and
// the space entered last: called wherever any of them changes. ready[e]
// is 1 exactly when a single call of e needs nothing before enter: e
// exists, at most one row is dirty, and s is the space whose regime the
// trampoline wrote last (entered), so that enter, which writes none of
// it, may run it.
func (s *Space) setReady() {
	for e := range s.frame.ready {
		s.frame.ready[e] = 0
		if s.entry[e] != 0 && s.dirty <= 1 && entered == s.id && s.id != 0 {
			s.frame.ready[e] = 1
		}
	}
}

// wipeBlock is what the trampoline zeroes a store (an st1 of four zeroed
// vector registers): each wipe is its buffer rounded up to it, inside the
// buffer's pages.
const wipeBlock = 64

// spaces counts the Spaces New made; entered is the id of the one whose
// EL1&0 regime the trampoline wrote last (0: none), last that Space (so
// that entering another one clears its ready words). The referee calls
// muscles on one core, one call at a time.
var (
	spaces, entered uint64
	last            *Space
)

// enterRegime says whether the call about to enter s must write the EL1&0
// regime (doc.go): yes unless s was the space entered last. The space
// entered before loses its ready words, s gets its own (setReady).
func (s *Space) enterRegime() uint64 {
	if entered == s.id {
		return 0
	}
	if old := last; old != nil {
		entered, last = 0, nil
		old.setReady()
	}
	entered, last = s.id, s
	s.setReady()
	return 1
}

// New allocates the arena, copies the code and the initial state into it
// and builds the translation tables. The caller wipes spec's slices.
func New(spec Spec) (*Space, error) {
	l, err := newLayout(spec)
	if err != nil {
		return nil, err
	}
	s := &Space{l: l, raw: make([]byte, l.size+PageSize)}
	p := addressOf(s.raw)
	skip := (PageSize - p%PageSize) % PageSize
	s.mem = s.raw[skip : skip+uint64(l.size)]
	s.base = p + skip
	copy(s.mem[l.code.off:], spec.Code)
	writeStub(s.mem[l.stubOff:l.code.end()], &l, s.base)
	syncCode(s.base+uint64(l.code.off), uint64(l.code.size))
	copy(s.mem[l.state.off:], spec.State)
	copy(s.mem[l.initial.off:], spec.State)
	if s.ttbr, err = buildTables(&s.l, s.mem, s.base); err != nil {
		return nil, err
	}
	code := s.base + uint64(l.code.off)
	for i, off := range []uint32{spec.ForwardEntry, spec.TrainEntry} {
		if uint64(off) < uint64(len(spec.Code)) && off%4 == 0 {
			s.entry[i] = code + uint64(off)
		}
	}
	if s.entry[Forward] == 0 {
		return nil, fmt.Errorf("forward entry %#x is not an instruction of the %d-byte code", spec.ForwardEntry, len(spec.Code))
	}
	s.frame = frame{ttbr0: s.ttbr, vbar1: s.addr(l.vectors)}
	s.frame.args[muscle.RegInput] = s.addr(l.input)
	s.frame.args[muscle.RegOutput] = s.addr(l.output)
	s.frame.args[muscle.RegState] = s.addr(l.state)
	s.frame.args[muscle.RegScratch] = s.addr(l.scratch)
	s.frame.args[muscle.RegTarget] = s.addr(l.target)
	s.stub = s.base + uint64(l.stubOff)
	spaces++
	s.id = spaces
	s.frame.vectors3, s.frame.zeros, s.frame.scr3 = trampolineAddrs()
	s.input, s.output, s.scratch, s.target = s.buf(l.input), s.buf(l.output), s.buf(l.scratch), s.buf(l.target)
	for e := range s.frame.calls { // (a batch's call wipes nothing: Batch clears in Go)
		c := &s.frame.calls[e]
		c.entry = s.entry[e]
		for i, r := range []region{l.output, l.scratch, l.target} {
			if i < 2 || Entry(e) != Train { // train's target is the caller's
				c.wipe[i] = [2]uint64{s.addr(r), uint64(wipeLen(r))}
			}
		}
	}
	s.setReady()
	return s, nil
}

// wipeLen is how much of r the trampoline zeroes: what the muscle was
// promised, rounded up to wipeBlock (a page holds whole blocks, so this
// stays inside r's pages; beyond used lie padding and, in the output, the
// rows of a batch, which hold nothing during a single call: it runs with
// at most one dirty row).
func wipeLen(r region) int { return (r.used + wipeBlock - 1) &^ (wipeBlock - 1) }

// ArenaSize is the memory New allocates for spec (the arena, its tables
// and the alignment slack), computed without allocating: the loader checks
// it against its memory budget before admitting a muscle.
func ArenaSize(spec Spec) (int, error) {
	l, err := newLayout(spec)
	if err != nil {
		return 0, err
	}
	return l.size + PageSize, nil
}

// clearBuffers zeroes what a call must not inherit from the one before:
// the output and the scratch, and for a forward call the target (train's
// target is written by the caller before the call). Every call therefore
// depends only on its input (and target) and the muscle's state, as the
// persist capability promises.
//
// Before a batch of k rows (k is 1 for Call and train) it also zeroes every output
// row the batch writes and every input and output row beyond k that an
// earlier batch left behind: no call sees another call's rows.
func (s *Space) clearBuffers(e Entry, k int) {
	if s.dirty > k {
		clear(s.mem[s.l.input.off+k*s.l.inStride : s.l.input.end()])
		clear(s.mem[s.l.output.off+k*s.l.outStride : s.l.output.end()])
	}
	s.dirty = k
	s.setReady()
	if k == 1 {
		clear(s.buf(s.l.output))
	} else {
		clear(s.mem[s.l.output.off : s.l.output.off+(k-1)*s.l.outStride+s.l.output.used])
	}
	if s.l.scratch.used > 0 {
		clear(s.buf(s.l.scratch))
	}
	if e != Train && s.l.target.used > 0 {
		clear(s.buf(s.l.target))
	}
}

// counted counts a batch of k of entry e that ended with err in s.Tally
// and returns err: k runs or training steps when it finished, else a
// fault and, for train, the steps that finished when the muscle's row
// counter says so.
func (s *Space) counted(e Entry, k int, err error) error {
	if err != nil {
		s.Faults++
		var be *BatchError
		if e == Train && errors.As(err, &be) && be.Row > 0 {
			s.Trainings += uint64(be.Row)
		}
		return err
	}
	if e == Train {
		s.Trainings += uint64(k)
	} else {
		s.Runs += uint64(k)
	}
	return nil
}

// batchRows is how many input and output rows a batch of k uses: k for
// forward, one for train (its k steps share row 0).
func batchRows(e Entry, k int) int {
	if e == Train {
		return 1
	}
	return k
}

// Rows is the most rows a forward batch holds (Spec.Rows, at most MaxRows
// and the batch limit).
func (s *Space) Rows() int { return s.limit(s.l.rows) }

// Steps is the most steps a train batch takes (MaxSteps, at most the batch
// limit).
func (s *Space) Steps() int { return s.limit(MaxSteps) }

func (s *Space) limit(n int) int {
	if s.maxBatch > 0 {
		return min(n, s.maxBatch)
	}
	return n
}

// SetBatchLimit bounds the rows or steps of one batch to n (at least 1), so
// that n deadlines together stay within what one call may take.
func (s *Space) SetBatchLimit(n int) { s.maxBatch = max(n, 1) }

// InputRow and OutputRow are row i of a forward batch's input and output
// (row 0 is Input and Output), each as long as one row. InputRow counts
// the row as holding a caller's data, cleared before a call that does not
// use it.
func (s *Space) InputRow(i int) []byte {
	if i+1 > s.dirty {
		s.dirty = i + 1
		s.setReady()
	}
	off := s.l.input.off + i*s.l.inStride
	return s.mem[off : off+s.l.input.used : off+s.l.input.used]
}

func (s *Space) OutputRow(i int) []byte {
	off := s.l.output.off + i*s.l.outStride
	return s.mem[off : off+s.l.output.used : off+s.l.output.used]
}

// BatchError is a batch that did not finish: Row is the row (or step)
// that was running when it ended, -1 when the muscle's registers no longer
// say; Err the *Fault, or ErrBatchRegisters.
type BatchError struct {
	Entry     Entry
	Row, Rows int
	Err       error
}

func (e *BatchError) Error() string {
	unit := "row"
	if e.Entry == Train {
		unit = "step"
	}
	if e.Row < 0 {
		return fmt.Sprintf("batch of %d %ss: %v", e.Rows, unit, e.Err)
	}
	return fmt.Sprintf("%s %d of %d: %v", unit, e.Row+1, e.Rows, e.Err)
}

func (e *BatchError) Unwrap() error { return e.Err }

// ErrBatchRegisters is a batch that returned with its row counter (x19,
// which the ABI forbids a muscle to write) not at the batch's end: the
// muscle wrote the counter, or left through ReturnAddress itself. (A
// muscle that forges the counter can end its batch early unnoticed; that
// only spoils its own outputs, as writing wrong ones would.)
var ErrBatchRegisters = errors.New("the batch's row counter did not end at its last row: the muscle wrote the caller's registers (x19-x30)")

// batchCheck sets up the frame for a batch of k rows or steps of entry e,
// whose input and output rows lie strides apart.
func (s *Space) batchCheck(e Entry, k int) error {
	if s.entry[e] == 0 {
		return ErrNoEntry
	}
	limit := s.Rows()
	if e == Train {
		limit = s.Steps()
	}
	if k < 1 || k > limit {
		return fmt.Errorf("a batch of %d: this muscle takes 1-%d", k, limit)
	}
	return nil
}

// batchFrame is the frame of a batch of k: the stub's registers (its
// entry for forward the block k rows before the end, so that it runs rows
// 0..k-1; for train its loop over row 0) and the deadline of k calls.
func (s *Space) batchFrame(e Entry, k int) {
	b := &s.batch
	pair, forward, train, _ := stubLayout(s.l.rows)
	b.entry = s.stub + uint64(forward+4*len(stubRow)*(s.l.rows-k))
	if e == Train {
		b.entry = s.stub + uint64(train)
	}
	b.budget = s.budget * uint64(k)
	b.batch = [10]uint64{0: -uint64(k), 1: uint64(k), 2: s.stub, 3: s.stub + uint64(pair), 6: s.entry[e], 9: s.frame.args[muscle.RegTarget]}
}

// batchResult turns a batch's outcome into nil or a *BatchError: the row
// is the stub's x19 (row - k) when the entry ended, which must be 0 after
// the last row.
func (s *Space) batchResult(e Entry, k int) error {
	f := &s.frame
	row := -1 // x19 counts from -k up to 0; anything else is not a row
	if r := int64(f.row) + int64(k); r >= 0 && r < int64(k) {
		row = int(r)
	}
	if f.ok == 0 { // not the stub's final ret
		code, size := s.CodeRange()
		if flt := decode(f.outcome(), code, size); flt != nil {
			return &BatchError{Entry: e, Row: row, Rows: k, Err: flt}
		}
	}
	if f.row != 0 {
		return &BatchError{Entry: e, Row: -1, Rows: k, Err: ErrBatchRegisters}
	}
	return nil
}

// addressOf is the physical address of a slice's first byte: the referee
// runs identity-mapped, so its virtual address. (Host tests substitute
// addresses an arm64 39-bit regime can map.)
var addressOf = func(b []byte) uint64 { return uint64(uintptr(unsafe.Pointer(unsafe.SliceData(b)))) }

func (s *Space) addr(r region) uint64 { return s.base + uint64(r.off) }

func (s *Space) buf(r region) []byte { return s.mem[r.off : r.off+r.used : r.off+r.used] }

// Input, Output, State, Target and Scratch are the muscle's buffers, as
// long as it was promised (not page-rounded).
func (s *Space) Input() []byte   { return s.input }
func (s *Space) Output() []byte  { return s.output }
func (s *Space) State() []byte   { return s.buf(s.l.state) }
func (s *Space) Target() []byte  { return s.target }
func (s *Space) Scratch() []byte { return s.scratch }

// HasEntry says whether the muscle has the entry.
func (s *Space) HasEntry(e Entry) bool { return s.entry[e] != 0 }

// ArenaBytes is the size of the arena, tables included.
func (s *Space) ArenaBytes() int { return s.l.size }

// maxBudget is the longest deadline of one call, in ticks: the trampoline
// arms a single call's with CNTPS_TVAL_EL1, a signed 32-bit count. (More
// than 2 s at a 1 GHz counter: budgets are at most
// muscle.MaxBudgetMicros, 1 s.)
const maxBudget = 1<<31 - 1

// SetBudget sets the deadline of each call, in generic-timer ticks (at
// most maxBudget: a longer one is cut to it, never lengthened).
func (s *Space) SetBudget(ticks uint64) {
	ticks = min(ticks, maxBudget)
	s.budget = ticks
	s.frame.calls[Forward].budget, s.frame.calls[Train].budget = ticks, ticks
}

// ResetState puts the sealed initial state back.
func (s *Space) ResetState() {
	copy(s.mem[s.l.state.off:s.l.state.end()], s.mem[s.l.initial.off:s.l.initial.end()])
}

// Wipe zeroes the whole arena: code, state and buffers. The Space must not
// be called afterwards.
func (s *Space) Wipe() {
	clear(s.raw)
	s.entry = [2]uint64{}
	s.frame.calls = [2]call{}
	s.setReady()
	if entered == s.id {
		entered, last = 0, nil // the next call writes the regime and flushes the TLB
	}
}

// CodeRange is where the code is mapped (for fault offsets and tests).
func (s *Space) CodeRange() (start, size uint64) {
	return s.addr(s.l.code), uint64(s.l.code.used)
}

// frame is what the EL3 trampoline reads and writes; call_arm64.s uses its
// offsets (go_asm.h).
type frame struct {
	// ready[e] is 1 when enter may run a single call of e as it is
	// (setReady), 0 when it must be prepared first (callSlow); enter
	// reads it at the frame's start
	ready [2]uint64
	// calls are forward's and train's single calls (set up by New and
	// SetBudget), 64 bytes each: enter finds calls[e] with a shift
	calls [2]call
	// set up by New; args[r] is the value of xr on entry
	// (muscle.RegInput...RegTarget)
	args         [muscle.NumArgs]uint64
	ttbr0, vbar1 uint64
	// vectors3 and zeros are the addresses of el3Vectors and abiZeros,
	// scr3 SCR_EL3 during a call (trampolineAddrs): loaded, not computed,
	// per call
	vectors3, zeros, scr3 uint64
	// fast is not 0 during enter (a single call counted in advance),
	// 0 during enterFull: the way back after a fault goes on to
	// callFaulted for enter
	fast uint64
	// regime is not 0 when the trampoline must write the EL1&0 regime
	// (another space was entered last: Space.enterRegime); the
	// trampoline clears it
	regime uint64
	// batch is the batch's registers (&batchCall.batch) during a
	// batch's enterFull, for its eret path; ok is not 0 after a normal
	// return
	batch, ok uint64
	// row is x19 at the end (a batch's row counter)
	row uint64
	// the referee's state, saved on entry and restored on the way back
	// (in the pairs enter stores)
	sp, g, fp, lr, daif, gofpcr, vbar3, scr uint64
	// how the call ended
	vector, esr3, esr1, elr1, far1, timer uint64
}

// call is what one entry into the muscle needs besides the frame: a single
// call of forward or train (Space.calls, set up by New and SetBudget) or a
// batch's (Space.batch, by Batch). Nothing in it changes per single call.
// It is 64 bytes (enter finds frame.calls[e] with a shift).
type call struct {
	// entry is where eret goes, budget the deadline in counter ticks
	entry, budget uint64
	// wipe is the address and length (wipeLen, 0 for none) of the
	// output, scratch and (forward) target the trampoline zeroes before
	// the muscle runs
	wipe [3][2]uint64
}

var _ = [1]struct{}{}[unsafe.Sizeof(call{})-64]

// batchCall is a batch's call and its registers: batch is x19..x28 on
// entry (writeStub).
type batchCall struct {
	call
	batch [10]uint64
}

func (f *frame) outcome() outcome {
	return outcome{vector: f.vector, esr3: f.esr3, esr1: f.esr1, elr1: f.elr1, far1: f.far1, timer: f.timer}
}
