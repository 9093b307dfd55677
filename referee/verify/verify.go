// Package verify is the referee's machine-code verifier. It decides, from
// the raw code bytes alone, whether a muscle's code may run: every word
// must be one of the instruction forms the compiler (compiler/arm64)
// emits, control flow must be straight-line code with counted loops and a
// single final ret per entry, only the ABI's clobber registers may be
// written, and every load and store must provably stay inside one of the
// buffers the caller passes (input, output, state, scratch, target).
//
// The verifier is independent of the compiler: it decodes words with its
// own table of encodings (decode.go) and never sees the compiler's
// instruction list. It is conservative: code it cannot prove safe is
// rejected, with the offset and the rule (Error; Explain adds the
// instruction and the values found, for tools that hold the plaintext).
// It also computes each entry's exact instruction count (Report). The
// registers and buffers are the ABI's (muscle/abi.go).
package verify

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/muscles/referee/muscle"
)

// Reasons, for errors.Is. Every rejection wraps exactly one of them.
var (
	ErrLength   = errors.New("code length")               // empty, not a multiple of 4, too long
	ErrEntry    = errors.New("bad entry")                 // entry offset invalid or duplicated, kind unknown or duplicated
	ErrForm     = errors.New("instruction form")          // word is not a form the compiler emits
	ErrBranch   = errors.New("control flow")              // a branch that is not a counted loop back-edge
	ErrLoop     = errors.New("loop")                      // back-edge whose trip count is not a fixed constant
	ErrRet      = errors.New("ret")                       // an entry without exactly one final ret
	ErrRegister = errors.New("register write")            // writes SP or a register outside muscle.ClobberGPR, or uses SP
	ErrMemory   = errors.New("memory access")             // a load or store not provably inside its buffer
	ErrReadOnly = errors.New("store to read-only buffer") // store into input/target, or forward into state
)

// Buffer identifies one of the caller's buffers by the number of the
// argument register that holds its address (muscle.RegInput..RegTarget).
type Buffer uint8

// The buffers, numbered as the ABI's argument registers: the analysis
// starts each entry with register Input holding the input's address, and
// so on (the keyed tables below fail to compile unless these are distinct
// and below muscle.NumArgs).
const (
	Input      = Buffer(muscle.RegInput)
	Output     = Buffer(muscle.RegOutput)
	State      = Buffer(muscle.RegState)
	Scratch    = Buffer(muscle.RegScratch)
	Target     = Buffer(muscle.RegTarget)
	numBuffers = muscle.NumArgs
)

var bufferNames = [numBuffers]string{Input: "input", Output: "output", State: "state", Scratch: "scratch", Target: "target"}

func (b Buffer) String() string {
	if b < numBuffers {
		return bufferNames[b]
	}
	return fmt.Sprintf("buffer(%d)", uint8(b))
}

// Buffers are the byte sizes of the buffers the caller passes.
type Buffers struct {
	Input, Output, State, Scratch, Target uint64
}

func (bs Buffers) size(b Buffer) uint64 {
	return [numBuffers]uint64{Input: bs.Input, Output: bs.Output, State: bs.State, Scratch: bs.Scratch, Target: bs.Target}[b]
}

// Kind is the kind of an entry.
type Kind uint8

const (
	// Forward: x0..x3 are the input, output, state and scratch; x4 is
	// undefined; the state is read-only.
	Forward = Kind(muscle.EntryForward)
	// Train: as Forward, plus x4 = target, and the state is writable.
	Train = Kind(muscle.EntryTrain)
	// Unreachable marks code that no entry runs (the train code of a muscle
	// sealed without a train entry). Its words must still be accepted
	// forms, but its control flow and memory accesses are not analysed:
	// no entry can reach it, since an entry's code only branches backwards
	// inside its own region and ends in ret.
	Unreachable = Train + 1
)

func (k Kind) String() string {
	switch k {
	case Forward:
		return "forward"
	case Train:
		return "train"
	case Unreachable:
		return "unreachable"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Entry is one entry point: a byte offset into the code and its kind.
type Entry struct {
	Offset uint32
	Kind   Kind
}

// MaxCode is the largest code section Verify accepts (the blob limit).
const MaxCode = muscle.MaxBlob

// Error is a rejection: the reason (one of the Err* values), the rule
// broken, and where known the byte offset and the word there. Word and
// Detail (and so Explain) are taken from the code; Error is not.
type Error struct {
	Reason error
	Offset int // byte offset into the code, or -1
	Word   uint32
	Entry  string // "forward", "train" or ""
	Detail string
	rule   rule
}

// Error names the entry, the code offset and the rule broken, and nothing
// taken from the code: the referee prints it on its console and in its
// audit log, which never show decrypted code (no instruction word, no
// disassembly, no register or constant).
func (e *Error) Error() string {
	s := "verify: "
	if e.Entry != "" {
		s += e.Entry + " entry: "
	}
	if e.Offset >= 0 {
		s += fmt.Sprintf("offset %#x: ", e.Offset)
	}
	s += e.Reason.Error() + ": " + ruleText[e.Reason]
	if e.rule != rNone && e.rule < numRules {
		s += " (" + ruleClause[e.rule] + ")"
	}
	return s
}

// Explain is the full diagnosis, with the instruction, its disassembly and
// the values the analysis found: for tools that hold the code in plaintext
// (compiler tests, musclec, debugging), never for the referee's output.
func (e *Error) Explain() string {
	s := "verify: "
	if e.Entry != "" {
		s += e.Entry + " entry: "
	}
	if e.Offset >= 0 {
		s += fmt.Sprintf("offset %#x: %s: ", e.Offset, text(e.Word))
	}
	return s + e.Reason.Error() + ": " + e.Detail
}

// ruleText states each reason's rule, in words that depend on nothing in
// the code.
var ruleText = map[error]string{
	ErrLength:   "the code is empty, not whole instructions, or too long",
	ErrEntry:    "an entry offset is missing, misaligned, outside the code or duplicated",
	ErrForm:     "the word is not an instruction form the compiler emits",
	ErrBranch:   "the only branches allowed are counted-loop back-edges inside the entry",
	ErrLoop:     "a loop must be counted: a constant trip count set before it, decremented only by its final subs",
	ErrRet:      "each entry ends in exactly one ret, its last instruction",
	ErrRegister: "only the ABI's clobber registers may be written, and the stack pointer not used",
	ErrMemory:   "every load and store must be provably inside one of the caller's buffers",
	ErrReadOnly: "input and target are read-only, and the forward entry may not write the state",
}

// rule is the check a rejection failed, one per place the verifier
// rejects; Error states it with a fixed clause (ruleClause).
type rule uint8

const (
	rNone rule = iota
	rEmpty
	rPartial
	rTooLong
	rCodeSize
	rNoManifest
	rShape
	rNoEntries
	rKind
	rEntryOffset
	rEntryTwice
	rKindTwice
	rNoEntryAtZero
	rNotForm
	rRetEarly
	rNoRet
	rBranchB
	rBranchCB
	rBranchOutside
	rBranchOther
	rBranchForward
	rBranchCond
	rBranchStep
	rOverlap
	rNoCounter
	rDepth
	rTripNotConst
	rTripZero
	rWritesCounter
	rCounterReg
	rWriteReserved
	rWriteSP
	rReadSP
	rSPBase
	rBaseUnknown
	rOutside
	rReadOnly
	rForwardState
	rUnhandled
	numRules
)

// ruleClause is the fixed text of each rule: nothing in it is taken from
// the code (no word, instruction, register number, constant or size).
var ruleClause = [numRules]string{
	rEmpty:         "the code is empty",
	rPartial:       "its length is not a multiple of 4 bytes",
	rTooLong:       "it is longer than the largest blob",
	rCodeSize:      "its length differs from the manifest's code size",
	rNoManifest:    "there is no manifest",
	rShape:         "a manifest shape is too large",
	rNoEntries:     "there are no entries",
	rKind:          "an entry has an unknown kind",
	rEntryOffset:   "an entry offset is misaligned or outside the code",
	rEntryTwice:    "two entries at one offset",
	rKindTwice:     "two entries of one kind",
	rNoEntryAtZero: "no entry at offset 0: the code before the first entry would be unverified",
	rNotForm:       "not in the verifier's table of forms",
	rRetEarly:      "a ret before the end of the entry's region",
	rNoRet:         "the entry's region does not end in ret",
	rBranchB:       "an unconditional branch",
	rBranchCB:      "a compare-and-branch",
	rBranchOutside: "a branch target outside the code",
	rBranchOther:   "a branch target in another entry's region",
	rBranchForward: "a forward branch, or a branch to itself",
	rBranchCond:    "a back-edge whose condition is not ne",
	rBranchStep:    "a branch outside a counted loop",
	rOverlap:       "two loops overlap without nesting",
	rNoCounter:     "a back-edge not preceded by its counter's subs of 1",
	rDepth:         "loops nested deeper than the verifier follows",
	rTripNotConst:  "the loop counter is not a constant at the loop head",
	rTripZero:      "the loop counter is zero at the loop head: 2^64 trips",
	rWritesCounter: "the loop body writes its counter",
	rCounterReg:    "a loop counter outside the clobber registers",
	rWriteReserved: "a write to a register the ABI keeps for the caller",
	rWriteSP:       "a write to the stack pointer",
	rReadSP:        "a read of the stack pointer",
	rSPBase:        "the stack pointer as a base",
	rBaseUnknown:   "the base register is not known to point into a buffer",
	rOutside:       "the access may reach outside its buffer",
	rReadOnly:      "a store into the input or the target buffer",
	rForwardState:  "a store into the state by the forward entry",
	rUnhandled:     "an accepted form the analysis does not handle",
}

// reject is a rejection without an offset.
func reject(reason error, r rule, format string, args ...any) *Error {
	return &Error{Reason: reason, Offset: -1, rule: r, Detail: fmt.Sprintf(format, args...)}
}

func (e *Error) Unwrap() error { return e.Reason }

// Report is what the verifier proved besides safety: how many
// instructions one call of each entry executes, exactly (every loop's trip
// count is fixed): the final ret included, a loop of n trips whose body
// executes b instructions counting n·(b+2) with its subs and b.ne, nested
// loops multiplying; saturating at 2^64-1 instead of wrapping. Train is 0
// without a train entry.
type Report struct {
	Forward, Train uint64
}

// Verify checks code against the entries and buffer sizes. The entries'
// regions partition the code: an entry's region runs from its offset to the
// next entry's offset (or the end of the code), so the lowest entry must be
// at offset 0. There is at most one Forward and one Train entry. Each
// Forward or Train region must end in its only ret, and its branches stay
// inside it. It returns the entries' instruction counts, or a zero Report
// and an *Error.
func Verify(code []byte, entries []Entry, bufs Buffers) (Report, error) {
	r, err := verify(code, entries, bufs)
	if err != nil {
		return Report{}, err
	}
	return r, nil
}

func verify(code []byte, entries []Entry, bufs Buffers) (Report, error) {
	var r Report
	switch {
	case len(code) == 0:
		return r, reject(ErrLength, rEmpty, "empty code")
	case len(code)%4 != 0:
		return r, reject(ErrLength, rPartial, "%d bytes is not a whole number of 4-byte instructions", len(code))
	case uint64(len(code)) > MaxCode:
		return r, reject(ErrLength, rTooLong, "%d bytes exceeds %d", len(code), MaxCode)
	}
	n := len(code) / 4
	prog := make([]inst, n)
	for i := range n {
		w := binary.LittleEndian.Uint32(code[4*i:])
		in, ok := decodeWord(w)
		if !ok {
			return r, &Error{Reason: ErrForm, Offset: 4 * i, Word: w, rule: rNotForm, Detail: "not an instruction form the compiler emits" + rejectedClass(w)}
		}
		prog[i] = in
	}

	if len(entries) == 0 {
		return r, reject(ErrEntry, rNoEntries, "no entries")
	}
	// Region boundaries: the sorted entry offsets.
	starts := make([]int, 0, len(entries))
	var seen [Unreachable]bool
	for _, e := range entries {
		if e.Kind > Unreachable {
			return r, reject(ErrEntry, rKind, "entry %#x has unknown kind %d", e.Offset, e.Kind)
		}
		if e.Offset%4 != 0 || uint64(e.Offset) >= uint64(len(code)) {
			return r, reject(ErrEntry, rEntryOffset, "%s entry %#x is not a 4-aligned offset inside the %d-byte code", e.Kind, e.Offset, len(code))
		}
		for _, s := range starts {
			if s == int(e.Offset)/4 {
				return r, reject(ErrEntry, rEntryTwice, "two entries at %#x", e.Offset)
			}
		}
		if e.Kind != Unreachable {
			if seen[e.Kind] {
				return r, reject(ErrEntry, rKindTwice, "two %s entries (the second at %#x)", e.Kind, e.Offset)
			}
			seen[e.Kind] = true
		}
		starts = append(starts, int(e.Offset)/4)
	}
	sortInts(starts)
	if starts[0] != 0 {
		return r, reject(ErrEntry, rNoEntryAtZero, "no entry at offset 0: the code before %#x would be unverified", 4*starts[0])
	}
	for _, e := range entries {
		if e.Kind == Unreachable {
			continue
		}
		lo := int(e.Offset) / 4
		hi := n
		for _, s := range starts {
			if s > lo {
				hi = s
				break
			}
		}
		v := &verifier{prog: prog, lo: lo, hi: hi, kind: e.Kind, bufs: bufs, starts: starts}
		if err := v.run(); err != nil {
			if ve, ok := err.(*Error); ok {
				ve.Entry = e.Kind.String()
			}
			return r, err
		}
		if e.Kind == Train {
			r.Train = v.count
		} else {
			r.Forward = v.count
		}
	}
	return r, nil
}

// VerifyManifest verifies code with the entries and buffer sizes of a
// muscle manifest (sizes = 4 bytes per element of each shape; the state
// size and the scratch size as the manifest gives them).
func VerifyManifest(code []byte, m *muscle.Manifest) (Report, error) {
	if m == nil {
		return Report{}, reject(ErrEntry, rNoManifest, "no manifest")
	}
	if uint64(m.CodeSize) != uint64(len(code)) {
		return Report{}, reject(ErrLength, rCodeSize, "code is %d bytes, manifest says %d", len(code), m.CodeSize)
	}
	sizes := []int64{m.Input.Bytes(), m.Output.Bytes(), m.Target.Bytes(), m.State.Bytes()}
	for _, s := range sizes {
		if s < 0 {
			return Report{}, reject(ErrEntry, rShape, "a shape is too large")
		}
	}
	bufs := Buffers{
		Input: uint64(sizes[0]), Output: uint64(sizes[1]), Target: uint64(sizes[2]),
		State: min(uint64(sizes[3]), uint64(m.StateSize)), Scratch: uint64(m.ScratchSize),
	}
	entries := []Entry{{Offset: m.ForwardEntry, Kind: Forward}}
	if m.TrainEntry != muscle.NoEntry {
		entries = append(entries, Entry{Offset: m.TrainEntry, Kind: Train})
	} else if m.ForwardEntry%4 == 0 && uint64(m.ForwardEntry) < uint64(len(code)) {
		// Without a train entry the code after the forward entry's first
		// ret (the compiler's train code) is unreachable.
		for o := int(m.ForwardEntry); o+4 <= len(code); o += 4 {
			if binary.LittleEndian.Uint32(code[o:]) == muscle.InstrRet {
				if o+4 < len(code) {
					entries = append(entries, Entry{Offset: uint32(o + 4), Kind: Unreachable})
				}
				break
			}
		}
	}
	return Verify(code, entries, bufs)
}

func sortInts(a []int) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// rejectedClass names the notable groups of refused instructions, for the
// message only (every word outside the form table is refused anyway).
func rejectedClass(w uint32) string {
	switch {
	case w&0xffc00000 == 0xd5000000:
		return " (system instruction: MSR/MRS system register access, SYS cache/TLB maintenance such as DC/IC, barriers, hints)"
	case w&0xff000000 == 0xd4000000:
		return " (exception-generating instruction: SVC/HVC/SMC/BRK/HLT)"
	case w&0xfe000000 == 0xd6000000:
		return " (branch to a register: BR/BLR/RET Xn/ERET)"
	case w&0xfc000000 == 0x94000000:
		return " (BL: a call)"
	}
	return ""
}
