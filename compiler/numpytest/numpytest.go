// Package numpytest holds the compiler tests' ground truth: small Python
// drivers run by CPython with NumPy (Debian python3-numpy at
// /usr/bin/python3), a JSON request on their standard input and a JSON
// reply on their standard output, and the tolerance check that compares
// float32 results with them. It is used by tests only.
package numpytest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os/exec"
	"path/filepath"
	"testing"
)

// Python is the interpreter the tests trust.
const Python = "/usr/bin/python3"

// Available reports why NumPy cannot be used here, or nil.
func Available() error {
	if err := exec.Command(Python, "-c", "import numpy").Run(); err != nil {
		return fmt.Errorf("%s with numpy is not available (install python3-numpy): %v", Python, err)
	}
	return nil
}

// Need fails t when NumPy is not available: a missing tool is a failure,
// never a skip (make test installs it).
func Need(t testing.TB) {
	t.Helper()
	if err := Available(); err != nil {
		t.Fatalf("NumPy comparison impossible: %v", err)
	}
}

// Call runs script with args, req as JSON on its standard input, and
// decodes its standard output into reply.
func Call(script string, args []string, req, reply any) error {
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	cmd := exec.Command(Python, append([]string{script}, args...)...)
	cmd.Stdin = bytes.NewReader(body)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	name := filepath.Base(script)
	if err != nil {
		return fmt.Errorf("%s: %v\n%s", name, err, stderr.String())
	}
	if err := json.Unmarshal(out, reply); err != nil {
		return fmt.Errorf("%s output: %v\n%s", name, err, out)
	}
	return nil
}

// Run is Call for a test: it skips t without NumPy and fails it on error.
func Run(t testing.TB, script string, args []string, req, reply any) {
	t.Helper()
	Need(t)
	if err := Call(script, args, req, reply); err != nil {
		t.Fatal(err)
	}
}

// CloseTo checks |got − want| ≤ tol·max(1, |want|) element by element.
func CloseTo(got []float32, want []float64, tol float64) error {
	if len(got) != len(want) {
		return fmt.Errorf("got %d values, want %d", len(got), len(want))
	}
	for i := range got {
		lim := tol * math.Max(1, math.Abs(want[i]))
		if d := math.Abs(float64(got[i]) - want[i]); !(d <= lim) {
			return fmt.Errorf("element %d: got %v, want %v (diff %g > %g)", i, got[i], want[i], d, lim)
		}
	}
	return nil
}
