package verify

import (
	"encoding/binary"
	"testing"

	A "github.com/muscles/referee/compiler/arm64"
	"github.com/muscles/referee/muscle"
)

func code(w ...uint32) []byte {
	b := make([]byte, 0, 4*len(w))
	for _, x := range w {
		b = binary.LittleEndian.AppendUint32(b, x)
	}
	return b
}

// TestInstructionCount (finding 6): the verifier's count of each entry is
// exact: straight-line code, a loop, nested loops, a loop of 2^40 trips,
// and the saturation of a count beyond 2^64.
func TestInstructionCount(t *testing.T) {
	const ret = 0xd65f03c0
	cases := []struct {
		name string
		code []byte
		want uint64
	}{
		{"ret", code(ret), 1},
		{"straight", code(0xbd400000, 0xbd000020, ret), 3},
		// x9 = 9; ldr s0, [x0]; subs x9, x9, #1; b.ne; ret
		{"loop", code(0xd2800129, 0xbd400000, 0xf1000529, 0x54ffffc1, ret), 1 + 9*3 + 1},
		// x9 = 3 { x10 = 4 { ldr } }
		{"nested", code(0xd2800069, 0xd280008a, 0xbd400000, 0xf100054a, 0x54ffffc1, 0xf1000529, 0x54ffff61, ret), 1 + 3*(1+4*3+2) + 1},
		// x9 = 2^40
		{"2^40 trips", code(0xd2c02009, 0xbd400000, 0xf1000529, 0x54ffffc1, ret), 1 + 3<<40 + 1},
		// x9 = 2^48 { x10 = 2^48 { ldr } }: more than 2^64
		{"saturates", code(0xd2e00029, 0xd2e0002a, 0xbd400000, 0xf100054a, 0x54ffffc1, 0xf1000529, 0x54ffff61, ret), 1<<64 - 1},
	}
	for _, c := range cases {
		r, err := Verify(c.code, []Entry{{0, Forward}}, bufs64)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if r.Forward != c.want || r.Train != 0 {
			t.Errorf("%s: forward %d, train %d instructions; want %d and 0", c.name, r.Forward, r.Train, c.want)
		}
	}
	// Two entries: each counted on its own.
	r, err := Verify(code(ret, 0xbd400000, ret), []Entry{{0, Forward}, {4, Train}}, bufs64)
	if err != nil || r.Forward != 1 || r.Train != 2 {
		t.Errorf("forward ret, train ldr+ret: %+v, %v; want 1 and 2", r, err)
	}
}

// TestBuffersAreTheABIRegisters: the verifier's buffer ids are the ABI's
// argument registers (muscle/abi.go), which its initial state relies on.
func TestBuffersAreTheABIRegisters(t *testing.T) {
	for b, r := range map[Buffer]int{Input: muscle.RegInput, Output: muscle.RegOutput, State: muscle.RegState, Scratch: muscle.RegScratch, Target: muscle.RegTarget} {
		if int(b) != r {
			t.Errorf("buffer %s is x%d in the verifier, x%d in the ABI", b, b, r)
		}
	}
	if Forward != Kind(muscle.EntryForward) || Train != Kind(muscle.EntryTrain) {
		t.Error("entry kinds differ from the ABI's")
	}
}

// TestInstructionCountWalks: exact counts of loops whose pointers walk the
// buffers, as the compiler's do, and of 2^40 trips in all: an outer loop
// of 2^20 trips that resets its pointer around an inner loop of 2^20 trips
// that walks a 4 MiB input.
func TestInstructionCountWalks(t *testing.T) {
	mov := func(n uint64) uint64 { return uint64(len(A.MovConst(A.X11, n))) }
	// nest emits "x12 = outer { x5 = x0; x11 = inner { ldr s1, [x5], #4 } }"
	// and returns its count: the outer counter's setup, then per outer trip
	// the reset, the inner counter's setup, the inner loop, subs and b.ne.
	nest := func(a *A.Assembler, outer, inner uint64) uint64 {
		a.Emit(A.MovConst(A.X12, outer)...)
		top := a.NewLabel()
		a.Bind(top)
		a.Emit(A.Instr{Op: A.ADDImm, Rd: A.X5, Rn: A.X0})
		countedLoop(a, inner, A.Instr{Op: A.LDRPost, Rd: A.S1, Rn: A.X5, Imm: 4})
		a.Emit(A.Instr{Op: A.SUBSImm, Rd: A.X12, Rn: A.X12, Imm: 1}, A.Instr{Op: A.BCond, Cond: A.NE, Label: top})
		return mov(outer) + outer*(1+mov(inner)+inner*(1+2)+2)
	}
	big := Buffers{Input: 4 << 20, Output: 64, State: 64, Scratch: 64, Target: 64}
	cases := []struct {
		name string
		bufs Buffers
		p    func(a *A.Assembler) uint64
	}{
		{"copy loop", bufs64, func(a *A.Assembler) uint64 {
			copyLoop(16)(a)
			return 2 + mov(16) + 16*(2+2) + 1
		}},
		{"4 x 4, pointer reset", bufs64, func(a *A.Assembler) uint64 {
			n := nest(a, 4, 4)
			a.Emit(ret)
			return n + 1
		}},
		{"2^20 x 2^20, pointer reset", big, func(a *A.Assembler) uint64 {
			n := nest(a, 1<<20, 1<<20)
			a.Emit(ret)
			return n + 1
		}},
		{"a loop after a nest", big, func(a *A.Assembler) uint64 {
			n := nest(a, 3, 1<<20)
			a.Emit(A.Instr{Op: A.ADDImm, Rd: A.X8, Rn: A.X1})
			countedLoop(a, 16, A.Instr{Op: A.STRPost, Rd: A.S1, Rn: A.X8, Imm: 4})
			a.Emit(ret)
			return n + 1 + mov(16) + 16*(1+2) + 1
		}},
	}
	for _, c := range cases {
		var a A.Assembler
		want := c.p(&a)
		b, err := a.Assemble()
		if err != nil {
			t.Fatal(err)
		}
		r, err := Verify(b, []Entry{{0, Forward}}, c.bufs)
		if err != nil || r.Forward != want {
			t.Errorf("%s: %+v, %v; want %d instructions", c.name, r, err, want)
		}
	}
	// 2^40 trips exactly: 2^20 + 1 + 2^20·(1 + 1 + 3·2^20 + 2) + 1.
	var a A.Assembler
	nest(&a, 1<<20, 1<<20)
	a.Emit(ret)
	b, _ := a.Assemble()
	if r, _ := Verify(b, []Entry{{0, Forward}}, big); r.Forward != 3<<40+4<<20+2 {
		t.Errorf("2^20 x 2^20: %d instructions, want 3·2^40 + 4·2^20 + 2", r.Forward)
	}
}
