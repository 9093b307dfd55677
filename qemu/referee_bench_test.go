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
// buffer copies included) next to what the muscle's own code executes and
// the difference (the per-call overhead), on every board.
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
	for _, tb := range boardsUnderTest {
		b.Run(tb.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				benchRefereeOnce(b, tb, bundle, input, names, own)
			}
		})
	}
}

// benchRefereeOnce boots one board with the bundle and prints its figures.
func benchRefereeOnce(b *testing.B, tb *testBoard, bundle, input string, names []string, own map[string][2]string) {
	console, status := bootWithInput(b, qemu.Config{Board: tb.name, Kernel: tb.image, ICount: true, NoRNG: true, Keys: keyFile, Muscles: bundle}, input+"poweroff\n")
	if status != 0 {
		b.Fatalf("exit status %d:\n%s", status, console)
	}
	ready := readyLine.FindStringSubmatch(console)
	if ready == nil {
		b.Fatalf("no ready line:\n%s", console)
	}
	fmt.Printf("\nreferee on %s under -icount: reset to ready (console prompt, %d muscles loaded): %s instructions\n\n", tb.name, len(names), ready[1])
	fmt.Printf("| model | load | forward/call | muscle's own | per-call overhead | train/call | muscle's own |\n|---|---|---|---|---|---|---|\n")
	for _, n := range names {
		m := regexp.MustCompile(`(?m)^referee> bench ` + n + ` \d+\n(\{.*\})$`).FindStringSubmatch(console)
		if m == nil {
			b.Fatalf("%s: no bench reply:\n%s", n, console)
		}
		var r struct {
			Load  int64 `json:"load_ns"`
			Calls map[string]struct {
				Instructions float64 `json:"instructions_per_call"`
				Nanos        float64 `json:"ns_per_call"`
			} `json:"calls"`
		}
		if err := json.Unmarshal([]byte(m[1]), &r); err != nil {
			b.Fatalf("%s: %v: %s", n, err, m[1])
		}
		fw, tr := r.Calls["forward"], r.Calls["train"]
		if !pmuCounts[tb.name] {
			// Guest nanoseconds are instructions under -icount shift=0.
			fw.Instructions, tr.Instructions = fw.Nanos, tr.Nanos
		}
		overhead := "-"
		if o, err := strconv.ParseFloat(own[n][0], 64); err == nil {
			overhead = strconv.FormatFloat(fw.Instructions-o, 'f', 0, 64)
		}
		fmt.Printf("| %s | %d | %.0f | %s | %s | %.0f | %s |\n", n, r.Load, fw.Instructions, own[n][0], overhead, tr.Instructions, own[n][1])
	}
	fmt.Println()
	printBatchTable(b, tb, console, names, own)
}

// printBatchTable prints each model's forward batch (bench's "batch":
// K rows in one sandbox entry): instructions per row, and per extra row
// beyond the first minus the muscle's own (the batch's overhead per row,
// target at most 10).
func printBatchTable(b *testing.B, tb *testBoard, console string, names []string, own map[string][2]string) {
	fmt.Printf("| model | batch rows | forward/row | per extra row | muscle's own | overhead per extra row (target <= 10) |\n|---|---|---|---|---|---|\n")
	for _, n := range names {
		m := regexp.MustCompile(`(?m)^referee> bench ` + n + ` \d+\n(\{.*\})$`).FindStringSubmatch(console)
		if m == nil {
			b.Fatalf("%s: no bench reply", n)
		}
		var r struct {
			Batch *struct {
				Rows         int     `json:"rows"`
				Instructions float64 `json:"instructions_per_row"`
				ExtraRow     float64 `json:"instructions_per_extra_row"`
				Nanos        float64 `json:"ns_per_row"`
				NanosExtra   float64 `json:"ns_per_extra_row"`
			} `json:"batch"`
		}
		if err := json.Unmarshal([]byte(m[1]), &r); err != nil || r.Batch == nil {
			b.Fatalf("%s: no batch figures (%v): %s", n, err, m[1])
		}
		f := r.Batch
		if !pmuCounts[tb.name] {
			f.Instructions, f.ExtraRow = f.Nanos, f.NanosExtra
		}
		overhead := "-"
		if o, err := strconv.ParseFloat(own[n][0], 64); err == nil {
			overhead = strconv.FormatFloat(f.ExtraRow-o, 'f', 1, 64)
		}
		fmt.Printf("| %s | %d | %.1f | %.1f | %s | %s |\n", n, f.Rows, f.Instructions, f.ExtraRow, own[n][0], overhead)
	}
	fmt.Println()
}
