package arm64

import "testing"

func TestRewriteKeepsLabels(t *testing.T) {
	var a Assembler
	top, mid := a.NewLabel(), a.NewLabel()
	a.Emit(Instr{Op: FMOV, Rd: S0, Rn: S1}) // 0, dropped
	a.Bind(top)
	a.Emit(Instr{Op: FMOV, Rd: S1, Rn: S2}, // 1, dropped: top moves to 2
		Instr{Op: FADD, Rd: S2, Rn: S2, Rm: S2}) // 2
	a.Bind(mid)
	a.Emit(Instr{Op: SUBSImm, Rd: X9, Rn: X9, Imm: 1}, // 3
		Instr{Op: BCond, Cond: NE, Label: top}, // 4
		Instr{Op: RET})                         // 5
	n := a.Rewrite(func(ins []Instr, bound []int) []bool {
		if bound[top-1] != 1 || bound[mid-1] != 3 {
			t.Errorf("bound %v, want [1 3]", bound)
		}
		ins[2].Rn = S3
		return []bool{true, true, false, false, false, false}
	})
	if n != 2 {
		t.Fatalf("dropped %d, want 2", n)
	}
	got := a.Instrs()
	if len(got) != 4 || got[0] != (Instr{Op: FADD, Rd: S2, Rn: S3, Rm: S2}) {
		t.Fatalf("program after Rewrite: %v", got)
	}
	if a.bound[top-1] != 0 || a.bound[mid-1] != 1 {
		t.Errorf("labels bound at %v, want [0 1]", a.bound)
	}
	if _, err := a.Assemble(); err != nil {
		t.Fatal(err)
	}
	if a.Rewrite(func([]Instr, []int) []bool { return nil }) != 0 || len(a.Instrs()) != 4 {
		t.Errorf("a nil drop list changed the program")
	}
}
