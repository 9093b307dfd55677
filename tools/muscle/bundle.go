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
	args: "-o OUT [--signer KEY.signing] FILE... [--force] [--json]",
	help: `bundle packs sealed muscles into a newc cpio archive, the file the board loads
at the bundle region (0x9100_0000 on QEMU virt, at most 128 MiB). Each FILE
must be a structurally valid blob (as inspect checks); entries are named by
the files' base names, which must be distinct. The output is reproducible:
no timestamps, owners or device numbers.

With --signer, the first entry is the bundle index (` + "`" + muscle.IndexName + "`" + `): the
signer's list of the name, length and BLAKE3-256 hash of each of its own
muscles in the bundle, signed once with its signing key, so that the
referee checks one signature for all of them. Muscles of other publishers
are left out of it and keep being checked on their own signatures.`,
	run: runBundle,
}

func runBundle(c *ctx, cmd *command, args []string) error {
	fs := c.newFlags(cmd)
	out := fs.String("o", "", "output bundle")
	force := fs.Bool("force", false, "overwrite OUT")
	signer := fs.String("signer", "", "publisher signing key: write a signed bundle index of its muscles")
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
		if name == muscle.IndexName {
			return cli.Fail(exitUsage, "%s: %q is the bundle index's reserved name", path, name)
		}
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
	var files []bundle.Entry
	var vouched []muscle.IndexEntry
	var sg *muscle.SigningKey
	if *signer != "" {
		b, err := cli.ReadFile(*signer)
		if err != nil {
			return err
		}
		sg, err = muscle.ParseSigningKey(b)
		clear(b)
		if err != nil {
			return cli.Reject(*signer, err)
		}
		defer sg.Wipe()
		for _, e := range entries {
			if e.h.Publisher == sg.Publisher {
				vouched = append(vouched, muscle.IndexEntryFor(e.name, e.data))
			}
		}
		if len(vouched) == 0 {
			return cli.Fail(exitUsage, "none of the muscles is publisher %s's: the index of %s would be empty", sg.Publisher, *signer)
		}
		index, err := muscle.SignIndex(sg, vouched)
		if err != nil {
			return cli.Fail(exitUsage, "%v", err)
		}
		files = append(files, bundle.Entry{Name: muscle.IndexName, Data: index})
	}
	for _, e := range entries {
		files = append(files, bundle.Entry{Name: e.name, Data: e.data})
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
	if err != nil || len(parsed) != len(files) {
		return cli.Fail(exitFailure, "the written bundle does not read back (%v)", err)
	}
	parsed = parsed[len(files)-len(entries):]
	if err := writeFile(*out, arch, *force, false); err != nil {
		return err
	}
	if c.json {
		var list []any
		for i, e := range entries {
			list = append(list, map[string]any{"entry": e.name, "name": e.h.Name, "version": e.h.Version, "publisher": e.h.Publisher.String(), "size": len(e.data), "offset": parsed[i].Offset})
		}
		res := map[string]any{"file": *out, "size": len(arch), "entries": list}
		if sg != nil {
			res["index"] = map[string]any{"publisher": sg.Publisher.String(), "entries": len(vouched)}
		}
		writeJSON(c.stdout, res)
		return nil
	}
	fmt.Fprintf(c.stdout, "%s: bundle of %d muscles, %d bytes\n", *out, len(entries), len(arch))
	if sg != nil {
		fmt.Fprintf(c.stdout, "  %-24s signed by publisher %s, lists %d of the %d muscles\n", muscle.IndexName, sg.Publisher, len(vouched), len(entries))
	}
	for i, e := range entries {
		fmt.Fprintf(c.stdout, "  %-24s %q version %d by %s, %d bytes at offset %d\n", e.name, e.h.Name, e.h.Version, e.h.Publisher, len(e.data), parsed[i].Offset)
	}
	return nil
}
