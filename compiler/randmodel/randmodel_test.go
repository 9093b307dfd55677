package randmodel

import (
	"encoding/binary"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/muscles/referee/compiler/autodiff"
	"github.com/muscles/referee/compiler/codegen"
	"github.com/muscles/referee/compiler/codegen/run"
	"github.com/muscles/referee/compiler/frontend"
	"github.com/muscles/referee/compiler/ir"
	"github.com/muscles/referee/compiler/numpytest"
)

var (
	seedFlag   = flag.Uint64("seed", 0, "base seed of the random models (0: from the clock); model i uses seed+i")
	modelsFlag = flag.Int("models", 0, "number of random models (0: 200, or 20 with -short)")
	trainFlag  = flag.Bool("trainall", false, "run the train steps on every model, not only when seed%4 == 0")
)

const (
	trainEvery = 4    // every trainEvery-th model also runs train
	trainSteps = 3    // train steps compared with NumPy
	fdEps      = 1e-6 // finite-difference step of the NumPy reference (float64: rounding error ~1e-10)
	trainTol   = 1e-3
	approxTol  = 1e-4 // forward tolerance with exp/tanh/log/sqrt/div
	exactTol   = 1e-5 // forward tolerance otherwise
	extraIns   = 2    // inputs per model beyond Generate's own
)

// knownBug is a compiler bug the random models hit. A model whose
// pipeline error matches is not reported: its train steps are skipped
// (with the bug named) and, when forward can still be compiled alone
// (codegen.Compile), forward is compared with NumPy; so the suite stays
// green while the bug is open.
type knownBug struct {
	name  string
	match func(src string, err error) bool
}

var knownBugs = []knownBug{
	// None open. (x ** 0.5, whose derivative needs pow -0.5, was one until
	// codegen took half-integral exponents.)
}

// compiled is one generated model through the musclec pipeline.
type compiled struct {
	seed    uint64
	path    string
	src     string
	info    Info
	model   *ir.Model
	tg      *autodiff.TrainGraph
	mu      *codegen.Muscle
	fwd     *codegen.Code // forward alone, when a known bug stops CompileMuscle
	bug     string        // the known bug this model hits
	inputs  [][]float32
	targets [][]float32
	train   bool
	err     error // a pipeline error
}

// compile runs the pipeline of tools/musclec (compile.go) on c.path:
// frontend.Compile, ir.RunPasses, autodiff.Train,
// codegen.CompileMuscle. If a known bug stops it, c.bug names it and
// c.fwd is the forward entry alone (codegen.Compile), if that compiles.
func (c *compiled) compile() {
	src, err := os.ReadFile(c.path)
	if err != nil {
		c.err = err
		return
	}
	m, err := frontend.Compile(c.path, src)
	if err != nil {
		c.err = fmt.Errorf("frontend: %w", err)
		return
	}
	if err := ir.RunPasses(m.Graph, ir.Passes, ""); err != nil {
		c.err = fmt.Errorf("passes: %w", err)
		return
	}
	c.model = m
	defer func() {
		if c.err == nil {
			return
		}
		for _, b := range knownBugs {
			if b.match(c.src, c.err) {
				c.bug, c.err = b.name, nil
				if code, err := codegen.Compile(m.Graph, m.Params); err == nil {
					c.fwd = code
				}
				return
			}
		}
	}()
	tm, err := frontend.Compile(c.path, src)
	if err != nil {
		c.err = fmt.Errorf("frontend: %w", err)
		return
	}
	c.tg, err = autodiff.Train(tm)
	if err != nil {
		c.err = fmt.Errorf("autodiff: %w", err)
		return
	}
	c.mu, err = codegen.CompileMuscle(m, c.tg)
	if err != nil {
		c.err = fmt.Errorf("codegen: %w", err)
	}
}

func randVec(r *rand.Rand, n int, scale float64) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32((2*r.Float64() - 1) * scale)
	}
	return v
}

// exact widens float32 values so that JSON carries them exactly.
func exact(vs [][]float32) [][]float64 {
	out := make([][]float64, len(vs))
	for i, v := range vs {
		out[i] = make([]float64, len(v))
		for j, f := range v {
			out[i][j] = float64(f)
		}
	}
	return out
}

type trainJob struct {
	Params      []string    `json:"params"`
	TargetShape []int       `json:"target_shape"`
	Xs          [][]float64 `json:"xs"`
	Targets     [][]float64 `json:"targets"`
	Eps         float64     `json:"eps"`
}

type job struct {
	File   string      `json:"file"`
	Shape  []int       `json:"shape"`
	Inputs [][]float64 `json:"inputs"`
	Train  *trainJob   `json:"train"`
}

type reply struct {
	Outputs   [][]float64          `json:"outputs"`
	Params    map[string][]float64 `json:"params"`
	Trainable []string             `json:"trainable"`
	Nonsmooth []string             `json:"nonsmooth"`
	Error     string               `json:"error"`
}

// numpyBatch runs every job in one CPython process.
func numpyBatch(jobs []job) ([]reply, error) {
	var reps []reply
	if err := numpytest.Call("testdata/numpy_batch.py", nil, jobs, &reps); err != nil {
		return nil, err
	}
	if len(reps) != len(jobs) {
		return nil, fmt.Errorf("numpy_batch.py: %d replies for %d jobs", len(reps), len(jobs))
	}
	return reps, nil
}

func slotData(state []byte, s codegen.Slot) []float32 {
	out := make([]float32, s.Bytes/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(state[s.Offset+4*i:]))
	}
	return out
}

func needTools(t *testing.T) {
	t.Helper()
	if err := run.Available(); err != nil {
		t.Fatalf("cannot run AArch64 code here (qemu-aarch64 / aarch64-linux-gnu-gcc; make test installs them): %v", err)
	}
	numpytest.Need(t)
}

// TestRandomModels generates random models, compiles each through the
// musclec pipeline, runs forward (and, for every trainEvery-th model,
// trainSteps train steps) under qemu-aarch64 and compares with NumPy.
// Reproduce a failure with the seed its message prints:
//
//	go test ./compiler/randmodel/ -run TestRandomModels -seed=N -models=1
func TestRandomModels(t *testing.T) {
	needTools(t)
	base := *seedFlag
	if base == 0 {
		base = uint64(time.Now().UnixNano())
	}
	n := *modelsFlag
	if n <= 0 {
		n = 200
		if testing.Short() {
			n = 20
		}
	}
	t.Logf("base seed %d, %d models (reproduce all: -seed=%d -models=%d)", base, n, base, n)
	start := time.Now()
	dir := t.TempDir()

	// 1. Generate and compile every model (in parallel: pure Go).
	cs := make([]*compiled, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i := range cs {
		seed := base + uint64(i)
		c := &compiled{seed: seed, path: filepath.Join(dir, fmt.Sprintf("model_%d.py", seed)), train: seed%trainEvery == 0 || *trainFlag}
		cs[i] = c
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			r := rand.New(rand.NewPCG(seed, 0x5eed))
			src, in, target, info := GenerateInfo(r)
			c.src, c.info = src, info
			c.inputs = [][]float32{in}
			for range extraIns {
				c.inputs = append(c.inputs, randVec(r, len(in), 2))
			}
			c.targets = [][]float32{target}
			for range trainSteps - 1 {
				c.targets = append(c.targets, randVec(r, len(target), 1))
			}
			if c.err = os.WriteFile(c.path, []byte(src), 0o644); c.err != nil {
				return
			}
			c.compile()
		}()
	}
	wg.Wait()
	compiledAt := time.Since(start)

	// 2. NumPy: one CPython process for all models.
	jobs := make([]job, n)
	for i, c := range cs {
		jobs[i] = job{File: c.path, Shape: c.info.InputShape, Inputs: exact(c.inputs)}
		if jobs[i].Shape == nil {
			jobs[i].Shape = []int{}
		}
		if c.train && c.err == nil && c.bug == "" {
			names := []string{}
			for _, p := range c.model.Params {
				names = append(names, p.Name)
			}
			ts := c.info.OutputShape
			if ts == nil {
				ts = []int{}
			}
			jobs[i].Train = &trainJob{Params: names, TargetShape: ts, Xs: exact(c.inputs[:trainSteps]), Targets: exact(c.targets), Eps: fdEps}
		}
	}
	reps, err := numpyBatch(jobs)
	if err != nil {
		t.Fatalf("base seed %d: %v", base, err)
	}
	numpyAt := time.Since(start)

	// 3. Run the machine code and compare, one subtest per model.
	t.Run("models", func(t *testing.T) {
		for i, c := range cs {
			t.Run(fmt.Sprintf("seed=%d", c.seed), func(t *testing.T) {
				t.Parallel()
				checkModel(t, base, c, reps[i])
			})
		}
	})
	trained := 0
	for _, c := range cs {
		if c.train {
			trained++
		}
	}
	t.Logf("base seed %d: %d models (%d with train steps) in %v (compile %v, NumPy %v)", base, n, trained,
		time.Since(start).Round(time.Millisecond), compiledAt.Round(time.Millisecond), (numpyAt - compiledAt).Round(time.Millisecond))
}

func checkModel(t *testing.T, base uint64, c *compiled, rep reply) {
	repro := fmt.Sprintf("model seed %d (base seed %d); reproduce: go test ./compiler/randmodel/ -run TestRandomModels -seed=%d -models=1",
		c.seed, base, c.seed)
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf("%s\n%s\nmodel:\n%s", fmt.Sprintf(format, args...), repro, c.src)
	}
	if rep.Error != "" {
		fail("the generated model fails under CPython + NumPy:\n%s", rep.Error)
		return
	}
	if c.err != nil {
		fail("compile: %v", c.err)
		return
	}
	if !slices.Equal([]int(c.model.InputShape), c.info.InputShape) && !(len(c.model.InputShape) == 0 && len(c.info.InputShape) == 0) {
		fail("input shape %v, generator says %v", c.model.InputShape, c.info.InputShape)
		return
	}
	tol := exactTol
	if c.info.Approx {
		tol = approxTol
	}
	var prog run.Program
	if c.bug != "" {
		if c.fwd == nil {
			t.Skipf("known compiler bug: %s (%s)", c.bug, repro)
		}
		prog = run.Program{Code: c.fwd.Bytes, Entry: c.fwd.Entry, State: c.fwd.InitialState(),
			InputSize: c.fwd.InputSize, OutputSize: c.fwd.OutputSize, ScratchSize: c.fwd.ScratchSize}
	} else {
		prog = run.Program{Code: c.mu.Code, Entry: c.mu.ForwardEntry, State: c.mu.InitialState(),
			InputSize: c.mu.InputSize, OutputSize: c.mu.OutputSize, ScratchSize: c.mu.ScratchSize}
	}
	got, err := run.Forward(prog, c.inputs)
	if err != nil {
		fail("forward: %v", err)
		return
	}
	for k := range c.inputs {
		if err := numpytest.CloseTo(got[k], rep.Outputs[k], tol); err != nil {
			fail("forward, input %d %v: %v", k, c.inputs[k], err)
			return
		}
	}
	if c.bug != "" {
		t.Skipf("forward agrees with NumPy; train not run: known compiler bug: %s (%s)", c.bug, repro)
	}
	if !c.train {
		return
	}
	mu, init := c.mu, prog.State
	tp := run.TrainProgram{Program: prog, TargetSize: mu.TargetSize}
	tp.Entry = mu.TrainEntry
	_, final, err := run.Train(tp, c.inputs[:trainSteps], c.targets, init, trainSteps)
	if err != nil {
		fail("train: %v", err)
		return
	}
	var trainable []string
	for _, u := range c.tg.Updates {
		trainable = append(trainable, u.Name)
	}
	if !slices.Equal(trainable, rep.Trainable) && !(len(trainable) == 0 && len(rep.Trainable) == 0) {
		fail("trainable %v, NumPy says %v", trainable, rep.Trainable)
		return
	}
	if len(rep.Nonsmooth) > 0 {
		// A max/min tie or a clip/where/abs boundary within fdEps of a
		// training point: the finite-difference reference is not a
		// gradient there, so the parameters are not compared.
		t.Logf("train steps ran; not compared: the loss has a kink at %v", rep.Nonsmooth)
		return
	}
	for name, want := range rep.Params {
		s, ok := mu.Slot(name)
		if !ok {
			fail("no state slot for parameter %s", name)
			return
		}
		if err := numpytest.CloseTo(slotData(final, s), want, trainTol); err != nil {
			fail("%s after %d train steps vs NumPy finite differences: %v\ninputs %v\ntargets %v", name, trainSteps, err, c.inputs[:trainSteps], c.targets)
		}
	}
}

// TestGenerateDeterministic: the same seed gives the same model.
func TestGenerateDeterministic(t *testing.T) {
	for seed := range uint64(50) {
		a, ai, at := Generate(rand.New(rand.NewPCG(seed, 1)))
		b, bi, bt := Generate(rand.New(rand.NewPCG(seed, 1)))
		if a != b || !slices.Equal(ai, bi) || !slices.Equal(at, bt) {
			t.Fatalf("seed %d: two generations differ", seed)
		}
	}
}
