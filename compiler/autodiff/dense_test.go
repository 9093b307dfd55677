package autodiff

import (
	"math"
	"os"
	"slices"
	"testing"

	"github.com/muscles/referee/compiler/frontend"
	"github.com/muscles/referee/compiler/ir"
)

var fuseModels = []string{
	"../frontend/testdata/models/single_neuron.py", "../frontend/testdata/models/relu_mlp.py",
	"../frontend/testdata/models/tanh_mlp.py", "../frontend/testdata/models/sigmoid.py",
	"../frontend/testdata/models/softmax.py", "../frontend/testdata/models/where_broadcast.py",
	"../frontend/testdata/models/batch.py", "../frontend/testdata/models/reductions.py",
	"../frontend/testdata/models/misc_ops.py", "../frontend/testdata/models/softmax.py",
	"testdata/models/frozen_custom_loss.py", "testdata/models/softmax_xent.py", "testdata/models/ops_mix.py",
	"../codegen/testdata/mlp784.py", "../frontend/testdata/models/npz_mlp.py",
}

func noFuse() []ir.Pass {
	return slices.DeleteFunc(slices.Clone(ir.Passes), func(p ir.Pass) bool { return p.Name == "fuse" })
}

func bitsEqual(a, b []float32) bool {
	return slices.EqualFunc(a, b, func(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) })
}

// TestFuseBitIdentical: on every example model the interpreter gives the
// same bits with and without the fuse pass, for forward and for a train
// step; Train on a fused forward graph (it unfuses) gives the same step.
func TestFuseBitIdentical(t *testing.T) {
	for _, path := range fuseModels {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		// The path, not the base name: np.load reads beside the model.
		name := path
		plain, err := frontend.Compile(name, src)
		if err != nil {
			t.Fatal(err)
		}
		fused, _ := frontend.Compile(name, src)
		if err := ir.RunPasses(plain.Graph, noFuse(), ""); err != nil {
			t.Fatal(err)
		}
		if err := ir.RunPasses(fused.Graph, ir.Passes, ""); err != nil {
			t.Fatal(err)
		}
		in := plain.Graph.Inputs()[0]
		x := make([]float32, in.Shape.Size())
		for i := range x {
			x[i] = float32(math.Sin(float64(3*i+1))) * 1.5
		}
		a, err := ir.Eval(plain.Graph, x, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := ir.Eval(fused.Graph, x, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !bitsEqual(a, b) {
			t.Errorf("%s: forward fused %v, unfused %v", name, b, a)
		}

		tgFused, err := TrainFile(name, src)
		if err != nil {
			t.Fatal(err)
		}
		saved := ir.Passes
		ir.Passes = noFuse()
		tgPlain, err := TrainFile(name, src)
		ir.Passes = saved
		if err != nil {
			t.Fatal(err)
		}
		target := make([]float32, tgFused.Target.Shape.Size())
		for i := range target {
			target[i] = float32(math.Cos(float64(i))) / 2
		}
		yA, pA, err := Step(tgPlain, x, target, nil)
		if err != nil {
			t.Fatal(err)
		}
		yB, pB, err := Step(tgFused, x, target, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !bitsEqual(yA, yB) {
			t.Errorf("%s: train y differs", name)
		}
		for k := range pA {
			if !bitsEqual(pA[k], pB[k]) {
				t.Errorf("%s: update of %s differs: %v vs %v", name, k, pB[k], pA[k])
			}
		}
		if tgFused.CustomLoss {
			continue
		}
		// Train on the optimised (fused) forward graph: the dense ops are
		// unfused before differentiation.
		tgOpt, err := Train(fused)
		if err != nil {
			t.Fatalf("%s: Train on a fused graph: %v", name, err)
		}
		yC, pC, err := Step(tgOpt, x, target, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !bitsEqual(yA, yC) {
			t.Errorf("%s: Train(fused) y differs", name)
		}
		for k := range pA {
			if !bitsEqual(pA[k], pC[k]) {
				t.Errorf("%s: Train(fused) update of %s differs", name, k)
			}
		}
	}
}
