// Package bench measures the muscle compiler's output against a plain C
// version of the same model compiled by gcc -O3 (issues 4 and 14).
//
// Run it with
//
//	go test -run '^$' -bench . -benchtime 1x ./compiler/bench/
//
// which prints, for every example model (compiler/frontend/testdata/models,
// Family Python and ONNX, and codegen's 784→128→10 MLP), the code bytes,
// the instructions executed per forward and per train call, the
// estimated Cortex-A53 and Cortex-A72 cycles of the muscle's forward and
// train entries and of the C forward and C train step, and the ratios
// muscle/gcc; then one table "figure | now | target | ok?" with every
// compile-side figure of issue 14 next to its target. No test asserts a
// figure: the tests check correctness only.
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
// For gcc's code they are measured: the C program runs forward once and
// train once under qemu-aarch64 -one-insn-per-tb -d exec,nochain with the
// log filtered to the two functions, which logs every executed
// instruction's address; the n-th instruction of gcc's -S output of a
// function is at the symbol's address + 4n. gcc is told not to turn loops
// into memset/memcpy calls (CFlags), so every instruction the C executes
// is in the functions measured; BuildC refuses C that calls anything but
// libm. Calls into libm (expf, logf, tanhf) count as llvm-mca's default
// call latency (100 cycles) with no body: the gcc figures of models that
// use exp/log/tanh are not comparable to the muscle's inline polynomial
// code.
//
// The C version is EmitCTrain's output: the forward (EmitC) and the train
// step (forward, loss, backward and the SGD update of every trainable
// parameter with the model's loss and learning rate, in place on the
// state buffer), each translated kernel by kernel from the graph the
// muscle's entry is compiled from (the forward graph after the ir passes;
// autodiff's train graph); weights in a state buffer passed by pointer at
// codegen.ParamLayout offsets, plain fixed-size loops (no pragmas, no
// intrinsics); gcc's loops are kept as loops (not unrolled by us). Its
// forward output, train output and the state after one train step are
// checked against the muscle's entries under qemu-aarch64 on one input
// and target before they are measured.
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
	"github.com/muscles/referee/compiler/autodiff"
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
	Train  *autodiff.TrainGraph
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
	return &Compiled{Model: r.Model, Train: r.Train, Muscle: r.Muscle}, nil
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

// CProgram is the C version built for AArch64: its gcc -S text, the
// static executable (a main that runs forward once on a fixed input, then
// train once on that input and a fixed target, and prints the outputs and
// the state after the train step) and the profiles of both functions.
type CProgram struct {
	Dir    string
	Asm    string
	Exe    string
	Output []float32 // forward's y
	// TrainOutput is train's y and TrainState the whole state buffer
	// after the train step, as float32.
	TrainOutput, TrainState []float32
	Profile                 Profile // forward
	TrainProfile            Profile
}

// CFlags are gcc's code generation flags for the C version: -O3 for the
// Cortex-A53, keeping zeroing and copying loops as loops (gcc would
// otherwise call memset/memcpy, whose instructions are outside the
// function measured).
var CFlags = []string{"-O3", "-mcpu=cortex-a53", "-fno-tree-loop-distribute-patterns"}

// libmCalls are the functions the C version may call: libm's, which the
// method counts as one call each (see the package comment).
var libmCalls = map[string]bool{"expf": true, "logf": true, "tanhf": true, "powf": true, "fmodf": true, "floorf": true, "sqrtf": true}

// BuildC emits the C version of c's forward and train step (EmitCTrain),
// compiles it with gcc -O3 -mcpu=cortex-a53 -S, links it statically with
// a main that feeds input (and target to train), runs it once under qemu
// with per-instruction tracing of forward and train, and returns the
// outputs, the updated state and the profiles.
func BuildC(c *Compiled, input, target []float32, dir string) (*CProgram, error) {
	src, err := EmitCTrain(c.Model.Graph, c.Model.Params, c.Train)
	if err != nil {
		return nil, err
	}
	mu := c.Muscle
	if 4*len(input) != mu.InputSize || 4*len(target) != mu.TargetSize {
		return nil, fmt.Errorf("bench: %d input and %d target values, want %d and %d", len(input), len(target), mu.InputSize/4, mu.TargetSize/4)
	}
	var mainSrc strings.Builder
	mainSrc.WriteString(src)
	mainSrc.WriteString("\n#include <stdio.h>\n")
	array := func(decl string, vs []float32) {
		fmt.Fprintf(&mainSrc, "static float %s[%d] __attribute__((aligned(16))) = {", decl, max(1, len(vs)))
		for i, f := range vs {
			if i > 0 {
				mainSrc.WriteString(", ")
			}
			mainSrc.WriteString(cFloat(f))
		}
		mainSrc.WriteString("};\n")
	}
	array("in_", input)
	array("tg_", target)
	st := mu.InitialState()
	sv := make([]float32, len(st)/4)
	for i := range sv {
		sv[i] = f32(st[4*i:])
	}
	array("state_", sv)
	no, ns := mu.OutputSize/4, len(sv)
	fmt.Fprintf(&mainSrc, "static float out_[%d], tout_[%d];\n", no, no)
	fmt.Fprintf(&mainSrc, "int main(void)\n{\n\tforward(in_, out_, state_);\n\ttrain(in_, tg_, tout_, state_);\n")
	fmt.Fprintf(&mainSrc, "\tfor (int i = 0; i < %d; i++) printf(\"%%a\\n\", (double)out_[i]);\n", no)
	fmt.Fprintf(&mainSrc, "\tfor (int i = 0; i < %d; i++) printf(\"%%a\\n\", (double)tout_[i]);\n", no)
	fmt.Fprintf(&mainSrc, "\tfor (int i = 0; i < %d; i++) printf(\"%%a\\n\", (double)state_[i]);\n\treturn 0;\n}\n", ns)

	cfile := filepath.Join(dir, "model.c")
	sfile := filepath.Join(dir, "model.s")
	exe := filepath.Join(dir, "model")
	if err := os.WriteFile(cfile, []byte(mainSrc.String()), 0o644); err != nil {
		return nil, err
	}
	args := append(append([]string{}, CFlags...), "-S", cfile, "-o", sfile)
	if out, err := exec.Command(CC, args...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("gcc -S: %v\n%s", err, out)
	}
	if out, err := exec.Command(CC, "-static", sfile, "-o", exe, "-lm").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("gcc link: %v\n%s", err, out)
	}
	asm, err := os.ReadFile(sfile)
	if err != nil {
		return nil, err
	}
	type fn struct {
		name       string
		addr, size uint64
		lines      []string
		counts     []int
	}
	fns := []*fn{{name: "forward"}, {name: "train"}}
	var filter []string
	for _, f := range fns {
		if f.addr, f.size, err = symbol(exe, f.name); err != nil {
			return nil, err
		}
		if f.lines, err = funcLines(string(asm), f.name, f.addr); err != nil {
			return nil, err
		}
		if f.size != 4*uint64(len(f.lines)) {
			return nil, fmt.Errorf("bench: %s is %d bytes but its -S text has %d instructions", f.name, f.size, len(f.lines))
		}
		for _, l := range f.lines {
			if k := strings.Fields(l); len(k) >= 2 && (k[len(k)-2] == "bl" || k[len(k)-2] == "b") && !strings.HasPrefix(k[len(k)-1], ".L") && !libmCalls[k[len(k)-1]] {
				return nil, fmt.Errorf("bench: %s calls %s, which the profile would not count", f.name, k[len(k)-1])
			}
		}
		f.counts = make([]int, len(f.lines))
		filter = append(filter, fmt.Sprintf("%#x+%#x", f.addr, f.size))
	}
	logf := filepath.Join(dir, "exec.log")
	cmd := exec.Command(Qemu, "-one-insn-per-tb", "-d", "exec,nochain", "-dfilter", strings.Join(filter, ","), "-D", logf, exe)
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
	if len(res) != 2*no+ns {
		return nil, fmt.Errorf("bench: C program printed %d values, want %d", len(res), 2*no+ns)
	}
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
		if err != nil {
			continue
		}
		for _, f := range fns {
			if pc >= f.addr && pc < f.addr+f.size {
				f.counts[(pc-f.addr)/4]++
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return &CProgram{Dir: dir, Asm: string(asm), Exe: exe,
		Output: res[:no], TrainOutput: res[no : 2*no], TrainState: res[2*no:],
		Profile:      Profile{Lines: fns[0].lines, Counts: fns[0].counts},
		TrainProfile: Profile{Lines: fns[1].lines, Counts: fns[1].counts}}, nil
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
