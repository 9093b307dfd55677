package qemu_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/muscles/referee/qemu"
)

// TestConsoleTool drives a booted referee through tools/console over the
// Unix socket that qemu/run -console (make qemu CONSOLE=...) creates:
// an upload, runs in both reply modes, an error's exit status, power-off.
func TestConsoleTool(t *testing.T) {
	forBoards(t, func(t *testing.T, tb *testBoard) {
		dir := t.TempDir()
		tool := filepath.Join(dir, "console")
		if out, err := exec.Command("go", "build", "-o", tool, "../tools/console").CombinedOutput(); err != nil {
			t.Fatalf("building tools/console: %v\n%s", err, out)
		}
		blob := filepath.Join(dir, "echo.muscle")
		if err := os.WriteFile(blob, sealCode(t, sealer, signer, "echo", 1, codeEcho), 0o644); err != nil {
			t.Fatal(err)
		}
		sock := filepath.Join(dir, "console.sock")
		ctx, cancel := context.WithTimeout(context.Background(), bootTimeout)
		defer cancel()
		cmd, err := qemu.Config{Board: tb.name, Kernel: tb.image, NoRNG: true, Keys: keyFile, Console: sock}.Command(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var qemuOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &qemuOut, &qemuOut
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 100; i++ {
			if _, err := os.Stat(sock); err == nil {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		console := func(want int, args ...string) string {
			t.Helper()
			out, err := exec.CommandContext(ctx, tool, append([]string{"-connect", sock, "-timeout", "1m"}, args...)...).CombinedOutput()
			var exit *exec.ExitError
			got := 0
			if errors.As(err, &exit) {
				got = exit.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("console %q: exit status %d, want %d\n%s", args, got, want, out)
			}
			return string(out)
		}
		out := console(0, "upload "+blob, "run echo 1.5,0,0,0")
		out += console(3, "run echo 1,2")
		out += console(0, "-json", "run echo -2,0,0,0", "poweroff")
		for _, p := range []string{
			`(?m)^muscle upload: accepted "echo" v1`,
			`(?m)^output \[1\.5\]$`,
			`(?m)^error: run: input has 2 values, the muscle wants 4$`,
			`(?m)^\{"output":\[-2\]\}$`,
			`(?m)^referee: powering off, exit status 0$`,
		} {
			if !regexp.MustCompile(p).MatchString(out) {
				t.Errorf("no match for %q in:\n%s", p, out)
			}
		}
		if err := cmd.Wait(); err != nil {
			t.Errorf("qemu: %v\n%s", err, qemuOut.String())
		}
		if out := console(1, "help"); !regexp.MustCompile(`(?m)^console: `).MatchString(out) {
			t.Errorf("connecting to a stopped console: %s", out)
		}
	})
}
