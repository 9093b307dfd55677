package arm64

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"golang.org/x/arch/arm64/arm64asm"
)

// streamLoop builds a small streaming loop with one backward and two
// forward branches:
//
//	   movz x3, #4
//	L1: cbz x3, L2
//	   ldr q0, [x0], #16
//	   fadd v0.4s, v0.4s, v1.4s
//	   str q0, [x1], #16
//	   subs x3, x3, #1
//	   b.ne L1
//	   b L2
//	L2: ret
func streamLoop() *Assembler {
	a := &Assembler{}
	loop, done := a.NewLabel(), a.NewLabel()
	a.Emit(MovConst(X3, 4)...)
	a.Bind(loop)
	a.Emit(
		Instr{Op: CBZ, Rd: X3, Label: done},
		Instr{Op: LDRPost, Rd: Q0, Rn: X0, Imm: 16},
		Instr{Op: VFADD, Rd: V0, Rn: V0, Rm: V1},
		Instr{Op: STRPost, Rd: Q0, Rn: X1, Imm: 16},
		Instr{Op: SUBSImm, Rd: X3, Rn: X3, Imm: 1},
		Instr{Op: BCond, Cond: NE, Label: loop},
		Instr{Op: B, Label: done},
	)
	a.Bind(done)
	a.Emit(Instr{Op: RET})
	return a
}

func TestAssembleLoop(t *testing.T) {
	code, err := streamLoop().Assemble()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"mov x3, #0x4",
		"cbz x3, .+0x1c",
		"ldr q0, [x0],#16",
		"fadd v0.4s, v0.4s, v1.4s",
		"str q0, [x1],#16",
		"subs x3, x3, #0x1",
		"b.ne .+0xffffffffffffffec",
		"b .+0x4",
		"ret",
	}
	if len(code) != 4*len(want) {
		t.Fatalf("got %d bytes, want %d", len(code), 4*len(want))
	}
	for i, w := range want {
		inst, err := arm64asm.Decode(code[4*i:])
		if err != nil {
			t.Fatalf("word %d: %v", i, err)
		}
		if got := arm64asm.GNUSyntax(inst); got != w {
			t.Errorf("word %d: %q, want %q", i, got, w)
		}
	}
	// Branch targets, as decoded operands: index of target minus index of
	// the branch, times 4.
	for _, c := range []struct {
		at, arg int
		rel     arm64asm.PCRel
	}{{1, 1, 28}, {6, 1, -20}, {7, 0, 4}} {
		inst, _ := arm64asm.Decode(code[4*c.at:])
		if got, ok := inst.Args[c.arg].(arm64asm.PCRel); !ok || got != c.rel {
			t.Errorf("word %d: branch operand %v, want PCRel %d", c.at, inst.Args[c.arg], c.rel)
		}
	}
}

func TestAssembleDeterministic(t *testing.T) {
	a, err := streamLoop().Assemble()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		b, err := streamLoop().Assemble()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Fatal("same program assembled to different bytes")
		}
	}
	asm := streamLoop()
	x, _ := asm.Assemble()
	y, _ := asm.Assemble()
	if !bytes.Equal(x, y) || !bytes.Equal(x, a) {
		t.Fatal("assembling twice changed the bytes")
	}
}

func TestAssembleLabelEdges(t *testing.T) {
	a := &Assembler{}
	start, l1, l2, end := a.NewLabel(), a.NewLabel(), a.NewLabel(), a.NewLabel()
	a.Bind(start)
	a.Bind(l1)                         // two labels on one position
	a.Emit(Instr{Op: B, Label: start}) // branch to itself
	a.Emit(Instr{Op: CBNZ, Rd: XZR, Label: l1})
	a.Emit(Instr{Op: BCond, Cond: LT, Label: end}) // label bound after the last instruction
	a.Emit(Instr{Op: B, Imm: -12})                 // raw offset, no label
	a.Bind(l2)
	a.Bind(end)
	code, err := a.Assemble()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"b .+0x0", "cbnz xzr, .+0xfffffffffffffffc", "b.lt .+0x8", "b .+0xfffffffffffffff4"}
	for i, w := range want {
		got, err := disasm(binary.LittleEndian.Uint32(code[4*i:]))
		if err != nil || got != w {
			t.Errorf("word %d: %q (%v), want %q", i, got, err, w)
		}
	}
	if a.Len() != 16 {
		t.Errorf("Len = %d", a.Len())
	}
	if lst := a.Listing(); !strings.Contains(lst, "L1:\nL2:\n     0:\tb L1\n") || !strings.HasSuffix(lst, "L3:\nL4:\n") {
		t.Errorf("Listing:\n%s", lst)
	}
}

func TestAssembleErrors(t *testing.T) {
	cases := []struct {
		name  string
		build func(a *Assembler)
		want  string
	}{
		{"undefined label", func(a *Assembler) {
			l := a.NewLabel()
			a.Emit(Instr{Op: B, Label: l})
		}, "undefined label L1"},
		{"foreign label", func(a *Assembler) {
			a.Emit(Instr{Op: CBZ, Rd: X0, Label: 7})
		}, "label L7 was not made by this assembler"},
		{"bind twice", func(a *Assembler) {
			l := a.NewLabel()
			a.Bind(l)
			a.Emit(Instr{Op: RET})
			a.Bind(l)
		}, "bind L1: label already bound"},
		{"bind unknown", func(a *Assembler) { a.Bind(3) }, "bind L3: label was not made"},
		{"bind zero", func(a *Assembler) { a.Bind(0) }, "bind L0"},
		{"label on non-branch", func(a *Assembler) {
			l := a.NewLabel()
			a.Bind(l)
			a.Emit(Instr{Op: FADD, Rd: S0, Rn: S1, Rm: S2, Label: l})
		}, "only branches take a label"},
		{"label and offset", func(a *Assembler) {
			l := a.NewLabel()
			a.Bind(l)
			a.Emit(Instr{Op: B, Label: l, Imm: 4})
		}, "Imm must be zero when Label is set"},
		{"bad operand", func(a *Assembler) {
			a.Emit(Instr{Op: RET}, Instr{Op: FADD, Rd: S0, Rn: S1, Rm: X2})
		}, "arm64: instruction 1 at 0x4 (fadd s0, s1, x2): operand Rm: want S register, got x2"},
		{"b.cond out of range forward", func(a *Assembler) {
			l := a.NewLabel()
			a.Emit(Instr{Op: BCond, Cond: EQ, Label: l})
			for i := 0; i < 1<<18-1; i++ {
				a.Emit(Instr{Op: FMOV, Rd: S0, Rn: S0})
			}
			a.Bind(l) // 1 MiB away: one word too far
			a.Emit(Instr{Op: RET})
		}, "arm64: instruction 0 at 0x0 (b.eq L1): operand Imm: branch offset 1048576 out of range -1048576..1048572"},
		{"cbz out of range backward", func(a *Assembler) {
			l := a.NewLabel()
			a.Bind(l)
			for i := 0; i < 1<<18+1; i++ {
				a.Emit(Instr{Op: FMOV, Rd: S0, Rn: S0})
			}
			a.Emit(Instr{Op: CBZ, Rd: X0, Label: l})
		}, "branch offset -1048580 out of range"},
	}
	for _, c := range cases {
		a := &Assembler{}
		c.build(a)
		code, err := a.Assemble()
		var pe *ProgramError
		var ee *Error
		if errors.As(err, &pe) != errors.As(err, &ee) {
			t.Errorf("%s: a ProgramError must unwrap to *Error: %v", c.name, err)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want error containing %q", c.name, err, c.want)
		}
		if code != nil {
			t.Errorf("%s: code returned with error", c.name)
		}
	}
}

// TestBranchLimitsThroughAssembler puts the target exactly at the limits of
// B.cond in both directions; both must assemble.
func TestBranchLimitsThroughAssembler(t *testing.T) {
	a := &Assembler{}
	back, fwd := a.NewLabel(), a.NewLabel()
	a.Bind(back)
	for i := 0; i < 1<<18; i++ {
		a.Emit(Instr{Op: FMOV, Rd: S0, Rn: S0})
	}
	a.Emit(Instr{Op: BCond, Cond: EQ, Label: back}) // -1 MiB
	a.Emit(Instr{Op: BCond, Cond: NE, Label: fwd})  // +1 MiB - 4
	for i := 0; i < 1<<18-2; i++ {
		a.Emit(Instr{Op: FMOV, Rd: S0, Rn: S0})
	}
	a.Bind(fwd)
	code, err := a.Assemble()
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range []string{"b.eq .+0xfffffffffff00000", "b.ne .+0xffffc"} {
		got, _ := disasm(binary.LittleEndian.Uint32(code[4*(1<<18+i):]))
		if got != w {
			t.Errorf("%q, want %q", got, w)
		}
	}
}

func TestMovConst(t *testing.T) {
	for _, c := range []struct {
		v uint64
		n int
	}{
		{0, 1}, {1, 1}, {0xffff, 1}, {0x10000, 1}, {0xffff0000ffff, 2},
		{0xdeadbeefcafef00d, 4}, {1 << 63, 1}, {0x0001000000010000, 2}, {^uint64(0), 4},
	} {
		seq := MovConst(X9, c.v)
		if len(seq) != c.n {
			t.Errorf("%#x: %d instructions, want %d", c.v, len(seq), c.n)
		}
		// Execute the decoded words, not the Instr values.
		var x uint64
		for i, in := range seq {
			w := mustEncode(t, in)
			var b [4]byte
			binary.LittleEndian.PutUint32(b[:], w)
			inst, err := arm64asm.Decode(b[:])
			if err != nil {
				t.Fatal(err)
			}
			imm, sh := uint64(w>>5&0xffff), 16*(w>>21&3)
			switch {
			case i == 0 && (inst.Op == arm64asm.MOV || inst.Op == arm64asm.MOVZ):
				x = imm << sh
			case i > 0 && inst.Op == arm64asm.MOVK:
				x = x&^(0xffff<<sh) | imm<<sh
			default:
				t.Fatalf("%#x: unexpected %s at %d", c.v, arm64asm.GNUSyntax(inst), i)
			}
		}
		if x != c.v {
			t.Errorf("MovConst(%#x) builds %#x", c.v, x)
		}
	}
}
