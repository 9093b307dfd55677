package pipeline

import (
	"os"
	"strings"
	"testing"

	A "github.com/muscles/referee/compiler/arm64"
)

const example = "../frontend/testdata/models/relu_mlp.py"

// TestEveryStage stops after every stage and IR pass and checks what it
// shows; the full run ends verified with both entries counted.
func TestEveryStage(t *testing.T) {
	src, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"parse": "Family Python", "trace": "// param", "passes": "dense", "fold": "// model",
		"autodiff": "update ", "plan": "slot ", "emit": "forward:", "assemble": "code ", "abi-check": "verified: forward",
	}
	for _, name := range Names() {
		r, err := Run(example, src, Options{}, name)
		if err != nil {
			t.Fatalf("--after %s: %v", name, err)
		}
		if r.Stage != name {
			t.Errorf("--after %s stopped after %s", name, r.Stage)
		}
		if w, ok := want[name]; ok && !strings.Contains(r.Show(), w) {
			t.Errorf("--after %s shows no %q:\n%s", name, w, r.Show())
		}
	}
	r, err := Compile(example, src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Report.Forward == 0 || r.Report.Train == 0 || r.Muscle == nil || r.Train == nil {
		t.Errorf("a full run: report %+v", r.Report)
	}
	if _, err := Run(example, src, Options{}, "nosuch"); err == nil || !strings.Contains(err.Error(), "abi-check") {
		t.Errorf("an unknown stage: %v", err)
	}
	if _, err := Run("model.txt", src, Options{}, ""); err == nil || !strings.Contains(err.Error(), "no front end") {
		t.Errorf("an unknown file type: %v", err)
	}
}

// TestOptions: --frozen, --learning-rate and --loss override the file.
func TestOptions(t *testing.T) {
	src, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Run(example, src, Options{LearningRate: 0.5, Loss: "cross-entropy"}, "autodiff")
	if err != nil {
		t.Fatal(err)
	}
	if r.Model.LearningRate != 0.5 || r.Model.Loss == nil || !r.Train.CustomLoss {
		t.Errorf("options not applied: lr %g, loss %v", r.Model.LearningRate, r.Model.Loss != nil)
	}
	first := r.Model.Params[0].Name
	r, err = Run(example, src, Options{Frozen: []string{first}}, "autodiff")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Train.Frozen) == 0 || r.Train.Frozen[0] != first {
		t.Errorf("--frozen %s: frozen %v", first, r.Train.Frozen)
	}
	if _, err := Run(example, src, Options{Frozen: []string{"nosuch"}}, "trace"); err == nil || !strings.Contains(err.Error(), "no parameter") {
		t.Errorf("--frozen of an unknown parameter: %v", err)
	}
}

// TestLoopLoadsStayInTheirParameter compiles a product whose loop loads
// rows of W with four-register LD1s two groups ahead, W being all of the
// state: the full run ends in the verifier, which rejects any load past
// the state's last byte (the last iteration must load nothing ahead).
func TestLoopLoadsStayInTheirParameter(t *testing.T) {
	src := []byte(`import numpy as np

INPUT_SHAPE = (12,)
W = np.ones((12, 32)) * 0.5


def forward(x):
    return x @ W
`)
	r, err := Compile("ld1.py", src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Manifest().StateSize; got != 12*32*4 {
		t.Fatalf("state is %d bytes, want W's %d alone", got, 12*32*4)
	}
	ld1 := 0
	for _, in := range r.Muscle.ForwardInstrs {
		if in.Op == A.LD1x4 {
			ld1++
		}
	}
	if ld1 == 0 {
		t.Fatal("the forward entry has no four-register LD1: the test no longer covers the loop")
	}
}
