// Copyright 2026 The referee authors. Part of the project's bare-metal port.

package modload

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"cmd/go/internal/cfg"
	"cmd/go/internal/fsys"

	"golang.org/x/mod/module"
)

// bindGOOSPKG makes the package runtime/goos, which the runtime of
// GOOS=tamago imports for its hardware hooks, resolve to the goos directory of
// the module that GOOSPKG names (for example github.com/usbarmory/tamago).
// The module must be in the build list; its selected version is used.
func bindGOOSPKG(loaderstate *State, ctx context.Context, rs *Requirements) error {
	if cfg.Goos != "tamago" {
		return nil
	}
	pkg := os.Getenv("GOOSPKG")
	if pkg == "" {
		return fmt.Errorf("GOOS=tamago needs GOOSPKG, the module that provides runtime/goos (for example GOOSPKG=github.com/usbarmory/tamago)")
	}
	for p := pkg; p != "." && p != "/" && p != ""; p = path.Dir(p) {
		v, ok := rs.rootSelected(loaderstate, p)
		if !ok {
			continue
		}
		dir, _, err := fetch(loaderstate, ctx, module.Version{Path: p, Version: v})
		if err != nil {
			return fmt.Errorf("GOOSPKG=%s: %w", pkg, err)
		}
		src := filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(pkg, p)), "goos")
		if _, err := os.Stat(src); err != nil {
			return fmt.Errorf("GOOSPKG=%s: %w", pkg, err)
		}
		fsys.Bind(src, filepath.Join(cfg.GOROOT, "src", "runtime", "goos"))
		return nil
	}
	return fmt.Errorf("GOOSPKG=%s: no module in the build list provides it (require it in go.mod)", pkg)
}
