package autodiff

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/muscles/referee/compiler/ir"
	"github.com/muscles/referee/compiler/numpytest"
)

const (
	sgdSteps = 5
	fdEps    = 1e-4 // central differences in float64, see testdata/numpy_sgd.py
	sgdTol   = 1e-3 // |got − want| ≤ sgdTol·max(1, |want|)
)

// trainCase is one model file trained against the NumPy reference.
type trainCase struct {
	path    string
	frozen  []string // FROZEN, as the test expects it
	custom  bool     // the module defines def loss
	lr      float64
	targets float64 // targets are uniform in [-targets, targets]; 0: one-hot
}

var trainCases = []trainCase{
	{"../frontend/testdata/models/single_neuron.py", nil, false, 0.01, 2},
	{"../frontend/testdata/models/relu_mlp.py", nil, false, 0.05, 2},
	{"../frontend/testdata/models/tanh_mlp.py", nil, false, 0.01, 1},
	{"../frontend/testdata/models/sigmoid.py", []string{"b"}, false, 0.01, 1},
	{"../frontend/testdata/models/softmax.py", nil, false, 0.01, 1},
	{"../frontend/testdata/models/where_broadcast.py", nil, false, 0.01, 2},
	{"../frontend/testdata/models/batch.py", nil, false, 0.01, 2},
	{"../frontend/testdata/models/reductions.py", nil, false, 0.01, 2},
	{"../frontend/testdata/models/misc_ops.py", []string{"K"}, false, 0.1, 2},
	{"../frontend/testdata/models/npz_mlp.py", nil, false, 0.05, 2},
	{"testdata/models/frozen_custom_loss.py", []string{"SCALE"}, true, 0.2, 1},
	{"testdata/models/softmax_xent.py", []string{"W1"}, true, 0.5, 0},
	{"testdata/models/ops_mix.py", nil, false, 0.05, 2},
}

type sgdReply struct {
	Params    map[string][]float64
	Trainable []string
	Losses    []float64
}

func numpySGD(t *testing.T, path string, req map[string]any) sgdReply {
	t.Helper()
	var rep sgdReply
	numpytest.Run(t, filepath.Join("testdata", "numpy_sgd.py"), []string{path}, req, &rep)
	return rep
}

func TestTrainModelsAgainstNumPy(t *testing.T) {
	for i, tc := range trainCases {
		t.Run(filepath.Base(tc.path), func(t *testing.T) {
			src, err := os.ReadFile(tc.path)
			if err != nil {
				t.Fatal(err)
			}
			tg, err := TrainFile(tc.path, src)
			if err != nil {
				t.Fatalf("TrainFile: %v", err)
			}
			if tg.CustomLoss != tc.custom || tg.LearningRate != tc.lr || !slices.Equal(tg.Frozen, tc.frozen) {
				t.Fatalf("custom loss %v, lr %v, frozen %v; want %v, %v, %v", tg.CustomLoss, tg.LearningRate, tg.Frozen, tc.custom, tc.lr, tc.frozen)
			}
			var names, trainable []string
			init := map[string][]float32{}
			for _, p := range tg.Graph.Params() {
				names = append(names, p.Name)
				init[p.Name] = p.Data
			}
			for _, u := range tg.Updates {
				trainable = append(trainable, u.Name)
			}
			r := rand.New(rand.NewPCG(uint64(i), 11))
			xs := numpytest.Uniform(r, sgdSteps, tg.Input.Shape.Size(), 1.5)
			ts := numpytest.Uniform(r, sgdSteps, tg.Target.Shape.Size(), tc.targets)
			ref := numpySGD(t, tc.path, map[string]any{
				"shape": append([]int{}, tg.Input.Shape...), "target_shape": append([]int{}, tg.Target.Shape...),
				"params": names, "xs": xs, "targets": ts, "eps": fdEps,
			})
			if !slices.Equal(ref.Trainable, trainable) {
				t.Fatalf("trainable parameters %v, NumPy reference says %v", trainable, ref.Trainable)
			}
			params := map[string][]float32{}
			for step := range sgdSteps {
				loss, err := Loss(tg, xs[step], ts[step], params)
				if err != nil {
					t.Fatal(err)
				}
				if d := math.Abs(float64(loss) - ref.Losses[step]); d > 1e-4*math.Max(1, math.Abs(ref.Losses[step])) {
					t.Errorf("step %d: loss %v, NumPy %v", step, loss, ref.Losses[step])
				}
				_, next, err := Step(tg, xs[step], ts[step], params)
				if err != nil {
					t.Fatal(err)
				}
				if len(next) != len(tg.Updates) {
					t.Fatalf("Step returned %d parameters, want %d", len(next), len(tg.Updates))
				}
				params = next
			}
			for _, n := range names {
				got, ok := params[n]
				if slices.Contains(tc.frozen, n) {
					if ok {
						t.Errorf("frozen %s is a result of the train step", n)
					}
					got = init[n]
				}
				if err := numpytest.CloseTo(got, ref.Params[n], sgdTol); err != nil {
					t.Errorf("%s after %d steps: %v", n, sgdSteps, err)
				}
				if !slices.Contains(tc.frozen, n) && slices.Equal(got, init[n]) {
					t.Errorf("trainable %s did not change", n)
				}
			}
		})
	}
}

// TestTrainYIsForwardBeforeUpdate checks Step's first result against the
// plain forward graph at the parameters before the step.
func TestTrainYIsForwardBeforeUpdate(t *testing.T) {
	for i, tc := range trainCases {
		src, err := os.ReadFile(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		tg, err := TrainFile(tc.path, src)
		if err != nil {
			t.Fatal(err)
		}
		r := rand.New(rand.NewPCG(uint64(i), 3))
		x := numpytest.Uniform(r, 1, tg.Input.Shape.Size(), 1)[0]
		tgt := numpytest.Uniform(r, 1, tg.Target.Shape.Size(), 1)[0]
		fwd := &ir.Graph{Values: tg.Graph.Values, Output: tg.Y}
		want, err := ir.Eval(&ir.Graph{Values: withoutInput(fwd.Values, tg.Target), Output: tg.Y}, x, nil)
		if err != nil {
			t.Fatal(err)
		}
		y, _, err := Step(tg, x, tgt, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(y, want) {
			t.Errorf("%s: y %v, forward %v", tc.path, y, want)
		}
	}
}

// withoutInput drops in from vals (the forward part never reads target).
func withoutInput(vals []*ir.Value, in *ir.Value) []*ir.Value {
	var out []*ir.Value
	for _, v := range vals {
		if v != in {
			out = append(out, v)
		}
	}
	return out
}
