package verify

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/arch/arm64/arm64asm"

	A "github.com/muscles/referee/compiler/arm64"
	"github.com/muscles/referee/compiler/autodiff"
	"github.com/muscles/referee/compiler/codegen"
	"github.com/muscles/referee/compiler/frontend"
	"github.com/muscles/referee/compiler/ir"
	"github.com/muscles/referee/muscle"
)

// modelFiles are every example model of the repository.
func modelFiles(t testing.TB) []string {
	t.Helper()
	var files []string
	for _, g := range []string{
		"../../compiler/frontend/testdata/models/*.py",
		"../../compiler/autodiff/testdata/models/*.py",
	} {
		m, err := filepath.Glob(g)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	files = append(files, "../../compiler/codegen/testdata/mlp784.py")
	if len(files) < 13 {
		t.Fatalf("found only %d model files: %v", len(files), files)
	}
	return files
}

// compileMuscle runs the stages of compiler/pipeline up to assemble (the
// pipeline's abi-check is this package, which it cannot import from here).
func compileMuscle(t testing.TB, path string) (*ir.Model, *codegen.Muscle) {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := frontend.Compile(path, src)
	if err != nil {
		t.Fatalf("compiling %s: %v", path, err)
	}
	tg, err := autodiff.Train(m)
	if err != nil {
		t.Fatalf("compiling %s: %v", path, err)
	}
	if err := ir.RunPasses(m.Graph, ir.Passes, ""); err != nil {
		t.Fatalf("compiling %s: %v", path, err)
	}
	mu, err := codegen.CompileMuscle(m, tg)
	if err != nil {
		t.Fatalf("compiling %s: %v", path, err)
	}
	return m, mu
}

func shapeOf(s ir.Shape) muscle.Shape {
	out := make(muscle.Shape, len(s))
	for i, d := range s {
		out[i] = uint32(d)
	}
	return out
}

// manifestOf builds the manifest tools/musclec seals (build.go).
func manifestOf(m *ir.Model, mu *codegen.Muscle, train bool) *muscle.Manifest {
	man := &muscle.Manifest{
		ABI:          muscle.ABIVersion,
		ForwardEntry: uint32(mu.ForwardEntry),
		TrainEntry:   muscle.NoEntry,
		CodeSize:     uint32(len(mu.Code)),
		StateSize:    uint32(mu.StateSize),
		ScratchSize:  uint32(mu.ScratchSize),
		Input:        shapeOf(m.InputShape),
		Output:       shapeOf(m.OutputShape),
		State:        muscle.Shape{uint32(mu.StateSize / 4)},
	}
	if train {
		man.TrainEntry = uint32(mu.TrainEntry)
		man.Target = shapeOf(m.OutputShape)
	}
	return man
}

func TestModels(t *testing.T) {
	for _, path := range modelFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			m, mu := compileMuscle(t, path)
			// The verifier's instruction counts are the compiler's, which
			// it computes from its own instruction list (codegen's
			// emitter), not from the code bytes.
			want := Report{Forward: uint64(mu.ForwardExecuted), Train: uint64(mu.TrainExecuted)}
			for _, train := range []bool{true, false} {
				man := manifestOf(m, mu, train)
				r, err := VerifyManifest(mu.Code, man)
				if err != nil {
					t.Fatalf("train=%v: %v", train, err)
				}
				w := want
				if !train {
					w.Train = 0
				}
				if r != w {
					t.Errorf("train=%v: verifier counts %+v, compiler %+v", train, r, w)
				}
			}
			// The same with the compiler's own sizes.
			bufs := Buffers{Input: uint64(mu.InputSize), Output: uint64(mu.OutputSize), State: uint64(mu.StateSize),
				Scratch: uint64(mu.ScratchSize), Target: uint64(mu.TargetSize)}
			entries := []Entry{{uint32(mu.ForwardEntry), Forward}, {uint32(mu.TrainEntry), Train}}
			if r, err := Verify(mu.Code, entries, bufs); err != nil || r != want {
				t.Fatalf("%+v, %v; want %+v", r, err, want)
			}
			// One byte less of any buffer the code uses must be refused
			// (the code reads or writes the last element of each).
			for _, b := range []*uint64{&bufs.Input, &bufs.Output, &bufs.Target} {
				if *b == 0 {
					continue
				}
				*b--
				if _, err := Verify(mu.Code, entries, bufs); !errors.Is(err, ErrMemory) {
					t.Errorf("a buffer one byte short: got %v, want ErrMemory", err)
				}
				*b++
			}
			// The train code as the forward entry: it stores into the
			// state, which the forward entry may not.
			if _, err := Verify(mu.Code, []Entry{{uint32(mu.ForwardEntry), Unreachable}, {uint32(mu.TrainEntry), Forward}}, bufs); !errors.Is(err, ErrReadOnly) && !errors.Is(err, ErrMemory) {
				t.Errorf("train code as a forward entry: got %v, want ErrReadOnly/ErrMemory", err)
			}
			t.Logf("%d bytes of code verified; forward %d, train %d instructions per call", len(mu.Code), want.Forward, want.Train)
		})
	}
}

// Hostile samples.

var bufs64 = Buffers{Input: 64, Output: 64, State: 64, Scratch: 64, Target: 64}

type prog func(a *A.Assembler)

func asm(t *testing.T, p prog) []byte {
	t.Helper()
	var a A.Assembler
	p(&a)
	b, err := a.Assemble()
	if err != nil {
		t.Fatalf("assemble: %v", err)
	}
	return b
}

func words(ws ...uint32) []byte {
	b := make([]byte, 4*len(ws))
	for i, w := range ws {
		binary.LittleEndian.PutUint32(b[4*i:], w)
	}
	return b
}

func enc(t *testing.T, in A.Instr) uint32 {
	t.Helper()
	w, err := A.Encode(in)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return w
}

var ret = A.Instr{Op: A.RET}

// countedLoop emits "x11 = n; do { body } while (--x11 != 0)".
func countedLoop(a *A.Assembler, n uint64, body ...A.Instr) {
	a.Emit(A.MovConst(A.X11, n)...)
	top := a.NewLabel()
	a.Bind(top)
	a.Emit(body...)
	a.Emit(A.Instr{Op: A.SUBSImm, Rd: A.X11, Rn: A.X11, Imm: 1}, A.Instr{Op: A.BCond, Cond: A.NE, Label: top})
}

// copyLoop copies n words from input to output with post-index walks.
func copyLoop(n uint64) prog {
	return func(a *A.Assembler) {
		a.Emit(A.Instr{Op: A.ADDImm, Rd: A.X5, Rn: A.X0}, A.Instr{Op: A.ADDImm, Rd: A.X8, Rn: A.X1})
		countedLoop(a, n,
			A.Instr{Op: A.LDRPost, Rd: A.S1, Rn: A.X5, Imm: 4},
			A.Instr{Op: A.STRPost, Rd: A.S1, Rn: A.X8, Imm: 4})
		a.Emit(ret)
	}
}

func TestAccepted(t *testing.T) {
	fwd := []Entry{{0, Forward}}
	cases := []struct {
		name    string
		code    []byte
		entries []Entry
	}{
		{"ret only", words(muscle.InstrRet), fwd},
		{"copy loop, exact trips", asm(t, copyLoop(16)), fwd},
		{"last element", asm(t, func(a *A.Assembler) {
			a.Emit(A.Instr{Op: A.LDR, Rd: A.Q0, Rn: A.X0, Imm: 48},
				A.Instr{Op: A.LDP, Rd: A.S1, Rt2: A.S2, Rn: A.X3, Imm: 56},
				A.Instr{Op: A.STR, Rd: A.S0, Rn: A.X1, Imm: 60}, ret)
		}), fwd},
		{"train stores state, reads target", asm(t, func(a *A.Assembler) {
			a.Emit(A.Instr{Op: A.LDR, Rd: A.S0, Rn: A.X4, Imm: 60},
				A.Instr{Op: A.STR, Rd: A.S0, Rn: A.X2, Imm: 60}, ret)
		}), []Entry{{0, Train}}},
		{"matmul-style loop with stride and LD1R", asm(t, func(a *A.Assembler) {
			// x5 walks 4 bytes, x6 walks 16 bytes, 4 trips, as matmulLoop.
			a.Emit(A.Instr{Op: A.ADDImm, Rd: A.X5, Rn: A.X0}, A.Instr{Op: A.ADDImm, Rd: A.X6, Rn: A.X2})
			countedLoop(a, 4,
				A.Instr{Op: A.LD1R, Rd: A.V19, Rn: A.X5},
				A.Instr{Op: A.ADDImm, Rd: A.X5, Rn: A.X5, Imm: 4},
				A.Instr{Op: A.LDR, Rd: A.Q8, Rn: A.X6},
				A.Instr{Op: A.VFMLA, Rd: A.V0, Rn: A.V8, Rm: A.V19},
				A.Instr{Op: A.ADDImm, Rd: A.X6, Rn: A.X6, Imm: 16})
			a.Emit(A.Instr{Op: A.STR, Rd: A.Q0, Rn: A.X1}, ret)
		}), fwd},
		{"four-register LD1 of a whole buffer, two bases in a loop", asm(t, func(a *A.Assembler) {
			// Each 64-byte buffer is one LD1: the input once, the state
			// (x6) and the scratch (x7) on each of 2 trips.
			a.Emit(A.Instr{Op: A.ADDImm, Rd: A.X6, Rn: A.X0}, A.Instr{Op: A.LD1x4, Rd: A.V0, Rn: A.X6})
			a.Emit(A.Instr{Op: A.ADDImm, Rd: A.X6, Rn: A.X2}, A.Instr{Op: A.ADDImm, Rd: A.X7, Rn: A.X3})
			countedLoop(a, 2,
				A.Instr{Op: A.LD1x4, Rd: A.V8, Rn: A.X6},
				A.Instr{Op: A.LD1x4, Rd: A.V12, Rn: A.X7},
				A.Instr{Op: A.ADDImm, Rd: A.X6, Rn: A.X6, Imm: 0},
				A.Instr{Op: A.ADDImm, Rd: A.X7, Rn: A.X7, Imm: 0})
			a.Emit(A.Instr{Op: A.STR, Rd: A.Q0, Rn: A.X1}, ret)
		}), fwd},
		{"nested loops", asm(t, func(a *A.Assembler) {
			// for i in 4: for j in 4: out[4i+j] = in[4i+j], the outer
			// counter x12, the inner x11, x5/x8 walk across both.
			a.Emit(A.Instr{Op: A.ADDImm, Rd: A.X5, Rn: A.X0}, A.Instr{Op: A.ADDImm, Rd: A.X8, Rn: A.X1})
			a.Emit(A.MovConst(A.X12, 4)...)
			outer := a.NewLabel()
			a.Bind(outer)
			countedLoop(a, 4,
				A.Instr{Op: A.LDRPost, Rd: A.S1, Rn: A.X5, Imm: 4},
				A.Instr{Op: A.STRPost, Rd: A.S1, Rn: A.X8, Imm: 4})
			a.Emit(A.Instr{Op: A.SUBSImm, Rd: A.X12, Rn: A.X12, Imm: 1}, A.Instr{Op: A.BCond, Cond: A.NE, Label: outer})
			// After both loops x5 is exactly input+64: its last word is at -4.
			a.Emit(A.Instr{Op: A.SUBImm, Rd: A.X5, Rn: A.X5, Imm: 4},
				A.Instr{Op: A.LDR, Rd: A.S0, Rn: A.X5}, ret)
		}), fwd},
		{"two entries", append(asm(t, copyLoop(16)), asm(t, copyLoop(16))...), []Entry{{0, Forward}, {uint32(len(asm(t, copyLoop(16)))), Train}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Verify(c.code, c.entries, bufs64); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestRejected(t *testing.T) {
	fwd := []Entry{{0, Forward}}
	train := []Entry{{0, Train}}
	two := func(f, tr []byte) ([]byte, []Entry) {
		return append(append([]byte{}, f...), tr...), []Entry{{0, Forward}, {uint32(len(f)), Train}}
	}
	retW := muscle.InstrRet
	type tc struct {
		name    string
		code    []byte
		entries []Entry
		want    error
		detail  string // substring of the message
	}
	cases := []tc{
		{"read past input", asm(t, func(a *A.Assembler) {
			a.Emit(A.Instr{Op: A.LDR, Rd: A.Q0, Rn: A.X0, Imm: 64}, ret)
		}), fwd, ErrMemory, "outside the 64-byte input buffer"},
		{"read straddles the end", asm(t, func(a *A.Assembler) {
			a.Emit(A.Instr{Op: A.LDP, Rd: A.S0, Rt2: A.S1, Rn: A.X0, Imm: 60}, ret)
		}), fwd, ErrMemory, "outside"},
		{"four-register LD1 straddles the end", asm(t, func(a *A.Assembler) {
			// 64 bytes from input+16: an LD1R (4 bytes) there is fine.
			a.Emit(A.Instr{Op: A.ADDImm, Rd: A.X6, Rn: A.X0, Imm: 16},
				A.Instr{Op: A.LD1R, Rd: A.V0, Rn: A.X6},
				A.Instr{Op: A.LD1x4, Rd: A.V0, Rn: A.X6}, ret)
		}), fwd, ErrMemory, "outside the 64-byte input buffer"},
		{"four-register LD1 one loop trip too many", asm(t, func(a *A.Assembler) {
			a.Emit(A.Instr{Op: A.ADDImm, Rd: A.X6, Rn: A.X2})
			countedLoop(a, 2,
				A.Instr{Op: A.LD1x4, Rd: A.V8, Rn: A.X6},
				A.Instr{Op: A.ADDImm, Rd: A.X6, Rn: A.X6, Imm: 16})
			a.Emit(ret)
		}), fwd, ErrMemory, "outside the 64-byte"},
		{"negative offset", asm(t, func(a *A.Assembler) {
			a.Emit(A.Instr{Op: A.SUBImm, Rd: A.X5, Rn: A.X3, Imm: 4}, A.Instr{Op: A.LDR, Rd: A.S0, Rn: A.X5}, ret)
		}), fwd, ErrMemory, "offset [-4, 0)"},
		{"loop one trip too many", asm(t, copyLoop(17)), fwd, ErrMemory, "outside the 64-byte"},
		{"store into input", asm(t, func(a *A.Assembler) {
			a.Emit(A.Instr{Op: A.STR, Rd: A.S0, Rn: A.X0}, ret)
		}), fwd, ErrReadOnly, "input buffer"},
		{"train stores into target", asm(t, func(a *A.Assembler) {
			a.Emit(A.Instr{Op: A.STP, Rd: A.S0, Rt2: A.S1, Rn: A.X4}, ret)
		}), train, ErrReadOnly, "target buffer"},
		{"forward stores into state", asm(t, func(a *A.Assembler) {
			a.Emit(A.Instr{Op: A.STR, Rd: A.Q0, Rn: A.X2, Imm: 16}, ret)
		}), fwd, ErrReadOnly, "forward entry stores into the state"},
		{"forward uses x4", asm(t, func(a *A.Assembler) {
			a.Emit(A.Instr{Op: A.LDR, Rd: A.S0, Rn: A.X4}, ret)
		}), fwd, ErrMemory, "base x4 is unknown"},
		{"x5 uninitialised base", asm(t, func(a *A.Assembler) {
			a.Emit(A.Instr{Op: A.LDR, Rd: A.S0, Rn: A.X5}, ret)
		}), fwd, ErrMemory, "base x5 is unknown"},
		{"base loaded from memory", asm(t, func(a *A.Assembler) {
			a.Emit(A.Instr{Op: A.LDR, Rd: A.X5, Rn: A.X0}, A.Instr{Op: A.STR, Rd: A.S0, Rn: A.X5}, ret)
		}), fwd, ErrMemory, "base x5 is unknown"},
		{"absolute address", asm(t, func(a *A.Assembler) {
			a.Emit(A.MovConst(A.X5, 0x40000000)...)
			a.Emit(A.Instr{Op: A.LDR, Rd: A.S0, Rn: A.X5}, ret)
		}), fwd, ErrMemory, "base x5 is 0x40000000"},
		{"SP base", asm(t, func(a *A.Assembler) {
			a.Emit(A.Instr{Op: A.LDR, Rd: A.S0, Rn: A.SP}, ret)
		}), fwd, ErrRegister, "SP as a base"},
		{"write SP", asm(t, func(a *A.Assembler) {
			a.Emit(A.Instr{Op: A.ADDImm, Rd: A.SP, Rn: A.X0}, ret)
		}), fwd, ErrRegister, "writes SP"},
		{"write x29", asm(t, func(a *A.Assembler) {
			a.Emit(A.Instr{Op: A.MOVZ, Rd: A.X29, Imm: 1}, ret)
		}), fwd, ErrRegister, "writes x29"},
		{"write x30", asm(t, func(a *A.Assembler) {
			a.Emit(A.Instr{Op: A.ADDImm, Rd: A.X30, Rn: A.X0}, ret)
		}), fwd, ErrRegister, "writes x30"},
		{"write x18 by fcvtzs", asm(t, func(a *A.Assembler) {
			a.Emit(A.Instr{Op: A.FCVTZS, Rd: A.WReg(18), Rn: A.S0}, ret)
		}), fwd, ErrRegister, "writes x18"},
		{"mrs", words(0xd5380000, retW), fwd, ErrForm, "mrs"},             // mrs x0, midr_el1
		{"msr", words(0xd5181000, retW), fwd, ErrForm, "msr"},             // msr sctlr_el1, x0
		{"svc", words(0xd4000001, retW), fwd, ErrForm, "svc"},             // svc #0
		{"hvc", words(0xd4000002, retW), fwd, ErrForm, "hvc"},             // hvc #0
		{"smc", words(0xd4000003, retW), fwd, ErrForm, "smc"},             // smc #0
		{"hlt semihosting", words(0xd45e0000, retW), fwd, ErrForm, "hlt"}, // hlt #0xf000
		{"brk", words(0xd4200000, retW), fwd, ErrForm, "brk"},             // brk #0
		{"dc civac", words(0xd50b7e20, retW), fwd, ErrForm, "offset 0x0"}, // dc civac, x0
		{"ic iallu", words(0xd508751f, retW), fwd, ErrForm, "offset 0x0"}, // ic iallu
		{"br", words(0xd61f0000, retW), fwd, ErrForm, "br"},               // br x0
		{"blr", words(0xd63f0000, retW), fwd, ErrForm, "blr"},             // blr x0
		{"bl", words(0x94000002, retW, retW), fwd, ErrForm, "bl"},         // bl .+8
		{"ret x1", words(0xd65f0020), fwd, ErrForm, "ret"},
		{"fmla d by element", words(0x5fc01000, retW), fwd, ErrForm, "offset 0x0"}, // fmla d0, d0, v0.d[0]: the accepted scalar form is single precision
		{"forward branch out of the code", asm(t, func(a *A.Assembler) {
			a.Emit(A.Instr{Op: A.BCond, Cond: A.NE, Imm: 4096}, ret)
		}), fwd, ErrBranch, "outside the code"},
		{"backward branch out of the code", words(enc(t, A.Instr{Op: A.SUBSImm, Rd: A.X11, Rn: A.X11, Imm: 1}),
			enc(t, A.Instr{Op: A.BCond, Cond: A.NE, Imm: -64}), retW), fwd, ErrBranch, "outside the code"},
		{"unconditional branch", asm(t, func(a *A.Assembler) {
			l := a.NewLabel()
			a.Emit(A.Instr{Op: A.B, Label: l})
			a.Bind(l)
			a.Emit(ret)
		}), fwd, ErrBranch, "unconditional"},
		{"forward b.ne inside the entry", asm(t, func(a *A.Assembler) {
			l := a.NewLabel()
			a.Emit(A.Instr{Op: A.BCond, Cond: A.NE, Label: l})
			a.Bind(l)
			a.Emit(ret)
		}), fwd, ErrBranch, "forward branch"},
		{"cbz", asm(t, func(a *A.Assembler) {
			l := a.NewLabel()
			a.Bind(l)
			a.Emit(A.Instr{Op: A.CBZ, Rd: A.X5, Label: l}, ret)
		}), fwd, ErrBranch, "compare-and-branch"},
		{"b.eq back-edge", asm(t, func(a *A.Assembler) {
			a.Emit(A.MovConst(A.X11, 4)...)
			l := a.NewLabel()
			a.Bind(l)
			a.Emit(A.Instr{Op: A.SUBSImm, Rd: A.X11, Rn: A.X11, Imm: 1}, A.Instr{Op: A.BCond, Cond: A.EQ, Label: l}, ret)
		}), fwd, ErrBranch, "b.eq: only b.ne"},
		{"back-edge without subs", asm(t, func(a *A.Assembler) {
			l := a.NewLabel()
			a.Bind(l)
			a.Emit(A.Instr{Op: A.CMPImm, Rn: A.X11, Imm: 1}, A.Instr{Op: A.BCond, Cond: A.NE, Label: l}, ret)
		}), fwd, ErrLoop, "not a counted loop"},
		{"data-dependent counter", asm(t, func(a *A.Assembler) {
			a.Emit(A.Instr{Op: A.LDR, Rd: A.X11, Rn: A.X0})
			l := a.NewLabel()
			a.Bind(l)
			a.Emit(A.Instr{Op: A.SUBSImm, Rd: A.X11, Rn: A.X11, Imm: 1}, A.Instr{Op: A.BCond, Cond: A.NE, Label: l}, ret)
		}), fwd, ErrLoop, "counter x11 is unknown"},
		{"counter zero", asm(t, func(a *A.Assembler) { countedLoop(a, 0); a.Emit(ret) }), fwd, ErrLoop, "2^64"},
		{"body writes its counter", asm(t, func(a *A.Assembler) {
			countedLoop(a, 4, A.Instr{Op: A.ADDImm, Rd: A.X11, Rn: A.X11, Imm: 1})
			a.Emit(ret)
		}), fwd, ErrLoop, "writes its counter"},
		{"missing ret", asm(t, func(a *A.Assembler) {
			a.Emit(A.Instr{Op: A.LDR, Rd: A.S0, Rn: A.X0})
		}), fwd, ErrRet, "does not end in ret"},
		{"two rets", asm(t, func(a *A.Assembler) {
			a.Emit(ret, A.Instr{Op: A.LDR, Rd: A.S0, Rn: A.X0}, ret)
		}), fwd, ErrRet, "ret before the end"},
		{"truncated code", words(retW)[:3], fwd, ErrLength, "not a whole number"},
		{"truncated code 6", words(0x1e204000, retW)[:6], fwd, ErrLength, "not a whole number"},
		{"empty code", nil, fwd, ErrLength, "empty"},
		{"undefined word", words(0x00000000, retW), fwd, ErrForm, "offset 0x0"},
		{"undefined word 2", words(0xffffffff, retW), fwd, ErrForm, "undefined"},
		{"no entry at 0", words(retW, retW), []Entry{{4, Forward}}, ErrEntry, "no entry at offset 0"},
		{"misaligned entry", words(retW, retW), []Entry{{0, Forward}, {2, Train}}, ErrEntry, "4-aligned"},
		{"entry past the end", words(retW), []Entry{{0, Forward}, {4, Train}}, ErrEntry, "inside the"},
		{"duplicate entry", words(retW), []Entry{{0, Forward}, {0, Train}}, ErrEntry, "two entries"},
		{"two forward entries", words(retW, retW), []Entry{{0, Forward}, {4, Forward}}, ErrEntry, "two forward entries"},
	}
	// A branch into the other entry: the train entry's back-edge targets
	// the forward entry's code.
	{
		f := asm(t, func(a *A.Assembler) { a.Emit(A.Instr{Op: A.FMOV, Rd: A.S0, Rn: A.S1}, ret) })
		tr := words(enc(t, A.Instr{Op: A.MOVZ, Rd: A.X11, Imm: 2}),
			enc(t, A.Instr{Op: A.SUBSImm, Rd: A.X11, Rn: A.X11, Imm: 1}),
			enc(t, A.Instr{Op: A.BCond, Cond: A.NE, Imm: -12}), retW)
		code, entries := two(f, tr)
		cases = append(cases, tc{"branch into the other entry", code, entries, ErrBranch, "another entry's region"})
	}
	// The other entry's ret is not this one's: forward without ret runs
	// into the train entry.
	{
		f := words(0x1e204000) // fmov s0, s0
		code, entries := two(f, words(retW))
		cases = append(cases, tc{"forward falls into train", code, entries, ErrRet, "does not end in ret"})
	}
	// Reading through the walked pointer after the loop (x5 = input+64).
	{
		code := asm(t, func(a *A.Assembler) {
			a.Emit(A.Instr{Op: A.ADDImm, Rd: A.X5, Rn: A.X0}, A.Instr{Op: A.ADDImm, Rd: A.X8, Rn: A.X1})
			countedLoop(a, 16, A.Instr{Op: A.LDRPost, Rd: A.S1, Rn: A.X5, Imm: 4})
			a.Emit(A.Instr{Op: A.LDR, Rd: A.S0, Rn: A.X5}, ret)
		})
		cases = append(cases, tc{"pointer read after its loop", code, fwd, ErrMemory, "input+64"})
	}
	// A nested loop with one outer trip too many.
	{
		code := asm(t, func(a *A.Assembler) {
			a.Emit(A.Instr{Op: A.ADDImm, Rd: A.X5, Rn: A.X0})
			a.Emit(A.MovConst(A.X12, 5)...)
			outer := a.NewLabel()
			a.Bind(outer)
			countedLoop(a, 4, A.Instr{Op: A.LDRPost, Rd: A.S1, Rn: A.X5, Imm: 4})
			a.Emit(A.Instr{Op: A.SUBSImm, Rd: A.X12, Rn: A.X12, Imm: 1}, A.Instr{Op: A.BCond, Cond: A.NE, Label: outer}, ret)
		})
		cases = append(cases, tc{"nested loop one outer trip too many", code, fwd, ErrMemory, "outside the 64-byte input"})
	}
	// Overlapping (non-nested) loops.
	{
		subs := enc(t, A.Instr{Op: A.SUBSImm, Rd: A.X11, Rn: A.X11, Imm: 1})
		subs12 := enc(t, A.Instr{Op: A.SUBSImm, Rd: A.X12, Rn: A.X12, Imm: 1})
		bne := func(off int64) uint32 { return enc(t, A.Instr{Op: A.BCond, Cond: A.NE, Imm: off}) }
		code := words(
			enc(t, A.Instr{Op: A.MOVZ, Rd: A.X11, Imm: 2}), // 0
			enc(t, A.Instr{Op: A.MOVZ, Rd: A.X12, Imm: 2}), // 4
			0x1e204000,     // 8  loop A head
			0x1e204000,     // 12 loop B head
			subs, bne(-12), // 16, 20: A = 8..20
			subs12, bne(-16), // 24, 28: B = 12..28
			retW)
		cases = append(cases, tc{"overlapping loops", code, fwd, ErrBranch, "overlaps"})
	}

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Verify(c.code, c.entries, bufs64)
			if err == nil {
				t.Fatalf("accepted, want %v", c.want)
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			var ve *Error
			if !errors.As(err, &ve) {
				t.Fatalf("%v is not an *Error", err)
			}
			if !strings.Contains(strings.ToLower(ve.Explain()), strings.ToLower(c.detail)) {
				t.Fatalf("got %q, want it to mention %q", ve.Explain(), c.detail)
			}
			// Finding 9: what the referee prints names the rule and the
			// offset, nothing of the code.
			msg := err.Error()
			if ve.Offset >= 0 && !strings.Contains(msg, fmt.Sprintf("offset %#x: ", ve.Offset)) {
				t.Errorf("%q does not name offset %#x", msg, ve.Offset)
			}
			leaks := []string{fmt.Sprintf("%08x", ve.Word)}
			if ve.Word >= 0x10000 {
				leaks = append(leaks, fmt.Sprintf("%#x", ve.Word))
			}
			if !strings.Contains(ruleText[c.want], ve.Detail) && ve.Detail != ruleClause[ve.rule] {
				leaks = append(leaks, ve.Detail)
			}
			if ve.Offset >= 0 {
				leaks = append(leaks, text(ve.Word))
			}
			for _, leak := range leaks {
				if leak != "" && strings.Contains(msg, leak) {
					t.Errorf("%q shows %q, taken from the code", msg, leak)
				}
			}
			if !strings.Contains(msg, ruleText[c.want]) {
				t.Errorf("%q does not state the rule %q", msg, ruleText[c.want])
			}
			if ve.rule == rNone || !strings.Contains(msg, "("+ruleClause[ve.rule]+")") {
				t.Errorf("%q does not name the rule broken (%d)", msg, ve.rule)
			}
			t.Log(msg)
		})
	}
}

// TestEncoderForms checks that the verifier's form table accepts every
// form the compiler's encoder produces, over random operands: for each Op
// it finds the operand fields the form uses (the combinations Encode
// accepts), then encodes random instances.
func TestEncoderForms(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	total := 0
	for _, op := range A.Ops() {
		// Discover a template: a field mask and register classes that
		// encode.
		var tmpl A.Instr
		var tmask int
		found := false
		for try := 0; try < 400000 && !found; try++ {
			mask := r.IntN(1 << 10)
			in := randomInstr(r, op, mask)
			if _, err := A.Encode(in); err == nil {
				tmpl, tmask, found = in, mask, true
			}
		}
		if !found {
			t.Errorf("op %v: no random instance encoded", A.Instr{Op: op})
			continue
		}
		// Vary the template's operands: register numbers within their
		// class, immediates, shifts, indices, conditions.
		n := 0
		for range 3000 {
			in := randomInstr(r, op, tmask)
			for _, p := range []struct {
				dst *A.Reg
				src A.Reg
			}{{&in.Rd, tmpl.Rd}, {&in.Rn, tmpl.Rn}, {&in.Rm, tmpl.Rm}, {&in.Ra, tmpl.Ra}, {&in.Rt2, tmpl.Rt2}} {
				if p.src != 0 {
					*p.dst = sameClass(r, p.src)
				}
			}
			w, err := A.Encode(in)
			if err != nil {
				continue
			}
			n++
			if _, ok := decodeWord(w); !ok {
				t.Fatalf("%v encodes to %#08x, which the verifier does not accept", in, w)
			}
		}
		total += n
	}
	t.Logf("%d random instructions encoded and accepted", total)
}

// sameClass returns a random register of r's class (X and XZR, W and WZR,
// X and SP are interchangeable where the form allows them: Encode decides).
func sameClass(rng *rand.Rand, r A.Reg) A.Reg {
	n := rng.IntN(32)
	switch {
	case r == A.XZR || r == A.SP || r == A.XReg(int(r.Num())):
		if n == 31 {
			return r // keep XZR/SP as found, or x30 for X
		}
		return A.XReg(n)
	case r == A.WZR || r == A.WReg(int(r.Num())):
		if n == 31 {
			return r
		}
		return A.WReg(n)
	case r == A.SReg(int(r.Num())):
		return A.SReg(n)
	case r == A.QReg(int(r.Num())):
		return A.QReg(n)
	}
	return A.VReg(n)
}

// randomInstr returns an instruction of op whose fields in mask (bit 0 Rd,
// 1 Rn, 2 Rm, 3 Ra, 4 Rt2, 5 Imm, 6 Shift, 7 Index, 8 Cond, 9 FImm) are
// random and non-zero and whose other fields are zero.
func randomInstr(r *rand.Rand, op A.Op, mask int) A.Instr {
	classes := []func(n int) A.Reg{
		func(n int) A.Reg {
			if n == 31 {
				return A.XZR
			}
			return A.XReg(n)
		},
		func(n int) A.Reg {
			if n == 31 {
				return A.WZR
			}
			return A.WReg(n)
		},
		A.SReg, A.QReg, A.VReg,
		func(n int) A.Reg {
			if n == 31 {
				return A.SP
			}
			return A.XReg(n)
		},
	}
	main := classes[r.IntN(len(classes))]
	reg := func() A.Reg {
		if r.IntN(4) == 0 {
			return classes[r.IntN(len(classes))](r.IntN(32))
		}
		return main(r.IntN(32))
	}
	in := A.Instr{Op: op}
	on := func(bit int) bool { return mask&(1<<bit) != 0 }
	if on(0) {
		in.Rd = reg()
	}
	if on(1) {
		in.Rn = reg()
	}
	if on(2) {
		in.Rm = reg()
	}
	if on(3) {
		in.Ra = reg()
	}
	if on(4) {
		in.Rt2 = reg()
	}
	if on(5) {
		switch r.IntN(5) {
		case 0:
			in.Imm = int64(1 + r.IntN(4095))
		case 1:
			in.Imm = int64(r.IntN(512)) - 256
		case 2:
			in.Imm = 4 * (int64(r.IntN(128)) - 64)
		case 3:
			in.Imm = 16 * (int64(r.IntN(128)) - 64)
		default:
			in.Imm = int64(1+r.IntN(4095)) * []int64{4, 8, 16}[r.IntN(3)]
		}
	}
	if on(6) {
		in.Shift = []uint8{12, 16, 32, 48, uint8(1 + r.IntN(63))}[r.IntN(5)]
	}
	if on(7) {
		in.Index = uint8(1 + r.IntN(3))
	}
	if on(8) {
		in.Cond = A.Cond(1 + r.IntN(15))
	}
	if on(9) {
		in.FImm = []float32{1, 0.5, -2, 31, 0.125}[r.IntN(5)]
	}
	return in
}

// TestFormsAreInstructions checks that every word the form table accepts
// is a defined A64 instruction (the Go disassembler decodes it), over
// random words with random operand fields.
func TestFormsAreInstructions(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, f := range forms {
		for range 2000 {
			w := f.bits | r.Uint32()&^f.mask
			in, ok := decodeWord(w)
			if !ok {
				if f.class == cLdStPair && f.load {
					continue // ldp with Rt == Rt2
				}
				t.Fatalf("%s: %#08x not accepted", f.name, w)
			}
			var b [4]byte
			binary.LittleEndian.PutUint32(b[:], w)
			d, err := arm64asm.Decode(b[:])
			if err != nil {
				t.Fatalf("%s: %#08x accepted but undefined: %v", f.name, w, err)
			}
			_ = in
			_ = d
		}
	}
}

// TestErrorShowsNoCode (finding 9): Error, which the referee prints on its
// console and in its audit log, names the entry, the offset, the reason
// and the rule, and shows nothing of the code: not the word (in hex, with
// or without 0x), not its disassembly or mnemonic, not the registers or
// immediates it uses, not sizes computed from them. Explain does show
// them.
func TestErrorShowsNoCode(t *testing.T) {
	fmov := enc(t, A.Instr{Op: A.FMOV, Rd: A.S0, Rn: A.S1})
	retW := muscle.InstrRet
	cases := []struct {
		name    string
		code    []byte
		entries []Entry
		reason  error
		offset  int
		hidden  []string // besides the word and its disassembly
	}{
		{"svc #0x1234", words(fmov, 0xd4000001|0x1234<<5, retW), nil, ErrForm, 4,
			[]string{"svc", "1234", "4660", "exception"}},
		{"msr sctlr_el1", words(fmov, fmov, 0xd5181000, retW), nil, ErrForm, 8,
			[]string{"msr", "sctlr", "system"}},
		{"mrs cntpct_el0", words(0xd53be025, retW), nil, ErrForm, 0,
			[]string{"mrs", "cntpct", "x5"}},
		{"ldr past the input, large immediate", asm(t, func(a *A.Assembler) {
			a.Emit(fmovI, A.Instr{Op: A.LDR, Rd: A.Q7, Rn: A.X0, Imm: 4080}, ret)
		}), nil, ErrMemory, 4, []string{"ldr", "q7", "4080", "ff0", "4096", "64-byte", "input"}},
		{"str into the state from forward", asm(t, func(a *A.Assembler) {
			a.Emit(A.Instr{Op: A.STR, Rd: A.S9, Rn: A.X2, Imm: 52}, ret)
		}), nil, ErrReadOnly, 0, []string{"str", "s9", "52", "34"}},
		{"loop past the output", asm(t, func(a *A.Assembler) {
			a.Emit(A.Instr{Op: A.ADDImm, Rd: A.X8, Rn: A.X1})
			countedLoop(a, 0x4321, A.Instr{Op: A.STRPost, Rd: A.S1, Rn: A.X8, Imm: 4})
			a.Emit(ret)
		}), nil, ErrMemory, 8, []string{"str", "x8", "4321", "17185", "output"}},
		{"data-dependent loop counter", asm(t, func(a *A.Assembler) {
			a.Emit(A.Instr{Op: A.LDR, Rd: A.X11, Rn: A.X0, Imm: 8})
			l := a.NewLabel()
			a.Bind(l)
			a.Emit(A.Instr{Op: A.SUBSImm, Rd: A.X11, Rn: A.X11, Imm: 1}, A.Instr{Op: A.BCond, Cond: A.NE, Label: l}, ret)
		}), nil, ErrLoop, 8, []string{"b.ne", "x11", "unknown"}},
		{"write x29", asm(t, func(a *A.Assembler) {
			a.Emit(A.Instr{Op: A.MOVZ, Rd: A.X29, Imm: 0x5678}, ret)
		}), nil, ErrRegister, 0, []string{"mov", "x29", "5678", "22136"}},
		{"train branch into forward", words(fmov, retW, enc(t, A.Instr{Op: A.MOVZ, Rd: A.X13, Imm: 3}),
			enc(t, A.Instr{Op: A.SUBSImm, Rd: A.X13, Rn: A.X13, Imm: 1}),
			enc(t, A.Instr{Op: A.BCond, Cond: A.NE, Imm: -16}), retW), []Entry{{0, Forward}, {8, Train}}, ErrBranch, 16,
			[]string{"b.ne", "x13", "-16"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			entries := c.entries
			if entries == nil {
				entries = []Entry{{0, Forward}}
			}
			_, err := Verify(c.code, entries, bufs64)
			var ve *Error
			if !errors.As(err, &ve) || !errors.Is(err, c.reason) || ve.Offset != c.offset {
				t.Fatalf("got %v, want %v at offset %#x", err, c.reason, c.offset)
			}
			msg := err.Error()
			at := fmt.Sprintf("offset %#x: ", c.offset)
			for _, want := range []string{at, c.reason.Error() + ": "} {
				if !strings.Contains(msg, want) {
					t.Errorf("%q lacks %q", msg, want)
				}
			}
			// The offset aside (its digits may spell a register name),
			// nothing of the instruction.
			rest := strings.ToLower(strings.Replace(msg, at, "offset _: ", 1))
			w := ve.Word
			hidden := append([]string{fmt.Sprintf("%08x", w), fmt.Sprintf("%x", w), text(w), ve.Detail}, c.hidden...)
			if d, err := arm64asm.Decode(c.code[c.offset : c.offset+4]); err == nil {
				hidden = append(hidden, d.String())
				if op := d.Op.String(); len(op) > 2 {
					hidden = append(hidden, op)
				}
			}
			for _, h := range hidden {
				if h != "" && strings.Contains(rest, strings.ToLower(h)) {
					t.Errorf("%q shows %q, taken from the code", msg, h)
				}
			}
			// Explain is for tools that hold the plaintext: the word and
			// the values.
			if ex := ve.Explain(); !strings.Contains(ex, fmt.Sprintf("%08x", w)) || !strings.Contains(ex, ve.Detail) {
				t.Errorf("Explain %q lacks the word or the detail", ex)
			}
			t.Log(msg)
		})
	}
}

var fmovI = A.Instr{Op: A.FMOV, Rd: A.S0, Rn: A.S1}
