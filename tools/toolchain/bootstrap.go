// Package toolchain bootstraps the project's TamaGo-compatible Go
// distribution: the pinned upstream Go release, fetched through the Go module
// proxy and checked against its known checksum, with the project's own
// bare-metal port (GOOS=tamago) applied to a copy of it. The port is the
// files under _port (new files, laid out as in GOROOT) and the edits in
// edits.go (changes to release files, each of which must match exactly).
//
// The result lives under the user cache directory, keyed by the Go version
// and a hash of the port, so asking again is a no-op.
package toolchain

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"
)

const (
	// GoVersion is the upstream release the port applies to.
	GoVersion       = "go1.26.8"
	toolchainModule = "golang.org/toolchain"
)

// pinnedSums are the module checksums (as in go.sum) of the release trees
// the bootstrap accepts without asking the checksum database.
var pinnedSums = map[string]string{
	"linux-amd64": "h1:ZOmGe1OnfREDMIdb1Qi4G9JSuDPBLGExZMQ4nis1RXM=",
}

// rebuiltCommands are the parts of the distribution the port changes.
var rebuiltCommands = []string{"cmd/go", "cmd/compile", "cmd/link", "cmd/asm", "cmd/vet"}

// Options control a bootstrap.
type Options struct {
	// Force rebuilds even when a cached distribution exists.
	Force bool
	// Progress receives progress lines; nil means none.
	Progress io.Writer
}

type bootstrap struct {
	Options
	start time.Time
}

// Bootstrap returns the GOROOT of the ported distribution, building it first
// if it is not cached.
func Bootstrap(opts Options) (string, error) {
	b := &bootstrap{Options: opts, start: time.Now()}
	return b.run()
}

// Resync refreshes the sources of an existing distribution from the release
// and re-applies the port, leaving its commands as they are: a quick loop
// for work on the runtime and standard-library side of the port.
func Resync(goroot string, opts Options) error {
	b := &bootstrap{Options: opts, start: time.Now()}
	return b.resync(goroot)
}

// Version names the release and the module it comes from, for help texts.
func Version() string { return toolchainModule + "@" + toolchainVersion() }

// GoCommand is the go command of a distribution.
func GoCommand(goroot string) string { return filepath.Join(goroot, "bin", "go") }

func hostPlatform() string { return runtime.GOOS + "-" + runtime.GOARCH }

func toolchainVersion() string { return "v0.0.1-" + GoVersion + "." + hostPlatform() }

func (b *bootstrap) progress(format string, args ...any) {
	if b.Progress == nil {
		return
	}
	fmt.Fprintf(b.Progress, "toolchain [%5.1fs] %s\n", time.Since(b.start).Seconds(), fmt.Sprintf(format, args...))
}

// cacheRoot is where bootstrapped distributions are kept.
func cacheRoot() (string, error) {
	if d := os.Getenv("MUSCLE_TOOLCHAIN_CACHE"); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no user cache directory (set MUSCLE_TOOLCHAIN_CACHE): %w", err)
	}
	return filepath.Join(d, "muscle-referee", "toolchain"), nil
}

func (b *bootstrap) run() (string, error) {
	root, err := cacheRoot()
	if err != nil {
		return "", err
	}
	key, err := portHash()
	if err != nil {
		return "", err
	}
	dest := filepath.Join(root, GoVersion+"-tamago-"+key[:16])
	stamp := filepath.Join(dest, ".complete")
	if !b.Force {
		if _, err := os.Stat(stamp); err == nil {
			return dest, nil
		}
	}
	b.progress("building %s with the tamago port %s into %s", GoVersion, key[:16], dest)

	src, err := b.fetch()
	if err != nil {
		return "", err
	}
	// A private work directory, renamed into place at the end, lets two
	// bootstraps run at once (parallel test packages) without harm.
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(root, filepath.Base(dest)+".tmp-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	b.progress("copying the release tree")
	if err := copyTree(src, tmp); err != nil {
		return "", fmt.Errorf("copying %s: %w", src, err)
	}
	b.progress("applying the port")
	if err := applyPort(tmp); err != nil {
		return "", fmt.Errorf("applying the port: %w", err)
	}
	if err := b.buildCommands(tmp); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(tmp, ".complete"), []byte(key+"\n"), 0o644); err != nil {
		return "", err
	}
	if _, err := os.Stat(stamp); err == nil && !b.Force {
		b.progress("another bootstrap finished first; using it")
		return dest, nil
	}
	if err := os.RemoveAll(dest); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, dest); err != nil {
		return "", err
	}
	b.progress("done: %s", GoCommand(dest))
	return dest, nil
}

// fetch downloads the pinned release through the module proxy and returns the
// directory of its (read-only) copy in the module cache.
func (b *bootstrap) fetch() (string, error) {
	mod := toolchainModule + "@" + toolchainVersion()
	b.progress("fetching %s through the Go module proxy", mod)
	cmd := exec.Command("go", "mod", "download", "-json", mod)
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local", "GOFLAGS=-mod=mod")
	cmd.Dir = os.TempDir()
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	var info struct {
		Dir, Sum, Error string
	}
	if jerr := json.Unmarshal(out, &info); jerr != nil && err == nil {
		err = jerr
	}
	if info.Error != "" {
		return "", fmt.Errorf("go mod download %s: %s", mod, info.Error)
	}
	if err != nil {
		return "", fmt.Errorf("go mod download %s: %w", mod, err)
	}
	if want, ok := pinnedSums[hostPlatform()]; ok && info.Sum != want {
		return "", fmt.Errorf("%s: checksum %s, want pinned %s", mod, info.Sum, want)
	}
	b.progress("release tree %s (checksum %s)", info.Dir, info.Sum)
	return info.Dir, nil
}

// buildCommands rebuilds the commands the port changes, using the release's
// own (unpatched) go command on the patched sources.
func (b *bootstrap) buildCommands(goroot string) error {
	// The release go command is copied aside so installing the new one does
	// not replace the binary that is running.
	boot := filepath.Join(goroot, "pkg", "bootstrap-go")
	if err := copyFile(GoCommand(goroot), boot, 0o755); err != nil {
		return err
	}
	defer os.Remove(boot)
	b.progress("compiling %s (a cold build takes a few minutes)", strings.Join(rebuiltCommands, " "))
	args := append([]string{"install", "-trimpath"}, rebuiltCommands...)
	cmd := exec.Command(boot, args...)
	cmd.Env = append(cleanEnv(), "GOROOT="+goroot, "GOTOOLCHAIN=local", "CGO_ENABLED=0", "GOOS=", "GOARCH=", "GOFLAGS=")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("building the patched commands: %w", err)
	}
	return nil
}

// cleanEnv drops Go settings that would redirect the build.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		switch strings.SplitN(kv, "=", 2)[0] {
		case "GOROOT", "GOOS", "GOARCH", "GOFLAGS", "GOTOOLCHAIN", "GOOSPKG":
			continue
		}
		env = append(env, kv)
	}
	return env
}

// portHash identifies the port: the files under _port, the edits and the
// constraint rules, and the release they apply to.
func portHash() (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n", GoVersion, hostPlatform())
	var names []string
	err := fs.WalkDir(portFS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return err
	})
	if err != nil {
		return "", err
	}
	sort.Strings(names)
	for _, n := range names {
		data, err := fs.ReadFile(portFS, n)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "file %s %d\n", n, len(data))
		h.Write(data)
	}
	fmt.Fprintf(h, "edits %q\n", edits)
	fmt.Fprintf(h, "copies %q\n", jsCopies)
	fmt.Fprintf(h, "constraints %q %v\n", constraintDirs, constraintSkip)
	fmt.Fprintf(h, "commands %q\n", rebuiltCommands)
	return hex.EncodeToString(h.Sum(nil)), nil
}

func (b *bootstrap) resync(goroot string) error {
	src, err := b.fetch()
	if err != nil {
		return err
	}
	if err := os.RemoveAll(filepath.Join(goroot, "src")); err != nil {
		return err
	}
	if err := copyTree(filepath.Join(src, "src"), filepath.Join(goroot, "src")); err != nil {
		return err
	}
	return applyPort(goroot)
}
