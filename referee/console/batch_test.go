package console

import (
	"strings"
	"testing"
)

// TestRunBatchErrors: a batch's rows are each checked before any reaches
// the muscle, and a bad row is named; on the host a batch that parses
// reaches the sandbox, which reports that calls need the image.
func TestRunBatchErrors(t *testing.T) {
	f := newFixture(t)
	for _, tt := range []struct{ line, want string }{
		{"run neuron4 1,2,3,4;1,2", "error: run: input row 2 has 2 values, the muscle wants 4"},
		{"run neuron4 1,2,3,4;", "error: run: input row 2 has 1 values, the muscle wants 4"},
		{"run neuron4 1,2,3;1,2,3,4", "error: run: input row 1 has 3 values, the muscle wants 4"},
		{"run neuron4 1,2,3,4;1,x,3,4", `error: run: input row 2 value 2 ("x") is not a number`},
	} {
		if out := f.exec(tt.line); out != tt.want+"\n" {
			t.Errorf("%q printed %q, want %q", tt.line, out, tt.want)
		}
	}
	if m := f.muscle("neuron4"); m.Space.Runs+m.Space.Faults != 0 {
		t.Error("a refused batch reached the muscle")
	}
	if out := f.exec("run neuron4 1,2,3,4;5,6,7,8"); !strings.Contains(out, "calls need the referee image") {
		t.Errorf("a batch on the host: %q", out)
	}
	if !strings.Contains(f.exec("help"), "run NAME V,V,...;V,V,...") {
		t.Error("help does not show the batch form")
	}
}
