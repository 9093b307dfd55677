package image

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

// TestTextHash: a Go ELF executable (a host build of a small program)
// hashes to 32 hex digits, the same each time; anything else is a clear
// error.
func TestTextHash(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, []byte("package main\n\nfunc main() { println(\"hi\") }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "hi")
	cmd := exec.Command("go", "build", "-o", exe, src)
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0", "GO111MODULE=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building an ELF executable to hash: %v\n%s", err, out)
	}
	sum, err := TextHash(exe)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(sum) || sum == textHashPlaceholder {
		t.Fatalf("TextHash = %q", sum)
	}
	if again, err := TextHash(exe); err != nil || again != sum {
		t.Fatalf("TextHash again = %q, %v; want %q", again, err, sum)
	}
	bad := filepath.Join(t.TempDir(), "not-elf")
	if err := os.WriteFile(bad, []byte("not an ELF file"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := TextHash(bad); err == nil {
		t.Fatal("TextHash of a non-ELF file: no error")
	}
}
