package bench

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/muscles/referee/compiler/codegen/run"
	"github.com/muscles/referee/compiler/ir"
)

// models returns the example models: compiler/frontend/testdata/models
// and the 784→128→10 MLP of codegen's tests.
func models(t testing.TB) []string {
	m, err := filepath.Glob("../frontend/testdata/models/*.py")
	if err != nil || len(m) == 0 {
		t.Fatalf("no example models: %v", err)
	}
	sort.Strings(m)
	return append(m, "../codegen/testdata/mlp784.py")
}

func modelName(path string) string { return strings.TrimSuffix(filepath.Base(path), ".py") }

// testInput is a fixed, deterministic input of n values in [-0.9, 0.9].
func testInput(n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(0.9 * math.Sin(float64(i)*1.7+0.3))
	}
	return x
}

// usesTranscendental reports whether the model's forward graph calls a
// math function that the muscle approximates (looser tolerance) and the
// C version calls from libm.
func usesTranscendental(c *Compiled) bool {
	for _, v := range c.Model.Graph.Values {
		switch {
		case v.Op == ir.OpExp || v.Op == ir.OpLog || v.Op == ir.OpTanh:
			return true
		case v.Op == ir.OpDense && v.Act == ir.ActTanh:
			return true
		}
	}
	return false
}

func needTools(t testing.TB) {
	if err := Tools(); err != nil {
		t.Fatalf("benchmark tools missing (make test installs them): %v", err)
	}
	if err := run.Available(); err != nil {
		t.Fatalf("cannot run generated code: %v", err)
	}
}

// checkC builds the C version of one model, runs it and the muscle's
// forward on the same input and compares them.
func checkC(t testing.TB, path string) (*Compiled, *CProgram) {
	c, err := Compile(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	mu := c.Muscle
	x := testInput(mu.InputSize / 4)
	cp, err := BuildC(c, x, t.TempDir())
	if err != nil {
		t.Fatalf("%s: C version: %v", path, err)
	}
	got, err := run.Forward(run.Program{Code: mu.Code, Entry: mu.ForwardEntry, State: mu.InitialState(),
		InputSize: mu.InputSize, OutputSize: mu.OutputSize, ScratchSize: mu.ScratchSize}, [][]float32{x})
	if err != nil {
		t.Fatalf("%s: muscle: %v", path, err)
	}
	tol := 1e-5
	if usesTranscendental(c) {
		tol = 1e-4
	}
	if len(cp.Output) != len(got[0]) {
		t.Fatalf("%s: C gives %d outputs, muscle %d", path, len(cp.Output), len(got[0]))
	}
	for i, w := range cp.Output {
		g := got[0][i]
		if math.IsNaN(float64(w)) && math.IsNaN(float64(g)) {
			continue
		}
		if math.Abs(float64(g-w)) > tol*math.Max(1, math.Abs(float64(w))) {
			t.Errorf("%s: output[%d]: muscle %g, C %g", path, i, g, w)
		}
	}
	return c, cp
}

// TestCVersion checks the C emitter against the generated code's forward
// on the small example models (quick; the 784 MLP is checked by the
// benchmark).
func TestCVersion(t *testing.T) {
	needTools(t)
	for _, p := range models(t) {
		if strings.Contains(p, "mlp784") {
			continue
		}
		t.Run(modelName(p), func(t *testing.T) {
			t.Parallel()
			checkC(t, p)
		})
	}
}

// TestMuscleProfile checks the loop/trip-count analysis against codegen's
// executed counts (no external tools needed).
func TestMuscleProfile(t *testing.T) {
	for _, p := range models(t) {
		c, err := Compile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, train := range []bool{false, true} {
			if _, err := MuscleProfile(c.Muscle, train); err != nil {
				t.Errorf("%s (train %v): %v", p, train, err)
			}
		}
	}
}

// row is one model's figures.
type row struct {
	name                string
	width               int
	bytes               int
	fwdExec, trainExec  int
	gccExec             int
	fwd, train, gcc     [2]int // cycles per CPU (CPUs order)
	transcendental, big bool
}

func measure(b *testing.B, path string) row {
	c, cp := checkC(b, path)
	mu := c.Muscle
	r := row{name: modelName(path), bytes: len(mu.Code), fwdExec: mu.ForwardExecuted, trainExec: mu.TrainExecuted,
		gccExec: cp.Profile.Executed(), transcendental: usesTranscendental(c)}
	for _, p := range c.Model.Params {
		for _, d := range p.Shape {
			r.width = max(r.width, d)
		}
	}
	fp, err := MuscleProfile(mu, false)
	if err != nil {
		b.Fatal(err)
	}
	tp, err := MuscleProfile(mu, true)
	if err != nil {
		b.Fatal(err)
	}
	for i, cpu := range CPUs {
		for _, x := range []struct {
			p   Profile
			dst *int
		}{{fp, &r.fwd[i]}, {tp, &r.train[i]}, {cp.Profile, &r.gcc[i]}} {
			n, err := Cycles(x.p, cpu)
			if err != nil {
				b.Fatalf("%s %s: %v", path, cpu, err)
			}
			*x.dst = n
		}
	}
	return r
}

// fmlaPerCycle measures, with llvm-mca, the throughput of independent
// FMLA .4s on cpu.
func fmlaPerCycle(cpu string) (float64, error) {
	var lines []string
	for i := range 8 {
		lines = append(lines, fmt.Sprintf("fmla v%d.4s, v%d.4s, v%d.4s", i, 8+i, 16+i))
	}
	const iters = 1000
	c, err := MCACycles(cpu, lines, iters)
	if err != nil {
		return 0, err
	}
	return float64(8*iters) / float64(c), nil
}

// compileTime is the fastest of several compiles of the model.
func compileTime(b *testing.B, path string) time.Duration {
	best := time.Duration(math.MaxInt64)
	for range 10 {
		t0 := time.Now()
		if _, err := Compile(path); err != nil {
			b.Fatal(err)
		}
		best = min(best, time.Since(t0))
	}
	return best
}

var tableOnce sync.Once

// BenchmarkModels prints the benchmark table (once) and reports each
// model's figures as metrics.
func BenchmarkModels(b *testing.B) {
	needTools(b)
	var rows []row
	for _, p := range models(b) {
		r := measure(b, p)
		rows = append(rows, r)
		b.Run(r.name, func(b *testing.B) {
			for range b.N {
			}
			b.ReportMetric(float64(r.bytes), "code-bytes")
			b.ReportMetric(float64(r.fwdExec), "fwd-instrs")
			b.ReportMetric(float64(r.trainExec), "train-instrs")
			b.ReportMetric(float64(r.fwd[0]), "fwd-A53-cyc")
			b.ReportMetric(float64(r.fwd[1]), "fwd-A72-cyc")
			b.ReportMetric(float64(r.train[0]), "train-A53-cyc")
			b.ReportMetric(float64(r.train[1]), "train-A72-cyc")
			b.ReportMetric(float64(r.gcc[0]), "gcc-fwd-A53-cyc")
			b.ReportMetric(float64(r.gcc[1]), "gcc-fwd-A72-cyc")
			b.ReportMetric(0, "ns/op")
		})
	}
	single := "../frontend/testdata/models/single_neuron.py"
	ct := compileTime(b, single)
	tableOnce.Do(func() { printTable(b, rows, ct) })
}

// BenchmarkCompileSingleNeuron times the whole pipeline on the
// single-neuron model.
func BenchmarkCompileSingleNeuron(b *testing.B) {
	for range b.N {
		if _, err := Compile("../frontend/testdata/models/single_neuron.py"); err != nil {
			b.Fatal(err)
		}
	}
}

func printTable(b *testing.B, rows []row, ct time.Duration) {
	w := os.Stdout
	fmt.Fprintln(w, "\nMuscle compiler benchmarks (estimated cycles per call, llvm-mca -mtriple=aarch64)")
	fmt.Fprintln(w, "Method: each instruction gets its execution count for one call (muscle: loop trip counts")
	fmt.Fprintln(w, "simulated from the MOVZ/MOVK counter setup; gcc: measured under qemu-aarch64 -one-insn-per-tb -d exec);")
	fmt.Fprintln(w, "maximal runs of equal count are fed to llvm-mca with -iterations=<count> and their Total Cycles")
	fmt.Fprintln(w, "summed: straight-line code is one iteration, a loop is its body's cycles x trip count plus the rest.")
	fmt.Fprintln(w, "gcc = EmitC's plain C forward, aarch64-linux-gnu-gcc -O3 -mcpu=cortex-a53 (loops left to gcc), output")
	fmt.Fprintln(w, "checked against the muscle under qemu. ratio r = muscle cycles / gcc cycles (forward; target <= 0.5). * = calls libm")
	fmt.Fprintln(w, "(expf/logf/tanhf), counted as llvm-mca's 100-cycle call: gcc figure not comparable.")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%-15s %5s %6s %8s %8s | %8s %8s %8s %8s | %8s %8s %8s | %6s %6s\n",
		"model", "width", "bytes", "fwd-ins", "trn-ins", "fwd-A53", "fwd-A72", "trn-A53", "trn-A72", "gcc-ins", "gcc-A53", "gcc-A72", "r-A53", "r-A72")
	for _, r := range rows {
		mark := ""
		if r.transcendental {
			mark = "*"
		}
		fmt.Fprintf(w, "%-15s %5d %6d %8d %8d | %8d %8d %8d %8d | %8d %8d %8d | %6.2f %6.2f\n",
			r.name+mark, r.width, r.bytes, r.fwdExec, r.trainExec, r.fwd[0], r.fwd[1], r.train[0], r.train[1],
			r.gccExec, r.gcc[0], r.gcc[1], ratio(r.fwd[0], r.gcc[0]), ratio(r.fwd[1], r.gcc[1]))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Targets (issue 4, section 6):")
	met := func(ok bool) string {
		if ok {
			return "MET"
		}
		return "NOT MET"
	}
	for _, r := range rows {
		if r.name == "single_neuron" {
			fmt.Fprintf(w, "  single-neuron train <= 40 est. A72 cycles: %d -> %s\n", r.train[1], met(r.train[1] <= 40))
		}
	}
	var fails []string
	n, comparable := 0, 0
	for _, r := range rows {
		if r.width > 64 {
			continue
		}
		n++
		if r.transcendental {
			continue
		}
		comparable++
		for i, cpu := range CPUs {
			if x := ratio(r.fwd[i], r.gcc[i]); x > 0.5 {
				fails = append(fails, fmt.Sprintf("%s %s %.2f", r.name, cpu, x))
			}
		}
	}
	fmt.Fprintf(w, "  >= 2x fewer est. cycles than gcc -O3 (forward), models up to 64 wide: %d models, %d comparable (no libm); ratio muscle/gcc above 0.5: %s -> %s\n",
		n, comparable, orNone(fails), met(len(fails) == 0))
	for _, r := range rows {
		if r.name != "mlp784" {
			continue
		}
		fmas := 784*128 + 128*10
		for i, cpu := range CPUs {
			tp, err := fmlaPerCycle(cpu)
			if err != nil {
				b.Fatal(err)
			}
			bound := float64(fmas) / 4 / tp
			x := float64(r.fwd[i]) / bound
			fmt.Fprintf(w, "  784->128->10 forward within 1.5x of NEON FMA bound on %s: bound = %d FMAs / 4 lanes / %.2f FMLA per cycle = %.0f cycles; muscle %d = %.2fx -> %s\n",
				cpu, fmas, tp, bound, r.fwd[i], x, met(x <= 1.5))
		}
	}
	fmt.Fprintf(w, "  compile single-neuron model < 50 ms: %v (fastest of 10) -> %s\n", ct.Round(time.Microsecond), met(ct < 50*time.Millisecond))
	fmt.Fprintln(w)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
