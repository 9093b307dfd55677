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
	ErrEntry    = errors.New("bad entry")                 // entry offset invalid or duplicated
	ErrForm     = errors.New("instruction form")          // word is not a form the compiler emits
	ErrBranch   = errors.New("control flow")              // a branch that is not a counted loop back-edge
	ErrLoop     = errors.New("loop")                      // back-edge whose trip count is not a fixed constant
	ErrRet      = errors.New("ret")                       // an entry without exactly one final ret
	ErrRegister = errors.New("register write")            // writes SP or x18..x30, or uses SP
	ErrMemory   = errors.New("memory access")             // a load or store not provably inside its buffer
	ErrReadOnly = errors.New("store to read-only buffer") // store into input/target, or forward into state
)

// Buffer identifies one of the caller's buffers.
type Buffer uint8

// The buffers, in ABI register order: Input is in x0 ... Target in x4.
const (
	Input Buffer = iota
	Output
	State
	Scratch
	Target
	numBuffers
)

var bufferNames = [numBuffers]string{"input", "output", "state", "scratch", "target"}

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
	return [numBuffers]uint64{bs.Input, bs.Output, bs.State, bs.Scratch, bs.Target}[b]
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

// Error is a rejection: the reason (one of the Err* values), and where
// known the byte offset and the word there.
type Error struct {
	Reason error
	Offset int // byte offset into the code, or -1
	Word   uint32
	Entry  string // "forward", "train" or ""
	Detail string
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
	return s + e.Reason.Error() + ": " + ruleText[e.Reason]
}

// Explain is the full diagnosis, with the instruction, its disassembly and
// the values the analysis found: for tools that hold the code in plaintext
// (compiler tests, debugging), never for the referee's output.
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

// ruleText states each rule, in words that depend on nothing in the code.
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

func (e *Error) Unwrap() error { return e.Reason }

// Report is what the verifier proved besides safety: how many
// instructions one call of each entry executes, exactly (every loop's trip
// count is fixed), saturating at 2^64-1. Train is 0 without a train entry.
type Report struct {
	Forward, Train uint64
}

// Verify checks code against the entries and buffer sizes. The entries'
// regions partition the code: an entry's region runs from its offset to the
// next entry's offset (or the end of the code), so the lowest entry must be
// at offset 0. Each Forward or Train region must end in its only ret, and
// its branches stay inside it. It returns the entries' instruction counts,
// and nil or an *Error.
func Verify(code []byte, entries []Entry, bufs Buffers) (Report, error) {
	var r Report
	err := verify(code, entries, bufs, &r)
	return r, err
}

func verify(code []byte, entries []Entry, bufs Buffers, r *Report) error {
	switch {
	case len(code) == 0:
		return &Error{Reason: ErrLength, Offset: -1, Detail: "empty code"}
	case len(code)%4 != 0:
		return &Error{Reason: ErrLength, Offset: -1, Detail: fmt.Sprintf("%d bytes is not a whole number of 4-byte instructions", len(code))}
	case uint64(len(code)) > MaxCode:
		return &Error{Reason: ErrLength, Offset: -1, Detail: fmt.Sprintf("%d bytes exceeds %d", len(code), MaxCode)}
	}
	n := len(code) / 4
	prog := make([]inst, n)
	for i := range n {
		w := binary.LittleEndian.Uint32(code[4*i:])
		in, ok := decodeWord(w)
		if !ok {
			return &Error{Reason: ErrForm, Offset: 4 * i, Word: w, Detail: "not an instruction form the compiler emits" + rejectedClass(w)}
		}
		prog[i] = in
	}

	if len(entries) == 0 {
		return &Error{Reason: ErrEntry, Offset: -1, Detail: "no entries"}
	}
	// Region boundaries: the sorted entry offsets.
	starts := make([]int, 0, len(entries))
	for _, e := range entries {
		if e.Kind > Unreachable {
			return &Error{Reason: ErrEntry, Offset: -1, Detail: fmt.Sprintf("entry %#x has unknown kind %d", e.Offset, e.Kind)}
		}
		if e.Offset%4 != 0 || uint64(e.Offset) >= uint64(len(code)) {
			return &Error{Reason: ErrEntry, Offset: -1, Detail: fmt.Sprintf("%s entry %#x is not a 4-aligned offset inside the %d-byte code", e.Kind, e.Offset, len(code))}
		}
		for _, s := range starts {
			if s == int(e.Offset)/4 {
				return &Error{Reason: ErrEntry, Offset: -1, Detail: fmt.Sprintf("two entries at %#x", e.Offset)}
			}
		}
		starts = append(starts, int(e.Offset)/4)
	}
	sortInts(starts)
	if starts[0] != 0 {
		return &Error{Reason: ErrEntry, Offset: -1, Detail: fmt.Sprintf("no entry at offset 0: the code before %#x would be unverified", 4*starts[0])}
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
			return err
		}
		if e.Kind == Train {
			r.Train = v.count
		} else {
			r.Forward = v.count
		}
	}
	return nil
}

// VerifyManifest verifies code with the entries and buffer sizes of a
// muscle manifest (sizes = 4 bytes per element of each shape; the state
// size and the scratch size as the manifest gives them).
func VerifyManifest(code []byte, m *muscle.Manifest) (Report, error) {
	if m == nil {
		return Report{}, &Error{Reason: ErrEntry, Offset: -1, Detail: "no manifest"}
	}
	if uint64(m.CodeSize) != uint64(len(code)) {
		return Report{}, &Error{Reason: ErrLength, Offset: -1, Detail: fmt.Sprintf("code is %d bytes, manifest says %d", len(code), m.CodeSize)}
	}
	sizes := []int64{m.Input.Bytes(), m.Output.Bytes(), m.Target.Bytes(), m.State.Bytes()}
	for _, s := range sizes {
		if s < 0 {
			return Report{}, &Error{Reason: ErrEntry, Offset: -1, Detail: "a shape is too large"}
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
