package qemu_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/muscles/referee/compiler/ir"
	"github.com/muscles/referee/compiler/numpytest"
	"github.com/muscles/referee/compiler/onnx"
	"github.com/muscles/referee/compiler/onnxtest"
	"github.com/muscles/referee/compiler/pipeline"
	"github.com/muscles/referee/qemu"
)

// The example models and the NumPy driver the frontend tests use, from this
// package's directory.
const (
	exampleModels = "../compiler/frontend/testdata/models"
	numpyDriver   = "../compiler/frontend/testdata/numpy_forward.py"
)

// exampleTolerance is each example model's relative tolerance against its
// oracle (NumPy for a Family Python file, ONNX Runtime for an ONNX one),
// the same as modelCases in compiler/frontend/models_test.go: 1e-5, and 1e-4
// for the models that use exp, tanh or log. A model missing here fails the
// test rather than being compared with a guessed tolerance.
var exampleTolerance = map[string]float64{
	"single_neuron.py":   1e-5,
	"relu_mlp.py":        1e-5,
	"tanh_mlp.py":        1e-4,
	"sigmoid.py":         1e-4,
	"softmax.py":         1e-4,
	"where_broadcast.py": 1e-5,
	"batch.py":           1e-5,
	"reductions.py":      1e-5,
	"misc_ops.py":        1e-4,
	"npz_mlp.py":         1e-5,
	"classifier.onnx":    1e-4,
}

var hexHash = regexp.MustCompile(`^[0-9a-f]{64}$`)

// trainSteps is how many training steps the referee and musclec take.
const trainSteps = 5

// example is one example model as the end-to-end test drives it.
type example struct {
	file   string // e.g. "../compiler/frontend/testdata/models/relu_mlp.py", or an .onnx
	name   string // the muscle's name: the file's base name without .py or .onnx
	model  *ir.Model
	input  []float32
	target []float32
	tol    float64
}

// exampleValues gives n deterministic, not too regular values: element i is
// ((i·mul + off) mod 11 − 5)·scale, rounded to float32.
func exampleValues(n, mul, off int, scale float64) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(float64((i*mul+off)%11-5) * scale)
	}
	return v
}

// csv formats float32 values as the console and musclec read them, each in
// its shortest form that parses back to the same float32.
func csv(v []float32) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.FormatFloat(float64(x), 'g', -1, 32)
	}
	return strings.Join(s, ",")
}

// buildMusclec builds the compiler command with the host toolchain.
func buildMusclec(t testing.TB, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "musclec")
	cmd := exec.Command("go", "build", "-o", bin, "../tools/musclec")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ../tools/musclec: %v\n%s", err, out)
	}
	return bin
}

// writePublisherKeys writes the test publisher's keys as the key files
// `muscle keygen` makes and `musclec build` reads.
func writePublisherKeys(t testing.TB, dir string) (sealingFile, signerFile string) {
	t.Helper()
	sealingFile, signerFile = filepath.Join(dir, "publisher.sealing"), filepath.Join(dir, "publisher.signing")
	sb, err := sealer.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	gb, err := signer.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(sealingFile, sb, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(signerFile, gb, 0o600); err != nil {
		t.Fatal(err)
	}
	return sealingFile, signerFile
}

// loadExamples compiles every example model with the frontend, for its
// input and output shapes, and picks its input and target.
func loadExamples(t *testing.T) []*example {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(exampleModels, "*.py"))
	if err != nil {
		t.Fatal(err)
	}
	onnxFiles, err := filepath.Glob(filepath.Join(exampleModels, "*.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, onnxFiles...)
	if len(files) == 0 {
		t.Fatalf("no example models in %s", exampleModels)
	}
	var exs []*example
	for k, file := range files {
		base := filepath.Base(file)
		tol, ok := exampleTolerance[base]
		if !ok {
			t.Fatalf("%s: no NumPy tolerance for this model; add it to exampleTolerance (as in compiler/frontend/models_test.go)", base)
		}
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		r, err := pipeline.Run(file, src, pipeline.Options{}, "trace")
		if err != nil {
			t.Fatalf("%s: %v", base, err)
		}
		m := r.Model
		exs = append(exs, &example{
			file:   file,
			name:   strings.TrimSuffix(base, filepath.Ext(base)),
			model:  m,
			input:  exampleValues(m.InputShape.Size(), 37, 0, 0.23),
			target: exampleValues(m.OutputShape.Size(), 29, 3*k+1, 0.17),
			tol:    tol,
		})
	}
	return exs
}

// musclec runs the compiler command and returns its standard output.
func musclec(bin string, args ...string) (string, error) {
	cmd := exec.Command(bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("musclec %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String(), nil
}

// consoleReplies finds each command echoed after the prompt, in order, and
// returns the line that follows it: the command's reply.
func consoleReplies(console string, cmds []string) ([]string, error) {
	lines := strings.Split(strings.ReplaceAll(console, "\r", ""), "\n")
	replies := make([]string, len(cmds))
	i := 0
	for c, cmd := range cmds {
		for ; i < len(lines) && lines[i] != "referee> "+cmd; i++ {
		}
		if i+1 >= len(lines) {
			return nil, fmt.Errorf("the console has no reply to %q", cmd)
		}
		replies[c] = lines[i+1]
		i += 2
	}
	return replies, nil
}

// reply is a JSON reply of run or train. Output elements are pointers
// because the referee writes NaN and infinities as null.
type reply struct {
	Output    []*float32 `json:"output"`
	StateHash *string    `json:"state_hash"`
	// StateSave says whether train's state was saved (persist muscles).
	StateSave *string `json:"state_save"`
	Error     string  `json:"error"`
	Code      string  `json:"code"`
}

func parseReply(line string) (*reply, []float32, error) {
	var r reply
	dec := json.NewDecoder(strings.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return nil, nil, fmt.Errorf("reply %q is not the JSON reply expected: %v", line, err)
	}
	if r.Error != "" || r.Code != "" {
		return nil, nil, fmt.Errorf("error reply %q (code %q)", r.Error, r.Code)
	}
	if r.Output == nil {
		return nil, nil, fmt.Errorf("reply %q has no output", line)
	}
	out := make([]float32, len(r.Output))
	for i, p := range r.Output {
		if p == nil {
			return nil, nil, fmt.Errorf("reply %q: output element %d is null (NaN or infinity)", line, i)
		}
		out[i] = *p
	}
	return &r, out, nil
}

// sameFloat32s reports the first element where got and want differ as
// float32 values (bit patterns; any NaN would be a difference).
func sameFloat32s(got, want []float32) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d values %v, want %d values %v", len(got), got, len(want), want)
	}
	for i := range got {
		if got[i] != want[i] {
			return fmt.Errorf("element %d is %v, want %v (all: %v, want %v)", i, got[i], want[i], got, want)
		}
	}
	return nil
}

// TestExamplesEndToEnd compiles and seals every example model with
// musclec, boots the referee once with all of them, runs each forward and
// trains each for a few steps over the console in JSON mode, and checks
// the forward outputs against CPython + NumPy running the model file (ONNX
// Runtime for an ONNX one) and
// the training results against musclec exec on the same input and target.
func TestExamplesEndToEnd(t *testing.T) {
	forBoards(t, func(t *testing.T, tb *testBoard) {
		examplesEndToEnd(t, func(t *testing.T, bundle string) qemu.Config {
			return qemu.Config{Board: tb.name, Kernel: tb.image, Keys: keyFile, Muscles: bundle}
		})
	})
	// The Pi 4's SD card, written by tools/sdcard and read back with
	// mtools, booted as its firmware would boot it.
	t.Run("rpi4b_sdcard", func(t *testing.T) {
		examplesEndToEnd(t, func(t *testing.T, bundle string) qemu.Config {
			return cardBoot(t, writeSDCard(t, keyFile, bundle))
		})
	})
}

// examplesEndToEnd seals every example model, boots the configuration that
// config gives for their bundle, and checks every forward pass against
// NumPy and every training run against musclec exec.
func examplesEndToEnd(t *testing.T, config func(t *testing.T, bundle string) qemu.Config) {
	dir := t.TempDir()
	bin := buildMusclec(t, dir)
	sealingFile, signerFile := writePublisherKeys(t, dir)
	exs := loadExamples(t)

	files := map[string][]byte{}
	var order []string
	for _, ex := range exs {
		out := filepath.Join(dir, ex.name+".muscle")
		if _, err := musclec(bin, "build", ex.file, "-o", out, "--sealing-key", sealingFile, "--signer", signerFile,
			"--caps", "forward,train,persist", "--force"); err != nil {
			t.Fatalf("%s: %v", ex.name, err)
		}
		blob, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		entry := ex.name + ".muscle"
		files[entry] = blob
		order = append(order, entry)
	}
	bundle := writeBundle(t, files, order)

	cmds := []string{"json on"}
	for _, ex := range exs {
		cmds = append(cmds, fmt.Sprintf("run %s %s", ex.name, csv(ex.input)))
	}
	for _, ex := range exs {
		cmds = append(cmds, "info "+ex.name)
	}
	for _, ex := range exs {
		cmds = append(cmds, fmt.Sprintf("train %s %s %s %d", ex.name, csv(ex.input), csv(ex.target), trainSteps))
	}
	input := strings.Join(cmds, "\n") + "\npoweroff\n"
	console, status := bootWithInput(t, config(t, bundle), input)
	if status != 0 {
		t.Errorf("exit status %d, want 0", status)
	}
	for _, ex := range exs {
		expectLines(t, console, `^muscle `+regexp.QuoteMeta(ex.name)+`\.muscle: accepted "`+regexp.QuoteMeta(ex.name)+`" v1 by [0-9a-f]{16}, forward,train,persist,`)
	}
	replies, err := consoleReplies(console, cmds)
	if err != nil {
		t.Fatalf("%v; console:\n%s", err, console)
	}
	if replies[0] != `{"json":true}` {
		t.Fatalf("json on: reply %q, want {\"json\":true}; console:\n%s", replies[0], console)
	}
	n := len(exs)
	runReplies, infoReplies, trainReplies := replies[1:1+n], replies[1+n:1+2*n], replies[1+2*n:]

	for i, ex := range exs {
		t.Run(ex.name, func(t *testing.T) {
			t.Run("train_vs_musclec", func(t *testing.T) {
				r, got, err := parseReply(trainReplies[i])
				if err != nil {
					t.Fatalf("%s: train %s: %v", ex.name, csv(ex.input), err)
				}
				if r.StateHash == nil || !hexHash.MatchString(*r.StateHash) {
					t.Fatalf("%s: train reply %q has no 64-hex-digit state_hash", ex.name, trainReplies[i])
				}
				// Training must change the state, or comparing it proves little.
				var info struct {
					StateHash string `json:"state_hash"`
				}
				if err := json.Unmarshal([]byte(infoReplies[i]), &info); err != nil || !hexHash.MatchString(info.StateHash) {
					t.Fatalf("%s: info reply %q has no 64-hex-digit state_hash (%v)", ex.name, infoReplies[i], err)
				}
				if *r.StateHash == info.StateHash {
					t.Errorf("%s: %d training steps on input %s, target %s left the state as it was (state_hash %s): pick an input and target that train it",
						ex.name, trainSteps, csv(ex.input), csv(ex.target), info.StateHash)
				}
				out, err := musclec(bin, "exec", ex.file, "--train", "--input", csv(ex.input), "--target", csv(ex.target),
					"--steps", strconv.Itoa(trainSteps))
				if err != nil {
					t.Fatalf("%s: %v", ex.name, err)
				}
				var want struct {
					Output    []float32 `json:"output"`
					StateHash string    `json:"state_hash"`
				}
				if err := json.Unmarshal([]byte(out), &want); err != nil || want.Output == nil || want.StateHash == "" {
					t.Fatalf("%s: musclec exec --train printed %q: %v", ex.name, out, err)
				}
				if *r.StateHash != want.StateHash {
					t.Errorf("%s: after %d training steps on input %s, target %s: the referee's state_hash is %s, musclec exec's %s",
						ex.name, trainSteps, csv(ex.input), csv(ex.target), *r.StateHash, want.StateHash)
				}
				if err := sameFloat32s(got, want.Output); err != nil {
					t.Errorf("%s: output of the last of %d training steps on input %s, target %s: the referee's differs from musclec exec's: %v",
						ex.name, trainSteps, csv(ex.input), csv(ex.target), err)
				}
			})
			t.Run("run_vs_numpy", func(t *testing.T) {
				_, got, err := parseReply(runReplies[i])
				if err != nil {
					t.Fatalf("%s: run %s: %v", ex.name, csv(ex.input), err)
				}
				// NumPy gets the float32 inputs exactly, as float64 values.
				x := make([]float64, len(ex.input))
				for j, v := range ex.input {
					x[j] = float64(v)
				}
				var ref struct{ Outputs [][]float64 }
				if filepath.Ext(ex.file) == ".onnx" {
					ref.Outputs = [][]float64{onnxRuntime(t, ex)}
				} else {
					req := map[string]any{"shape": []int(ex.model.InputShape), "inputs": [][]float64{x}, "globals": []string{}}
					numpytest.Run(t, numpyDriver, []string{ex.file}, req, &ref)
				}
				if !slices.ContainsFunc(got, func(v float32) bool { return v != 0 }) {
					t.Errorf("%s: forward on input %s gives only zeros %v: pick an input for which the comparison means something", ex.name, csv(ex.input), got)
				}
				if len(ref.Outputs) != 1 {
					t.Fatalf("%s: the NumPy driver gave %d outputs for one input", ex.name, len(ref.Outputs))
				}
				if err := numpytest.CloseTo(got, ref.Outputs[0], ex.tol); err != nil {
					t.Errorf("%s: forward on input %s (shape %s): the referee's output %v is not NumPy's %v within %g: %v",
						ex.name, csv(ex.input), ex.model.InputShape, got, ref.Outputs[0], ex.tol, err)
				}
			})
		})
	}
	if t.Failed() {
		t.Logf("console:\n%s", console)
	}
}

// onnxRuntime is ONNX Runtime's output for an ONNX example's input.
func onnxRuntime(t *testing.T, ex *example) []float64 {
	t.Helper()
	m, err := onnx.ReadFile(ex.file)
	if err != nil {
		t.Fatal(err)
	}
	out := onnxtest.Run(t, ex.file, map[string]onnxtest.Tensor{m.Graph.Inputs[0].Name: {Dims: ex.model.InputShape, Data: ex.input}})
	for _, o := range out {
		w := make([]float64, len(o.Data))
		for i, v := range o.Data {
			w[i] = float64(v)
		}
		return w
	}
	t.Fatalf("%s: ONNX Runtime gave no output", ex.name)
	return nil
}
