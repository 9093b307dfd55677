package qemu_test

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"testing"

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/muscle/muscletest"
	"github.com/muscles/referee/qemu"
	"github.com/muscles/referee/referee/audit"
)

// sealMuscle seals in for a test, naming the test as its compiler.
func sealMuscle(t testing.TB, sk *muscle.SealingKey, sg *muscle.SigningKey, in *muscle.Input) []byte {
	t.Helper()
	in.Provenance.Compiler, in.Provenance.Source = "qemu test", in.Name+".py"
	blob, err := muscle.Seal(sk, sg, in)
	if err != nil {
		t.Fatal(err)
	}
	return blob
}

// TestRefereeHardening boots the real image with the review's attacks,
// findings 1, 3, 4, 5 and 6 of the hardening issue:
//   - publisher B uploads its own "victim" at version 2^64-1 over A's
//     trained one: refused as a taken name, audited; A's state and A's
//     next version are unaffected;
//   - a muscle that accumulates in its scratch returns the same output on
//     identical calls;
//   - a bundle entry with 64 MiB of code and ten muscles declaring 128 MiB
//     of scratch each: those over the memory budget are refused by the
//     limit, the rest and every other muscle load, the console is reached;
//   - training is audited with the state's hash, and uploading the served
//     version again is refused and keeps the trained state;
//   - a 2^40-trip loop is refused by its exact instruction count;
//   - bench on a muscle with one-element shapes answers (finding 2).
func TestRefereeHardening(t *testing.T) {
	forBoards(t, func(t *testing.T, tb *testBoard) {
		rec := newRecord(t)
		skA, sgA := addPublisher(t, rec, muscle.CapAll)
		skB, sgB := addPublisher(t, rec, muscle.CapForward)
		keys := writeRecord(t, rec)

		files := map[string][]byte{}
		var order []string
		add := func(file string, blob []byte) {
			files[file] = blob
			order = append(order, file)
		}
		huge := muscletest.Neuron("huge", 1, make([]byte, 64<<20))
		add("huge.muscle", sealMuscle(t, skA, sgA, huge))
		for i := range 10 {
			in := muscletest.Neuron(fmt.Sprintf("scratch%d", i), 1, codeEcho)
			in.Manifest.ScratchSize = 128 << 20
			add(in.Name+".muscle", sealMuscle(t, skA, sgA, in))
		}
		add("victim.muscle", sealMuscle(t, skA, sgA, counterInput("victim", 1, muscle.CapAll)))
		acc := muscletest.Neuron("accumulate", 1, words(0xbd400060, 0xbd400001, 0x1e212800, 0xbd000060, 0xbd000020, insRet)) // scratch[0] += input[0]; output it
		acc.Manifest.ScratchSize = 16
		add("accumulate.muscle", sealMuscle(t, skA, sgA, acc))
		add("long.muscle", sealMuscle(t, skA, sgA, muscletest.Neuron("long", 1, words(0xd2c02009, 0xbd400000, 0xf1000529, 0x54ffffc1, insRet)))) // 2^40 trips
		add("echo.muscle", sealMuscle(t, skA, sgA, muscletest.Neuron("echo", 1, codeEcho)))
		// Finding 2: bench once picked a plain-Go twin by name and indexed
		// past one-element buffers; any accepted muscle must bench.
		tiny := muscletest.Neuron("single_neuron", 1, codeRet)
		tiny.Manifest.Input, tiny.Manifest.Output, tiny.Manifest.State, tiny.State = muscle.Shape{1}, muscle.Shape{1}, muscle.Shape{1}, make([]byte, 4)
		add("single_neuron.muscle", sealMuscle(t, skA, sgA, tiny))

		victimReplay := sealMuscle(t, skA, sgA, counterInput("victim", 1, muscle.CapAll))
		thief := sealMuscle(t, skB, sgB, counterInput("victim", math.MaxUint64, muscle.CapForward))
		victimV2 := sealMuscle(t, skA, sgA, counterInput("victim", 2, muscle.CapAll))
		input := "train victim 5,0,0,0 0 3\nrun victim 0,0,0,0\n" +
			uploadInput(thief, "") + "run victim 0,0,0,0\ninfo victim\n" +
			uploadInput(victimReplay, "") + "run victim 0,0,0,0\n" +
			"run accumulate 1,0,0,0\nrun accumulate 1,0,0,0\nrun accumulate 1,0,0,0\n" +
			"run echo 4.5,0,0,0\n" +
			uploadInput(victimV2, "") + "info victim\nbench single_neuron 1\nrun echo 1,0,0,0\npoweroff\n"
		console, status := bootWithInput(t, qemu.Config{Board: tb.name, Kernel: tb.image, NoRNG: true, Keys: keys, Muscles: writeBundle(t, files, order)}, input)
		if status != 0 {
			t.Errorf("exit status %d, want 0", status)
		}
		a, b := sgA.Publisher.String(), sgB.Publisher.String()
		expectLines(t, console,
			`^muscle huge\.muscle: rejected: memory budget: its code and state needs \d+ bytes; \d+ of the referee's \d+-byte budget for muscles are left$`,
			`^muscle scratch9\.muscle: rejected: memory budget: its sandbox \(manifest sizes\) needs `,
			`^muscle long\.muscle: rejected: instruction count exceeds budget: the forward entry executes 3298534883330 instructions; a budget of 1000 µs allows at most 4000000 `,
			`^muscle echo\.muscle: accepted`,
			`^ready: `,
			// Training is audited with the state's hash.
			`^referee> train victim .*\noutput \[15\]\nstate_hash ([0-9a-f]{64})$`,
			`^audit \d+ \d+ train .*\\"victim\\" v1 by `+a+`: 3 steps, state blake3 [0-9a-f]{16} kept`,
			// B's takeover is refused; A's trained muscle serves on.
			`^error: upload: rejected: name taken: "victim" belongs to publisher `+a+`; publisher `+b+` may not`,
			`^audit \d+ \d+ reject .*"upload: name taken: `,
			`^publisher +`+a+`$`,
			// The replay is refused and the training kept.
			`^error: upload: rejected: rollback: .*"victim" v1 was accepted this boot`,
			`^output \[4\.5\]$`,
			`^muscle upload: accepted "victim" v2 by `+a,
			`^referee> bench single_neuron 1\nload +\d+ ns.*\nforward +1 calls: `,
			`^output \[1\]$`,
		)
		if got := regexp.MustCompile(`(?m)^referee> run victim .*\n(.*)$`).FindAllStringSubmatch(console, -1); len(got) != 3 || got[0][1] != "output [15]" || got[1][1] != got[0][1] || got[2][1] != got[0][1] {
			t.Errorf("victim's output after training, the takeover and the replay: %q, want output [15] each time", got)
		}
		if got := regexp.MustCompile(`(?m)^referee> run accumulate .*\n(.*)$`).FindAllStringSubmatch(console, -1); len(got) != 3 || got[0][1] != "output [1]" || got[1][1] != "output [1]" || got[2][1] != "output [1]" {
			t.Errorf("three identical calls of a muscle that accumulates in scratch: %q, want output [1] each time", got)
		}
		accepted := regexp.MustCompile(`(?m)^muscle scratch\d\.muscle: accepted`).FindAllString(console, -1)
		if len(accepted) == 0 || len(accepted) == 10 {
			t.Errorf("%d of the ten 128 MiB-scratch muscles accepted, want those that fit in the budget", len(accepted))
		}
		if strings.Count(console, "\"victim\" v") == 0 {
			t.Error("no victim in the log")
		}
		if _, err := audit.Verify(console, rec.AuditKey()); err != nil {
			t.Errorf("the audit log does not verify: %v", err)
		}
		if t.Failed() {
			t.Logf("console:\n%s", console)
		}
	})
}
