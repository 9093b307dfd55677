package toolchain

import (
	"bytes"
	"embed"
	"fmt"
	"go/build/constraint"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// portFS holds the port's new files, laid out as in GOROOT.
//
//go:embed all:_port
var portFS embed.FS

// applyPort turns the release tree at goroot into one that knows GOOS=tamago.
func applyPort(goroot string) error {
	if err := addFiles(goroot); err != nil {
		return err
	}
	if err := copyJSFiles(goroot); err != nil {
		return err
	}
	for _, e := range edits {
		if err := e.apply(goroot); err != nil {
			return err
		}
	}
	for _, dir := range constraintDirs {
		if err := rewriteConstraints(filepath.Join(goroot, "src", dir)); err != nil {
			return err
		}
	}
	return addGoosConstants(goroot)
}

// addFiles writes the port's own files into the tree; none may exist there.
func addFiles(goroot string) error {
	sub, err := fs.Sub(portFS, "_port")
	if err != nil {
		return err
	}
	return fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		target := filepath.Join(goroot, filepath.FromSlash(p))
		if _, err := os.Stat(target); err == nil {
			return fmt.Errorf("%s: the port adds a file the release already has", p)
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}

// edit replaces Old by New in one file of the release; Old must occur exactly
// once, so a release that drifted from what the port expects fails loudly.
type edit struct {
	File, Old, New string
}

func (e edit) apply(goroot string) error {
	path := filepath.Join(goroot, filepath.FromSlash(e.File))
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if n := bytes.Count(data, []byte(e.Old)); n != 1 {
		return fmt.Errorf("%s: expected the text %q once, found it %d times", e.File, firstLine(e.Old), n)
	}
	return os.WriteFile(path, bytes.Replace(data, []byte(e.Old), []byte(e.New), 1), 0o644)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + "..."
	}
	return s
}

// copyJSFiles gives tamago its own copy of the js/wasm files whose job (an
// OS-less syscall surface, or no processes and pipes) is the same on bare
// metal: a file name suffix implies its GOOS or GOARCH, so a constraint alone
// cannot share them. The copy is constrained to tamago alone.
func copyJSFiles(goroot string) error {
	for _, name := range jsCopies {
		src := filepath.Join(goroot, "src", filepath.FromSlash(name))
		data, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		if bytes.Contains(data, []byte(`"syscall/js"`)) {
			return fmt.Errorf("%s imports syscall/js and cannot serve tamago", name)
		}
		if line, _, ok := buildLine(data); ok {
			data = bytes.Replace(data, []byte(line), []byte("//go:build tamago"), 1)
		} else {
			i := bytes.Index(data, []byte("\npackage "))
			if i < 0 {
				return fmt.Errorf("%s: no package clause", name)
			}
			data = slices.Concat(data[:i+1], []byte("//go:build tamago\n\n"), data[i+1:])
		}
		base := strings.TrimSuffix(strings.TrimSuffix(src, "_js.go"), "_wasm.go")
		if err := os.WriteFile(base+"_tamago.go", data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// rewriteConstraints lets tamago take the js/wasm branch of every build
// constraint in one package directory (not its subdirectories): "js && wasm"
// becomes "(js && wasm) || tamago" and a bare "js" becomes "js || tamago".
// Files that talk to a JavaScript host (syscall/js) keep theirs.
func rewriteConstraints(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, ent := range entries {
		name := ent.Name()
		if ent.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		path := filepath.Join(dir, name)
		rel := filepath.ToSlash(path[strings.Index(path, "/src/")+len("/src/"):])
		if constraintSkip[rel] {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		line, expr, ok := buildLine(data)
		if !ok || !mentions(expr, "js") || bytes.Contains(data, []byte(`"syscall/js"`)) {
			continue
		}
		data = bytes.Replace(data, []byte(line), []byte("//go:build "+withTamago(expr).String()), 1)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func buildLine(data []byte) (string, constraint.Expr, bool) {
	for _, l := range strings.Split(string(data), "\n") {
		if constraint.IsGoBuild(l) {
			expr, err := constraint.Parse(l)
			if err != nil {
				return "", nil, false
			}
			return l, expr, true
		}
		if strings.HasPrefix(l, "package ") {
			break
		}
	}
	return "", nil, false
}

func mentions(e constraint.Expr, tag string) bool {
	switch e := e.(type) {
	case *constraint.TagExpr:
		return e.Tag == tag
	case *constraint.NotExpr:
		return mentions(e.X, tag)
	case *constraint.AndExpr:
		return mentions(e.X, tag) || mentions(e.Y, tag)
	case *constraint.OrExpr:
		return mentions(e.X, tag) || mentions(e.Y, tag)
	}
	return false
}

func isTag(e constraint.Expr, tag string) bool {
	t, ok := e.(*constraint.TagExpr)
	return ok && t.Tag == tag
}

func isJSWasm(a *constraint.AndExpr) bool {
	return (isTag(a.X, "js") && isTag(a.Y, "wasm")) || (isTag(a.X, "wasm") && isTag(a.Y, "js"))
}

var tamagoTag = &constraint.TagExpr{Tag: "tamago"}

func withTamago(e constraint.Expr) constraint.Expr {
	switch e := e.(type) {
	case *constraint.TagExpr:
		if e.Tag == "js" {
			return &constraint.OrExpr{X: e, Y: tamagoTag}
		}
		return e
	case *constraint.NotExpr:
		return &constraint.NotExpr{X: withTamago(e.X)}
	case *constraint.AndExpr:
		if isJSWasm(e) {
			return &constraint.OrExpr{X: e, Y: tamagoTag}
		}
		return &constraint.AndExpr{X: withTamago(e.X), Y: withTamago(e.Y)}
	case *constraint.OrExpr:
		return &constraint.OrExpr{X: withTamago(e.X), Y: withTamago(e.Y)}
	}
	return e
}

// addGoosConstants gives every internal/goos file the IsTamago constant that
// gengoos.go would generate for the new entry in internal/syslist.
func addGoosConstants(goroot string) error {
	files, err := filepath.Glob(filepath.Join(goroot, "src", "internal", "goos", "zgoos_*.go"))
	if err != nil {
		return err
	}
	for _, f := range files {
		if strings.HasSuffix(f, "zgoos_tamago.go") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		data = append(data, "const IsTamago = 0\n"...)
		if err := os.WriteFile(f, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
