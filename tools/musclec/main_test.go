package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"lukechampine.com/blake3"

	"github.com/muscles/referee/compiler/autodiff"
	harness "github.com/muscles/referee/compiler/codegen/run"
	"github.com/muscles/referee/compiler/frontend"
	"github.com/muscles/referee/muscle"
)

const neuron = "../../compiler/frontend/testdata/models/single_neuron.py"

func musclec(t *testing.T, want int, args ...string) (string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(args, &out, &errb); code != want {
		t.Fatalf("musclec %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, want, out.String(), errb.String())
	}
	return out.String(), errb.String()
}

func TestUsage(t *testing.T) {
	out, _ := musclec(t, 0, "help")
	for _, cmd := range []string{"build", "exec", "asm", "ir", "Exit status"} {
		if !strings.Contains(out, cmd) {
			t.Errorf("help does not mention %q", cmd)
		}
	}
	musclec(t, 2)
	musclec(t, 2, "frobnicate")
	musclec(t, 2, "exec", neuron)
	musclec(t, 2, "exec", neuron, neuron, "--input", "1")
	musclec(t, 2, "ir", neuron, "--after", "nosuchpass")
	musclec(t, 2, "build", neuron, "-o", filepath.Join(t.TempDir(), "x.muscle"))
	musclec(t, 0, "exec", "--help")
	_, errOut := musclec(t, 3, "asm", "no-such-model.py")
	if !strings.Contains(errOut, "no-such-model.py") {
		t.Errorf("missing file error %q does not name the file", errOut)
	}
}

func TestUnsupportedModel(t *testing.T) {
	model := filepath.Join(t.TempDir(), "fft.py")
	src := "import numpy as np\nW = np.ones(4)\ndef forward(x):\n    return np.fft.fft(x @ W)\n"
	if err := os.WriteFile(model, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut := musclec(t, 4, "exec", model, "--input", "1,2,3,4")
	if !strings.Contains(errOut, "fft.py:4:") || !strings.Contains(errOut, "np.fft.fft") {
		t.Errorf("error %q lacks file:line and the construct", errOut)
	}
}

// TestExecMatchesNumPy runs the generated code (under qemu-aarch64 here)
// and compares with CPython + NumPy running the same file.
func TestExecMatchesNumPy(t *testing.T) {
	if err := harness.Available(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		t.Fatal("needs /usr/bin/python3 with NumPy (Debian python3-numpy; make test installs it)")
	}
	for _, input := range []string{"1,-1,0.5,-0.5", "-3,0.25,2,1", "0,0,0,0"} {
		out, _ := musclec(t, 0, "exec", "--input", input, neuron)
		var got struct{ Output []float64 }
		if err := json.Unmarshal([]byte(out), &got); err != nil || len(got.Output) != 1 {
			t.Fatalf("output %q: %v (want one value, flattened)", out, err)
		}
		py := "import importlib.util,sys\nspec=importlib.util.spec_from_file_location('m',sys.argv[1])\nm=importlib.util.module_from_spec(spec)\nspec.loader.exec_module(m)\nimport numpy as np\nprint(float(m.forward(np.array([" + input + "]))))\n"
		cmd := exec.Command("/usr/bin/python3", "-c", py, neuron)
		want, err := cmd.Output()
		if err != nil {
			t.Fatalf("python3: %v", err)
		}
		var w float64
		if err := json.Unmarshal(bytes.TrimSpace(want), &w); err != nil {
			t.Fatalf("python3 printed %q", want)
		}
		if math.Abs(got.Output[0]-w) > 1e-5*math.Max(1, math.Abs(w)) {
			t.Errorf("input %s: musclec %v, NumPy %v", input, got.Output, w)
		}
	}
	_, errOut := musclec(t, 4, "exec", neuron, "--input", "1,2,3")
	if !strings.Contains(errOut, "has 3 values") {
		t.Errorf("wrong input length: %q", errOut)
	}
}

// TestExecTrain runs the train entry three times and compares the
// parameters with the IR interpreter's SGD steps (themselves checked against
// NumPy finite differences in compiler/autodiff).
func TestExecTrain(t *testing.T) {
	if err := harness.Available(); err != nil {
		t.Fatal(err)
	}
	out, _ := musclec(t, 0, "exec", neuron, "--train", "--input", "1,-1,0.5,-0.5", "--target", "2", "--steps", "3")
	var got struct {
		Output    []float64
		State     map[string][]float64
		StateHash string `json:"state_hash"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output %q: %v", out, err)
	}
	src, err := os.ReadFile(neuron)
	if err != nil {
		t.Fatal(err)
	}
	tm, err := frontend.Compile(neuron, src)
	if err != nil {
		t.Fatal(err)
	}
	tg, err := autodiff.Train(tm)
	if err != nil {
		t.Fatal(err)
	}
	params := map[string][]float32{}
	for i := 0; i < 3; i++ {
		if _, params, err = autodiff.Step(tg, []float32{1, -1, 0.5, -0.5}, []float32{2}, params); err != nil {
			t.Fatal(err)
		}
	}
	for name, want := range params {
		g := got.State[name]
		if len(g) != len(want) {
			t.Fatalf("%s: %d values, want %d", name, len(g), len(want))
		}
		for i := range want {
			if math.Abs(g[i]-float64(want[i])) > 1e-5*math.Max(1, math.Abs(float64(want[i]))) {
				t.Errorf("%s[%d] = %v after 3 steps, interpreter %v", name, i, g[i], want[i])
			}
		}
	}
	if len(got.StateHash) != 64 || len(got.Output) != 1 {
		t.Errorf("state_hash %q, output %v", got.StateHash, got.Output)
	}
	musclec(t, 2, "exec", neuron, "--train", "--input", "1,-1,0.5,-0.5")
	musclec(t, 4, "exec", neuron, "--train", "--input", "1,-1,0.5,-0.5", "--target", "1,2")
}

func TestAsmAndIR(t *testing.T) {
	for _, args := range [][]string{{"asm", neuron}, {"asm", "--train", neuron}} {
		out, _ := musclec(t, 0, args...)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if !strings.HasSuffix(lines[len(lines)-1], "ret") || strings.Count(out, "\tret") != 1 {
			t.Errorf("%v: the entry does not end in its one ret:\n%s", args, out)
		}
	}
	csrc, _ := musclec(t, 0, "c", neuron)
	if !strings.Contains(csrc, "void forward(") {
		t.Errorf("c output:\n%s", csrc)
	}
	traced, _ := musclec(t, 0, "ir", neuron, "--after", "traced")
	final, _ := musclec(t, 0, "ir", neuron)
	if !strings.Contains(traced, "param W (4,) trainable") || !strings.Contains(final, "return") {
		t.Errorf("ir output:\n%s\n%s", traced, final)
	}
}

// TestBuildOpens seals with a publisher's keys and opens the result as the
// referee would.
func TestBuildOpens(t *testing.T) {
	dir := t.TempDir()
	master := bytes.Repeat([]byte{7}, muscle.KeySize)
	rec, err := muscle.NewKeyRecord(master)
	if err != nil {
		t.Fatal(err)
	}
	pub, priv, _ := ed25519.GenerateKey(nil)
	id := muscle.PublisherIDFor(pub)
	if err := rec.AddPublisher(muscle.Publisher{ID: id, PublicKey: pub, Grants: muscle.CapAll}); err != nil {
		t.Fatal(err)
	}
	write := func(name string, m interface{ MarshalBinary() ([]byte, error) }) string {
		b, err := m.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	sk := write("p.sealing", rec.SealingKey(id))
	sg := write("p.signing", &muscle.SigningKey{Publisher: id, Key: priv})
	out := filepath.Join(dir, "n.muscle")
	musclec(t, 0, "build", neuron, "-o", out, "--sealing-key", sk, "--signer", sg, "--name", "neuron4", "--version", "7")
	musclec(t, 3, "build", neuron, "-o", out, "--sealing-key", sk, "--signer", sg)
	trainOut := filepath.Join(dir, "t.muscle")
	built, _ := musclec(t, 0, "build", neuron, "-o", trainOut, "--sealing-key", sk, "--signer", sg, "--caps", "forward,train")
	// The referee's verifier ran on the code, and its counts are the
	// compiler's (musclec asm's).
	asm, _ := musclec(t, 0, "asm", neuron)
	counts := regexp.MustCompile(`forward at 0x[0-9a-f]+ \((\d+) instructions executed per call\), train at 0x[0-9a-f]+ \((\d+)\)`).FindStringSubmatch(asm)
	if counts == nil {
		t.Fatalf("musclec asm printed no counts:\n%s", asm)
	}
	if want := fmt.Sprintf("  verified: forward %s instructions per call, train %s; the referee needs a budget of at least 1 µs\n", counts[1], counts[2]); !strings.HasSuffix(built, want) {
		t.Errorf("build output %q, want it to end in %q", built, want)
	}
	built, _ = musclec(t, 0, "build", "../../compiler/codegen/testdata/mlp784.py", "-o", filepath.Join(dir, "b.muscle"),
		"--sealing-key", sk, "--signer", sg, "--caps", "forward,train", "--budget", "20")
	if want := regexp.MustCompile(`  verified: forward \d+ instructions per call, train \d+; the referee needs a budget of at least (\d+) µs, more than --budget 20: it will refuse this muscle\n$`); !want.MatchString(built) {
		t.Errorf("build output %q, want it to end in %q", built, want)
	}
	blob, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	m, err := muscle.Open(blob, rec, &muscle.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Header.Name != "neuron4" || m.Header.Version != 7 || m.Manifest.ForwardEntry != 0 || m.Manifest.TrainEntry != muscle.NoEntry {
		t.Errorf("opened %q v%d with %d code bytes, train entry %#x", m.Header.Name, m.Header.Version, len(m.Code), m.Manifest.TrainEntry)
	}
	if len(m.Manifest.Input) != 1 || m.Manifest.Input[0] != 4 {
		t.Errorf("input shape %v, want [4]", m.Manifest.Input)
	}
	blob, err = os.ReadFile(trainOut)
	if err != nil {
		t.Fatal(err)
	}
	m, err = muscle.Open(blob, rec, &muscle.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if e := m.Manifest.TrainEntry; e == muscle.NoEntry || e == 0 || int(e) >= len(m.Code) || e%4 != 0 {
		t.Errorf("train entry %#x in %d bytes of code", e, len(m.Code))
	}
}

// TestBuildDataFiles: a model that np.loads its weights from an .npz
// records the archive, as the model names it, and its BLAKE3 in the sealed
// muscle's provenance.
func TestBuildDataFiles(t *testing.T) {
	const model = "../../compiler/frontend/testdata/models/npz_mlp.py"
	dir := t.TempDir()
	rec, err := muscle.NewKeyRecord(bytes.Repeat([]byte{9}, muscle.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	pub, priv, _ := ed25519.GenerateKey(nil)
	id := muscle.PublisherIDFor(pub)
	if err := rec.AddPublisher(muscle.Publisher{ID: id, PublicKey: pub, Grants: muscle.CapAll}); err != nil {
		t.Fatal(err)
	}
	sk, sg := filepath.Join(dir, "p.sealing"), filepath.Join(dir, "p.signing")
	for p, m := range map[string]interface{ MarshalBinary() ([]byte, error) }{sk: rec.SealingKey(id), sg: &muscle.SigningKey{Publisher: id, Key: priv}} {
		b, err := m.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	npz, err := os.ReadFile("../../compiler/frontend/testdata/models/npz_mlp.npz")
	if err != nil {
		t.Fatal(err)
	}
	sum := blake3.Sum256(npz)
	out := filepath.Join(dir, "npz.muscle")
	built, _ := musclec(t, 0, "build", model, "-o", out, "--sealing-key", sk, "--signer", sg, "--caps", "forward,train")
	if want := fmt.Sprintf("\n  data: npz_mlp.npz blake3 %x\n  verified: ", sum); !strings.Contains(built, want) {
		t.Errorf("build output %q does not contain %q", built, want)
	}
	blob, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	m, err := muscle.Open(blob, rec, &muscle.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	src, _ := os.ReadFile(model)
	p := m.Provenance
	if p.Source != "npz_mlp.py" || p.SourceHash != blake3.Sum256(src) {
		t.Errorf("source %s %x", p.Source, p.SourceHash)
	}
	if len(p.Data) != 1 || p.Data[0].Name != "npz_mlp.npz" || p.Data[0].Hash != sum {
		t.Errorf("data files %+v, want npz_mlp.npz %x", p.Data, sum)
	}

	// A model without data files is sealed as before: no data files.
	musclec(t, 0, "build", neuron, "-o", filepath.Join(dir, "n.muscle"), "--sealing-key", sk, "--signer", sg)
	blob, _ = os.ReadFile(filepath.Join(dir, "n.muscle"))
	if m, err := muscle.Open(blob, rec, &muscle.Policy{}); err != nil {
		t.Error(err)
	} else if m.Provenance.Data != nil {
		t.Errorf("neuron: data files %+v", m.Provenance.Data)
	}
	// A missing archive is the model's fault (exit 4), at the np.load.
	broken := filepath.Join(dir, "broken.py")
	if err := os.WriteFile(broken, src, 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut := musclec(t, 4, "build", broken, "-o", filepath.Join(dir, "b.muscle"), "--sealing-key", sk, "--signer", sg)
	if !strings.Contains(errOut, broken+":8:19: np.load: data file npz_mlp.npz does not exist") {
		t.Errorf("missing archive: %s", errOut)
	}
}

// TestVerifyCodeExplains: build's verifier rejection (a compiler bug) is
// the full diagnosis, since the publisher holds the plaintext.
func TestVerifyCodeExplains(t *testing.T) {
	in := &muscle.Input{Code: []byte{0x01, 0x00, 0x00, 0xd4, 0xc0, 0x03, 0x5f, 0xd6}} // svc #0; ret
	in.Manifest.TrainEntry = muscle.NoEntry
	in.Manifest.Input, in.Manifest.Output = muscle.Shape{4}, muscle.Shape{1}
	_, err := verifyCode(in)
	if err == nil || !strings.Contains(err.Error(), "offset 0x0: SVC #0x0 [0xd4000001]: instruction form: ") {
		t.Errorf("got %v, want the word and its disassembly", err)
	}
}

// TestONNX: an ONNX file goes through build's, exec's and ir's pipeline
// like a .py; import writes Python that exec runs to the same output;
// a file outside the subset is exit status 4.
func TestONNX(t *testing.T) {
	const model = "../../compiler/onnx/testdata/mlp.onnx"
	out, _ := musclec(t, exitOK, "exec", model, "--input", "1,2,3,4")
	dir := t.TempDir()
	py := filepath.Join(dir, "mlp.py")
	musclec(t, exitOK, "import", model, "-o", py, "--npz")
	if _, err := os.Stat(filepath.Join(dir, "mlp.npz")); err != nil {
		t.Fatalf("import --npz wrote no mlp.npz: %v", err)
	}
	musclec(t, exitFile, "import", model, "-o", py)
	again, _ := musclec(t, exitOK, "exec", py, "--input", "1,2,3,4")
	if again != out {
		t.Errorf("the imported file gives %s, the ONNX file %s", again, out)
	}
	batch, _ := musclec(t, exitOK, "exec", model, "--batch", "2", "--input", "1,2,3,4,1,2,3,4")
	if strings.Count(batch, ",") != 5 {
		t.Errorf("--batch 2: %s", batch)
	}
	ir, _ := musclec(t, exitOK, "ir", model, "--after", "parse")
	if !strings.Contains(ir, "Gemm(") {
		t.Errorf("ir --after parse:\n%s", ir)
	}
	_, stderr := musclec(t, exitRejected, "exec", "../../compiler/onnx/testdata/bad_domain.onnx", "--input", "1")
	if !strings.Contains(stderr, "com.microsoft") {
		t.Errorf("a node of another domain: %s", stderr)
	}
	musclec(t, exitUsage, "exec", model, "--batch", "-1", "--input", "1,2,3,4")
	musclec(t, exitRejected, "exec", model, "--frozen", "nosuch", "--input", "1,2,3,4")
}

// TestExecBatch: several --input rows separated by ';' give one output row
// each, the same as one exec per row; a bad row is named.
func TestExecBatch(t *testing.T) {
	if err := harness.Available(); err != nil {
		t.Fatal(err)
	}
	rows := []string{"1,-1,0.5,-0.5", "-3,0.25,2,1", "0,0,0,0"}
	out, _ := musclec(t, 0, "exec", "--input", strings.Join(rows, ";"), neuron)
	var got struct{ Outputs [][]float32 }
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got.Outputs) != len(rows) {
		t.Fatalf("output %q: %v (want %d rows)", out, err, len(rows))
	}
	for i, r := range rows {
		one, _ := musclec(t, 0, "exec", "--input", r, neuron)
		var want struct{ Output []float32 }
		if err := json.Unmarshal([]byte(one), &want); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got.Outputs[i]) != fmt.Sprint(want.Output) {
			t.Errorf("row %d: batch %v, single %v", i+1, got.Outputs[i], want.Output)
		}
	}
	_, errOut := musclec(t, 4, "exec", neuron, "--input", "1,2,3,4;1,2,3")
	if !strings.Contains(errOut, "row 2 has 3 values") {
		t.Errorf("wrong row length: %q", errOut)
	}
}
