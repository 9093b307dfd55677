package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/muscles/referee/compiler/pyexport"
	"github.com/muscles/referee/tools/internal/cli"
)

// runImport writes a model (an ONNX file) as Family Python: the model as
// the front end traced it, one statement per IR value, which compiles to
// the same code as the file it came from.
func runImport(stdout io.Writer, args []string) error {
	fs := newFlags("import", "MODEL.onnx -o OUT.py [--npz] [--force] [--batch N] [--loss L] [--frozen NAMES] [--learning-rate R]")
	out := fs.String("o", "", "write the Family Python file to `OUT.py`")
	npz := fs.Bool("npz", false, "put the weights in OUT.npz beside it (np.load) instead of np.array literals")
	force := fs.Bool("force", false, "replace existing output files")
	options := modelFlags(fs)
	path, opt, err := options.parse(stdout, args)
	if err != nil {
		return err
	}
	if *out == "" || filepath.Ext(*out) != ".py" {
		return cli.Fail(exitUsage, "want -o OUT.py")
	}
	r, err := runPipeline(path, opt, "trace")
	if err != nil {
		return err
	}
	var popt pyexport.Options
	files := map[string][]byte{}
	if *npz {
		popt.NPZ = strings.TrimSuffix(filepath.Base(*out), ".py") + ".npz"
		b, err := pyexport.NPZ(r.Model)
		if err != nil {
			return rejectedErr(err)
		}
		files[filepath.Join(filepath.Dir(*out), popt.NPZ)] = b
	}
	src, err := pyexport.Write(r.Model, popt)
	if err != nil {
		return rejectedErr(err)
	}
	files[*out] = src
	for f := range files {
		if _, err := os.Stat(f); err == nil && !*force {
			return cli.Fail(exitFile, "%s exists; refusing to overwrite it (use --force)", f)
		}
	}
	for f, b := range files {
		if err := os.WriteFile(f, b, 0o644); err != nil {
			return cli.Wrap(exitFile, err)
		}
		fmt.Fprintf(stdout, "%s: %d bytes\n", f, len(b))
	}
	return nil
}
