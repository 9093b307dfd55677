package toolchain

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// imx8mpevkMarker is the last line testdata/imx8mpevk-hello prints.
const imx8mpevkMarker = "IMX8MPEVK-HELLO-OK"

// qemuMachine returns the QEMU system emulator named, failing the test when
// it is missing or does not emulate machine.
func qemuMachine(t *testing.T, emulator, machine string) string {
	t.Helper()
	path, err := exec.LookPath(emulator)
	if err != nil {
		t.Fatalf("%s is needed and missing (Debian: apt-get install qemu-system-arm): %v", emulator, err)
	}
	out, err := exec.Command(path, "-machine", "help").CombinedOutput()
	if err != nil {
		t.Fatalf("%s -machine help: %v\n%s", path, err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] == machine {
			return path
		}
	}
	t.Fatalf("%s does not emulate machine %s", path, machine)
	return ""
}

// TestImx8mpevkHelloBoots boots a program that imports TamaGo's own board
// package for the NXP 8MPLUSLPD4-EVK, unmodified, built with the
// bootstrapped toolchain, on QEMU's imx8mp-evk machine. That board's
// InitRNG allocates, so this fails (the image hangs before printing) if the
// runtime seeds itself before it has a heap; see the proc.go edit.
func TestImx8mpevkHelloBoots(t *testing.T) {
	qemu := qemuMachine(t, "qemu-system-aarch64", "imx8mp-evk")
	goCmd := GoCommand(bootstrapped(t))

	dir := tamagoModule(t)
	src := filepath.Join("testdata", "imx8mpevk-hello")
	files, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(src, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// As tamago-example builds for this board: link at DDR_BASE + 64 KiB,
	// and with linkramsize the program sets RamSize to fit QEMU's RAM.
	elf := filepath.Join(dir, "hello.elf")
	build := exec.Command(goCmd, "build", "-tags", "linkramsize", "-ldflags", "-T 0x40010000 -R 0x1000", "-o", elf, ".")
	build.Dir, build.Env = dir, append(os.Environ(), tamagoEnv()...)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build for imx8mpevk: %v\n%s", err, out)
	}

	// The program powers QEMU off through semihosting once it has printed
	// the marker; a runtime that hangs at start-up runs into the timeout.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	run := exec.CommandContext(ctx, qemu,
		"-machine", "imx8mp-evk", "-m", "2G",
		"-nographic", "-monitor", "none", "-serial", "stdio", "-serial", "null",
		"-semihosting", "-nic", "none", "-kernel", elf)
	var out bytes.Buffer
	run.Stdout, run.Stderr = &out, &out
	run.WaitDelay = 5 * time.Second
	start := time.Now()
	err = run.Run()
	took := time.Since(start)
	t.Logf("qemu ran %.1fs; console:\n%s", took.Seconds(), out.String())
	switch {
	case ctx.Err() != nil:
		t.Fatalf("no power-off within 60s (marker printed: %v)", strings.Contains(out.String(), imx8mpevkMarker))
	case !strings.Contains(out.String(), imx8mpevkMarker):
		t.Fatalf("QEMU ended (%v) without the marker %q", err, imx8mpevkMarker)
	case err != nil:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Fatalf("marker printed but the image powered off with status %d", exit.ExitCode())
		}
		t.Fatal(err)
	}
}
