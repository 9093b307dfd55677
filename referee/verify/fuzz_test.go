package verify

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	A "github.com/muscles/referee/compiler/arm64"
)

// FuzzVerify feeds arbitrary code, entry offsets and buffer sizes to
// Verify, which must return (nil or an *Error) and never panic.
func FuzzVerify(f *testing.F) {
	seed := func(code []byte, train uint32, size uint16) { f.Add(code, train, size) }
	var a A.Assembler
	a.Emit(A.Instr{Op: A.ADDImm, Rd: A.X5, Rn: A.X0}, A.Instr{Op: A.ADDImm, Rd: A.X8, Rn: A.X1})
	a.Emit(A.MovConst(A.X11, 16)...)
	top := a.NewLabel()
	a.Bind(top)
	a.Emit(A.Instr{Op: A.LDRPost, Rd: A.S1, Rn: A.X5, Imm: 4},
		A.Instr{Op: A.STRPost, Rd: A.S1, Rn: A.X8, Imm: 4},
		A.Instr{Op: A.SUBSImm, Rd: A.X11, Rn: A.X11, Imm: 1},
		A.Instr{Op: A.BCond, Cond: A.NE, Label: top},
		A.Instr{Op: A.RET})
	loop, err := a.Assemble()
	if err != nil {
		f.Fatal(err)
	}
	seed(loop, 0xffffffff, 64)
	seed(append(append([]byte{}, loop...), loop...), uint32(len(loop)), 64)
	seed(loop, uint32(len(loop)-4), 16)
	w := func(ws ...uint32) []byte {
		b := make([]byte, 4*len(ws))
		for i, x := range ws {
			binary.LittleEndian.PutUint32(b[4*i:], x)
		}
		return b
	}
	seed(w(0xd65f03c0), 0xffffffff, 4)
	seed(w(0xd4000001, 0xd65f03c0), 0xffffffff, 4)
	seed(w(0xf1000529, 0x54ffffe1, 0xd65f03c0), 0xffffffff, 4) // subs x9; b.ne back onto itself region
	seed(w(0x540000c1, 0xd65f03c0), 4, 0)
	seed([]byte{1, 2, 3}, 0, 1)

	f.Fuzz(func(t *testing.T, code []byte, train uint32, size uint16) {
		entries := []Entry{{0, Forward}}
		if train != 0xffffffff {
			entries = append(entries, Entry{train, Train})
		}
		s := uint64(size)
		bufs := Buffers{Input: s, Output: s, State: s / 2, Scratch: 2 * s, Target: s}
		r, err := Verify(code, entries, bufs)
		if err != nil {
			ve, ok := err.(*Error)
			if !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			// The message shows no word of the code (an offset has at most
			// 7 hex digits), and a rejection reports no counts.
			if msg := err.Error(); ve.Offset >= 0 && strings.Contains(msg, fmt.Sprintf("%08x", ve.Word)) {
				t.Fatalf("%q shows the word %08x", msg, ve.Word)
			}
			if r != (Report{}) {
				t.Fatalf("rejected with counts %+v", r)
			}
			_ = ve.Explain()
		}
	})
}
