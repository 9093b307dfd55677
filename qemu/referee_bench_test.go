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

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/qemu"
)

// benchModels are the models BenchmarkReferee measures: the examples and
// the 784 -> 128 -> 10 MLP.
func benchModels(t testing.TB) []string {
	files, err := filepath.Glob(filepath.Join(exampleModels, "*.py"))
	onnx, err2 := filepath.Glob(filepath.Join(exampleModels, "*.onnx"))
	if err != nil || err2 != nil || len(files) == 0 {
		t.Fatalf("no example models in %s (%v)", exampleModels, err)
	}
	files = append(files, onnx...)
	return append(files, "../compiler/codegen/testdata/mlp784.py")
}

var (
	readyLine = regexp.MustCompile(`(?m)^ready: console reached (\d+) ns after reset`)
	indexLine = regexp.MustCompile(`(?m)^muscles: bundle index .*; index verified in (\d+) ns$`)
	asmCounts = regexp.MustCompile(`forward at 0x[0-9a-f]+ \((\d+) instructions executed per call\)(?:, train at 0x[0-9a-f]+ \((\d+)\))?`)
)

// BenchmarkReferee boots the referee under -icount (guest nanoseconds are
// instructions) with every benchmark model compiled and sealed, and prints
// per model: instructions to load it (validation, verifier, sandbox; and
// by phase), the bundle index's check, per
// forward and train call through the referee (EL3 -> EL0 -> EL3, the
// buffer wipes and bench's harness included; the input is written and
// the output read in place) next to what the muscle's own code executes
// and the difference (the per-call overhead), and how much of that is the
// harness alone (an empty closure through bench's loop), on every board.
func BenchmarkReferee(b *testing.B) {
	dir := b.TempDir()
	bin := buildMusclec(b, dir)
	sk, sg := writePublisherKeys(b, dir)
	files := map[string][]byte{}
	var order, names []string
	own := map[string][2]string{}
	for _, file := range benchModels(b) {
		name := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
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
	// Signed with the publisher's bundle index, as `muscle bundle --signer`
	// does, so that the load figures show the amortised cost: one Ed25519
	// check for the bundle (printed), none per muscle.
	signed := func(order []string) string {
		var vouched []muscle.IndexEntry
		for _, f := range order {
			vouched = append(vouched, muscle.IndexEntryFor(f, files[f]))
		}
		index, err := muscle.SignIndex(signer, vouched)
		if err != nil {
			b.Fatal(err)
		}
		with := map[string][]byte{muscle.IndexName: index}
		for _, f := range order {
			with[f] = files[f]
		}
		return writeBundle(b, with, append([]string{muscle.IndexName}, order...))
	}
	bundle := signed(order)
	examples := signed(order[:len(order)-1]) // without mlp784, as make qemu's
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
				examplesReady(b, tb, examples, len(order)-1)
				benchRefereeOnce(b, tb, bundle, input, names, own)
			}
		})
	}
}

// examplesReady boots one board with the example models alone (the
// bundle make qemu loads) and prints the instructions to ready.
func examplesReady(b *testing.B, tb *testBoard, bundle string, n int) {
	console, status := bootWithInput(b, qemu.Config{Board: tb.name, Kernel: tb.image, ICount: true, NoRNG: true, Keys: keyFile, Muscles: bundle}, "poweroff\n")
	ready := readyLine.FindStringSubmatch(console)
	if status != 0 || ready == nil {
		b.Fatalf("exit status %d, no ready line:\n%s", status, console)
	}
	fmt.Printf("\nreferee on %s under -icount: reset to ready with the %d example muscles (a signed bundle, as make qemu's): %s instructions (target <= 10 M)\n", tb.name, n, ready[1])
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
	fmt.Printf("\nreferee on %s under -icount: reset to ready (console prompt, %d muscles loaded): %s instructions (target <= 40 M)\n", tb.name, len(names), ready[1])
	if ix := indexLine.FindStringSubmatch(console); ix != nil {
		fmt.Printf("bundle index check (one Ed25519 signature for the bundle, the boot's first): %s instructions\n", ix[1])
	} else {
		b.Fatalf("the bundle index was not verified:\n%s", console)
	}
	fmt.Println()
	fmt.Printf("| model | load | forward/call | muscle's own | per-call overhead | of which harness | train/call | muscle's own |\n|---|---|---|---|---|---|---|---|\n")
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
			Harness struct {
				Instructions float64 `json:"instructions_per_call"`
				Nanos        float64 `json:"ns_per_call"`
			} `json:"harness"`
		}
		if err := json.Unmarshal([]byte(m[1]), &r); err != nil {
			b.Fatalf("%s: %v: %s", n, err, m[1])
		}
		fw, tr, harness := r.Calls["forward"], r.Calls["train"], r.Harness
		if !pmuCounts[tb.name] {
			// Guest nanoseconds are instructions under -icount shift=0.
			fw.Instructions, tr.Instructions, harness.Instructions = fw.Nanos, tr.Nanos, harness.Nanos
		}
		overhead := "-"
		if o, err := strconv.ParseFloat(own[n][0], 64); err == nil {
			overhead = strconv.FormatFloat(fw.Instructions-o, 'f', 0, 64)
		}
		fmt.Printf("| %s | %d | %.0f | %s | %s | %.0f | %.0f | %s |\n", n, r.Load, fw.Instructions, own[n][0], overhead, harness.Instructions, tr.Instructions, own[n][1])
	}
	fmt.Println()
	printPhaseTable(b, tb, console, names)
	printBatchTable(b, tb, console, names, own)
}

// loadPhases are the phases of a muscle's load (served.Muscle.LoadPhases,
// bench's "load_phases_ns"), in the order they run.
var loadPhases = []string{"signature", "derive", "decrypt", "verify", "sandbox", "rest", "audit"}

// printPhaseTable prints each model's load by phase (guest nanoseconds:
// instructions under -icount), next to the targets: at most 150 k for a
// small muscle (single_neuron), 20 M for mlp784.
func printPhaseTable(b *testing.B, tb *testBoard, console string, names []string) {
	fmt.Printf("| model | load (target) |")
	for _, p := range loadPhases {
		fmt.Printf(" %s |", p)
	}
	fmt.Printf("\n|---|---|%s\n", strings.Repeat("---|", len(loadPhases)))
	for _, n := range names {
		m := regexp.MustCompile(`(?m)^referee> bench ` + n + ` \d+\n(\{.*\})$`).FindStringSubmatch(console)
		if m == nil {
			b.Fatalf("%s: no bench reply", n)
		}
		var r struct {
			Load   int64            `json:"load_ns"`
			Phases map[string]int64 `json:"load_phases_ns"`
		}
		if err := json.Unmarshal([]byte(m[1]), &r); err != nil || r.Phases == nil {
			b.Fatalf("%s: no load phases (%v): %s", n, err, m[1])
		}
		// The targets are the issue's: single_neuron stands for a small
		// muscle; the other models have none.
		target := ""
		switch n {
		case "single_neuron":
			target = " (<= 150 k)"
		case "mlp784":
			target = " (<= 20 M)"
		}
		fmt.Printf("| %s | %d%s |", n, r.Load, target)
		for _, p := range loadPhases {
			fmt.Printf(" %d |", r.Phases[p])
		}
		fmt.Println()
	}
	fmt.Println()
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
