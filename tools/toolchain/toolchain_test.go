package toolchain

import (
	"bytes"
	"go/build/constraint"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestWithTamago(t *testing.T) {
	tests := []struct{ in, want string }{
		{"js && wasm", "(js && wasm) || tamago"},
		{"js", "js || tamago"},
		{"!js", "!(js || tamago)"},
		{"unix || (js && wasm) || wasip1", "unix || ((js && wasm) || tamago) || wasip1"},
		{"!aix && !js && !wasip1", "!aix && !(js || tamago) && !wasip1"},
		{"linux && amd64", "linux && amd64"},
	}
	for _, tt := range tests {
		e, err := constraint.Parse("//go:build " + tt.in)
		if err != nil {
			t.Fatal(err)
		}
		got := withTamago(e)
		want, _ := constraint.Parse("//go:build " + tt.want)
		for _, tags := range []map[string]bool{{"tamago": true, "arm64": true}, {"js": true, "wasm": true}, {"linux": true, "amd64": true, "unix": true}, {"wasip1": true, "wasm": true}} {
			has := func(tag string) bool { return tags[tag] }
			if got.Eval(has) != want.Eval(has) {
				t.Errorf("withTamago(%q) = %q, disagrees with %q for %v", tt.in, got, tt.want, tags)
			}
		}
		if tt.in == "linux && amd64" && got.String() != tt.in {
			t.Errorf("withTamago changed a constraint without js: %q", got)
		}
	}
}

func TestEditDetectsDrift(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f.go"), []byte("a\nb\na\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := (edit{"f.go", "b\n", "c\n"}).apply(dir); err != nil {
		t.Fatal(err)
	}
	for _, old := range []string{"a\n", "zzz"} {
		if err := (edit{"f.go", old, "x"}).apply(dir); err == nil || !strings.Contains(err.Error(), "f.go") {
			t.Errorf("edit of %q: error %v, want one naming the file", old, err)
		}
	}
}

// bootstrapped returns the ported distribution (built on first use).
func bootstrapped(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the bootstrapped toolchain")
	}
	goroot, err := Bootstrap(Options{})
	if err != nil {
		t.Fatal(err)
	}
	return goroot
}

// TestSecondBootstrapIsCached: once built, asking again does no work.
func TestSecondBootstrapIsCached(t *testing.T) {
	goroot := bootstrapped(t)
	stamp := filepath.Join(goroot, ".complete")
	before, err := os.Stat(stamp)
	if err != nil {
		t.Fatal(err)
	}
	var progress bytes.Buffer
	again, err := Bootstrap(Options{Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	after, err := os.Stat(stamp)
	if err != nil {
		t.Fatal(err)
	}
	if again != goroot || progress.Len() != 0 || !after.ModTime().Equal(before.ModTime()) {
		t.Errorf("second bootstrap did work: root %s then %s, progress %q", goroot, again, progress.String())
	}
}

// notOnTamago are the standard-library packages that exist for linux/arm64
// but not for tamago/arm64, each with its reason. Everything else must
// build: what bare metal cannot do fails at run time instead.
var notOnTamago = map[string]string{
	"internal/cgrouptest":            "tests Linux cgroup CPU limits",
	"internal/runtime/syscall/linux": "Linux system-call stubs for the runtime",
}

func tamagoEnv() []string {
	return []string{"GOOS=tamago", "GOARCH=arm64", "GOTOOLCHAIN=local", "CGO_ENABLED=0", "GOFLAGS=-mod=mod", "GOOSPKG=github.com/usbarmory/tamago"}
}

// tamagoModule makes a module that requires the tamago module (GOOSPKG must
// name a module in the build list), reusing this module's go.sum.
func tamagoModule(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	sum, err := os.ReadFile("../../go.sum")
	if err != nil {
		t.Fatal(err)
	}
	mod := "module stdcheck\n\ngo 1.26.0\n\nrequire github.com/usbarmory/tamago v1.26.0\n"
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(mod), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestStdBuildsForTamago(t *testing.T) {
	goCmd := GoCommand(bootstrapped(t))
	dir := tamagoModule(t)
	env := tamagoEnv()

	list := func(extra ...string) []string {
		cmd := exec.Command(goCmd, "list", "std")
		cmd.Dir, cmd.Env = dir, append(os.Environ(), extra...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go list std %v: %v\n%s", extra, err, out)
		}
		return strings.Fields(string(out))
	}
	tamago := list(env...)
	linux := list("GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0", "GOTOOLCHAIN=local")
	for _, p := range linux {
		_, excused := notOnTamago[p]
		if present := slices.Contains(tamago, p); present == excused {
			t.Errorf("%s: on tamago %v, listed as excluded %v (update notOnTamago)", p, present, excused)
		}
	}
	if !slices.Contains(tamago, "runtime/goos") {
		t.Errorf("runtime/goos (from GOOSPKG) is not in the tamago std list")
	}
	t.Logf("%d standard packages for tamago/arm64", len(tamago))

	build := exec.Command(goCmd, "build", "std")
	build.Dir, build.Env = dir, append(os.Environ(), env...)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build std for tamago/arm64: %v\n%s", err, out)
	}
}

func TestGOOSPKGMustBeInBuildList(t *testing.T) {
	goCmd := GoCommand(bootstrapped(t))
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module x\n\ngo 1.26.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ goospkg, want string }{
		{"github.com/usbarmory/tamago", "no module in the build list provides it"},
		{"", "GOOS=tamago needs GOOSPKG"},
	} {
		cmd := exec.Command(goCmd, "build", "runtime")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOOS=tamago", "GOARCH=arm64", "GOTOOLCHAIN=local", "GOOSPKG="+tc.goospkg)
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), tc.want) {
			t.Errorf("GOOSPKG=%q: err %v, output %q, want it to say %q", tc.goospkg, err, out, tc.want)
		}
	}
}
