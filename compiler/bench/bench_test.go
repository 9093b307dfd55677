package bench

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/muscles/referee/compiler/codegen/run"
	"github.com/muscles/referee/compiler/ir"
)

// models returns the example models: compiler/frontend/testdata/models
// (Family Python and ONNX, both through compiler/pipeline) and the
// 784→128→10 MLP of codegen's tests.
func models(t testing.TB) []string {
	var m []string
	for _, pat := range []string{"*.py", "*.onnx"} {
		g, err := filepath.Glob("../frontend/testdata/models/" + pat)
		if err != nil {
			t.Fatal(err)
		}
		m = append(m, g...)
	}
	if len(m) == 0 {
		t.Fatalf("no example models")
	}
	sort.Strings(m)
	return append(m, "../codegen/testdata/mlp784.py")
}

func modelName(path string) string {
	b := filepath.Base(path)
	if strings.HasSuffix(b, ".onnx") {
		return b
	}
	return strings.TrimSuffix(b, ".py")
}

// testInput is a fixed, deterministic input of n values in [-0.9, 0.9].
func testInput(n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(0.9 * math.Sin(float64(i)*1.7+0.3))
	}
	return x
}

// testTarget is a fixed, deterministic target of n values in [-0.5, 0.5].
func testTarget(n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(0.5 * math.Cos(float64(i)*1.3+0.2))
	}
	return x
}

// usesTranscendental reports whether g calls a math function that the
// muscle approximates (looser tolerance) and the C version calls from
// libm.
func usesTranscendental(g *ir.Graph) bool {
	for _, v := range g.Values {
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
// forward and train entries on the same input (and target) and compares
// forward's output, train's output and the state after one train step.
func checkC(t testing.TB, path string) (*Compiled, *CProgram) {
	c, err := Compile(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	mu := c.Muscle
	x := testInput(mu.InputSize / 4)
	tgt := testTarget(mu.TargetSize / 4)
	cp, err := BuildC(c, x, tgt, t.TempDir())
	if err != nil {
		t.Fatalf("%s: C version: %v", path, err)
	}
	prog := run.Program{Code: mu.Code, Entry: mu.ForwardEntry, State: mu.InitialState(),
		InputSize: mu.InputSize, OutputSize: mu.OutputSize, ScratchSize: mu.ScratchSize}
	got, err := run.Forward(prog, [][]float32{x})
	if err != nil {
		t.Fatalf("%s: muscle: %v", path, err)
	}
	tol := 1e-5
	if usesTranscendental(c.Model.Graph) {
		tol = 1e-4
	}
	compare(t, path+": forward output", got[0], cp.Output, tol)

	prog.Entry = mu.TrainEntry
	touts, st, err := run.Train(run.TrainProgram{Program: prog, TargetSize: mu.TargetSize},
		[][]float32{x}, [][]float32{tgt}, nil, 1)
	if err != nil {
		t.Fatalf("%s: muscle train: %v", path, err)
	}
	ttol := 1e-5
	if usesTranscendental(c.Train.Graph) {
		ttol = 1e-4
	}
	compare(t, path+": train output", touts[0], cp.TrainOutput, ttol)
	sv := make([]float32, len(st)/4)
	for i := range sv {
		sv[i] = f32(st[4*i:])
	}
	compare(t, path+": state after train", sv, cp.TrainState, ttol)
	return c, cp
}

// compare checks the muscle's values got against the C version's want
// within tol (relative above 1, absolute below).
func compare(t testing.TB, what string, got, want []float32, tol float64) {
	t.Helper()
	if len(want) != len(got) {
		t.Fatalf("%s: C gives %d values, muscle %d", what, len(want), len(got))
	}
	bad := 0
	for i, w := range want {
		g := got[i]
		if math.IsNaN(float64(w)) && math.IsNaN(float64(g)) {
			continue
		}
		if math.Abs(float64(g-w)) > tol*math.Max(1, math.Abs(float64(w))) {
			if bad++; bad <= 5 {
				t.Errorf("%s [%d]: muscle %g, C %g", what, i, g, w)
			}
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d values differ", what, bad)
	}
}

// TestCVersion checks the C emitter against the generated code's forward
// and train entries (outputs and updated state) on the small example
// models (quick; the 784 MLP is checked by the
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
	name                    string
	example                 bool // one of compiler/frontend/testdata/models
	width                   int
	bytes                   int
	fwdExec, trainExec      int
	gccExec, gccTrainExec   int
	fwd, train, gcc, gccTrn [2]int // cycles per CPU (CPUs order)
	libm, trainLibm         bool   // the C forward / train step calls libm
}

func measure(b *testing.B, path string) row {
	c, cp := checkC(b, path)
	mu := c.Muscle
	r := row{name: modelName(path), example: strings.Contains(path, "frontend/testdata/models"),
		bytes: len(mu.Code), fwdExec: mu.ForwardExecuted, trainExec: mu.TrainExecuted,
		gccExec: cp.Profile.Executed(), gccTrainExec: cp.TrainProfile.Executed(),
		libm: usesTranscendental(c.Model.Graph), trainLibm: usesTranscendental(c.Train.Graph)}
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
		}{{fp, &r.fwd[i]}, {tp, &r.train[i]}, {cp.Profile, &r.gcc[i]}, {cp.TrainProfile, &r.gccTrn[i]}} {
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

// BenchmarkModels prints the benchmark tables (once) and reports each
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
			b.ReportMetric(float64(r.gccTrn[0]), "gcc-train-A53-cyc")
			b.ReportMetric(float64(r.gccTrn[1]), "gcc-train-A72-cyc")
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
	fmt.Fprintf(w, "gcc = EmitCTrain's plain C forward and train step (forward, loss, backward, SGD in place on the state),\n")
	fmt.Fprintf(w, "aarch64-linux-gnu-gcc %s (loops left to gcc); outputs and updated state checked\n", strings.Join(CFlags, " "))
	fmt.Fprintln(w, "against the muscle's entries under qemu. r = muscle cycles / gcc cycles. * = the C calls libm")
	fmt.Fprintln(w, "(expf/logf/tanhf), counted as llvm-mca's 100-cycle call: gcc figure not comparable.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Forward entry:")
	fmt.Fprintf(w, "%-17s %5s %6s | %8s %8s %8s | %8s %8s %8s | %6s %6s\n",
		"model", "width", "bytes", "ins", "A53", "A72", "gcc-ins", "gcc-A53", "gcc-A72", "r-A53", "r-A72")
	for _, r := range rows {
		fmt.Fprintf(w, "%-17s %5d %6d | %8d %8d %8d | %8d %8d %8d | %6.2f %6.2f\n",
			r.name+star(r.libm), r.width, r.bytes, r.fwdExec, r.fwd[0], r.fwd[1],
			r.gccExec, r.gcc[0], r.gcc[1], ratio(r.fwd[0], r.gcc[0]), ratio(r.fwd[1], r.gcc[1]))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Train entry (one SGD step):")
	fmt.Fprintf(w, "%-17s %8s %8s %8s | %8s %8s %8s | %6s %6s\n",
		"model", "ins", "A53", "A72", "gcc-ins", "gcc-A53", "gcc-A72", "r-A53", "r-A72")
	for _, r := range rows {
		fmt.Fprintf(w, "%-17s %8d %8d %8d | %8d %8d %8d | %6.2f %6.2f\n",
			r.name+star(r.trainLibm), r.trainExec, r.train[0], r.train[1],
			r.gccTrainExec, r.gccTrn[0], r.gccTrn[1], ratio(r.train[0], r.gccTrn[0]), ratio(r.train[1], r.gccTrn[1]))
	}
	fmt.Fprintln(w)

	var t targets
	for _, r := range rows {
		if r.name != "mlp784" {
			continue
		}
		t.add("784-128-10 code bytes (forward + train)", strconv.Itoa(r.bytes), "<= 16384", r.bytes <= 16384)
		fmas := 784*128 + 128*10
		for i, cpu := range CPUs {
			tp, err := fmlaPerCycle(cpu)
			if err != nil {
				b.Fatal(err)
			}
			bound := float64(fmas) / 4 / tp
			x := float64(r.fwd[i]) / bound
			lim := []float64{1.5, 1.1}[i]
			t.add(fmt.Sprintf("784-128-10 forward / NEON FMA bound, %s (%d / %.0f)", cpu, r.fwd[i], bound),
				fmt.Sprintf("%.2fx", x), fmt.Sprintf("<= %.1fx", lim), x <= lim)
		}
	}
	var med [2][]float64
	perModel := func(what string, train bool) {
		for _, r := range rows {
			libm, mu, gc := r.libm, r.fwd, r.gcc
			if train {
				libm, mu, gc = r.trainLibm, r.train, r.gccTrn
			}
			fig := fmt.Sprintf("%s muscle/gcc A53, A72: %s", what, r.name)
			if libm {
				t.add(fig, "not comparable (libm)", "<= 1.0", true)
				t.rows[len(t.rows)-1][3] = "-"
				continue
			}
			a, c := ratio(mu[0], gc[0]), ratio(mu[1], gc[1])
			if !train && r.example {
				med[0], med[1] = append(med[0], a), append(med[1], c)
			}
			t.add(fig, fmt.Sprintf("%.2f, %.2f", a, c), "<= 1.0", a <= 1 && c <= 1)
		}
	}
	perModel("forward", false)
	if len(med[0]) > 0 {
		a, c := median(med[0]), median(med[1])
		t.add(fmt.Sprintf("forward muscle/gcc A53, A72: median of %d comparable examples", len(med[0])),
			fmt.Sprintf("%.2f, %.2f", a, c), "<= 0.7", a <= 0.7 && c <= 0.7)
	}
	perModel("train step", true)
	for _, r := range rows {
		if r.name == "single_neuron" {
			t.add("single-neuron train step, est. A72 cycles", strconv.Itoa(r.train[1]), "<= 40", r.train[1] <= 40)
		}
	}
	t.add("compile single-neuron model (fastest of 10)", ct.Round(time.Microsecond).String(), "< 50ms", ct < 50*time.Millisecond)
	t.print(w)
}

func star(libm bool) string {
	if libm {
		return "*"
	}
	return ""
}

// targets is the table of figures next to their targets.
type targets struct{ rows [][4]string }

func (t *targets) add(figure, now, target string, ok bool) {
	t.rows = append(t.rows, [4]string{figure, now, target, map[bool]string{true: "yes", false: "NO"}[ok]})
}

func (t *targets) print(w io.Writer) {
	head := [4]string{"figure", "now", "target", "ok?"}
	var wd [4]int
	for _, r := range append([][4]string{head}, t.rows...) {
		for i, c := range r {
			wd[i] = max(wd[i], len(c))
		}
	}
	line := func(r [4]string) {
		fmt.Fprintf(w, "%-*s | %-*s | %-*s | %s\n", wd[0], r[0], wd[1], r[1], wd[2], r[2], r[3])
	}
	fmt.Fprintln(w, "Targets (issue 14):")
	line(head)
	fmt.Fprintf(w, "%s-|-%s-|-%s-|-%s\n", strings.Repeat("-", wd[0]), strings.Repeat("-", wd[1]), strings.Repeat("-", wd[2]), strings.Repeat("-", wd[3]))
	for _, r := range t.rows {
		line(r)
	}
	fmt.Fprintln(w)
}

func median(x []float64) float64 {
	s := append([]float64{}, x...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
