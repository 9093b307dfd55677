// Package onnxtest holds the ground truth for imported ONNX models: ONNX
// Runtime (onnxruntime-node, installed by tools/onnxruntime.sh from the npm
// registry into a cache folder) run by Node.js (Debian nodejs at
// /usr/bin/node) through the driver ort_run.js beside this file, with a
// JSON request on its standard input and a JSON reply on its standard
// output. It runs on the CPU execution provider with one thread, so its
// results do not vary from run to run. It is used by tests only.
package onnxtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/muscles/referee/compiler/numpytest"
)

// Node is the interpreter the tests trust.
const Node = "/usr/bin/node"

// Tensor is a float32 tensor in row-major order: len(Data) is the product
// of Dims (1 for a scalar, whose Dims is empty).
type Tensor struct {
	Dims []int
	Data []float32
}

// setup installs ONNX Runtime once per test binary.
var setup struct {
	once   sync.Once
	driver string // ort_run.js
	dir    string // the folder onnxruntime-node is installed in
	err    error
}

// packageDir is the folder of this package's sources: beside the file
// when the binary was built from a checkout, or else found from the
// working directory (a test's is its package's folder) by going up to the
// module's root.
func packageDir() (string, error) {
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		return filepath.Dir(file), nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if mod, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && bytes.HasPrefix(mod, []byte("module github.com/muscles/referee\n")) {
			return filepath.Join(dir, "compiler", "onnxtest"), nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", errors.New("onnxtest: the module github.com/muscles/referee is not above the working directory")
		}
		dir = up
	}
}

// install runs tools/onnxruntime.sh, whose one line about installing goes
// to standard error, and asks it for its folder.
func install() (driver, dir string, err error) {
	pkg, err := packageDir()
	if err != nil {
		return "", "", err
	}
	driver = filepath.Join(pkg, "ort_run.js")
	script := filepath.Join(pkg, "..", "..", "tools", "onnxruntime.sh")
	for _, f := range []string{driver, script} {
		if _, err := os.Stat(f); err != nil {
			return "", "", fmt.Errorf("onnxtest: ONNX Runtime cannot run: %v", err)
		}
	}
	if _, err := os.Stat(Node); err != nil {
		return "", "", fmt.Errorf("onnxtest: %s is not there (install Debian's nodejs: qemu/deps.sh): %v", Node, err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command("/bin/sh", script)
	cmd.Stdout = os.Stderr
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", "", fmt.Errorf("onnxtest: installing ONNX Runtime with %s failed: %v\n%s", script, err, stderr.Bytes())
	}
	out, err := exec.Command("/bin/sh", script, "--dir").Output()
	if err != nil {
		return "", "", fmt.Errorf("onnxtest: %s --dir: %v", script, err)
	}
	return driver, string(bytes.TrimSpace(out)), nil
}

// Available installs ONNX Runtime when missing (once per test binary) and
// reports why it cannot be used here, or nil.
func Available() error {
	setup.once.Do(func() { setup.driver, setup.dir, setup.err = install() })
	return setup.err
}

// value is a float32 in JSON: a number, or "NaN", "Infinity", "-Infinity".
type value float32

func (v value) MarshalJSON() ([]byte, error) {
	x := float64(v)
	switch {
	case math.IsNaN(x):
		return []byte(`"NaN"`), nil
	case math.IsInf(x, 1):
		return []byte(`"Infinity"`), nil
	case math.IsInf(x, -1):
		return []byte(`"-Infinity"`), nil
	}
	// The double equal to the float32 value: Node reads it exactly.
	return strconv.AppendFloat(nil, x, 'g', -1, 64), nil
}

func (v *value) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		switch s {
		case "NaN", "Infinity", "-Infinity":
			x, _ := strconv.ParseFloat(s, 32)
			*v = value(x)
			return nil
		}
		return fmt.Errorf("not a number: %q", s)
	}
	x, err := strconv.ParseFloat(string(b), 32)
	if err != nil {
		return err
	}
	*v = value(x)
	return nil
}

type wireTensor struct {
	Dims []int   `json:"dims"`
	Data []value `json:"data"`
}

// RunErr runs model (an .onnx file) on inputs under ONNX Runtime and
// returns every output of the model by name.
func RunErr(model string, inputs map[string]Tensor) (map[string]Tensor, error) {
	if err := Available(); err != nil {
		return nil, err
	}
	if _, err := os.Stat(model); err != nil {
		return nil, fmt.Errorf("onnxtest: model: %w", err)
	}
	abs, err := filepath.Abs(model)
	if err != nil {
		return nil, err
	}
	req := struct {
		Model  string                `json:"model"`
		Inputs map[string]wireTensor `json:"inputs"`
	}{abs, map[string]wireTensor{}}
	for name, t := range inputs {
		dims := t.Dims
		if dims == nil {
			dims = []int{}
		}
		w := wireTensor{Dims: dims, Data: make([]value, len(t.Data))}
		for i, x := range t.Data {
			w.Data[i] = value(x)
		}
		req.Inputs[name] = w
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(Node, setup.driver, setup.dir)
	cmd.Stdin = bytes.NewReader(body)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("onnxtest: ONNX Runtime on %s: %v\n%s", model, err, bytes.TrimSpace(stderr.Bytes()))
	}
	var reply struct {
		Outputs map[string]wireTensor `json:"outputs"`
	}
	if err := json.Unmarshal(out, &reply); err != nil {
		return nil, fmt.Errorf("onnxtest: ort_run.js output: %v\n%s", err, out)
	}
	outs := make(map[string]Tensor, len(reply.Outputs))
	for name, w := range reply.Outputs {
		t := Tensor{Dims: w.Dims, Data: make([]float32, len(w.Data))}
		for i, x := range w.Data {
			t.Data[i] = float32(x)
		}
		outs[name] = t
	}
	return outs, nil
}

// Run is RunErr for a test: it fails t on error, and when ONNX Runtime,
// Node.js or the install script are missing (a missing tool is a failure,
// never a skip).
func Run(t testing.TB, model string, inputs map[string]Tensor) map[string]Tensor {
	t.Helper()
	outs, err := RunErr(model, inputs)
	if err != nil {
		t.Fatal(err)
	}
	return outs
}

// Close fails t unless |got − want| ≤ tol·max(1, |want|) element by
// element (numpytest.CloseTo's check, with float32 values on both sides).
func Close(t testing.TB, got, want []float32, tol float64) {
	t.Helper()
	w := make([]float64, len(want))
	for i, x := range want {
		w[i] = float64(x)
	}
	if err := numpytest.CloseTo(got, w, tol); err != nil {
		t.Fatal(err)
	}
}
