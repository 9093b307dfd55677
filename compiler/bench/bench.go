// Package bench measures the muscle compiler's output against a plain C
// version of the same model compiled by gcc -O3 (issue 4, section 6).
//
// Run it with
//
//	go test -run '^$' -bench . ./compiler/bench/
//
// which prints, for every example model, the code bytes, the
// instructions executed per forward and per train call, the estimated
// Cortex-A53 and Cortex-A72 cycles of the muscle's forward and train
// entries and of the C forward compiled by
// aarch64-linux-gnu-gcc -O3 -mcpu=cortex-a53, and the ratio muscle/gcc.
//
// Method (the same for both programs). Cycles are llvm-mca's estimates
// (-mtriple=aarch64 -mcpu=cortex-a53 or cortex-a72). Each instruction of
// the program gets its dynamic execution count for one call; the program
// is cut into maximal runs of consecutive instructions with the same
// count, and each run is fed to llvm-mca with -iterations=<count>; the
// estimate is the sum of the runs' "Total Cycles". Straight-line code
// (count 1) is therefore one iteration, and an innermost loop body is
// its steady-state cycles per iteration times its trip count (plus one
// pipeline fill): "the loop body's cycles times the trip count plus the
// rest". Runs do not overlap in the model (each starts from an empty
// pipeline), which slightly overestimates both programs.
//
// Counts. For the muscle they are static: loops are the backward
// B.NE/SUBS pairs of codegen's loop kernel, found from the Instr list and
// the encoded branch offsets; the trip count is computed by simulating
// the MOVZ/MOVK counter setup before the loop head; nested loops
// multiply; the total must equal codegen's ForwardExecuted/TrainExecuted.
// For gcc's code they are measured: the C forward runs once under
// qemu-aarch64 -one-insn-per-tb -d exec,nochain with the log filtered to the
// forward function, which logs every executed instruction's address; the
// n-th instruction of gcc's -S output of forward is at the symbol's
// address + 4n. Calls into libm (expf, logf, tanhf) count as llvm-mca's
// default call latency (100 cycles) with no body: the gcc figures of
// models that use exp/log/tanh are not comparable to the muscle's
// inline polynomial code.
//
// The C version is EmitC's output: weights in a state buffer passed by
// pointer at codegen.ParamLayout offsets, plain fixed-size loops (no
// pragmas, no intrinsics); gcc's loops are kept as loops (not unrolled
// by us). Its forward output is checked against the muscle's under
// qemu-aarch64 on one input before it is measured.
package bench

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	A "github.com/muscles/referee/compiler/arm64"
	"github.com/muscles/referee/compiler/codegen"
	"github.com/muscles/referee/compiler/ir"
	"github.com/muscles/referee/compiler/pipeline"
)

// The external tools.
const (
	CC   = "aarch64-linux-gnu-gcc"
	Qemu = "qemu-aarch64"
)

// CPUs are the cores estimated.
var CPUs = []string{"cortex-a53", "cortex-a72"}

// MCA returns the llvm-mca binary (llvm-mca or llvm-mca-NN) or an error.
func MCA() (string, error) {
	if p, err := exec.LookPath("llvm-mca"); err == nil {
		return p, nil
	}
	m, _ := filepath.Glob("/usr/bin/llvm-mca-*")
	if len(m) > 0 {
		return m[len(m)-1], nil
	}
	return "", fmt.Errorf("llvm-mca not found (apt-get install llvm)")
}

// Tools reports whether llvm-mca, the cross compiler and qemu are present.
func Tools() error {
	if _, err := MCA(); err != nil {
		return err
	}
	for _, t := range []string{CC, Qemu} {
		if _, err := exec.LookPath(t); err != nil {
			return err
		}
	}
	return nil
}

// Compiled is a model through the whole pipeline.
type Compiled struct {
	Model  *ir.Model
	Muscle *codegen.Muscle
}

// Compile runs the musclec pipeline (compiler/pipeline) on a model file,
// up to the machine code.
func Compile(path string) (*Compiled, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	r, err := pipeline.Run(path, src, pipeline.Options{}, "assemble")
	if err != nil {
		return nil, err
	}
	return &Compiled{Model: r.Model, Muscle: r.Muscle}, nil
}

// Profile is a program as llvm-mca input: one GNU-syntax line per
// instruction and its dynamic execution count for one call.
type Profile struct {
	Lines  []string
	Counts []int
}

// Executed is the number of instructions one call executes.
func (p Profile) Executed() int {
	n := 0
	for _, c := range p.Counts {
		n += c
	}
	return n
}

// MuscleProfile returns the profile of one entry of mu (train selects
// the train entry), with loop trip counts simulated from the counter
// setup. It checks the total against codegen's executed count.
func MuscleProfile(mu *codegen.Muscle, train bool) (Profile, error) {
	ins, base, want := mu.ForwardInstrs, mu.ForwardEntry, mu.ForwardExecuted
	if train {
		ins, base, want = mu.TrainInstrs, mu.TrainEntry, mu.TrainExecuted
	}
	p := Profile{Counts: make([]int, len(ins))}
	for i := range p.Counts {
		p.Counts[i] = 1
	}
	for i, in := range ins {
		p.Lines = append(p.Lines, in.String())
		if in.Op == A.B || in.Op == A.CBZ || in.Op == A.CBNZ {
			return p, fmt.Errorf("bench: unexpected branch %s at %d", in, i)
		}
		if in.Op != A.BCond {
			continue
		}
		w := binary.LittleEndian.Uint32(mu.Code[base+4*i:])
		off := int(int32(w<<8) >> 13) // imm19, sign-extended, in words
		top := i + off
		if off >= 0 || top < 0 {
			return p, fmt.Errorf("bench: branch at %d is not a loop back-edge", i)
		}
		// The counter: the SUBS #1 just before the back-edge.
		if i == 0 || ins[i-1].Op != A.SUBSImm || ins[i-1].Imm != 1 || ins[i-1].Rd != ins[i-1].Rn {
			return p, fmt.Errorf("bench: loop at %d has no SUBS #1 counter", i)
		}
		trip, err := tripCount(ins[:top], ins[i-1].Rd)
		if err != nil {
			return p, fmt.Errorf("bench: loop at %d: %w", i, err)
		}
		for j := top; j <= i; j++ {
			p.Counts[j] *= trip
		}
		// The label line makes the body assemble as written.
		p.Lines[top] = fmt.Sprintf("L%d: %s", in.Label, p.Lines[top])
	}
	if got := p.Executed(); got != want {
		return p, fmt.Errorf("bench: simulated %d executed instructions, codegen counted %d", got, want)
	}
	return p, nil
}

// tripCount simulates the MOVZ/MOVK sequence that sets reg immediately
// before a loop head.
func tripCount(before []A.Instr, reg A.Reg) (int, error) {
	j := len(before) - 1
	for j >= 0 && before[j].Op == A.MOVK && before[j].Rd == reg {
		j--
	}
	if j < 0 || before[j].Op != A.MOVZ || before[j].Rd != reg {
		return 0, fmt.Errorf("no MOVZ/MOVK setup of %s before the loop head", reg)
	}
	var v uint64
	for _, in := range before[j:] {
		mask := uint64(0xffff) << in.Shift
		if in.Op == A.MOVZ {
			v = 0
		}
		v = v&^mask | uint64(in.Imm)<<in.Shift
	}
	if v == 0 || v > 1<<30 {
		return 0, fmt.Errorf("bad trip count %d", v)
	}
	return int(v), nil
}

var (
	mcaMu    sync.Mutex
	mcaCache = map[string]int{}
	cyclesRe = regexp.MustCompile(`(?m)^Total Cycles:\s+(\d+)`)
)

// MCACycles runs llvm-mca on the lines with -iterations=iter and returns
// its Total Cycles.
func MCACycles(cpu string, lines []string, iter int) (int, error) {
	text := strings.Join(lines, "\n") + "\n"
	key := fmt.Sprintf("%s/%d/%s", cpu, iter, text)
	mcaMu.Lock()
	c, ok := mcaCache[key]
	mcaMu.Unlock()
	if ok {
		return c, nil
	}
	bin, err := MCA()
	if err != nil {
		return 0, err
	}
	cmd := exec.Command(bin, "-mtriple=aarch64", "-mcpu="+cpu, fmt.Sprintf("-iterations=%d", iter), "-")
	cmd.Stdin = strings.NewReader(text)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("llvm-mca: %v: %s", err, stderr.String())
	}
	mm := cyclesRe.FindSubmatch(out.Bytes())
	if mm == nil {
		return 0, fmt.Errorf("llvm-mca: no Total Cycles in output")
	}
	c, _ = strconv.Atoi(string(mm[1]))
	mcaMu.Lock()
	mcaCache[key] = c
	mcaMu.Unlock()
	return c, nil
}

// Cycles estimates one call of the profiled program on cpu: the sum over
// maximal runs of equal execution count of llvm-mca's Total Cycles with
// -iterations = the count (runs never executed are skipped).
func Cycles(p Profile, cpu string) (int, error) {
	total := 0
	for i := 0; i < len(p.Lines); {
		j := i + 1
		for j < len(p.Lines) && p.Counts[j] == p.Counts[i] {
			j++
		}
		if p.Counts[i] > 0 {
			c, err := MCACycles(cpu, p.Lines[i:j], p.Counts[i])
			if err != nil {
				return 0, err
			}
			total += c
		}
		i = j
	}
	return total, nil
}

// CProgram is the C forward built for AArch64: its gcc -S text, the
// static executable (a main that runs forward once on a fixed input and
// prints the output) and its profile.
type CProgram struct {
	Dir     string
	Asm     string
	Exe     string
	Output  []float32
	Profile Profile
}

// BuildC emits the C version of c's forward, compiles it with gcc -O3
// -mcpu=cortex-a53 -S, links it statically with a main that feeds input,
// runs it once under qemu with per-instruction tracing of forward, and
// returns the output and the profile.
func BuildC(c *Compiled, input []float32, dir string) (*CProgram, error) {
	src, err := EmitC(c.Model.Graph, c.Model.Params)
	if err != nil {
		return nil, err
	}
	mu := c.Muscle
	var mainSrc strings.Builder
	mainSrc.WriteString(src)
	mainSrc.WriteString("\n#include <stdio.h>\n")
	fmt.Fprintf(&mainSrc, "static float in_[%d] = {", max(1, len(input)))
	for i, f := range input {
		if i > 0 {
			mainSrc.WriteString(", ")
		}
		mainSrc.WriteString(cFloat(f))
	}
	mainSrc.WriteString("};\n")
	st := mu.InitialState()
	fmt.Fprintf(&mainSrc, "static float state_[%d] __attribute__((aligned(16))) = {", max(1, len(st)/4))
	for i := 0; i+4 <= len(st); i += 4 {
		if i > 0 {
			mainSrc.WriteString(", ")
		}
		mainSrc.WriteString(cFloat(f32(st[i:])))
	}
	mainSrc.WriteString("};\n")
	no := mu.OutputSize / 4
	fmt.Fprintf(&mainSrc, "static float out_[%d];\n", no)
	fmt.Fprintf(&mainSrc, "int main(void)\n{\n\tforward(in_, out_, state_);\n\tfor (int i = 0; i < %d; i++) printf(\"%%a\\n\", (double)out_[i]);\n\treturn 0;\n}\n", no)

	cfile := filepath.Join(dir, "model.c")
	sfile := filepath.Join(dir, "model.s")
	exe := filepath.Join(dir, "model")
	if err := os.WriteFile(cfile, []byte(mainSrc.String()), 0o644); err != nil {
		return nil, err
	}
	if out, err := exec.Command(CC, "-O3", "-mcpu=cortex-a53", "-S", cfile, "-o", sfile).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("gcc -S: %v\n%s", err, out)
	}
	if out, err := exec.Command(CC, "-static", sfile, "-o", exe, "-lm").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("gcc link: %v\n%s", err, out)
	}
	asm, err := os.ReadFile(sfile)
	if err != nil {
		return nil, err
	}
	addr, size, err := symbol(exe, "forward")
	if err != nil {
		return nil, err
	}
	lines, err := funcLines(string(asm), "forward", addr)
	if err != nil {
		return nil, err
	}
	if size != 4*uint64(len(lines)) {
		return nil, fmt.Errorf("bench: forward is %d bytes but its -S text has %d instructions", size, len(lines))
	}
	logf := filepath.Join(dir, "exec.log")
	cmd := exec.Command(Qemu, "-one-insn-per-tb", "-d", "exec,nochain", "-dfilter", fmt.Sprintf("%#x+%#x", addr, size), "-D", logf, exe)
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("qemu: %v", err)
	}
	var res []float32
	for _, f := range strings.Fields(string(out)) {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return nil, fmt.Errorf("bench: C output %q: %v", f, err)
		}
		res = append(res, float32(v))
	}
	counts := make([]int, len(lines))
	lf, err := os.Open(logf)
	if err != nil {
		return nil, err
	}
	defer lf.Close()
	sc := bufio.NewScanner(lf)
	for sc.Scan() {
		t := sc.Text()
		i := strings.IndexByte(t, '/')
		if !strings.HasPrefix(t, "Trace ") || i < 0 || i+17 > len(t) {
			continue
		}
		pc, err := strconv.ParseUint(t[i+1:i+17], 16, 64)
		if err != nil || pc < addr || pc >= addr+size {
			continue
		}
		counts[(pc-addr)/4]++
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return &CProgram{Dir: dir, Asm: string(asm), Exe: exe, Output: res, Profile: Profile{Lines: lines, Counts: counts}}, nil
}

// funcLines returns the instruction lines of function fn in gcc -S text,
// one per 4-byte word from the function's start address addr: labels are
// attached to the next instruction, and the padding of .p2align
// directives becomes "nop" lines (the assembler pads text with NOPs).
func funcLines(asm, fn string, addr uint64) ([]string, error) {
	var out []string
	in := false
	label := ""
	pc := addr
	for _, l := range strings.Split(asm, "\n") {
		t := strings.TrimSpace(l)
		if k := strings.Index(t, "//"); k >= 0 {
			t = strings.TrimSpace(t[:k])
		}
		if !in {
			in = t == fn+":"
			continue
		}
		switch {
		case t == "":
		case strings.HasPrefix(t, ".size") && strings.Contains(t, fn):
			return out, nil
		case strings.HasSuffix(t, ":"):
			label += t + " "
		case strings.HasPrefix(t, ".p2align"):
			f := strings.Split(strings.TrimSpace(strings.TrimPrefix(t, ".p2align")), ",")
			n, err := strconv.Atoi(strings.TrimSpace(f[0]))
			if err != nil {
				return nil, fmt.Errorf("bench: %q: %v", t, err)
			}
			align := uint64(1) << n
			pad := (align - pc%align) % align
			maxSkip := align - 1
			if len(f) == 3 && strings.TrimSpace(f[2]) != "" {
				m, err := strconv.Atoi(strings.TrimSpace(f[2]))
				if err != nil {
					return nil, fmt.Errorf("bench: %q: %v", t, err)
				}
				maxSkip = uint64(m)
			}
			if pad <= maxSkip {
				for range pad / 4 {
					out = append(out, "nop")
					pc += 4
				}
			}
		case strings.HasPrefix(t, "."):
			// other directives (.cfi_*) emit no code in .text
		default:
			out = append(out, label+t)
			label = ""
			pc += 4
		}
	}
	return nil, fmt.Errorf("bench: function %s not found in the assembly", fn)
}

// symbol returns the address and size of a function in an executable.
func symbol(exe, name string) (addr, size uint64, err error) {
	out, err := exec.Command("aarch64-linux-gnu-nm", "-S", exe).Output()
	if err != nil {
		return 0, 0, fmt.Errorf("nm: %v", err)
	}
	for _, l := range strings.Split(string(out), "\n") {
		f := strings.Fields(l)
		if len(f) == 4 && f[3] == name {
			a, _ := strconv.ParseUint(f[0], 16, 64)
			s, _ := strconv.ParseUint(f[1], 16, 64)
			return a, s, nil
		}
	}
	return 0, 0, fmt.Errorf("bench: symbol %s not in %s", name, exe)
}

func f32(b []byte) float32 {
	return math.Float32frombits(binary.LittleEndian.Uint32(b))
}
