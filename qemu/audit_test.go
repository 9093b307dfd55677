package qemu_test

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/muscles/referee/qemu"
)

// buildMuscle builds the muscle command into dir.
func buildMuscle(t testing.TB, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "muscle")
	if out, err := exec.Command("go", "build", "-o", bin, "../tools/muscle").CombinedOutput(); err != nil {
		t.Fatalf("go build ../tools/muscle: %v\n%s", err, out)
	}
	return bin
}

// muscleAudit runs `muscle audit --keys keyFile --json` on a transcript
// and returns its JSON report and exit status.
func muscleAudit(t *testing.T, bin, transcript string, flags ...string) (map[string]any, int) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "console.txt")
	if err := os.WriteFile(file, []byte(transcript), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, append([]string{"audit", "--keys", keyFile, "--json", file}, flags...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	status := 0
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		status = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	var report map[string]any
	if err := json.Unmarshal(out, &report); err != nil {
		t.Fatalf("muscle audit printed %q (%v); stderr %q", out, err, stderr.String())
	}
	return report, status
}

// bootIDLine is the console line that reports the log and its boot id.
var bootIDLine = regexp.MustCompile(`(?m)^boot id ([0-9a-f]{32})( \(PREDICTABLE[^)]*\))?: audit log authenticated by key record [0-9a-f]{32}\r?$`)

// TestAuditTranscript: the real image's power-off transcript is complete
// by the real `muscle audit`, of the boot whose id the console printed as
// the log started (and its boot entry names), and the same transcript cut
// before the power-off listing is a prefix. Two boots have different ids.
func TestAuditTranscript(t *testing.T) {
	bin := buildMuscle(t, t.TempDir())
	forBoards(t, func(t *testing.T, tb *testBoard) {
		var ids []string
		for i := 0; i < 2; i++ {
			console, status := bootWithInput(t, qemu.Config{Board: tb.name, Kernel: tb.image, Keys: keyFile}, "frobnicate\naudit\npoweroff\n")
			if status != 0 {
				t.Fatalf("exit status %d; console:\n%s", status, console)
			}
			m := bootIDLine.FindStringSubmatch(console)
			if m == nil {
				t.Fatalf("no boot id line; console:\n%s", console)
			}
			id, weak := m[1], m[2] != ""
			ids = append(ids, id)
			// Only virt has a random source under QEMU.
			if weak != (tb.name != "virt") {
				t.Errorf("boot id line %q: predictable %v on %s", m[0], weak, tb.name)
			}
			expectLines(t, console,
				`^audit 0 \d+ boot 0{64} [0-9a-f]{64} "referee .*, boot id `+id+`[^"]*, image text blake3 [0-9a-f]{32}"$`,
				`^audit-head \d+ [0-9a-f]{64} boot `+id+` open [0-9a-f]{64}$`,
				`^audit-head \d+ [0-9a-f]{64} boot `+id+` final [0-9a-f]{64}$`,
			)

			r, status := muscleAudit(t, bin, console, "--require-complete", "--boot", id)
			if status != 0 || r["status"] != "complete" || r["complete"] != true || r["boot_id"] != id || r["listings"] != 3.0 {
				t.Errorf("the power-off transcript: exit %d, %v; want complete, boot %s, 3 listings", status, r, id)
			}

			cut := strings.Index(console, "referee> poweroff")
			if cut < 0 {
				t.Fatalf("no poweroff prompt; console:\n%s", console)
			}
			prefix := console[:cut]
			r, status = muscleAudit(t, bin, prefix)
			if status != 0 || r["status"] != "prefix" || r["complete"] != false || r["ok"] != true || r["boot_id"] != id || r["listings"] != 2.0 {
				t.Errorf("the transcript cut before the power-off listing: exit %d, %v; want a verified prefix of boot %s", status, r, id)
			}
			if _, status = muscleAudit(t, bin, prefix, "--require-complete"); status != 4 {
				t.Errorf("--require-complete on the prefix: exit %d, want 4", status)
			}
			// Cut inside the power-off listing, before its head.
			head := strings.LastIndex(console, "audit-head ")
			if r, status = muscleAudit(t, bin, console[:head]); status != 0 || r["status"] != "prefix" || r["unfinished"].(float64) < 1 {
				t.Errorf("the transcript cut inside the power-off listing: exit %d, %v; want a prefix", status, r)
			}
		}
		if ids[0] == ids[1] {
			if tb.name != "virt" {
				t.Logf("two boots of %s have the same boot id %s (no real random source)", tb.name, ids[0])
			} else {
				t.Errorf("two boots have the same boot id %s", ids[0])
			}
		}
	})
}
