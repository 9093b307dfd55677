package codegen

import (
	"fmt"
	"math"
	"math/rand"
	"slices"
	"testing"

	A "github.com/muscles/referee/compiler/arm64"
	"github.com/muscles/referee/compiler/codegen/run"
	"github.com/muscles/referee/muscle"
)

// testBases are the buffer bases of the hand-written programs of these
// tests: a train entry's, x0..x4.
var testBases = basesOf(muscle.EntryTrain)

// conflict reports whether a and b (a first) must stay in order: they
// share a register unit one of them writes, or they touch memory that may
// overlap and one of them stores. It is written from the instructions'
// def/use lists independently of the scheduler's graph.
func conflict(a, b A.Instr) bool {
	ad, au := a.DefUse()
	bd, bu := b.DefUse()
	for _, x := range ad {
		if slices.Contains(bd, x) || slices.Contains(bu, x) {
			return true
		}
	}
	for _, x := range au {
		if slices.Contains(bd, x) {
			return true
		}
	}
	am, aok := a.Mem()
	bm, bok := b.Mem()
	return aok && bok && (am.Store || bm.Store) && mayAlias(testBases, am, bm)
}

// checkOrder fails unless got is a permutation of orig that keeps every
// conflicting pair in its original order.
func checkOrder(t *testing.T, orig, got []A.Instr) {
	t.Helper()
	if len(orig) != len(got) {
		t.Fatalf("scheduled block has %d instructions, want %d", len(got), len(orig))
	}
	pos := make([]int, len(orig)) // original index -> new position
	used := make([]bool, len(got))
	for i, in := range orig {
		pos[i] = -1
		for j, g := range got {
			if !used[j] && g == in {
				used[j], pos[i] = true, j
				break
			}
		}
		if pos[i] < 0 {
			t.Fatalf("instruction %d (%s) lost by the scheduler", i, in)
		}
	}
	for i := range orig {
		for j := i + 1; j < len(orig); j++ {
			if conflict(orig[i], orig[j]) && pos[i] > pos[j] {
				t.Fatalf("%s (at %d) moved after %s (at %d), which depends on it", orig[i], i, orig[j], j)
			}
		}
	}
}

// Register files of the random programs: caller-saved, all initialised by
// the prologue.
var (
	rndS = []A.Reg{A.S0, A.S1, A.S2, A.S3, A.S4, A.S5, A.S6, A.S7}
	rndV = []A.Reg{A.V0, A.V1, A.V2, A.V3, A.V4, A.V5, A.V6, A.V7}
	rndQ = []A.Reg{A.Q0, A.Q1, A.Q2, A.Q3, A.Q4, A.Q5, A.Q6, A.Q7}
)

const (
	rndScratch = 128 // bytes of scratch the random programs use
	rndOutRegs = 128 // output bytes 0..127: q0..q7 at the end
	rndOutScr  = rndOutRegs
	rndOutBody = rndOutScr + rndScratch // output bytes the body stores into
	rndOutSize = rndOutBody + 64
	rndInSize  = 128
)

// randomBody returns a random straight-line block over s0..s7/v0..v7,
// x5 (a pointer into scratch that the block moves), x9 and the flags, with
// loads and stores through x0, x1, x3 and x5.
func randomBody(r *rand.Rand, n int) []A.Instr {
	s := func() A.Reg { return rndS[r.Intn(len(rndS))] }
	v := func() A.Reg { return rndV[r.Intn(len(rndV))] }
	q := func() A.Reg { return rndQ[r.Intn(len(rndQ))] }
	var body []A.Instr
	for len(body) < n {
		switch r.Intn(16) {
		case 0:
			body = append(body, A.Instr{Op: A.FADD, Rd: s(), Rn: s(), Rm: s()})
		case 1:
			body = append(body, A.Instr{Op: A.FMUL, Rd: s(), Rn: s(), Rm: s()})
		case 2:
			body = append(body, A.Instr{Op: A.FMADD, Rd: s(), Rn: s(), Rm: s(), Ra: s()})
		case 3:
			body = append(body, A.Instr{Op: A.VFADD, Rd: v(), Rn: v(), Rm: v()})
		case 4:
			body = append(body, A.Instr{Op: A.VFMLA, Rd: v(), Rn: v(), Rm: v()})
		case 5:
			body = append(body, A.Instr{Op: A.VBSL, Rd: v(), Rn: v(), Rm: v()})
		case 6:
			body = append(body, A.Instr{Op: A.FCMP, Rn: s(), Rm: s()},
				A.Instr{Op: A.FCSEL, Rd: s(), Rn: s(), Rm: s(), Cond: A.Cond(1 + r.Intn(14))})
		case 7:
			body = append(body, A.Instr{Op: A.FCSEL, Rd: s(), Rn: s(), Rm: s(), Cond: A.GT})
		case 8:
			body = append(body, A.Instr{Op: A.FMOVToW, Rd: A.W9, Rn: s()},
				A.Instr{Op: A.FMOVFromW, Rd: s(), Rn: A.W9})
		case 9:
			body = append(body, A.Instr{Op: A.ADDImm, Rd: A.X5, Rn: A.X3, Imm: int64(16 * r.Intn(3))})
		case 10, 11: // scalar load
			base := []A.Reg{A.X0, A.X3, A.X5}[r.Intn(3)]
			body = append(body, A.Instr{Op: A.LDR, Rd: s(), Rn: base, Imm: int64(4 * r.Intn(16))})
		case 12, 13: // scalar store
			switch r.Intn(3) {
			case 0:
				body = append(body, A.Instr{Op: A.STR, Rd: s(), Rn: A.X3, Imm: int64(4 * r.Intn(16))})
			case 1:
				body = append(body, A.Instr{Op: A.STR, Rd: s(), Rn: A.X5, Imm: int64(4 * r.Intn(16))})
			default:
				body = append(body, A.Instr{Op: A.STR, Rd: s(), Rn: A.X1, Imm: int64(rndOutBody + 4*r.Intn(16))})
			}
		case 14: // vector load / store
			base := []A.Reg{A.X3, A.X5}[r.Intn(2)]
			op := []A.Op{A.LDR, A.STR}[r.Intn(2)]
			body = append(body, A.Instr{Op: op, Rd: q(), Rn: base, Imm: int64(16 * r.Intn(5))})
		case 15: // pairs
			a, b := s(), s()
			if a == b {
				continue
			}
			op := []A.Op{A.LDP, A.STP}[r.Intn(2)]
			body = append(body, A.Instr{Op: op, Rd: a, Rt2: b, Rn: A.X3, Imm: int64(8 * r.Intn(8))})
		}
	}
	return body[:n]
}

// wrap makes a whole entry of body: load every register from the input,
// run body, store the registers and the scratch to the output, return.
func wrap(body []A.Instr) []A.Instr {
	var p []A.Instr
	for k, q := range rndQ {
		p = append(p, A.Instr{Op: A.LDR, Rd: q, Rn: A.X0, Imm: int64(16 * k)})
	}
	p = append(p, A.Instr{Op: A.ADDImm, Rd: A.X5, Rn: A.X3})
	p = append(p, body...)
	for k, q := range rndQ {
		p = append(p, A.Instr{Op: A.STR, Rd: q, Rn: A.X1, Imm: int64(16 * k)})
	}
	for k := 0; k < rndScratch/16; k++ {
		p = append(p, A.Instr{Op: A.LDR, Rd: A.Q16, Rn: A.X3, Imm: int64(16 * k)},
			A.Instr{Op: A.STR, Rd: A.Q16, Rn: A.X1, Imm: int64(rndOutScr + 16*k)})
	}
	return append(p, A.Instr{Op: A.RET})
}

func TestScheduleKeepsDependencies(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for iter := 0; iter < 500; iter++ {
		body := randomBody(r, 1+r.Intn(60))
		got := slices.Clone(body)
		scheduleBlock(got, testBases)
		checkOrder(t, body, got)
	}
}

func TestScheduleBlocksAndLabels(t *testing.T) {
	var a A.Assembler
	top := a.NewLabel()
	a.Emit(A.Instr{Op: A.FADD, Rd: A.S5, Rn: A.S6, Rm: A.S6},
		A.Instr{Op: A.FMUL, Rd: A.S1, Rn: A.S0, Rm: A.S0},
		A.Instr{Op: A.FMUL, Rd: A.S1, Rn: A.S1, Rm: A.S1},
		A.Instr{Op: A.LDR, Rd: A.S2, Rn: A.X0})
	a.Bind(top)
	a.Emit(A.Instr{Op: A.FADD, Rd: A.S3, Rn: A.S1, Rm: A.S1},
		A.Instr{Op: A.LDR, Rd: A.S4, Rn: A.X0, Imm: 4},
		A.Instr{Op: A.SUBSImm, Rd: A.X11, Rn: A.X11, Imm: 1},
		A.Instr{Op: A.BCond, Cond: A.NE, Label: top},
		A.Instr{Op: A.LDR, Rd: A.S5, Rn: A.X0, Imm: 8},
		A.Instr{Op: A.RET})
	before := a.Instrs()
	scheduleEntry(&a, testBases)
	got := a.Instrs()
	// First block: the FMUL chain (the critical path) starts first; the
	// FADD and the load fill in before the dependent FMUL (which waits for
	// the first one's result anyway). The second block is already in the
	// model's order; nothing crosses the label at 4 or the branch at 7.
	want := []int{1, 0, 3, 2, 4, 5, 6, 7, 8, 9}
	for i, w := range want {
		if got[i] != before[w] {
			t.Errorf("instruction %d is %s, want %s", i, got[i], before[w])
		}
	}
}

func TestScheduleMemoryAliasing(t *testing.T) {
	// A load from scratch after a store to the same bytes stays after it,
	// and a store through a derived pointer (x5) may alias anything; a load
	// from the input (another buffer) may move above the scratch store.
	block := []A.Instr{
		{Op: A.FMUL, Rd: A.S1, Rn: A.S0, Rm: A.S0},
		{Op: A.STR, Rd: A.S1, Rn: A.X3, Imm: 8},
		{Op: A.LDR, Rd: A.Q2, Rn: A.X3},
		{Op: A.LDR, Rd: A.S3, Rn: A.X3, Imm: 12},
		{Op: A.LDR, Rd: A.S4, Rn: A.X0, Imm: 12},
		{Op: A.STR, Rd: A.S1, Rn: A.X5},
	}
	got := slices.Clone(block)
	scheduleBlock(got, testBases)
	checkOrder(t, block, got)
	idx := func(in A.Instr) int { return slices.Index(got, in) }
	if idx(block[4]) > idx(block[1]) {
		t.Errorf("the input load was not hoisted above the scratch store:\n%v", got)
	}
	// A block that writes a base register gets no distinct-buffer reasoning.
	moved := []A.Instr{
		{Op: A.FMUL, Rd: A.S1, Rn: A.S0, Rm: A.S0},
		{Op: A.STR, Rd: A.S1, Rn: A.X3},
		{Op: A.ADDImm, Rd: A.X0, Rn: A.X3},
		{Op: A.LDR, Rd: A.S4, Rn: A.X1},
	}
	linked := false
	for _, e := range blockDeps(moved, testBases)[1].succs {
		linked = linked || e.to == 3
	}
	if !linked {
		t.Errorf("a block writing x0 must keep loads after earlier stores")
	}
	if !conflict(block[4], block[5]) || !conflict(block[1], block[2]) || conflict(block[1], block[3]) {
		t.Errorf("aliasing rules: x5 must alias any buffer, [x3,#8..12) overlaps [x3,#0..16) but not [x3,#12..16)")
	}
}

// TestScheduleExecution runs random programs before and after scheduling
// under the harness and compares every output bit.
func TestScheduleExecution(t *testing.T) {
	needRunner(t)
	r := rand.New(rand.NewSource(2))
	inputs := randomInputs(r, 3)
	assemble := func(p []A.Instr) []byte {
		var a A.Assembler
		a.Emit(p...)
		b, err := a.Assemble()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for iter := 0; iter < 12; iter++ {
		body := randomBody(r, 30+r.Intn(50))
		prog := wrap(body)
		var a A.Assembler
		a.Emit(prog...)
		scheduleEntry(&a, testBases)
		sched := a.Instrs()
		if slices.Equal(sched, prog) {
			t.Logf("program %d: the scheduler kept the order", iter)
		}
		sameOutputs(t, runRandom(t, assemble(prog), inputs), runRandom(t, assemble(sched), inputs),
			func() string { return fmt.Sprintf("program %d, scheduling", iter) })
	}
}

// randomInputs are three random inputs of the random programs, the third
// with a NaN at element nan.
func randomInputs(r *rand.Rand, nan int) [][]float32 {
	inputs := make([][]float32, 3)
	for k := range inputs {
		inputs[k] = make([]float32, rndInSize/4)
		for i := range inputs[k] {
			inputs[k][i] = float32(r.NormFloat64())
		}
	}
	inputs[2][nan] = float32(math.NaN())
	return inputs
}

// runRandom runs the code of a random program on every input.
func runRandom(t *testing.T, code []byte, inputs [][]float32) [][]float32 {
	t.Helper()
	res, err := run.Forward(run.Program{Code: code, InputSize: rndInSize, OutputSize: rndOutSize,
		ScratchSize: rndScratch}, inputs)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// sameOutputs fails unless before and after agree in every bit; what
// names the programs compared.
func sameOutputs(t *testing.T, before, after [][]float32, what func() string) {
	t.Helper()
	for k := range before {
		for i := range before[k] {
			if x, y := math.Float32bits(before[k][i]), math.Float32bits(after[k][i]); x != y {
				t.Fatalf("%s: input %d, output word %d: %#x before, %#x after", what(), k, i, x, y)
			}
		}
	}
}
