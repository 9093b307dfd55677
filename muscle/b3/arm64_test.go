package b3

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestOnArm64 runs this package's tests on an AArch64 CPU when the host is
// not one (the NEON kernel is built only for arm64): the test binary for
// linux/arm64 under qemu-aarch64, in user mode. There the library it is
// compared with is portable Go, so the two share no code.
func TestOnArm64(t *testing.T) {
	if runtime.GOARCH == "arm64" {
		t.Skip("the host is arm64: the other tests run the NEON kernel directly")
	}
	exe := filepath.Join(t.TempDir(), "b3.test")
	build := exec.Command("go", "test", "-c", "-o", exe, ".")
	build.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the arm64 test binary: %v\n%s", err, out)
	}
	out, err := exec.Command("qemu-aarch64", exe, "-test.v", "-test.run", "^Test(Sum256|Keyed|Chunks4|DeriveKey32)$").CombinedOutput()
	if err != nil {
		t.Fatalf("qemu-aarch64 (Debian's qemu-user; make deps): %v\n%s", err, out)
	}
	for _, name := range []string{"TestSum256", "TestKeyed", "TestChunks4", "TestDeriveKey32"} {
		if !strings.Contains(string(out), "--- PASS: "+name+" ") {
			t.Errorf("%s did not pass on arm64:\n%s", name, out)
		}
	}
}
