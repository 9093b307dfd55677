package toolchain

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// copyTree copies the directory src to dst, making everything writable and
// keeping execute bits for the release's binaries.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		mode := os.FileMode(0o644)
		if isExecutable(rel) {
			mode = 0o755
		}
		return copyFile(p, target, mode)
	})
}

// isExecutable reports whether a release file is a program (the module zip
// records no modes).
func isExecutable(rel string) bool {
	dir := filepath.Dir(rel)
	return dir == "bin" || filepath.Dir(dir) == filepath.Join("pkg", "tool") || filepath.Ext(rel) == ".bash" || filepath.Ext(rel) == ".sh"
}

func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
