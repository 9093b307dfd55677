package onnx

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

const python = "/usr/bin/python3"

// TestFixturesUpToDate runs testdata/make_fixtures.py into a temporary
// directory and checks that it writes exactly the committed fixtures. It
// needs Debian's python3-onnx (qemu/deps.sh installs it).
func TestFixturesUpToDate(t *testing.T) {
	if err := exec.Command(python, "-c", "import onnx").Run(); err != nil {
		t.Fatalf("%s cannot import onnx (qemu/deps.sh installs Debian's python3-onnx): %v", python, err)
	}
	dir := t.TempDir()
	cmd := exec.Command(python, "-B", filepath.Join("testdata", "make_fixtures.py"), dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make_fixtures.py: %v\n%s", err, out)
	}
	made, err := filepath.Glob(filepath.Join(dir, "*.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	committed, err := filepath.Glob(filepath.Join("testdata", "*.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	if len(made) != len(committed) {
		t.Errorf("the script writes %d fixtures, testdata has %d", len(made), len(committed))
	}
	for _, p := range made {
		name := filepath.Base(p)
		want, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Errorf("%s is not committed: %v", name, err)
			continue
		}
		got, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: the script writes %d bytes that differ from the committed %d; rerun it (see its header)", name, len(got), len(want))
		}
	}
	for _, p := range committed {
		if _, err := os.Stat(filepath.Join(dir, filepath.Base(p))); err != nil {
			t.Errorf("testdata/%s is not written by the script", filepath.Base(p))
		}
	}
}
