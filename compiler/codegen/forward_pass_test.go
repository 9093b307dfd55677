package codegen

import (
	"fmt"
	"math/rand"
	"slices"
	"testing"

	A "github.com/muscles/referee/compiler/arm64"
)

// forwarded runs the pass over prog (labels: label l+1 bound at
// binds[l]) and returns the result and the number removed.
func forwarded(prog []A.Instr, binds ...int) ([]A.Instr, int) {
	var a A.Assembler
	labels := make([]A.Label, len(binds))
	for l := range binds {
		labels[l] = a.NewLabel()
	}
	for i, in := range prog {
		for l, b := range binds {
			if b == i {
				a.Bind(labels[l])
			}
		}
		a.Emit(in)
	}
	n := forwardEntry(&a, testBases)
	return a.Instrs(), n
}

func TestForwardRenames(t *testing.T) {
	prog := []A.Instr{
		{Op: A.FMUL, Rd: A.S1, Rn: A.S0, Rm: A.S0},
		{Op: A.STR, Rd: A.S1, Rn: A.X3, Imm: 8},
		{Op: A.LDR, Rd: A.S2, Rn: A.X3, Imm: 8},
		{Op: A.FADD, Rd: A.S2, Rn: A.S2, Rm: A.S2},
		{Op: A.STR, Rd: A.S2, Rn: A.X1},
		{Op: A.RET},
	}
	got, n := forwarded(prog)
	// The load goes, its reader reads s1, and the scratch store is dead.
	want := []A.Instr{
		{Op: A.FMUL, Rd: A.S1, Rn: A.S0, Rm: A.S0},
		{Op: A.FADD, Rd: A.S2, Rn: A.S1, Rm: A.S1},
		{Op: A.STR, Rd: A.S2, Rn: A.X1},
		{Op: A.RET},
	}
	if n != 2 || !slices.Equal(got, want) {
		t.Fatalf("removed %d, got\n%v\nwant\n%v", n, got, want)
	}

	// Q store to Q load, read through the S and V views; an output store
	// forwarded too and kept.
	prog = []A.Instr{
		{Op: A.VFADD, Rd: A.V1, Rn: A.V0, Rm: A.V0},
		{Op: A.STR, Rd: A.Q1, Rn: A.X1, Imm: 16},
		{Op: A.LDR, Rd: A.Q4, Rn: A.X1, Imm: 16},
		{Op: A.VFMUL, Rd: A.V5, Rn: A.V4, Rm: A.V0},
		{Op: A.FNEG, Rd: A.S6, Rn: A.S4},
		{Op: A.STR, Rd: A.Q5, Rn: A.X1},
		{Op: A.STR, Rd: A.S6, Rn: A.X1, Imm: 32},
		{Op: A.RET},
	}
	got, n = forwarded(prog)
	if n != 1 || got[2] != (A.Instr{Op: A.VFMUL, Rd: A.V5, Rn: A.V1, Rm: A.V0}) ||
		got[3] != (A.Instr{Op: A.FNEG, Rd: A.S6, Rn: A.S1}) || got[1] != prog[1] {
		t.Fatalf("Q forwarding: removed %d, got\n%v", n, got)
	}
}

func TestForwardRelocates(t *testing.T) {
	// s0 is reused right after its store: the value moves to a spare
	// register (v16, the first the program does not name) from its
	// producer on, and the load reads it from there.
	prog := []A.Instr{
		{Op: A.FMUL, Rd: A.S0, Rn: A.S1, Rm: A.S1},
		{Op: A.STR, Rd: A.S0, Rn: A.X3, Imm: 4},
		{Op: A.FADD, Rd: A.S0, Rn: A.S0, Rm: A.S1},
		{Op: A.STR, Rd: A.S0, Rn: A.X1},
		{Op: A.LDR, Rd: A.S2, Rn: A.X3, Imm: 4},
		{Op: A.FNEG, Rd: A.S3, Rn: A.S2},
		{Op: A.STR, Rd: A.S3, Rn: A.X1, Imm: 4},
		{Op: A.RET},
	}
	got, n := forwarded(prog)
	want := []A.Instr{
		{Op: A.FMUL, Rd: A.S16, Rn: A.S1, Rm: A.S1},
		{Op: A.FADD, Rd: A.S0, Rn: A.S16, Rm: A.S1},
		{Op: A.STR, Rd: A.S0, Rn: A.X1},
		{Op: A.FNEG, Rd: A.S3, Rn: A.S16},
		{Op: A.STR, Rd: A.S3, Rn: A.X1, Imm: 4},
		{Op: A.RET},
	}
	if n != 2 || !slices.Equal(got, want) {
		t.Fatalf("removed %d, got\n%v\nwant\n%v", n, got, want)
	}
	// A second load of the same bytes reads the spare register too, not
	// the stale entry of the register the value left.
	twice := slices.Insert(slices.Clone(prog), len(prog)-1,
		A.Instr{Op: A.LDR, Rd: A.S4, Rn: A.X3, Imm: 4},
		A.Instr{Op: A.FABS, Rd: A.S5, Rn: A.S4},
		A.Instr{Op: A.STR, Rd: A.S5, Rn: A.X1, Imm: 8})
	got, n = forwarded(twice)
	for _, in := range got {
		if in.Op == A.LDR {
			t.Fatalf("a load is left (removed %d):\n%v", n, got)
		}
	}
	// A producer that reads its destination (FMLA) is not moved.
	prog[0] = A.Instr{Op: A.VFMLA, Rd: A.V0, Rn: A.V1, Rm: A.V1}
	if got, _ := forwarded(prog); !slices.Contains(got, prog[4]) {
		t.Fatalf("FMLA producer moved:\n%v", got)
	}
}

func TestForwardKept(t *testing.T) {
	store := A.Instr{Op: A.STR, Rd: A.S1, Rn: A.X3, Imm: 8}
	load := A.Instr{Op: A.LDR, Rd: A.S2, Rn: A.X3, Imm: 8}
	use := A.Instr{Op: A.FADD, Rd: A.S0, Rn: A.S2, Rm: A.S2}
	out := A.Instr{Op: A.STR, Rd: A.S0, Rn: A.X1}
	ret := A.Instr{Op: A.RET}
	cases := []struct {
		name string
		prog []A.Instr
	}{
		{"aliasing store through x3", []A.Instr{store, {Op: A.STR, Rd: A.Q7, Rn: A.X3}, load, use, out, ret}},
		{"store through a pointer", []A.Instr{store, {Op: A.STR, Rd: A.S7, Rn: A.X9}, load, use, out, ret}},
		{"stored register redefined", []A.Instr{store, {Op: A.FMOV, Rd: A.S1, Rn: A.S7}, load, use, out, ret}},
		{"stored register redefined before the last use", []A.Instr{store, load,
			{Op: A.FMOV, Rd: A.S1, Rn: A.S7}, use, out, ret}},
		{"destination read by FMLA", []A.Instr{{Op: A.STR, Rd: A.Q1, Rn: A.X3}, {Op: A.LDR, Rd: A.Q2, Rn: A.X3},
			{Op: A.VFMLA, Rd: A.V2, Rn: A.V0, Rm: A.V0}, {Op: A.STR, Rd: A.Q2, Rn: A.X1}, ret}},
		{"S load read as a vector", []A.Instr{store, load, {Op: A.VFADD, Rd: A.V0, Rn: A.V2, Rm: A.V2},
			{Op: A.STR, Rd: A.Q0, Rn: A.X1}, ret}},
		{"Q store, S load of lane 2", []A.Instr{{Op: A.STR, Rd: A.Q1, Rn: A.X3}, load, use, out, ret}},
		{"Q store, S load of lane 0 read as a vector", []A.Instr{{Op: A.STR, Rd: A.Q1, Rn: A.X3, Imm: 8}, load,
			{Op: A.VFADD, Rd: A.V0, Rn: A.V2, Rm: A.V2}, {Op: A.STR, Rd: A.Q0, Rn: A.X1}, ret}},
		{"different size", []A.Instr{store, {Op: A.LDR, Rd: A.Q2, Rn: A.X3, Imm: 8},
			{Op: A.STR, Rd: A.Q2, Rn: A.X1}, ret}},
		{"loaded register live past the block", []A.Instr{store, load,
			{Op: A.MOVZ, Rd: A.X11, Imm: 2}, {Op: A.SUBSImm, Rd: A.X11, Rn: A.X11, Imm: 1},
			{Op: A.BCond, Cond: A.NE, Label: 1}, use, out, ret}},
	}
	for _, c := range cases {
		binds := []int{}
		if c.name == "loaded register live past the block" {
			binds = []int{3}
		}
		got, _ := forwarded(c.prog, binds...)
		ld := c.prog[slices.IndexFunc(c.prog, func(in A.Instr) bool { return in.Op == A.LDR })]
		if !slices.Contains(got, ld) {
			t.Errorf("%s: load removed:\n%v", c.name, got)
		}
		if !slices.ContainsFunc(got, func(in A.Instr) bool { m, ok := in.Mem(); return ok && m.Store && m.Base == A.X3 }) {
			t.Errorf("%s: the scratch store was removed though it is read:\n%v", c.name, got)
		}
	}

	// A base write or a forward branch disables the pass.
	for _, p := range [][]A.Instr{
		{store, {Op: A.ADDImm, Rd: A.X3, Rn: A.X3, Imm: 0}, load, use, out, ret},
		{store, {Op: A.B, Label: 1}, load, use, out, ret},
	} {
		if got, n := forwarded(p, 5); n != 0 || !slices.Equal(got, p) {
			t.Errorf("program changed:\n%v", got)
		}
	}
}

func TestForwardDeadStores(t *testing.T) {
	mk := func(read ...A.Instr) []A.Instr {
		p := []A.Instr{
			{Op: A.STR, Rd: A.S1, Rn: A.X3, Imm: 8},
			{Op: A.STR, Rd: A.S1, Rn: A.X1, Imm: 8},
			{Op: A.STR, Rd: A.S1, Rn: A.X2, Imm: 8},
		}
		return append(append(p, read...), A.Instr{Op: A.RET})
	}
	// Unread: only the scratch store goes.
	got, n := forwarded(mk())
	if n != 1 || got[0] != mk()[1] || got[1] != mk()[2] {
		t.Errorf("unread scratch store: removed %d, got\n%v", n, got)
	}
	// Read by an overlapping load, a pointer load, or any load in a loop.
	loop := []A.Instr{
		{Op: A.MOVZ, Rd: A.X11, Imm: 2},
		{Op: A.LDR, Rd: A.S4, Rn: A.X3, Imm: 64},
		{Op: A.SUBSImm, Rd: A.X11, Rn: A.X11, Imm: 1},
		{Op: A.BCond, Cond: A.NE, Label: 1},
		{Op: A.STR, Rd: A.S4, Rn: A.X1},
	}
	for _, p := range [][]A.Instr{
		mk(A.Instr{Op: A.LDR, Rd: A.Q4, Rn: A.X3}, A.Instr{Op: A.STR, Rd: A.Q4, Rn: A.X1}),
		mk(A.Instr{Op: A.ADDImm, Rd: A.X9, Rn: A.X3, Imm: 64}, A.Instr{Op: A.LDR, Rd: A.S4, Rn: A.X9},
			A.Instr{Op: A.STR, Rd: A.S4, Rn: A.X1}),
		mk(loop...),
	} {
		binds := []int{}
		if len(p) == len(mk(loop...)) && p[4] == loop[1] {
			binds = []int{4}
		}
		if got, n := forwarded(p, binds...); n != 0 {
			t.Errorf("read scratch store removed (%d):\n%v", n, got)
		}
	}
	// A load of other bytes does not keep it.
	if _, n := forwarded(mk(A.Instr{Op: A.LDR, Rd: A.S4, Rn: A.X3, Imm: 12}, A.Instr{Op: A.STR, Rd: A.S4, Rn: A.X1})); n != 1 {
		t.Errorf("store of bytes 8..12 kept for a load of 12..16")
	}
}

// fwdBody returns a random block like randomBody's with store/load pairs
// of the same bytes mixed in, so forwarding applies often.
func fwdBody(r *rand.Rand, n int) []A.Instr {
	var body []A.Instr
	for len(body) < n {
		body = append(body, randomBody(r, 1+r.Intn(4))...)
		base := []A.Reg{A.X1, A.X3, A.X3}[r.Intn(3)]
		off := int64(16 * r.Intn(4))
		if base == A.X1 {
			off += rndOutBody
		}
		if r.Intn(3) == 0 {
			body = append(body, rndConsts(r)...)
		}
		if r.Intn(2) == 0 {
			a, b := rndS[r.Intn(8)], rndS[r.Intn(8)]
			body = append(body, A.Instr{Op: A.STR, Rd: a, Rn: base, Imm: off})
			body = append(body, randomBody(r, r.Intn(3))...)
			body = append(body, A.Instr{Op: A.LDR, Rd: b, Rn: base, Imm: off})
		} else if base == A.X3 {
			a, b := rndQ[r.Intn(8)], rndQ[r.Intn(8)]
			body = append(body, A.Instr{Op: A.STR, Rd: a, Rn: base, Imm: off})
			body = append(body, randomBody(r, r.Intn(3))...)
			body = append(body, A.Instr{Op: A.LDR, Rd: b, Rn: base, Imm: off})
		}
	}
	return body
}

// rndConsts returns constant-building instructions into the random
// programs' registers, often one that repeats a value already built, so
// that sameConsts applies.
func rndConsts(r *rand.Rand) []A.Instr {
	s, v := rndS[r.Intn(8)], A.VReg(int(rndS[r.Intn(8)].Num()))
	var out []A.Instr
	switch r.Intn(5) {
	case 0:
		out = []A.Instr{{Op: A.FMOVImm, Rd: s, FImm: []float32{1, 2, 0.5}[r.Intn(3)]}}
	case 1:
		out = []A.Instr{{Op: A.MOVIZero, Rd: v}}
	case 2:
		out = []A.Instr{{Op: A.FMOVFromW, Rd: s, Rn: A.WZR}}
	case 3, 4:
		out = []A.Instr{{Op: A.MOVZ, Rd: A.X9, Imm: 0xd70a}, {Op: A.MOVK, Rd: A.X9, Imm: int64(0x3c23 + r.Intn(2)), Shift: 16}}
		if r.Intn(2) == 0 {
			out = append(out, A.Instr{Op: A.DUPGen, Rd: v, Rn: A.W9})
		} else {
			out = append(out, A.Instr{Op: A.FMOVFromW, Rd: s, Rn: A.W9})
		}
	}
	if r.Intn(2) == 0 {
		out = append(out, out...)
	}
	return out
}

// TestSameConsts: a constant built again into a register that holds it
// goes (MOVZ and its MOVKs as a group); a different value, a register
// written in between, and a label in between keep it.
func TestSameConsts(t *testing.T) {
	zero := A.Instr{Op: A.FMOVFromW, Rd: A.S8, Rn: A.WZR}
	two := A.Instr{Op: A.FMOVImm, Rd: A.S8, FImm: 2}
	lr := []A.Instr{{Op: A.MOVZ, Rd: A.X9, Imm: 0xd70a}, {Op: A.MOVK, Rd: A.X9, Imm: 0x3c23, Shift: 16}}
	dup := A.Instr{Op: A.DUPGen, Rd: A.V8, Rn: A.W9}
	use := A.Instr{Op: A.FADD, Rd: A.S0, Rn: A.S8, Rm: A.S0}
	out := A.Instr{Op: A.STR, Rd: A.Q0, Rn: A.X1}
	ret := A.Instr{Op: A.RET}
	cat := func(parts ...[]A.Instr) []A.Instr { return slices.Concat(parts...) }
	one := func(in ...A.Instr) []A.Instr { return in }
	cases := []struct {
		name    string
		prog    []A.Instr
		removed int
		binds   []int
	}{
		{"zero twice", one(zero, use, zero, use, out, ret), 1, nil},
		{"movi and fmov wzr are the same zero", one(A.Instr{Op: A.MOVIZero, Rd: A.V8}, use, zero, use, out, ret), 1, nil},
		{"movz/movk group twice, and its dup", cat(lr, one(dup, use), lr, one(dup, use, out, ret)), 3, nil},
		{"another value", one(zero, use, two, use, out, ret), 0, nil},
		{"another movk", cat(lr, one(dup, use), one(lr[0], A.Instr{Op: A.MOVK, Rd: A.X9, Imm: 0x3c24, Shift: 16}, dup, use, out, ret)), 0, nil},
		{"written in between", one(zero, use, A.Instr{Op: A.LDR, Rd: A.S8, Rn: A.X0}, zero, use, out, ret), 0, nil},
		{"a scalar fmov keeps only lane 0", one(dup, A.Instr{Op: A.FMOV, Rd: A.S8, Rn: A.S8}, dup, use, out, ret), 0, nil},
		{"a label in between", one(zero, use, zero, use, out, ret), 0, []int{2}},
	}
	for _, c := range cases {
		lr := slices.Clone(c.prog)
		if c.binds != nil {
			// The label makes the program a loop back-edge target: add
			// one so the pass accepts the program.
			lr = slices.Insert(lr, len(lr)-1,
				A.Instr{Op: A.MOVZ, Rd: A.X11, Imm: 1}, A.Instr{Op: A.SUBSImm, Rd: A.X11, Rn: A.X11, Imm: 1},
				A.Instr{Op: A.BCond, Cond: A.NE, Label: 1})
		}
		got, n := forwarded(lr, c.binds...)
		if n != c.removed {
			t.Errorf("%s: removed %d, want %d:\n%v", c.name, n, c.removed, got)
		}
	}
}

// TestForwardExecution runs random programs before and after the pass
// under the harness and compares every output bit. Half the programs do
// not copy the scratch out (so dead stores go), some read it in a loop.
func TestForwardExecution(t *testing.T) {
	needRunner(t)
	r := rand.New(rand.NewSource(3))
	inputs := randomInputs(r, 5)
	removed, relocated := 0, 0
	const programs = 16
	for iter := 0; iter < programs; iter++ {
		prog := wrap(fwdBody(r, 20+r.Intn(40)))
		var binds []int
		if iter%2 == 1 { // drop the scratch dump ...
			tail := len(prog) - 1 - 2*(rndScratch/16)
			prog = append(prog[:tail:tail], A.Instr{Op: A.RET})
			if iter%4 == 3 { // ... and read part of it in a loop instead
				head := slices.Clone(prog[:len(prog)-1])
				binds = []int{len(head) + 1}
				prog = append(head,
					A.Instr{Op: A.MOVZ, Rd: A.X11, Imm: 3},
					A.Instr{Op: A.LDR, Rd: A.Q16, Rn: A.X3, Imm: 32},
					A.Instr{Op: A.VFADD, Rd: A.V17, Rn: A.V17, Rm: A.V16},
					A.Instr{Op: A.SUBSImm, Rd: A.X11, Rn: A.X11, Imm: 1},
					A.Instr{Op: A.BCond, Cond: A.NE, Label: 1},
					A.Instr{Op: A.STR, Rd: A.Q17, Rn: A.X1, Imm: rndOutScr},
					A.Instr{Op: A.RET})
				prog = append([]A.Instr{{Op: A.MOVIZero, Rd: A.V17}}, prog...)
				binds[0]++
			}
		}
		after, n := forwarded(prog, binds...)
		removed += n
		named := map[int]bool{}
		for _, in := range prog {
			for _, r := range []A.Reg{in.Rd, in.Rn, in.Rm, in.Ra, in.Rt2} {
				named[r.Unit()] = true
			}
		}
		for _, in := range after {
			if !named[in.Rd.Unit()] {
				relocated++ // moved into a spare register
			}
		}
		if len(after) != len(prog)-n {
			t.Fatalf("program %d: %d instructions after removing %d of %d", iter, len(after), n, len(prog))
		}
		if err := CheckEntryABI(after, false); err != nil {
			t.Fatalf("program %d: %v", iter, err)
		}
		var outs [2][][]float32
		for k, p := range [][]A.Instr{prog, after} {
			var a A.Assembler
			if binds != nil {
				l := a.NewLabel()
				for i, in := range p {
					if (k == 0 && i == binds[0]) || (k == 1 && in == prog[binds[0]]) {
						a.Bind(l)
					}
					a.Emit(in)
				}
			} else {
				a.Emit(p...)
			}
			code, err := a.Assemble()
			if err != nil {
				t.Fatal(err)
			}
			outs[k] = runRandom(t, code, inputs)
		}
		sameOutputs(t, outs[0], outs[1], func() string {
			return fmt.Sprintf("program %d, forwarding\nbefore:\n%v\nafter:\n%v", iter, prog, after)
		})
	}
	t.Logf("removed %d instructions in %d programs; %d instructions write a spare register", removed, programs, relocated)
	if relocated == 0 {
		t.Errorf("no program moved a stored value into a spare register")
	}
}

// TestForwardSpareIsFree: a register whose value a forwarded load's
// readers now read is not free until their last read, though the original
// program names it no more: a later relocation must not pick it as spare.
func TestForwardSpareIsFree(t *testing.T) {
	prog := []A.Instr{
		{Op: A.FMUL, Rd: A.S1, Rn: A.S0, Rm: A.S0},
		{Op: A.STR, Rd: A.S1, Rn: A.X3, Imm: 8},
		{Op: A.LDR, Rd: A.S2, Rn: A.X3, Imm: 8}, // forwarded: s2's readers read s1
		{Op: A.FADD, Rd: A.S3, Rn: A.S0, Rm: A.S0},
		{Op: A.STR, Rd: A.S3, Rn: A.X3, Imm: 16},
		{Op: A.FMUL, Rd: A.S3, Rn: A.S0, Rm: A.S3}, // s3 written again: its value must move
		{Op: A.FADD, Rd: A.S4, Rn: A.S2, Rm: A.S2}, // now reads s1
		{Op: A.LDR, Rd: A.S5, Rn: A.X3, Imm: 16},
		{Op: A.FADD, Rd: A.S6, Rn: A.S5, Rm: A.S4},
		{Op: A.STR, Rd: A.S6, Rn: A.X1},
		{Op: A.STR, Rd: A.S3, Rn: A.X1, Imm: 4},
	}
	// Every other vector register is named at the end, so v1 would be the
	// first candidate if its renamed reads were forgotten.
	for n := 0; n < 32; n++ {
		if n != 1 {
			prog = append(prog, A.Instr{Op: A.FMOVFromW, Rd: A.SReg(n), Rn: A.WZR})
		}
	}
	prog = append(prog, A.Instr{Op: A.RET})
	got, _ := forwarded(prog)
	for i, in := range got[1:] {
		if defs, _ := in.DefUse(); slices.Contains(defs, A.S1.Unit()) {
			t.Fatalf("instruction %d (%v) writes s1 while the forwarded value is still read from it:\n%v", i+1, in, got)
		}
	}
}

// TestForwardLoads: a weight or input element loaded twice is read from
// the first load's register; a store that may alias the bytes in between
// keeps the second load.
func TestForwardLoads(t *testing.T) {
	mk := func(between ...A.Instr) []A.Instr {
		p := []A.Instr{
			{Op: A.LDR, Rd: A.S1, Rn: A.X2, Imm: 8},
			{Op: A.FADD, Rd: A.S0, Rn: A.S1, Rm: A.S1},
		}
		p = append(p, between...)
		return append(p,
			A.Instr{Op: A.LDR, Rd: A.S2, Rn: A.X2, Imm: 8},
			A.Instr{Op: A.FMUL, Rd: A.S3, Rn: A.S2, Rm: A.S0},
			A.Instr{Op: A.STR, Rd: A.S3, Rn: A.X1},
			A.Instr{Op: A.RET})
	}
	got, n := forwarded(mk())
	if n != 1 || got[2] != (A.Instr{Op: A.FMUL, Rd: A.S3, Rn: A.S1, Rm: A.S0}) {
		t.Fatalf("second load kept (removed %d):\n%v", n, got)
	}
	for name, st := range map[string]A.Instr{
		"state store":   {Op: A.STR, Rd: A.S7, Rn: A.X2, Imm: 8},
		"pointer store": {Op: A.STR, Rd: A.S7, Rn: A.X9},
	} {
		if got, n := forwarded(mk(st)); n != 0 {
			t.Errorf("%s in between: removed %d:\n%v", name, n, got)
		}
	}
	// A store to other bytes of the state does not keep it.
	if _, n := forwarded(mk(A.Instr{Op: A.STR, Rd: A.S7, Rn: A.X2, Imm: 12})); n != 1 {
		t.Errorf("store to bytes 12..16 kept a load of 8..12")
	}
}

// A 4-byte load's readers may read lane 0 alone of a vector view (a DUP
// of element 0, an FMUL by element 0), never another lane: the stored S
// register's upper lanes are not the zeros the load would leave.
func TestForwardLaneZero(t *testing.T) {
	mk := func(reader A.Instr) []A.Instr {
		return []A.Instr{
			{Op: A.FADD, Rd: A.S16, Rn: A.S0, Rm: A.S0},
			{Op: A.STR, Rd: A.S16, Rn: A.X3},
			{Op: A.LDR, Rd: A.S1, Rn: A.X3},
			reader,
			{Op: A.STR, Rd: A.Q0, Rn: A.X1},
			{Op: A.RET},
		}
	}
	// An S load of a Q value's lane 0 reads the Q register's S view.
	q := []A.Instr{
		{Op: A.VFADD, Rd: A.V16, Rn: A.V0, Rm: A.V0},
		{Op: A.STR, Rd: A.Q16, Rn: A.X3, Imm: 32},
		{Op: A.LDR, Rd: A.S1, Rn: A.X3, Imm: 32},
		{Op: A.FMUL, Rd: A.S2, Rn: A.S1, Rm: A.S1},
		{Op: A.STR, Rd: A.S2, Rn: A.X1},
		{Op: A.RET},
	}
	if got, _ := forwarded(q); !slices.Contains(got, A.Instr{Op: A.FMUL, Rd: A.S2, Rn: A.S16, Rm: A.S16}) {
		t.Errorf("lane 0 of a Q store not forwarded:\n%v", got)
	}
	for _, c := range []struct {
		reader, want A.Instr
	}{
		{A.Instr{Op: A.DUPElem, Rd: A.V1, Rn: A.V1}, A.Instr{Op: A.DUPElem, Rd: A.V1, Rn: A.V16}},
		{A.Instr{Op: A.VFMULElem, Rd: A.V0, Rn: A.V2, Rm: A.V1}, A.Instr{Op: A.VFMULElem, Rd: A.V0, Rn: A.V2, Rm: A.V16}},
	} {
		got, _ := forwarded(mk(c.reader))
		if !slices.Contains(got, c.want) || slices.ContainsFunc(got, func(in A.Instr) bool { return in.Op == A.LDR }) {
			t.Errorf("%v: not forwarded:\n%v", c.reader, got)
		}
	}
	for _, reader := range []A.Instr{
		{Op: A.DUPElem, Rd: A.V1, Rn: A.V1, Index: 1},
		{Op: A.VFMULElem, Rd: A.V0, Rn: A.V2, Rm: A.V1, Index: 2},
		{Op: A.VFMULElem, Rd: A.V0, Rn: A.V1, Rm: A.V2}, // all four lanes of v1
	} {
		got, _ := forwarded(mk(reader))
		if !slices.ContainsFunc(got, func(in A.Instr) bool { return in.Op == A.LDR }) {
			t.Errorf("%v: forwarded a lane the load zeroes:\n%v", reader, got)
		}
	}
}

// TestForwardReloadSameRegister: a load of bytes that the same register
// (in the same view) still holds from an earlier load goes; its readers
// are unchanged.
func TestForwardReloadSameRegister(t *testing.T) {
	prog := []A.Instr{
		{Op: A.LDR, Rd: A.S1, Rn: A.X2, Imm: 48},
		{Op: A.LDR, Rd: A.Q2, Rn: A.X3, Imm: 32},
		{Op: A.VFMULElem, Rd: A.V0, Rn: A.V2, Rm: A.V1},
		{Op: A.STR, Rd: A.Q0, Rn: A.X1},
		{Op: A.LDR, Rd: A.S1, Rn: A.X2, Imm: 48},
		{Op: A.FMUL, Rd: A.S3, Rn: A.S1, Rm: A.S1},
		{Op: A.STR, Rd: A.S3, Rn: A.X1, Imm: 16},
		{Op: A.RET},
	}
	got, n := forwarded(prog)
	want := slices.Delete(slices.Clone(prog), 4, 5)
	if n != 1 || !slices.Equal(got, want) {
		t.Fatalf("removed %d, got\n%v\nwant\n%v", n, got, want)
	}
	// A 4-byte reload of a Q load's first bytes zeroes the other lanes:
	// it stays.
	prog[0] = A.Instr{Op: A.LDR, Rd: A.Q1, Rn: A.X2, Imm: 48}
	prog[4] = A.Instr{Op: A.LDR, Rd: A.S1, Rn: A.X2, Imm: 48}
	prog[5] = A.Instr{Op: A.VFMUL, Rd: A.V3, Rn: A.V1, Rm: A.V1}
	prog[6] = A.Instr{Op: A.STR, Rd: A.Q3, Rn: A.X1, Imm: 16}
	if got, n := forwarded(prog); n != 0 || !slices.Equal(got, prog) {
		t.Fatalf("removed %d, got\n%v", n, got)
	}
}
