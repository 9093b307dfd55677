package qemu_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"testing"

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/qemu"
	"github.com/muscles/referee/referee/audit"
)

// TestSignedBundle boots a bundle signed as a whole (its index,
// muscle/FORMAT.md "The bundle index") and the same bundle with the
// index's signature flipped. The signed one's listed muscles are accepted
// on the index's one signature (one of them has its own signature broken,
// so only the index can have admitted it) and an unlisted one on its own;
// the tampered index is refused on the console and in the (verifying) audit
// log, and the muscles keep serving on their own signatures. Under -icount
// it prints the instructions a small muscle's load takes either way.
func TestSignedBundle(t *testing.T) {
	forBoards(t, func(t *testing.T, tb *testBoard) {
		weak := sealNeuron(t, sealer, signer, "weak", 1)
		weak[len(weak)-1] ^= 0x01 // its own signature no longer verifies
		files := map[string][]byte{
			"weak.muscle":  weak,
			"small.muscle": sealNeuron(t, sealer, signer, "small", 1),
			"extra.muscle": sealNeuron(t, sealer, signer, "extra", 1),
		}
		index, err := muscle.SignIndex(signer, []muscle.IndexEntry{
			muscle.IndexEntryFor("weak.muscle", files["weak.muscle"]), muscle.IndexEntryFor("small.muscle", files["small.muscle"]),
		})
		if err != nil {
			t.Fatal(err)
		}
		order := []string{muscle.IndexName, "weak.muscle", "small.muscle", "extra.muscle"}
		at := fmt.Sprintf("%#x", layoutOf(t, tb.name).Bundle.Start)
		input := "json on\nbench small 1\npoweroff\n"
		load := map[bool]int64{}
		var indexCost string
		for _, tampered := range []bool{false, true} {
			files[muscle.IndexName] = append([]byte(nil), index...)
			if tampered {
				files[muscle.IndexName][len(index)-1] ^= 0x01
			}
			console, status := bootWithInput(t, qemu.Config{Board: tb.name, Kernel: tb.image, NoRNG: true, ICount: true, Keys: keyFile, Muscles: writeBundle(t, files, order)}, input)
			if status != 0 {
				t.Errorf("exit status %d, want 0", status)
			}
			if _, err := audit.Verify(console, auditKey); err != nil {
				t.Errorf("the audit log does not verify: %v", err)
			}
			if !tampered {
				if m := regexp.MustCompile(`(?m)^muscles: bundle index .*; index verified in (\d+) ns$`).FindStringSubmatch(console); m != nil {
					indexCost = m[1]
				}
				expectLines(t, console,
					`^muscles: bundle at `+at+` with 4 entries$`,
					`^muscle weak.muscle: accepted "weak" v1 by `+signer.Publisher.String()+`, forward, `,
					`^muscle small.muscle: accepted "small" v1 `,
					`^muscle extra.muscle: accepted "extra" v1 `,
					`^muscles: bundle index at `+at+`: by `+signer.Publisher.String()+`, 2 listed, 2 vouched for \(one signature check\); index verified in (\d+) ns$`,
					`^audit \d+ \d+ bundle-index .*2 vouched for`,
				)
			} else {
				expectLines(t, console,
					`^muscles: bundle at `+at+` with 4 entries$`,
					`^muscles: bundle index at `+at+` rejected: tampered: .*; each muscle is checked on its own signature$`,
					`^muscle weak.muscle: rejected: tampered`,
					`^muscle small.muscle: accepted "small" v1 `,
					`^muscle extra.muscle: accepted "extra" v1 `,
					`^audit \d+ \d+ bundle-index-error .*tampered`,
					`^audit \d+ \d+ reject .*weak.muscle: tampered`,
				)
			}
			m := regexp.MustCompile(`(?m)^referee> bench small 1\n(\{.*\})$`).FindStringSubmatch(console)
			if m == nil {
				t.Fatalf("no bench reply:\n%s", console)
			}
			var reply struct {
				LoadNanos int64 `json:"load_ns"`
			}
			if err := json.Unmarshal([]byte(m[1]), &reply); err != nil {
				t.Fatal(err)
			}
			load[!tampered] = reply.LoadNanos
		}
		// Figures, not assertions: under -icount guest nanoseconds are
		// instructions.
		fmt.Printf("%s: load of a small muscle under -icount: %s instructions on its own signature, %s vouched for by the bundle index (target <= 150000), plus %s once a bundle for the index\n",
			tb.name, strconv.FormatInt(load[false], 10), strconv.FormatInt(load[true], 10), indexCost)
	})
}
