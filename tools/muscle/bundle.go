package main

import (
	"fmt"
	"path/filepath"

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/muscle/bundle"
	"github.com/muscles/referee/tools/internal/cli"
)

var bundleCmd = &command{
	name: "bundle",
	args: "-o OUT FILE... [--force] [--json]",
	help: `bundle packs sealed muscles into a newc cpio archive, the file the board loads
at the bundle region (0x9100_0000 on QEMU virt, at most 128 MiB). Each FILE
must be a structurally valid blob (as inspect checks); entries are named by
the files' base names, which must be distinct. The output is reproducible:
no timestamps, owners or device numbers.`,
	run: runBundle,
}

func runBundle(c *ctx, cmd *command, args []string) error {
	fs := c.newFlags(cmd)
	out := fs.String("o", "", "output bundle")
	force := fs.Bool("force", false, "overwrite OUT")
	pos, err := c.parse(cmd, fs, args)
	if err != nil {
		return err
	}
	if *out == "" || len(pos) == 0 {
		return cli.Fail(exitUsage, "want -o OUT and at least one FILE")
	}
	type entry struct {
		name string
		data []byte
		h    *muscle.Header
	}
	var entries []entry
	seen := map[string]string{}
	for _, path := range pos {
		name := filepath.Base(path)
		if prev, dup := seen[name]; dup {
			return cli.Fail(exitUsage, "%s and %s would both be named %q in the bundle", prev, path, name)
		}
		seen[name] = path
		b, err := cli.ReadFile(path)
		if err != nil {
			return err
		}
		h, err := muscle.Inspect(b)
		if err != nil {
			return cli.Reject(path, err)
		}
		entries = append(entries, entry{name, b, h})
	}
	files := make([]bundle.Entry, len(entries))
	for i, e := range entries {
		files[i] = bundle.Entry{Name: e.name, Data: e.data}
	}
	arch, err := bundle.Write(files)
	if err != nil {
		return cli.Fail(exitFailure, "%v", err)
	}
	if len(arch) > bundle.Max {
		return cli.Fail(exitRejected, "bundle would be %d bytes, the bundle region holds %d", len(arch), bundle.Max)
	}
	// Read it back as the referee will.
	parsed, err := bundle.Parse(arch)
	if err != nil || len(parsed) != len(entries) {
		return cli.Fail(exitFailure, "the written bundle does not read back (%v)", err)
	}
	if err := writeFile(*out, arch, *force, false); err != nil {
		return err
	}
	if c.json {
		var list []any
		for i, e := range entries {
			list = append(list, map[string]any{"entry": e.name, "name": e.h.Name, "version": e.h.Version, "publisher": e.h.Publisher.String(), "size": len(e.data), "offset": parsed[i].Offset})
		}
		writeJSON(c.stdout, map[string]any{"file": *out, "size": len(arch), "entries": list})
		return nil
	}
	fmt.Fprintf(c.stdout, "%s: bundle of %d muscles, %d bytes\n", *out, len(entries), len(arch))
	for i, e := range entries {
		fmt.Fprintf(c.stdout, "  %-24s %q version %d by %s, %d bytes at offset %d\n", e.name, e.h.Name, e.h.Version, e.h.Publisher, len(e.data), parsed[i].Offset)
	}
	return nil
}
