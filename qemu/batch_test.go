package qemu_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/qemu"
	"github.com/muscles/referee/tools/image"
)

// TestBatchEqualsSingleCalls: "run NAME ROW;ROW;..." (one sandbox entry
// per batch) prints, for every example model, the same outputs as one run
// per row; a batch longer than a muscle's batch size (echo, 70 rows) is
// split and still complete; train's STEPS beyond one entry's 1024 steps
// count every step.
func TestBatchEqualsSingleCalls(t *testing.T) {
	dir := t.TempDir()
	bin := buildMusclec(t, dir)
	sk, sg := writePublisherKeys(t, dir)
	files := map[string][]byte{
		"echo.muscle":    sealCode(t, sealer, signer, "echo", 1, codeEcho),
		"counter.muscle": sealCounter(t, sealer, signer, "counter", muscle.CapForward|muscle.CapTrain),
	}
	order := []string{"echo.muscle", "counter.muscle"}
	input := ""
	var batches []string // the batch commands, each followed by its rows as single runs
	for _, ex := range loadExamples(t) {
		if !strings.HasSuffix(ex.file, ".py") {
			continue
		}
		rows := make([]string, 3)
		for i := range rows {
			rows[i] = csv(exampleValues(len(ex.input), 37+i, 5*i, 0.23))
		}
		batch := "run " + ex.name + " " + strings.Join(rows, ";")
		if len(batch) > 1000 { // the console's line limit
			continue
		}
		out := filepath.Join(dir, ex.name+".muscle")
		if _, err := musclec(bin, "build", ex.file, "-o", out, "--sealing-key", sk, "--signer", sg, "--caps", "forward", "--force"); err != nil {
			t.Fatal(err)
		}
		blob, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		files[ex.name+".muscle"] = blob
		order = append(order, ex.name+".muscle")
		batches = append(batches, batch)
		input += batch + "\n"
		for _, r := range rows {
			input += "run " + ex.name + " " + r + "\n"
		}
	}
	if len(batches) < 5 {
		t.Fatalf("only %d example models fit a batch line", len(batches))
	}
	var echoRows, echoWant []string
	for i := 0; i < 70; i++ {
		echoRows = append(echoRows, fmt.Sprintf("%d,0,0,0", i))
		echoWant = append(echoWant, fmt.Sprintf(`output \[%d\]`, i))
	}
	input += "run echo " + strings.Join(echoRows, ";") + "\n"
	input += "train counter 1,0,0,0 0 2500\nrun counter 0,0,0,0\n"
	input += "json on\nrun echo 1,0,0,0;2,0,0,0\n"
	bundle := writeBundle(t, files, order)
	forBoards(t, func(t *testing.T, tb *testBoard) {
		console, status := bootWithInput(t, qemu.Config{Board: tb.name, Kernel: tb.image, NoRNG: true, Keys: keyFile, Muscles: bundle}, input+"poweroff\n")
		if status != 0 {
			t.Errorf("exit status %d, want 0", status)
		}
		for _, b := range batches {
			// The batch's three output lines, then the three single runs'.
			re := regexp.MustCompile(`(?m)^referee> ` + regexp.QuoteMeta(b) + `\n(output .*)\n(output .*)\n(output .*)\nreferee> run .*\n(output .*)\nreferee> run .*\n(output .*)\nreferee> run .*\n(output .*)$`)
			m := re.FindStringSubmatch(console)
			if m == nil {
				t.Errorf("%s: no batch and single replies", strings.Fields(b)[1])
				continue
			}
			for i := 1; i <= 3; i++ {
				if m[i] != m[i+3] {
					t.Errorf("%s row %d: batch %q, single call %q", strings.Fields(b)[1], i, m[i], m[i+3])
				}
			}
		}
		expectLines(t, console, `^referee> run echo 0,0,0,0;.*\n`+strings.Join(echoWant, `\n`)+`$`,
			`^output \[2500\]\nstate_hash [0-9a-f]{64} \(state reset: no persist capability\)$`,
			`^\{"outputs":\[\[1\],\[2\]\]\}$`)
		if t.Failed() {
			t.Logf("console:\n%s", console)
		}
	})
}

// TestBatchFaultsContained: in a test image that skips the verifier, a
// row that faults or runs past the deadline stops its batch with the row named, a muscle that
// writes the batch's registers (x19, x25, x30: the ABI forbids it) is
// stopped and reported, and the referee and the other muscles keep serving. (One
// board: the EL0 side is the same on all of them, TestHostileMusclesContained
// covers the boards.)
func TestBatchFaultsContained(t *testing.T) {
	tb := boardUnderTest(t, "virt")
	im := filepath.Join(t.TempDir(), "referee-noverify.elf")
	var log strings.Builder
	if err := image.Build(context.Background(), image.Options{Board: tb.name, Go: goCmd, Out: im, SkipVerifier: true, Progress: &log}); err != nil {
		t.Fatalf("building the test image: %v\n%s", err, log.String())
	}
	files := map[string][]byte{
		"echo.muscle": sealCode(t, sealer, signer, "echo", 1, codeEcho),
		// input[1] not zero: udf
		"faulty.muscle": sealCode(t, sealer, signer, "faulty", 1, words(0xb9400405, 0x35000085, 0xbd400000, 0xbd000020, insRet, 0)),
		// mov x19, #100 (the stub's row counter): the rows run, the
		// counter ends wrong
		"clobber19.muscle": sealCode(t, sealer, signer, "clobber19", 1, words(0xd2800c93, 0xbd400000, 0xbd000020, insRet)),
		// mov x30, #ReturnAddress: the first row ends the batch
		"clobber30.muscle": sealCode(t, sealer, signer, "clobber30", 1, words(0xd282001e, insRet)),
		// mov x25, #0 (the stub's entry address)
		"clobber25.muscle": sealCode(t, sealer, signer, "clobber25", 1, words(0xd2800019, insRet)),
		// b . (never returns): the batch's deadline stops its first row
		"spin.muscle": sealCode(t, sealer, signer, "spin", 1, words(0x14000000, insRet)),
	}
	order := []string{"echo.muscle", "faulty.muscle", "clobber19.muscle", "clobber25.muscle", "clobber30.muscle", "spin.muscle"}
	input := "run faulty 1,0,0,0;2,0,0,0;3,1,0,0;4,0,0,0\nrun echo 5,0,0,0;6,0,0,0\nrun spin 1,0,0,0;2,0,0,0\n" +
		"run clobber19 1,0,0,0;2,0,0,0;3,0,0,0\nrun echo 7,0,0,0\n" +
		"run clobber25 1,0,0,0;2,0,0,0\nrun faulty 8,0,0,0;9,0,0,0\n" +
		"run clobber30 1,0,0,0;2,0,0,0\nrun echo 11,0,0,0\n" +
		"json on\nrun faulty 1,1,0,0;2,0,0,0\nrun clobber30 1,0,0,0;2,0,0,0\nrun echo 10,0,0,0\naudit\n"
	console, status := bootWithInput(t, qemu.Config{Board: tb.name, Kernel: im, NoRNG: true, Keys: keyFile, Muscles: writeBundle(t, files, order)}, input+"poweroff\n")
	if status != 0 {
		t.Errorf("exit status %d, want 0", status)
	}
	expectLines(t, console,
		`^error: run: row 3 of 4: undefined instruction at code offset 0x14 `,
		`^output \[5\]\noutput \[6\]$`,
		`^error: run: row 1 of 2: budget exceeded: stopped by the deadline interrupt$`,
		`^error: run: batch of 3 rows: the batch's row counter did not end at its last row: the muscle wrote the caller's registers \(x19-x30\)$`,
		`^output \[7\]$`,
		`^error: run: row 2 of 2: instruction fetch from 0x0 `, // row 1 clobbered x25, row 2 calls it
		`^output \[8\]\noutput \[9\]$`,
		`^error: run: batch of 2 rows: the batch's row counter did not end at its last row: the muscle wrote the caller's registers \(x19-x30\)$`,
		`^output \[11\]$`,
		`^\{"error":"row 1 of 2: undefined instruction at code offset 0x14 .*","code":"undefined-instruction"\}$`,
		`^\{"error":"batch of 2 rows: the batch's row counter did not end .*","code":"register-fault"\}$`,
		`^\{"output":\[10\]\}$`,
		`^audit \d+ \d+ fault .*"\\"faulty\\" v1 forward: row 3 of 4: `,
	)
	if t.Failed() {
		t.Logf("console:\n%s", console)
	}
}
