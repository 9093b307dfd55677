package verify

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	A "github.com/muscles/referee/compiler/arm64"
)

// Tools for TestInstructionCountOnQemu: the code runs in a static
// AArch64 program under qemu-aarch64 (user mode), which logs every
// instruction it executes (the method of compiler/bench for gcc's code).
const (
	qemuUser = "qemu-aarch64"
	crossCC  = "aarch64-linux-gnu-gcc"
)

// runCount is an independent count of the instructions one call of an
// entry executes: the code (every word, at a 4 KiB-aligned symbol) is
// called once from a static program with zeroed buffers of the given
// sizes in x0..x4, under qemu-aarch64 -one-insn-per-tb -d exec,nochain,
// and the trace lines whose PC lies in the code are counted.
func runCount(t *testing.T, code []byte, entry int, bufs Buffers) uint64 {
	t.Helper()
	dir := t.TempDir()
	var src strings.Builder
	src.WriteString("\t.text\n\t.balign 4096\n\t.globl muscle\nmuscle:\n")
	for i := 0; i < len(code); i += 4 {
		fmt.Fprintf(&src, "\t.inst %#08x\n", binary.LittleEndian.Uint32(code[i:]))
	}
	// call_muscle(x0..x4, fn in x5): the muscle may overwrite v8..v15,
	// which the C caller expects preserved.
	src.WriteString(`	.globl call_muscle
call_muscle:
	stp x29, x30, [sp, #-80]!
	stp d8, d9, [sp, #16]
	stp d10, d11, [sp, #32]
	stp d12, d13, [sp, #48]
	stp d14, d15, [sp, #64]
	blr x5
	ldp d8, d9, [sp, #16]
	ldp d10, d11, [sp, #32]
	ldp d12, d13, [sp, #48]
	ldp d14, d15, [sp, #64]
	ldp x29, x30, [sp], #80
	ret
`)
	var c strings.Builder
	c.WriteString("#include <stdio.h>\nextern char muscle[];\nvoid call_muscle(void *, void *, void *, void *, void *, void *);\n")
	sizes := []uint64{bufs.Input, bufs.Output, bufs.State, bufs.Scratch, bufs.Target}
	for i, n := range sizes {
		fmt.Fprintf(&c, "static char b%d[%d] __attribute__((aligned(16)));\n", i, max(n, 16))
	}
	fmt.Fprintf(&c, "int main(void)\n{\n\tprintf(\"%%p %%d\\n\", (void *)muscle, %d);\n\tfflush(stdout);\n", len(code))
	fmt.Fprintf(&c, "\tcall_muscle(b0, b1, b2, b3, b4, muscle + %d);\n\treturn 0;\n}\n", entry)
	for name, text := range map[string]string{"code.s": src.String(), "main.c": c.String()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	exe := filepath.Join(dir, "prog")
	if out, err := exec.Command(crossCC, "-static", "-O1", "-o", exe, filepath.Join(dir, "main.c"), filepath.Join(dir, "code.s")).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", crossCC, err, out)
	}
	logf := filepath.Join(dir, "exec.log")
	out, err := exec.Command(qemuUser, "-one-insn-per-tb", "-d", "exec,nochain", "-D", logf, exe).Output()
	if err != nil {
		t.Fatalf("%s: %v", qemuUser, err)
	}
	var addr uint64
	var size int
	if _, err := fmt.Sscanf(string(out), "0x%x %d", &addr, &size); err != nil || size != len(code) {
		t.Fatalf("program output %q: %v", out, err)
	}
	f, err := os.Open(logf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var n uint64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// "Trace 0: 0x... [00000000/<pc, 16 hex digits>/...]"
		l := sc.Text()
		i := strings.IndexByte(l, '/')
		if !strings.HasPrefix(l, "Trace ") || i < 0 || i+17 > len(l) {
			continue
		}
		pc, err := strconv.ParseUint(l[i+1:i+17], 16, 64)
		if err == nil && pc >= addr && pc < addr+uint64(len(code)) {
			n++
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestInstructionCountOnQemu checks the verifier's counts against a real
// run: hand-written loops and the compiled example models, both entries.
func TestInstructionCountOnQemu(t *testing.T) {
	for _, tool := range []string{qemuUser, crossCC} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("needs %s (qemu/deps.sh installs it): %v", tool, err)
		}
	}
	type run struct {
		name    string
		code    []byte
		entries []Entry
		bufs    Buffers
	}
	nested := asm(t, func(a *A.Assembler) {
		a.Emit(A.MovConst(A.X12, 3)...)
		outer := a.NewLabel()
		a.Bind(outer)
		a.Emit(A.Instr{Op: A.ADDImm, Rd: A.X5, Rn: A.X0}, A.Instr{Op: A.ADDImm, Rd: A.X8, Rn: A.X1})
		countedLoop(a, 16,
			A.Instr{Op: A.LDRPost, Rd: A.S1, Rn: A.X5, Imm: 4},
			A.Instr{Op: A.STRPost, Rd: A.S1, Rn: A.X8, Imm: 4})
		a.Emit(A.Instr{Op: A.SUBSImm, Rd: A.X12, Rn: A.X12, Imm: 1}, A.Instr{Op: A.BCond, Cond: A.NE, Label: outer}, ret)
	})
	runs := []run{
		{"ret", words(0xd65f03c0), []Entry{{0, Forward}}, bufs64},
		{"copy loop", asm(t, copyLoop(16)), []Entry{{0, Forward}}, bufs64},
		{"nested", nested, []Entry{{0, Forward}}, bufs64},
	}
	for _, path := range modelFiles(t) {
		m, mu := compileMuscle(t, path)
		if mu.TrainExecuted > 1000000 {
			continue // a trace of millions of lines (none yet; mlp784 is 0.4 million)
		}
		man := manifestOf(m, mu, true)
		bufs := Buffers{Input: uint64(man.Input.Bytes()), Output: uint64(man.Output.Bytes()), State: uint64(mu.StateSize),
			Scratch: uint64(mu.ScratchSize), Target: uint64(man.Target.Bytes())}
		runs = append(runs, run{filepath.Base(path), mu.Code,
			[]Entry{{uint32(mu.ForwardEntry), Forward}, {uint32(mu.TrainEntry), Train}}, bufs})
	}
	checked := 0
	for _, r := range runs {
		rep, err := Verify(r.code, r.entries, r.bufs)
		if err != nil {
			t.Errorf("%s: %v", r.name, err)
			continue
		}
		for _, e := range r.entries {
			want := rep.Forward
			if e.Kind == Train {
				want = rep.Train
			}
			got := runCount(t, r.code, int(e.Offset), r.bufs)
			if got != want {
				t.Errorf("%s %s: the verifier counts %d instructions, qemu executed %d", r.name, e.Kind, want, got)
			} else {
				t.Logf("%s %s: %d instructions, verifier and qemu", r.name, e.Kind, got)
			}
			checked++
		}
	}
	if checked < 10 {
		t.Errorf("only %d entries checked", checked)
	}
}
