package qemu_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/muscle/muscletest"
	"github.com/muscles/referee/qemu"
	"github.com/muscles/referee/tools/image"
)

// The counter muscle: forward outputs state[0]; train adds input[0] to
// state[0] and outputs the sum. Small enough to see every effect of the
// capabilities.
var (
	counterForward = words(0xbd400040, 0xbd000020, insRet) // ldr s0, [x2]; str s0, [x1]; ret
	counterTrain   = words(
		0xbd400040, // ldr s0, [x2]
		0xbd400001, // ldr s1, [x0]
		0x1e212800, // fadd s0, s0, s1
		0xbd000040, // str s0, [x2]
		0xbd000020, // str s0, [x1]
		insRet)
)

func sealCounter(t testing.TB, sk *muscle.SealingKey, sg *muscle.SigningKey, name string, caps muscle.Capabilities) []byte {
	t.Helper()
	return sealMuscle(t, sk, sg, counterInput(name, 1, caps))
}

// counterInput is the counter muscle at a version, with caps.
func counterInput(name string, version uint64, caps muscle.Capabilities) *muscle.Input {
	code := append(append([]byte{}, counterForward...), counterTrain...)
	in := &muscle.Input{Name: name, Version: version, Capabilities: caps, BudgetMicros: 1000, Code: code, State: make([]byte, 4)}
	in.Manifest.ForwardEntry, in.Manifest.TrainEntry = 0, uint32(len(counterForward))
	in.Manifest.Input, in.Manifest.Output, in.Manifest.State, in.Manifest.Target = muscle.Shape{4}, muscle.Shape{1}, muscle.Shape{1}, muscle.Shape{1}
	return in
}

// TestCapabilities: one test for each capability bit. forward: run needs
// it; train: train needs it; persist: trained state outlives the train
// command only with it; and a muscle asking for more than its publisher
// may grant is rejected at load.
func TestCapabilities(t *testing.T) {
	forBoards(t, func(t *testing.T, tb *testBoard) {
		rec := newRecord(t)
		var sk [2]*muscle.SealingKey
		var sg [2]*muscle.SigningKey
		for i, grants := range []muscle.Capabilities{muscle.CapAll, muscle.CapForward} {
			sk[i], sg[i] = addPublisher(t, rec, grants)
		}
		keys := writeRecord(t, rec)
		const (
			fwd = muscle.CapForward
			trn = muscle.CapTrain
			per = muscle.CapPersist
		)
		files := map[string][]byte{
			"all":       sealCounter(t, sk[0], sg[0], "all", fwd|trn|per),
			"nopersist": sealCounter(t, sk[0], sg[0], "nopersist", fwd|trn),
			"notrain":   sealCounter(t, sk[0], sg[0], "notrain", fwd),
			"noforward": sealCounter(t, sk[0], sg[0], "noforward", trn|per),
			"greedy":    sealCounter(t, sk[1], sg[1], "greedy", fwd|trn),
			"modest":    sealCounter(t, sk[1], sg[1], "modest", fwd),
		}
		order := []string{"all", "nopersist", "notrain", "noforward", "greedy", "modest"}
		input := "train all 1.5,0,0,0 0 2\nrun all 0,0,0,0\n" +
			"train nopersist 1.5,0,0,0 0 2\nrun nopersist 0,0,0,0\n" +
			"train notrain 1.5,0,0,0 0\nrun notrain 0,0,0,0\n" +
			"run noforward 0,0,0,0\ntrain noforward 2,0,0,0 0\n" +
			"run greedy 0,0,0,0\nrun modest 0,0,0,0\n" +
			"json on\ntrain notrain 1,0,0,0 0\npoweroff\n"
		console, status := bootWithInput(t, qemu.Config{Board: tb.name, Kernel: tb.image, NoRNG: true, Keys: keys, Muscles: writeBundle(t, files, order)}, input)
		if status != 0 {
			t.Errorf("exit status %d, want 0", status)
		}
		expectLines(t, console,
			// persist: the trained state (0 + 1.5 + 1.5) stays.
			`^referee> train all 1.5,0,0,0 0 2\noutput \[3\]\nstate_hash [0-9a-f]{64}$`,
			`^referee> run all 0,0,0,0\noutput \[3\]$`,
			// no persist: the same training, then the sealed state is back.
			`^referee> train nopersist 1.5,0,0,0 0 2\noutput \[3\]\nstate_hash [0-9a-f]{64} \(state reset: no persist capability\)$`,
			`^referee> run nopersist 0,0,0,0\noutput \[0\]$`,
			// no train: refused, state untouched.
			`^referee> train notrain 1.5,0,0,0 0\nerror: train: notrain may not train: its capabilities are forward$`,
			`^referee> run notrain 0,0,0,0\noutput \[0\]$`,
			// no forward: run refused, train allowed.
			`^referee> run noforward 0,0,0,0\nerror: run: noforward may not run forward: its capabilities are train,persist$`,
			`^referee> train noforward 2,0,0,0 0\noutput \[2\]`,
			// more than the publisher may grant: rejected at load.
			`^muscle greedy: rejected: .*capabilit`,
			`^referee> run greedy 0,0,0,0\nerror: run: no muscle "greedy" is loaded`,
			`^referee> run modest 0,0,0,0\noutput \[0\]$`,
			`^\{"error":"notrain may not train: its capabilities are forward","code":"capability"\}$`,
		)
	})
}

// TestCallsAllocateNothingAndCountIsInputIndependent: under -icount the
// referee's bench command counts the instructions of a call (the switch to
// EL0 and back included) with two different inputs: the counts must be
// equal, and the calls must not allocate on the heap. For the counter
// muscle and two compiled models whose activations (exp, tanh) are
// branchless approximations.
func TestCallsAllocateNothingAndCountIsInputIndependent(t *testing.T) {
	forBoards(t, func(t *testing.T, tb *testBoard) {
		dir := t.TempDir()
		bin := buildMusclec(t, dir)
		sk, sg := writePublisherKeys(t, dir)
		files := map[string][]byte{"all": sealCounter(t, sealer, signer, "all", muscle.CapAll)}
		order := []string{"all"}
		for _, name := range []string{"tanh_mlp", "softmax"} {
			out := filepath.Join(dir, name+".muscle")
			if _, err := musclec(bin, "build", filepath.Join(exampleModels, name+".py"), "-o", out, "--sealing-key", sk, "--signer", sg, "--caps", "forward,train"); err != nil {
				t.Fatal(err)
			}
			blob, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			files[name], order = blob, append(order, name)
		}
		input := "json on\n"
		for _, n := range order {
			input += "bench " + n + " 100\n"
		}
		console, status := bootWithInput(t, qemu.Config{Board: tb.name, Kernel: tb.image, NoRNG: true, ICount: true, Keys: keyFile, Muscles: writeBundle(t, files, order)}, input+"poweroff\n")
		if status != 0 {
			t.Errorf("exit status %d, want 0", status)
		}
		for _, n := range order {
			m := regexp.MustCompile(`(?m)^referee> bench ` + n + ` 100\n(\{.*\})$`).FindStringSubmatch(console)
			if m == nil {
				t.Fatalf("%s: no bench reply:\n%s", n, console)
			}
			var reply struct {
				Calls map[string]struct {
					Calls         int     `json:"calls"`
					Instructions  float64 `json:"instructions_per_call"`
					Instructions2 float64 `json:"instructions_per_call_other_input"`
					Allocs        uint64  `json:"allocations"`
				} `json:"calls"`
				LoadNanos int64 `json:"load_ns"`
			}
			if err := json.Unmarshal([]byte(m[1]), &reply); err != nil {
				t.Fatal(err)
			}
			if reply.LoadNanos <= 0 {
				t.Errorf("%s: load_ns %d", n, reply.LoadNanos)
			}
			for _, e := range []string{"forward", "train"} {
				f, ok := reply.Calls[e]
				switch {
				case !ok:
					t.Errorf("%s %s: not measured: %s", n, e, m[1])
				case !pmuCounts[tb.name]:
					// No instruction count to compare: check that the board
					// says so (0) rather than inventing one.
					if f.Instructions != 0 || f.Allocs != 0 {
						t.Errorf("%s %s: %.1f instructions per call on a board whose PMU does not count, %d allocations", n, e, f.Instructions, f.Allocs)
					}
				case f.Calls != 100 || f.Instructions < 50:
					t.Errorf("%s %s: %d calls, %.1f instructions per call: the PMU did not count", n, e, f.Calls, f.Instructions)
				case f.Instructions != f.Instructions2:
					t.Errorf("%s %s: %.2f instructions per call with one input, %.2f with another", n, e, f.Instructions, f.Instructions2)
				case f.Allocs != 0:
					t.Errorf("%s %s: %d heap allocations in %d calls, want 0", n, e, f.Allocs, 2*f.Calls)
				}
				t.Logf("%s %s: %.1f instructions per call (EL3 -> EL0 -> EL3 included)", n, e, f.Instructions)
			}
		}
	})
}

// pmuCounts says on which boards the PMU's INST_RETIRED counts under
// QEMU -icount: on imx8mp-evk (QEMU 10.0.2) the event counter does not
// advance (measured), so the board reports no counter (board/armv8) and
// make bench takes the instruction figures from guest time under -icount
// shift=0 instead.
var pmuCounts = map[string]bool{"virt": true}

// TestEmbeddedBundle: a bundle built into the image (make image
// MUSCLES=FILE, for boards with no loader) is loaded at boot, before the
// loader's bundle, through the same validation chain.
func TestEmbeddedBundle(t *testing.T) {
	forBoards(t, func(t *testing.T, tb *testBoard) {
		embedded := writeBundle(t, map[string][]byte{
			"echo.muscle": sealCode(t, sealer, signer, "echo", 1, codeEcho),
			"svc.muscle":  sealCode(t, sealer, signer, "svc", 1, codeSupervisor),
		}, []string{"echo.muscle", "svc.muscle"})
		im := filepath.Join(t.TempDir(), "referee-embedded.elf")
		var log strings.Builder
		if err := image.Build(context.Background(), image.Options{Board: tb.name, Go: goCmd, Out: im, Bundle: embedded, Progress: &log}); err != nil {
			t.Fatalf("building the image: %v\n%s", err, log.String())
		}
		loaded := writeBundle(t, map[string][]byte{"counter.muscle": sealCounter(t, sealer, signer, "counter", muscle.CapAll)}, []string{"counter.muscle"})
		console, status := bootWithInput(t, qemu.Config{Board: tb.name, Kernel: im, NoRNG: true, Keys: keyFile, Muscles: loaded},
			"run echo 4.25,0,0,0\nrun counter 0,0,0,0\npoweroff\n")
		if status != 0 {
			t.Errorf("exit status %d, want 0", status)
		}
		expectLines(t, console,
			`^muscles: bundle built into the image with 2 entries$`,
			`^muscle embedded:echo\.muscle: accepted "echo" v1`,
			`^muscle embedded:svc\.muscle: rejected: machine-code verifier: `,
			fmt.Sprintf(`^muscles: bundle at %#x with 1 entries$`, layoutOf(t, tb.name).Bundle.Start),
			`^muscle counter\.muscle: accepted "counter" v1`,
			`^referee> run echo 4.25,0,0,0\noutput \[4\.25\]$`,
			`^referee> run counter 0,0,0,0\noutput \[0\]$`,
		)
		if err := image.Build(context.Background(), image.Options{Board: tb.name, Go: goCmd, Out: im, Bundle: filepath.Join(t.TempDir(), "missing.cpio")}); err == nil || !strings.Contains(err.Error(), "bundle to embed") {
			t.Errorf("building with a missing bundle: %v", err)
		}
	})
}

// TestKeyRecordDecides: the same bundle under two key records. Under a
// record that sets a minimum version, the muscle below it is rejected and
// the others serve; under a record with another master key (the same
// publisher, whose signatures still verify) every muscle is rejected with
// a clear message, and the referee still serves its console.
func TestKeyRecordDecides(t *testing.T) {
	forBoards(t, func(t *testing.T, tb *testBoard) {
		rec := newRecord(t)
		sk, sg := addPublisher(t, rec, muscle.CapAll)
		if err := rec.SetMinVersion("old", 3); err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{
			"echo.muscle": sealCode(t, sk, sg, "echo", 1, codeEcho),
			"old.muscle":  sealCode(t, sk, sg, "old", 2, codeEcho),
			"new.muscle":  sealCode(t, sk, sg, "new", 3, codeEcho),
		}
		order := []string{"echo.muscle", "old.muscle", "new.muscle"}
		bundle := writeBundle(t, files, order)
		// The same publisher under another master key.
		stranger := newRecord(t)
		if err := stranger.AddPublisher(rec.Publishers[0]); err != nil {
			t.Fatal(err)
		}
		own, other := writeRecord(t, rec), writeRecord(t, stranger)
		input := "run echo 1,0,0,0\nrun new 2,0,0,0\nrun old 3,0,0,0\npoweroff\n"
		console, status := bootWithInput(t, qemu.Config{Board: tb.name, Kernel: tb.image, NoRNG: true, Keys: own, Muscles: bundle}, input)
		if status != 0 {
			t.Errorf("exit status %d, want 0", status)
		}
		expectLines(t, console,
			`^muscle old\.muscle: rejected: rollback: .*`,
			`^referee> run echo 1,0,0,0\noutput \[1\]$`,
			`^referee> run new 2,0,0,0\noutput \[2\]$`,
			`^referee> run old 3,0,0,0\nerror: run: no muscle "old" is loaded`,
		)
		console, status = bootWithInput(t, qemu.Config{Board: tb.name, Kernel: tb.image, NoRNG: true, Keys: other, Muscles: bundle}, input)
		if status != 0 {
			t.Errorf("exit status %d, want 0", status)
		}
		for _, n := range order {
			expectLines(t, console, `^muscle `+regexp.QuoteMeta(n)+`: rejected: wrong key: decryption failed: .* does not decrypt with key record [0-9a-f]{32}$`)
		}
		expectLines(t, console, `^referee> run echo 1,0,0,0\nerror: run: no muscle "echo" is loaded`)
		t.Log(regexp.MustCompile(`(?m)^muscle echo.muscle: .*$`).FindString(console))
	})
}

// newRecord makes a master-key record with a fresh random master key and
// no publishers.
func newRecord(t *testing.T) *muscle.KeyRecord {
	t.Helper()
	rec, _, err := muscletest.NewRecord()
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// addPublisher adds a fresh publisher that may grant grants, and returns
// its sealing and signing keys.
func addPublisher(t *testing.T, rec *muscle.KeyRecord, grants muscle.Capabilities) (*muscle.SealingKey, *muscle.SigningKey) {
	t.Helper()
	p, err := muscletest.AddPublisher(rec, nil, grants)
	if err != nil {
		t.Fatal(err)
	}
	return p.Sealer, p.Signer
}

// writeRecord writes rec to a file for the launcher.
func writeRecord(t *testing.T, rec *muscle.KeyRecord) string {
	t.Helper()
	b, err := rec.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "keys.bin")
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}
