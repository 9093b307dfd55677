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
	raw    []byte // the allocation; mem is its page-aligned part
	mem    []byte
	base   uint64
	l      layout
	ttbr   uint64
	entry  [2]uint64 // virtual addresses of forward and train; 0: none
	frame  frame
	budget uint64 // counter ticks per call
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
	syncCode(s.base+uint64(l.code.off), uint64(len(spec.Code)))
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
	s.frame = frame{ttbr0: s.ttbr, vbar1: s.addr(l.vectors), fpcr: FPCR}
	s.frame.args[muscle.RegInput] = s.addr(l.input)
	s.frame.args[muscle.RegOutput] = s.addr(l.output)
	s.frame.args[muscle.RegState] = s.addr(l.state)
	s.frame.args[muscle.RegScratch] = s.addr(l.scratch)
	s.frame.args[muscle.RegTarget] = s.addr(l.target)
	return s, nil
}

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
func (s *Space) clearBuffers(e Entry) {
	clear(s.buf(s.l.output))
	clear(s.buf(s.l.scratch))
	if e != Train {
		clear(s.buf(s.l.target))
	}
}

// addressOf is the physical address of a slice's first byte: the referee
// runs identity-mapped, so its virtual address. (Host tests substitute
// addresses an arm64 39-bit regime can map.)
var addressOf = func(b []byte) uint64 { return uint64(uintptr(unsafe.Pointer(unsafe.SliceData(b)))) }

func (s *Space) addr(r region) uint64 { return s.base + uint64(r.off) }

func (s *Space) buf(r region) []byte { return s.mem[r.off : r.off+r.used : r.off+r.used] }

// Input, Output, State, Target and Scratch are the muscle's buffers, as
// long as it was promised (not page-rounded).
func (s *Space) Input() []byte   { return s.buf(s.l.input) }
func (s *Space) Output() []byte  { return s.buf(s.l.output) }
func (s *Space) State() []byte   { return s.buf(s.l.state) }
func (s *Space) Target() []byte  { return s.buf(s.l.target) }
func (s *Space) Scratch() []byte { return s.buf(s.l.scratch) }

// HasEntry says whether the muscle has the entry.
func (s *Space) HasEntry(e Entry) bool { return s.entry[e] != 0 }

// ArenaBytes is the size of the arena, tables included.
func (s *Space) ArenaBytes() int { return s.l.size }

// SetBudget sets the deadline of each call, in generic-timer ticks.
func (s *Space) SetBudget(ticks uint64) { s.budget = ticks }

// ResetState puts the sealed initial state back.
func (s *Space) ResetState() {
	copy(s.mem[s.l.state.off:s.l.state.end()], s.mem[s.l.initial.off:s.l.initial.end()])
}

// Wipe zeroes the whole arena: code, state and buffers. The Space must not
// be called afterwards.
func (s *Space) Wipe() {
	clear(s.raw)
	s.entry = [2]uint64{}
}

// CodeRange is where the code is mapped (for fault offsets and tests).
func (s *Space) CodeRange() (start, size uint64) {
	return s.addr(s.l.code), uint64(s.l.code.used)
}

// frame is what the EL3 trampoline reads and writes; call_arm64.s uses its
// offsets (go_asm.h).
type frame struct {
	// set up by New and Call; args[r] is the value of xr on entry
	// (muscle.RegInput...RegTarget)
	entry                uint64
	args                 [muscle.NumArgs]uint64
	ttbr0, vbar1, budget uint64
	fpcr                 uint64
	// the referee's thread registers, which the call zeroes
	tpidr, tpidrro uint64
	// the referee's state, saved on entry and restored on the way back
	sp, g, fp, lr, daif, vbar3, scr, gofpcr uint64
	// how the call ended
	vector, esr3, esr1, elr1, far1, timer uint64
}

func (f *frame) outcome() outcome {
	return outcome{vector: f.vector, esr3: f.esr3, esr1: f.esr1, elr1: f.elr1, far1: f.far1, timer: f.timer}
}
