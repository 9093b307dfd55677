package qemu_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/muscles/referee/qemu"
)

// benchModels are the models BenchmarkReferee measures: the examples and
// the 784 -> 128 -> 10 MLP.
func benchModels(t testing.TB) []string {
	files, err := filepath.Glob(filepath.Join(exampleModels, "*.py"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no example models in %s (%v)", exampleModels, err)
	}
	return append(files, "../compiler/codegen/testdata/mlp784.py")
}

var (
	readyLine = regexp.MustCompile(`(?m)^ready: console reached (\d+) ns after reset`)
	asmCounts = regexp.MustCompile(`forward at 0x[0-9a-f]+ \((\d+) instructions executed per call\)(?:, train at 0x[0-9a-f]+ \((\d+)\))?`)
)

// BenchmarkReferee boots the referee under -icount (guest nanoseconds are
// instructions) with every benchmark model compiled and sealed, and prints
// per model: instructions to load it (validation, verifier, sandbox), per
// forward and train call through the referee (EL3 -> EL0 -> EL3 and the
// buffer copies included) next to what the muscle's own code executes, and,
// where the image has a plain Go twin of the model, the Go figure and the
// ratio.
func BenchmarkReferee(b *testing.B) {
	dir := b.TempDir()
	bin := buildMusclec(b, dir)
	sk, sg := writePublisherKeys(b, dir)
	files := map[string][]byte{}
	var order, names []string
	own := map[string][2]string{}
	for _, file := range benchModels(b) {
		name := strings.TrimSuffix(filepath.Base(file), ".py")
		out := filepath.Join(dir, name+".muscle")
		if _, err := musclec(bin, "build", file, "-o", out, "--sealing-key", sk, "--signer", sg, "--caps", "forward,train,persist", "--force"); err != nil {
			b.Fatal(err)
		}
		asm, err := musclec(bin, "asm", file)
		if err != nil {
			b.Fatal(err)
		}
		if m := asmCounts.FindStringSubmatch(asm); m != nil {
			own[name] = [2]string{m[1], m[2]}
		}
		blob, err := os.ReadFile(out)
		if err != nil {
			b.Fatal(err)
		}
		files[name+".muscle"] = blob
		order, names = append(order, name+".muscle"), append(names, name)
	}
	bundle := writeBundle(b, files, order)
	input := "json on\n"
	for _, n := range names {
		calls := 200
		if n == "mlp784" {
			calls = 5
		}
		input += fmt.Sprintf("bench %s %d\n", n, calls)
	}
	for i := 0; i < b.N; i++ {
		console, status := bootWithInput(b, qemu.Config{Kernel: defaultIm, ICount: true, NoRNG: true, Keys: keyFile, Muscles: bundle}, input+"poweroff\n")
		if status != 0 {
			b.Fatalf("exit status %d:\n%s", status, console)
		}
		ready := readyLine.FindStringSubmatch(console)
		if ready == nil {
			b.Fatalf("no ready line:\n%s", console)
		}
		fmt.Printf("\nreferee under -icount: reset to ready (console prompt, %d muscles loaded): %s instructions\n\n", len(names), ready[1])
		fmt.Printf("| model | load | forward/call | muscle's own | train/call | muscle's own | plain Go forward | muscle/Go |\n|---|---|---|---|---|---|---|---|\n")
		for _, n := range names {
			m := regexp.MustCompile(`(?m)^referee> bench ` + n + ` \d+\n(\{.*\})$`).FindStringSubmatch(console)
			if m == nil {
				b.Fatalf("%s: no bench reply:\n%s", n, console)
			}
			var r struct {
				Load  int64 `json:"load_ns"`
				Calls map[string]struct {
					Instructions   float64 `json:"instructions_per_call"`
					GoInstructions float64 `json:"go_instructions_per_call"`
					Ratio          float64 `json:"muscle_to_go_ratio"`
				} `json:"calls"`
			}
			if err := json.Unmarshal([]byte(m[1]), &r); err != nil {
				b.Fatalf("%s: %v: %s", n, err, m[1])
			}
			fw, tr := r.Calls["forward"], r.Calls["train"]
			goCol, ratio := "-", "-"
			if fw.GoInstructions > 0 {
				goCol, ratio = strconv.FormatFloat(fw.GoInstructions, 'f', 0, 64), strconv.FormatFloat(fw.Ratio, 'f', 2, 64)
			}
			fmt.Printf("| %s | %d | %.0f | %s | %.0f | %s | %s | %s |\n", n, r.Load, fw.Instructions, own[n][0], tr.Instructions, own[n][1], goCol, ratio)
		}
		fmt.Println()
	}
}
