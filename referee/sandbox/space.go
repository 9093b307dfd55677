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

// Space is one muscle's arena and translation regime.
type Space struct {
	raw   []byte // the allocation; mem is its page-aligned part
	mem   []byte
	base  uint64
	l     layout
	ttbr  uint64
	entry [2]uint64 // virtual addresses of forward and train; 0: none
	frame frame
	// calls are forward's and train's single calls, batch a batch (what
	// the trampoline reads besides the frame)
	calls  [2]call
	batch  call
	budget uint64 // counter ticks per call
	stub   uint64 // virtual address of the batch stub (writeStub)
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
	// inN, outN, targetN: the input, output and target in float32
	// values, for CallFloats
	inN, outN, targetN int
}

// wipeBlock is what the trampoline zeroes a store (an st1 of four zeroed
// vector registers): each wipe is its buffer rounded up to it, inside the
// buffer's pages.
const wipeBlock = 64

// spaces counts the Spaces New made; entered is the id of the one whose
// EL1&0 regime the trampoline wrote last (0: none). The referee calls
// muscles on one core, one call at a time.
var spaces, entered uint64

// enterRegime says whether the call about to enter s must write the EL1&0
// regime (doc.go): yes unless s was the space entered last.
func (s *Space) enterRegime() uint64 {
	if entered == s.id {
		return 0
	}
	entered = s.id
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
	s.input, s.output, s.scratch, s.target = s.buf(l.input), s.buf(l.output), s.buf(l.scratch), s.buf(l.target)
	s.inN, s.outN, s.targetN = len(s.input)/4, len(s.output)/4, len(s.target)/4
	for e := range s.calls { // (a batch's call wipes nothing: Batch clears in Go)
		c := &s.calls[e]
		c.entry = s.entry[e]
		c.copies[0].dst, c.copies[1].dst, c.copies[2].src = s.addr(l.input), s.addr(l.target), s.addr(l.output)
		for i, r := range []region{l.output, l.scratch, l.target} {
			if i < 2 || Entry(e) != Train { // train's target is the caller's
				c.wipe[i] = [2]uint64{s.addr(r), uint64(wipeLen(r))}
			}
		}
	}
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
	s.dirty = max(s.dirty, i+1)
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

// SetBudget sets the deadline of each call, in generic-timer ticks.
func (s *Space) SetBudget(ticks uint64) {
	s.budget = ticks
	s.calls[Forward].budget, s.calls[Train].budget = ticks, ticks
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
	s.calls = [2]call{}
	if entered == s.id {
		entered = 0 // the next call writes the regime and flushes the TLB
	}
}

// CodeRange is where the code is mapped (for fault offsets and tests).
func (s *Space) CodeRange() (start, size uint64) {
	return s.addr(s.l.code), uint64(s.l.code.used)
}

// frame is what the EL3 trampoline reads and writes; call_arm64.s uses its
// offsets (go_asm.h).
type frame struct {
	// set up by New; args[r] is the value of xr on entry
	// (muscle.RegInput...RegTarget)
	args         [muscle.NumArgs]uint64
	ttbr0, vbar1 uint64
	// regime is not 0 when the trampoline must write the EL1&0 regime
	// (another space was entered last: Space.enterRegime); the
	// trampoline clears it
	regime uint64
	// call is enter's second argument (the *call), for leave: valid only
	// during enter; ok is not 0 after a normal return
	call, ok uint64
	// row is x19 at the end (a batch's row counter)
	row uint64
	// the referee's state, saved on entry and restored on the way back
	// (in the pairs enter stores)
	sp, g, fp, lr, daif, gofpcr, vbar3, scr uint64
	// how the call ended
	vector, esr3, esr1, elr1, far1, timer uint64
}

// call is what one entry into the muscle needs besides the frame: a single
// call of forward or train (Space.calls, set up by New and SetBudget; the
// copies by each CallFloats) or a batch (Space.batch, by Batch).
type call struct {
	// entry is where eret goes, budget the deadline in counter ticks
	entry, budget uint64
	// wipe is the address and length (wipeLen, 0 for none) of the
	// output, scratch and (forward) target the trampoline zeroes before
	// the muscle runs
	wipe [3][2]uint64
	// copies are the caller's input and train's target in, the output out
	copies copies
	// batch is x19..x28 on entry for a batch (writeStub), all zero for a
	// single call (x20, rows, tells the trampoline which)
	batch [10]uint64
}

// copies are what the trampoline copies (Space.CallFloats): the caller's
// input and target in before the muscle runs, the output out after a
// normal return.
type copies [3]span

// span is one copy the trampoline makes: n bytes (a multiple of 4) from
// address src to dst. The caller's side is a plain address: CallFloats
// writes it after anything that could move a stack, and keeps the slices
// alive across enter.
type span struct{ src, dst, n uint64 }

func (f *frame) outcome() outcome {
	return outcome{vector: f.vector, esr3: f.esr3, esr1: f.esr1, elr1: f.elr1, far1: f.far1, timer: f.timer}
}
