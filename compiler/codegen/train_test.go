package codegen

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/arch/arm64/arm64asm"

	A "github.com/muscles/referee/compiler/arm64"
	"github.com/muscles/referee/compiler/autodiff"
	"github.com/muscles/referee/compiler/codegen/run"
	"github.com/muscles/referee/compiler/frontend"
	"github.com/muscles/referee/compiler/ir"
	"github.com/muscles/referee/compiler/numpytest"
)

const (
	trainSteps = 5
	fdEps      = 1e-4 // as compiler/autodiff's NumPy test
	numpyTol   = 1e-3 // |got − want| ≤ numpyTol·max(1, |want|)
	interpTol  = 1e-5 // machine code vs autodiff.Step on the interpreter
)

// trainModel is one model file the train entry is tested on.
type trainModel struct {
	path    string
	targets float64 // targets uniform in [-targets, targets]; 0: one-hot
	skip    string  // why the model is not compiled (CompileMuscle must fail with this)
}

// trainModels: every model of compiler/frontend/testdata/models and
// compiler/autodiff/testdata/models.
var trainModels = []trainModel{
	{"../frontend/testdata/models/single_neuron.py", 2, ""},
	{"../frontend/testdata/models/relu_mlp.py", 2, ""},
	{"../frontend/testdata/models/tanh_mlp.py", 1, ""},
	{"../frontend/testdata/models/sigmoid.py", 1, ""},
	{"../frontend/testdata/models/softmax.py", 1, ""},
	{"../frontend/testdata/models/where_broadcast.py", 2, ""},
	{"../frontend/testdata/models/batch.py", 2, ""},
	{"../frontend/testdata/models/reductions.py", 2, ""},
	{"../frontend/testdata/models/misc_ops.py", 2, ""},
	{"../frontend/testdata/models/npz_mlp.py", 2, ""},
	{"../autodiff/testdata/models/frozen_custom_loss.py", 1, ""},
	{"../autodiff/testdata/models/softmax_xent.py", 0, ""},
	// ops_mix.py computes x ** 1.5 (a half-integral power: sqrt(x)**3).
	{"../autodiff/testdata/models/ops_mix.py", 2, ""},
	// Loops over transposed operands, views and copies.
	{"testdata/transposed.py", 2, ""},
}

// loadTrain parses the model file twice: the forward model (after the
// ir passes) and its train graph.
func loadTrain(t *testing.T, path string) (*ir.Model, *autodiff.TrainGraph) {
	t.Helper()
	m := loadModel(t, path)
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tm, err := frontend.Compile(path, src)
	if err != nil {
		t.Fatal(err)
	}
	tg, err := autodiff.Train(tm)
	if err != nil {
		t.Fatalf("autodiff: %v", err)
	}
	return m, tg
}

func trainData(seed uint64, n, k int, scale float64) [][]float32 {
	return numpytest.Uniform(rand.New(rand.NewPCG(seed, 17)), n, k, scale)
}

// checkInterpreter runs the IR interpreter's training steps on the same
// inputs and targets and compares each step's output and the final
// trainable parameters with the machine code's (outs, final), within tol
// (0: bit for bit).
func checkInterpreter(t *testing.T, tg *autodiff.TrainGraph, mu *Muscle, xs, ts, outs [][]float32, final []byte, tol float64) {
	t.Helper()
	params := map[string][]float32{}
	for k := range xs {
		y, next, err := autodiff.Step(tg, xs[k], ts[k], params)
		if err != nil {
			t.Fatal(err)
		}
		if err := numpytest.CloseTo(outs[k], widen(y), tol); err != nil {
			t.Errorf("step %d: y vs interpreter: %v", k, err)
		}
		params = next
	}
	for _, u := range tg.Updates {
		s, _ := mu.Slot(u.Name)
		if err := numpytest.CloseTo(slotData(final, s), widen(params[u.Name]), tol); err != nil {
			t.Errorf("%s after %d steps vs interpreter: %v", u.Name, len(xs), err)
		}
	}
}

// slotData reads a slot's floats out of a state buffer.
func slotData(state []byte, s Slot) []float32 {
	out := make([]float32, s.Bytes/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(state[s.Offset+4*i:]))
	}
	return out
}

func widen(fs []float32) []float64 {
	out := make([]float64, len(fs))
	for i, f := range fs {
		out[i] = float64(f)
	}
	return out
}

func trainProgram(mu *Muscle) run.TrainProgram {
	return run.TrainProgram{Program: run.Program{Code: mu.Code, Entry: mu.TrainEntry, State: mu.InitialState(),
		InputSize: mu.InputSize, OutputSize: mu.OutputSize, ScratchSize: mu.ScratchSize}, TargetSize: mu.TargetSize}
}

type sgdReply struct {
	Params    map[string][]float64
	Trainable []string
	Losses    []float64
}

func numpySGD(t *testing.T, path string, req map[string]any) sgdReply {
	t.Helper()
	var rep sgdReply
	numpytest.Run(t, "../autodiff/testdata/numpy_sgd.py", []string{path}, req, &rep)
	return rep
}

// TestTrainModels runs trainSteps calls of the train entry under
// qemu-aarch64 on every model and compares the outputs and the final
// state with autodiff.Step on the interpreter and with the NumPy
// finite-difference reference.
func TestTrainModels(t *testing.T) {
	needRunner(t)
	for i, tm := range trainModels {
		t.Run(filepath.Base(tm.path), func(t *testing.T) {
			m, tg := loadTrain(t, tm.path)
			mu, err := CompileMuscle(m, tg)
			if tm.skip != "" {
				if err == nil || !strings.Contains(err.Error(), tm.skip) {
					t.Fatalf("CompileMuscle: %v, want an error containing %q", err, tm.skip)
				}
				t.Skipf("not compiled: %v", err)
			}
			if err != nil {
				t.Fatalf("CompileMuscle: %v", err)
			}
			xs := trainData(uint64(i), trainSteps, mu.InputSize/4, 1.5)
			ts := trainData(uint64(i)+100, trainSteps, mu.TargetSize/4, tm.targets)
			init := mu.InitialState()
			outs, final, err := run.Train(trainProgram(mu), xs, ts, init, trainSteps)
			if err != nil {
				t.Fatal(err)
			}

			// (a) the interpreter, step by step.
			checkInterpreter(t, tg, mu, xs, ts, outs, final, interpTol)
			for _, u := range tg.Updates {
				s, _ := mu.Slot(u.Name)
				if slices.Equal(slotData(final, s), s.Init) {
					t.Errorf("trainable %s did not change", u.Name)
				}
			}

			// Frozen parameters and constant slots are never written.
			for _, s := range mu.State {
				if !s.Trainable && !bytes.Equal(final[s.Offset:s.Offset+s.Bytes], init[s.Offset:s.Offset+s.Bytes]) {
					t.Errorf("slot %s (not trainable) changed", s.Name)
				}
			}

			// y of the first call is the forward entry's output.
			fwd, err := run.Forward(run.Program{Code: mu.Code, Entry: mu.ForwardEntry, State: init,
				InputSize: mu.InputSize, OutputSize: mu.OutputSize, ScratchSize: mu.ScratchSize}, xs[:1])
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(fwd[0], outs[0]) {
				if err := numpytest.CloseTo(outs[0], widen(fwd[0]), 1e-6); err != nil {
					t.Errorf("train y %v, forward %v: %v", outs[0], fwd[0], err)
				}
			}

			// (b) NumPy with finite differences.
			var names []string
			for _, p := range m.Params {
				names = append(names, p.Name)
			}
			ref := numpySGD(t, tm.path, map[string]any{
				"shape": append([]int{}, tg.Input.Shape...), "target_shape": append([]int{}, tg.Target.Shape...),
				"params": names, "xs": xs, "targets": ts, "eps": fdEps,
			})
			var trainable []string
			for _, u := range tg.Updates {
				trainable = append(trainable, u.Name)
			}
			if !slices.Equal(ref.Trainable, trainable) {
				t.Fatalf("trainable %v, NumPy says %v", trainable, ref.Trainable)
			}
			for _, n := range names {
				s, _ := mu.Slot(n)
				if err := numpytest.CloseTo(slotData(final, s), ref.Params[n], numpyTol); err != nil {
					t.Errorf("%s after %d steps vs NumPy: %v", n, trainSteps, err)
				}
			}
			t.Logf("%-22s train: %5d instrs emitted, %7d executed/step; forward: %5d executed; %d code bytes, state %d B, scratch %d B, updates in place %d, copied %d",
				filepath.Base(tm.path), len(mu.TrainInstrs), mu.TrainExecuted, mu.ForwardExecuted, len(mu.Code),
				mu.StateSize, mu.ScratchSize, mu.InPlaceUpdates, mu.CopiedUpdates)
		})
	}
}

// TestMuscleDecodableAndABI decodes every word of both entries and runs
// the static ABI check on each; the forward entry must not base accesses
// on x4.
func TestMuscleDecodableAndABI(t *testing.T) {
	for _, tm := range trainModels {
		if tm.skip != "" {
			continue
		}
		m, tg := loadTrain(t, tm.path)
		mu, err := CompileMuscle(m, tg)
		if err != nil {
			t.Fatalf("%s: %v", tm.path, err)
		}
		checkMuscleCode(t, tm.path, mu)
	}
}

func checkMuscleCode(t *testing.T, name string, mu *Muscle) {
	t.Helper()
	if mu.ForwardEntry != 0 || mu.TrainEntry != 4*len(mu.ForwardInstrs) || mu.TrainEntry%4 != 0 ||
		len(mu.Code) != 4*(len(mu.ForwardInstrs)+len(mu.TrainInstrs)) {
		t.Fatalf("%s: entries %d, %d for %d+%d instructions, %d bytes", name, mu.ForwardEntry, mu.TrainEntry,
			len(mu.ForwardInstrs), len(mu.TrainInstrs), len(mu.Code))
	}
	all := append(append([]A.Instr{}, mu.ForwardInstrs...), mu.TrainInstrs...)
	rets := 0
	for i := 0; i < len(mu.Code); i += 4 {
		inst, err := arm64asm.Decode(mu.Code[i:])
		if err != nil {
			t.Fatalf("%s: word %d (%s) does not decode: %v", name, i/4, all[i/4], err)
		}
		if inst.Op == arm64asm.RET {
			rets++
		}
	}
	if rets != 2 || binary.LittleEndian.Uint32(mu.Code[mu.TrainEntry-4:]) != 0xD65F03C0 ||
		binary.LittleEndian.Uint32(mu.Code[len(mu.Code)-4:]) != 0xD65F03C0 {
		t.Errorf("%s: %d rets; each entry must end in its single ret", name, rets)
	}
	if err := CheckEntryABI(mu.ForwardInstrs, false); err != nil {
		t.Errorf("%s forward: %v", name, err)
	}
	if err := CheckEntryABI(mu.TrainInstrs, true); err != nil {
		t.Errorf("%s train: %v", name, err)
	}
	if err := CheckABI(mu.TrainInstrs); err != nil {
		t.Errorf("%s train: %v", name, err)
	}
}

func TestMuscleDeterministic(t *testing.T) {
	for _, tm := range trainModels {
		if tm.skip != "" {
			continue
		}
		m1, tg1 := loadTrain(t, tm.path)
		m2, tg2 := loadTrain(t, tm.path)
		a, err := CompileMuscle(m1, tg1)
		if err != nil {
			t.Fatal(err)
		}
		b, err := CompileMuscle(m2, tg2)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Code, b.Code) || a.Listing != b.Listing || !bytes.Equal(a.InitialState(), b.InitialState()) ||
			a.TrainEntry != b.TrainEntry || a.ScratchSize != b.ScratchSize {
			t.Errorf("%s: two compilations differ", tm.path)
		}
	}
}

// TestForwardEntryMatchesCompile: the muscle's forward entry is Compile's
// code when the forward graph has no large constants.
func TestForwardEntryMatchesCompile(t *testing.T) {
	m, tg := loadTrain(t, "../frontend/testdata/models/relu_mlp.py")
	mu, err := CompileMuscle(m, tg)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Compile(m.Graph, m.Params)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(c.Bytes, mu.Code[:mu.TrainEntry]) {
		t.Errorf("forward entry differs from Compile's code")
	}
	if !strings.Contains(mu.Listing, "forward:\n") || !strings.Contains(mu.Listing, "train:\n") {
		t.Errorf("listing lacks the entry headers")
	}
}

// hazardMuscle builds, by hand, a train graph in which in-place updates
// would be wrong:
//   - A's new value is computed before a later kernel reads A (through a
//     transpose): computed into A's slot, that kernel would read the new A;
//   - C's update reads C through a transpose in its own kernel;
//   - D's and E's new values are each other's old values (transposed):
//     views of the state, copied naively they would overwrite each other;
//   - likewise F and G, swapped without a view (contiguous in the state);
//   - B's update is the last reader of B and reads it elementwise, so it
//     may be computed in place.
func hazardMuscle(t *testing.T) (*ir.Model, *autodiff.TrainGraph) {
	t.Helper()
	s := ir.Shape{2, 2}
	init := map[string][]float32{
		"A": {0.5, -1, 2, 0.25}, "B": {1, 2, 3, 4}, "C": {-1, 0.5, 1.5, -2},
		"D": {3, -3, 0.75, 8}, "E": {-0.5, 6, 7, -4},
		"F": {1, 1, 2, 3}, "G": {5, 8, 13, 21},
	}
	names := []string{"A", "B", "C", "D", "E", "F", "G"}
	must := func(v *ir.Value, err error) *ir.Value {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}

	fg := ir.New()
	fx := fg.Input("x", s)
	m := &ir.Model{File: "hazard", Graph: fg, InputName: "x", InputShape: s, OutputShape: s, LearningRate: 0.1}
	fp := map[string]*ir.Value{}
	for _, n := range names {
		fp[n] = fg.Param(n, s, init[n], true)
		m.Params = append(m.Params, ir.Param{Name: n, Shape: s, Init: init[n], Trainable: true, Value: fp[n]})
	}
	fg.Output = must(fg.Binary(ir.OpAdd, must(fg.Binary(ir.OpMul, fx, fp["A"])), fp["B"]))

	g := ir.New()
	x := g.Input("x", s)
	tgt := g.Input("target", s)
	p := map[string]*ir.Value{}
	for _, n := range names {
		p[n] = g.Param(n, s, init[n], true)
	}
	c := g.Scalar(0.1)
	y := must(g.Binary(ir.OpAdd, must(g.Binary(ir.OpMul, x, p["A"])), p["B"]))
	v1 := must(g.Binary(ir.OpMul, p["B"], tgt))
	uA := must(g.Binary(ir.OpSub, p["A"], must(g.Binary(ir.OpMul, c, v1))))
	v2 := must(g.Binary(ir.OpAdd, g.Transpose(p["A"]), x)) // reads the old A after uA
	uB := must(g.Binary(ir.OpSub, p["B"], must(g.Binary(ir.OpMul, c, v2))))
	uC := must(g.Binary(ir.OpSub, g.Transpose(p["C"]), c))
	uD := g.Transpose(p["E"])
	uE := g.Transpose(p["D"])
	g.Output = y
	tg := &autodiff.TrainGraph{Graph: g, Input: x, Target: tgt, Y: y, LearningRate: 0.1,
		Updates: []autodiff.Update{
			{Name: "A", Param: p["A"], Value: uA}, {Name: "B", Param: p["B"], Value: uB},
			{Name: "C", Param: p["C"], Value: uC}, {Name: "D", Param: p["D"], Value: uD},
			{Name: "E", Param: p["E"], Value: uE},
			{Name: "F", Param: p["F"], Value: p["G"]}, {Name: "G", Param: p["G"], Value: p["F"]},
		}}
	return m, tg
}

// TestTrainUpdateHazards runs the hand-built graph of hazardMuscle and
// checks that every update saw the parameters before the step.
func TestTrainUpdateHazards(t *testing.T) {
	m, tg := hazardMuscle(t)
	mu, err := CompileMuscle(m, tg)
	if err != nil {
		t.Fatal(err)
	}
	checkMuscleCode(t, "hazard", mu)
	if mu.InPlaceUpdates != 1 || mu.CopiedUpdates != 6 {
		t.Errorf("%d updates in place, %d copied; want 1 (B) and 6", mu.InPlaceUpdates, mu.CopiedUpdates)
	}
	needRunner(t)
	xs := trainData(1, trainSteps, 4, 1)
	ts := trainData(2, trainSteps, 4, 1)
	outs, final, err := run.Train(trainProgram(mu), xs, ts, nil, trainSteps)
	if err != nil {
		t.Fatal(err)
	}
	checkInterpreter(t, tg, mu, xs, ts, outs, final, 0) // bit for bit
}

// TestTrainZeroSteps: Train with no steps returns the state unchanged.
func TestTrainZeroSteps(t *testing.T) {
	m, tg := hazardMuscle(t)
	mu, err := CompileMuscle(m, tg)
	if err != nil {
		t.Fatal(err)
	}
	outs, final, err := run.Train(trainProgram(mu), nil, nil, mu.InitialState(), 0)
	if err != nil || len(outs) != 0 || !bytes.Equal(final, mu.InitialState()) {
		t.Errorf("Train with 0 steps: %v, %d outputs", err, len(outs))
	}
}

// TestTrainMLP784 trains the 784→128→10 MLP for two steps against the
// interpreter (the NumPy finite-difference reference would need 2·10^5
// forward passes per step, so it is not run here).
func TestTrainMLP784(t *testing.T) {
	if testing.Short() {
		t.Skip("large model")
	}
	needRunner(t)
	m, tg := loadTrain(t, "testdata/mlp784.py")
	mu, err := CompileMuscle(m, tg)
	if err != nil {
		t.Fatal(err)
	}
	checkMuscleCode(t, "mlp784", mu)
	const steps = 2
	xs := trainData(7, steps, mu.InputSize/4, 1)
	ts := trainData(8, steps, mu.TargetSize/4, 1)
	outs, final, err := run.Train(trainProgram(mu), xs, ts, nil, steps)
	if err != nil {
		t.Fatal(err)
	}
	checkInterpreter(t, tg, mu, xs, ts, outs, final, interpTol)
	t.Logf("mlp784 train: %d instrs emitted, %d executed/step; forward %d executed; %d code bytes, scratch %d B, updates in place %d, copied %d",
		len(mu.TrainInstrs), mu.TrainExecuted, mu.ForwardExecuted, len(mu.Code), mu.ScratchSize, mu.InPlaceUpdates, mu.CopiedUpdates)
}

// TestCodeGrowsWithGraph checks that the code of mlp784 (forward and
// train, 10^5 parameters) and of transposed.py stays within 16 KiB: the kernels loop over rows
// and elements instead of repeating code in proportion to the weights.
func TestCodeGrowsWithGraph(t *testing.T) {
	for _, path := range []string{"testdata/mlp784.py", "testdata/transposed.py"} {
		m, tg := loadTrain(t, path)
		mu, err := CompileMuscle(m, tg)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(mu.Code); n > 16<<10 {
			t.Errorf("%s: %d code bytes for forward and train, want at most %d", path, n, 16<<10)
		}
	}
}
