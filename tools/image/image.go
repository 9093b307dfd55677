// Package image builds the referee unikernel (./kernel) for one board
// (board/boards) with a TamaGo-compatible go command: the one named by $TAMAGO if set
// (the official tamago-go, for instance), else the project's own, which it
// bootstraps on first use (package toolchain).
package image

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/muscles/referee/board/boards"
	"github.com/muscles/referee/muscle/bundle"
	"github.com/muscles/referee/tools/toolchain"
)

// GOOSPKG is the module that provides runtime/goos for the board.
const GOOSPKG = "github.com/usbarmory/tamago"

// Options describe one build.
type Options struct {
	// Board is the board to build for (board/boards); empty means the
	// default, virt.
	Board string
	// Diag adds the diagnostics of test and bench images to the banner
	// (kernel/diag.go: AES-GCM cost, OS services, idle check).
	Diag bool
	// Go is the go command to use; empty means GoCommand's choice.
	Go string
	// Out is the ELF file to write.
	Out string
	// ExitStatus, if set, makes the kernel exit with that status (tests).
	ExitStatus *int
	// SkipVerifier builds a test image that maps muscles without running
	// the machine-code verifier (to show that EL0 and the MMU alone contain
	// hostile code). Never for a real device.
	SkipVerifier bool
	// Bundle, if set, is a muscle bundle (muscle bundle) built into the
	// image, which the referee loads at boot before the loader's.
	Bundle string
	// DWARF keeps the DWARF debugging information (for gdb on QEMU's
	// gdbstub), about a quarter of the file; without it the image keeps its
	// symbol table (tests find functions by name) and Go's own line tables.
	DWARF bool
	// Env is added to the build's environment (GOCACHE=... for example).
	Env []string
	// Progress receives the toolchain's progress and the build's output.
	Progress io.Writer
}

// GoCommand returns $TAMAGO if set, else the bootstrapped toolchain's go.
func GoCommand(progress io.Writer) (string, error) {
	if t := os.Getenv("TAMAGO"); t != "" {
		if _, err := os.Stat(t); err != nil {
			return "", fmt.Errorf("TAMAGO=%s: %w", t, err)
		}
		return t, nil
	}
	goroot, err := toolchain.Bootstrap(toolchain.Options{Progress: progress})
	if err != nil {
		return "", err
	}
	return toolchain.GoCommand(goroot), nil
}

// Env is the environment for building or vetting tamago/arm64 code.
func Env(extra ...string) []string {
	env := os.Environ()
	env = append(env, "GOOS=tamago", "GOARCH=arm64", "GOOSPKG="+GOOSPKG, "GOTOOLCHAIN=local", "CGO_ENABLED=0", "GOFLAGS=-buildvcs=false")
	return append(env, extra...)
}

// LinkFlags places the image where the board expects it.
func LinkFlags(t boards.Target) string {
	return fmt.Sprintf("-T %#x -R %#x", t.Layout.TextStart, t.Layout.TextRound)
}

// ModuleRoot finds the directory of this module's go.mod from the working
// directory up.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && isThisModule(data) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside the referee module (no go.mod found above the working directory)")
		}
		dir = parent
	}
}

func isThisModule(gomod []byte) bool {
	const line = "module github.com/muscles/referee\n"
	return len(gomod) >= len(line) && string(gomod[:len(line)]) == line
}

// Build compiles the kernel into opts.Out.
func Build(ctx context.Context, opts Options) error {
	if opts.Out == "" {
		return errors.New("image: no output file given")
	}
	target, err := boards.Lookup(opts.Board)
	if err != nil {
		return err
	}
	goCmd := opts.Go
	if goCmd == "" {
		if goCmd, err = GoCommand(opts.Progress); err != nil {
			return err
		}
	}
	root, err := ModuleRoot()
	if err != nil {
		return err
	}
	out, err := filepath.Abs(opts.Out)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	ldflags := LinkFlags(target)
	if !opts.DWARF {
		// Nothing loads DWARF: no board's loader (QEMU -kernel, the Pi's
		// kernel8.img, U-Boot) reads unallocated sections, and the runtime
		// symbolises panics from .gopclntab.
		ldflags += " -w"
	}
	if opts.ExitStatus != nil {
		ldflags += " -X main.testExitStatus=" + strconv.Itoa(*opts.ExitStatus)
	}
	if opts.SkipVerifier {
		ldflags += " -X main.testSkipVerifier=yes"
	}
	tags := target.Tags
	if opts.Diag {
		tags = append(append([]string{}, tags...), "diag")
	}
	args := []string{"build", "-trimpath", "-o", out}
	if len(tags) > 0 {
		args = append(args, "-tags", strings.Join(tags, ","))
	}
	if opts.Bundle != "" {
		overlay, cleanup, err := bundleOverlay(root, opts.Bundle)
		if err != nil {
			return err
		}
		defer cleanup()
		args = append(args, "-overlay", overlay)
	}
	link := func(textHash string) error {
		a := append([]string{}, args...)
		a = append(a, "-ldflags", ldflags+" -X "+TextHashVar+"="+textHash, "./kernel")
		cmd := exec.CommandContext(ctx, goCmd, a...)
		cmd.Dir = root
		cmd.Env = Env(opts.Env...)
		if opts.Progress != nil {
			cmd.Stdout, cmd.Stderr = opts.Progress, opts.Progress
		}
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("building the kernel with %s: %w", goCmd, err)
		}
		return nil
	}
	// Two links, to embed the text's hash (TextHashVar).
	if err := link(textHashPlaceholder); err != nil {
		return err
	}
	sum, err := TextHash(out)
	if err != nil {
		return err
	}
	if err := link(sum); err != nil {
		return err
	}
	if again, err := TextHash(out); err != nil || again != sum {
		os.Remove(out)
		return fmt.Errorf("image: embedding the text hash changed the text (%s, then %s, %v)", sum, again, err)
	}
	return nil
}

// EmbeddedBundle is the file the kernel embeds; Options.Bundle replaces it.
const EmbeddedBundle = "kernel/embedded.cpio"

// bundleOverlay writes a go build -overlay file that puts bundle in place
// of EmbeddedBundle, after checking that it is a file the referee can hold.
func bundleOverlay(root, file string) (string, func(), error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return "", nil, err
	}
	st, err := os.Stat(abs)
	switch {
	case err != nil:
		return "", nil, fmt.Errorf("bundle to embed: %w", err)
	case !st.Mode().IsRegular():
		return "", nil, fmt.Errorf("bundle to embed: %s is not a regular file", file)
	case st.Size() == 0 || st.Size() > bundle.Max:
		return "", nil, fmt.Errorf("bundle to embed: %s is %d bytes, want 1 to %d", file, st.Size(), bundle.Max)
	}
	dir, err := os.MkdirTemp("", "referee-overlay")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	body, err := json.Marshal(map[string]map[string]string{"Replace": {filepath.Join(root, EmbeddedBundle): abs}})
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, "overlay.json"), body, 0o644)
	}
	if err != nil {
		cleanup()
		return "", nil, err
	}
	return filepath.Join(dir, "overlay.json"), cleanup, nil
}
