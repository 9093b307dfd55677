package arm64

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// Assembler collects instructions and labels and produces the code bytes.
// Every instruction is 4 bytes, so a label's address is known as soon as it
// is bound and branches need no relaxation; forward and backward references
// are resolved by Assemble. The output depends only on the calls made, so
// the same program always gives the same bytes.
//
// Label misuse (binding an unknown label, binding one twice) is recorded
// and reported by Assemble, so code generators can emit without checking
// every call.
type Assembler struct {
	instrs []Instr
	bound  []int // per label (index = Label-1): instruction index, or -1
	err    error
}

// NewLabel returns a fresh, unbound label.
func (a *Assembler) NewLabel() Label {
	a.bound = append(a.bound, -1)
	return Label(len(a.bound))
}

// Bind places l at the current position, i.e. before the next emitted
// instruction.
func (a *Assembler) Bind(l Label) {
	switch {
	case l == 0 || int(l) > len(a.bound):
		a.setErr(fmt.Errorf("arm64: bind L%d: label was not made by this assembler's NewLabel", l))
	case a.bound[l-1] >= 0:
		a.setErr(fmt.Errorf("arm64: bind L%d: label already bound at offset %#x", l, 4*a.bound[l-1]))
	default:
		a.bound[l-1] = len(a.instrs)
	}
}

// Emit appends instructions. Branches name their target with Label (Imm
// stays zero) or, without a label, give a byte offset in Imm.
func (a *Assembler) Emit(ins ...Instr) {
	a.instrs = append(a.instrs, ins...)
}

// Len returns the size in bytes of the code emitted so far.
func (a *Assembler) Len() int { return 4 * len(a.instrs) }

// Instrs returns a copy of the emitted instructions, labels unresolved.
func (a *Assembler) Instrs() []Instr { return append([]Instr(nil), a.instrs...) }

func (a *Assembler) setErr(err error) {
	if a.err == nil {
		a.err = err
	}
}

// resolve returns in with its label turned into a byte offset from index i.
func (a *Assembler) resolve(i int, in Instr) (Instr, error) {
	if in.Label == 0 {
		return in, nil
	}
	switch in.Op {
	case B, BCond, CBZ, CBNZ:
	default:
		return in, fmt.Errorf("arm64: instruction %d (%s): only branches take a label", i, in)
	}
	if int(in.Label) > len(a.bound) {
		return in, fmt.Errorf("arm64: instruction %d (%s): label L%d was not made by this assembler's NewLabel", i, in, in.Label)
	}
	target := a.bound[in.Label-1]
	if target < 0 {
		return in, fmt.Errorf("arm64: instruction %d (%s): undefined label L%d (never bound)", i, in, in.Label)
	}
	if in.Imm != 0 {
		return in, fmt.Errorf("arm64: instruction %d (%s): Imm must be zero when Label is set", i, in)
	}
	in.Imm = int64(target-i) * 4
	in.Label = 0
	return in, nil
}

// Assemble resolves labels, encodes every instruction and returns the
// little-endian code bytes. The first error names the instruction index and
// the instruction.
func (a *Assembler) Assemble() ([]byte, error) {
	if a.err != nil {
		return nil, a.err
	}
	code := make([]byte, 0, 4*len(a.instrs))
	for i, in := range a.instrs {
		r, err := a.resolve(i, in)
		if err != nil {
			return nil, err
		}
		w, err := Encode(r)
		if err != nil {
			return nil, &ProgramError{Index: i, Instr: in, Err: err.(*Error)}
		}
		code = binary.LittleEndian.AppendUint32(code, w)
	}
	return code, nil
}

// Listing returns a human-readable listing: one line per instruction with
// its offset and text, and a "L<n>:" line where each label is bound.
func (a *Assembler) Listing() string {
	at := make(map[int][]Label)
	for l, idx := range a.bound {
		if idx >= 0 {
			at[idx] = append(at[idx], Label(l+1))
		}
	}
	var b strings.Builder
	for i := 0; i <= len(a.instrs); i++ {
		for _, l := range at[i] {
			fmt.Fprintf(&b, "L%d:\n", l)
		}
		if i < len(a.instrs) {
			fmt.Fprintf(&b, "%6x:\t%s\n", 4*i, a.instrs[i])
		}
	}
	return b.String()
}

// ProgramError is an encoding error inside an Assembler program: Instr is
// the instruction as emitted (with its label), Err the error Encode gave for
// it once resolved.
type ProgramError struct {
	Index int
	Instr Instr
	Err   *Error
}

func (e *ProgramError) Error() string {
	where := fmt.Sprintf("arm64: instruction %d at %#x (%s)", e.Index, 4*e.Index, e.Instr)
	if e.Err.Operand == "" {
		return where + ": " + e.Err.Reason
	}
	return where + ": operand " + e.Err.Operand + ": " + e.Err.Reason
}

func (e *ProgramError) Unwrap() error { return e.Err }
