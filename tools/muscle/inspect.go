package main

import (
	"bytes"
	"encoding/hex"
	"fmt"

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/muscle/bundle"
	"github.com/muscles/referee/tools/internal/cli"
	"lukechampine.com/blake3"
)

var inspectCmd = &command{
	name: "inspect",
	args: "FILE... [--json]",
	help: `inspect prints what can be read without a key: a blob's header, each entry
header of a bundle, a key record's key id, publishers and minimum versions
(never the master key), or a key file's publisher id and fingerprint. The
header is authenticated only by verify; inspect checks its structure. The
provenance (the source and the data files the compiler read, with their
hashes) is encrypted: verify prints it.`,
	run: runInspect,
}

func runInspect(c *ctx, cmd *command, args []string) error {
	fs := c.newFlags(cmd)
	pos, err := c.parse(cmd, fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return cli.Fail(exitUsage, "want at least one FILE")
	}
	var first error
	for _, path := range pos {
		b, err := cli.ReadFile(path)
		if err == nil {
			err = c.inspect(path, b)
		}
		if err != nil && first == nil {
			first = err
		}
		if err != nil && len(pos) > 1 {
			fmt.Fprintf(c.stderr, "muscle inspect: %v\n", err)
		}
	}
	return first
}

func (c *ctx) inspect(path string, b []byte) error {
	switch {
	case bytes.HasPrefix(b, []byte(bundle.Magic)):
		es, err := bundle.Parse(b)
		if err != nil {
			return cli.Reject(path, err)
		}
		if !c.json {
			n := len(es)
			for _, e := range es {
				if e.Name == muscle.IndexName {
					n--
				}
			}
			fmt.Fprintf(c.stdout, "%s: bundle of %d muscles, %d bytes\n", path, n, len(b))
		}
		var out []any
		var first error
		for _, e := range es {
			if e.Name == muscle.IndexName {
				if err := c.inspectIndex(path+":"+e.Name, e.Data, &out); err != nil && first == nil {
					first = err
				}
				continue
			}
			h, err := muscle.Inspect(e.Data)
			if err != nil {
				if first == nil {
					first = cli.Reject(path+":"+e.Name, err)
				}
				out = append(out, map[string]any{"entry": e.Name, "error": err.Error(), "kind": errorKind(err)})
				if !c.json {
					fmt.Fprintf(c.stdout, "%s:%s: %v\n", path, e.Name, err)
				}
				continue
			}
			if c.json {
				out = append(out, map[string]any{"entry": e.Name, "header": headerJSON(h, e.Data)})
			} else {
				printHeaderText(c, path+":"+e.Name, h, e.Data)
			}
		}
		if c.json {
			writeJSON(c.stdout, map[string]any{"file": path, "type": "bundle", "size": len(b), "entries": out})
		}
		return first
	case bytes.HasPrefix(b, []byte(muscle.KeyRecordMagic)):
		rec, err := muscle.ParseKeyRecord(b)
		if err != nil {
			return cli.Reject(path, err)
		}
		defer rec.Wipe()
		return c.printRecord(path, rec)
	case bytes.HasPrefix(b, []byte("MSCL")):
		return c.printKeyFile(path, b)
	}
	h, err := muscle.Inspect(b)
	if err != nil {
		return cli.Reject(path, err)
	}
	return c.printHeader(path, h, b)
}

func headerJSON(h *muscle.Header, blob []byte) map[string]any {
	sum := blake3.Sum256(blob)
	return map[string]any{
		"name": h.Name, "version": h.Version, "publisher": h.Publisher.String(),
		"capabilities": h.Capabilities.Names(), "budget_us": h.BudgetMicros,
		"format": h.Format, "arch": "aarch64", "abi": h.ABI, "deterministic": h.Deterministic(),
		"salt": hex.EncodeToString(h.Salt[:]), "nonce": hex.EncodeToString(h.Nonce[:]),
		"sizes": map[string]any{"header": h.Len(), "manifest": h.ManifestLen, "code": h.CodeLen,
			"state": h.StateLen, "provenance": h.ProvenanceLen, "blob": h.BlobLen},
		"blob_blake3": hex.EncodeToString(sum[:]),
	}
}

func (c *ctx) printHeader(path string, h *muscle.Header, blob []byte) error {
	if c.json {
		j := headerJSON(h, blob)
		j["file"] = path
		writeJSON(c.stdout, j)
		return nil
	}
	printHeaderText(c, path, h, blob)
	return nil
}

func printHeaderText(c *ctx, path string, h *muscle.Header, blob []byte) {
	sum := blake3.Sum256(blob)
	mode := "random"
	if h.Deterministic() {
		mode = "deterministic"
	}
	fmt.Fprintf(c.stdout, "%s: muscle %q version %d, %d bytes\n", path, h.Name, h.Version, h.BlobLen)
	fmt.Fprintf(c.stdout, "  publisher     %s\n", h.Publisher)
	fmt.Fprintf(c.stdout, "  capabilities  %s\n", h.Capabilities)
	fmt.Fprintf(c.stdout, "  budget        %d µs per call\n", h.BudgetMicros)
	fmt.Fprintf(c.stdout, "  format        %d, arch aarch64, ABI %d, %s sealing\n", h.Format, h.ABI, mode)
	fmt.Fprintf(c.stdout, "  sections      manifest %d, code %d, state %d, provenance %d bytes (encrypted)\n", h.ManifestLen, h.CodeLen, h.StateLen, h.ProvenanceLen)
	fmt.Fprintf(c.stdout, "  salt          %x\n  nonce         %x\n", h.Salt, h.Nonce)
	fmt.Fprintf(c.stdout, "  blake3        %x\n", sum)
}

func (c *ctx) printRecord(path string, rec *muscle.KeyRecord) error {
	if c.json {
		var pubs []any
		for _, p := range rec.Publishers {
			pubs = append(pubs, map[string]any{"id": p.ID.String(), "grants": p.Grants.Names(), "public_key_fingerprint": muscle.Fingerprint(p.PublicKey)})
		}
		mins := map[string]uint64{}
		for _, m := range rec.MinVersions {
			mins[m.Name] = m.Version
		}
		writeJSON(c.stdout, map[string]any{"file": path, "type": "key-record", "key_id": rec.ID.String(), "publishers": pubs, "min_versions": mins})
		return nil
	}
	fmt.Fprintf(c.stdout, "%s: key record, key id %s, %d publishers\n", path, rec.ID, len(rec.Publishers))
	for _, p := range rec.Publishers {
		fmt.Fprintf(c.stdout, "  publisher %s grants %s (public key fingerprint %s)\n", p.ID, p.Grants, muscle.Fingerprint(p.PublicKey))
	}
	for _, m := range rec.MinVersions {
		fmt.Fprintf(c.stdout, "  min version %s >= %d\n", m.Name, m.Version)
	}
	return nil
}

func (c *ctx) printKeyFile(path string, b []byte) error {
	var kind string
	var id muscle.PublisherID
	var fp string
	if k, err := muscle.ParseSealingKey(b); err == nil {
		kind, id, fp = "sealing-key", k.Publisher, k.Fingerprint()
		k.Wipe()
	} else if k, err := muscle.ParseSigningKey(b); err == nil {
		kind, id, fp = "signing-key", k.Publisher, k.Public().Fingerprint()
		k.Wipe()
	} else if k, err := muscle.ParsePublicKey(b); err == nil {
		kind, id, fp = "public-key", k.Publisher, k.Fingerprint()
	} else {
		return cli.Reject(path, err)
	}
	if c.json {
		writeJSON(c.stdout, map[string]any{"file": path, "type": kind, "publisher": id.String(), "fingerprint": fp})
		return nil
	}
	what := "fingerprint"
	if kind == "signing-key" {
		what = "public key fingerprint"
	}
	fmt.Fprintf(c.stdout, "%s: %s of publisher %s, %s %s\n", path, kind, id, what, fp)
	return nil
}

// inspectIndex describes a bundle's index; its signature is not checked
// (verify checks it against a key record).
func (c *ctx) inspectIndex(name string, b []byte, out *[]any) error {
	ix, err := muscle.ParseIndex(b)
	if err != nil {
		*out = append(*out, map[string]any{"entry": muscle.IndexName, "error": err.Error(), "kind": errorKind(err)})
		if !c.json {
			fmt.Fprintf(c.stdout, "%s: %v\n", name, err)
		}
		return cli.Reject(name, err)
	}
	if c.json {
		*out = append(*out, map[string]any{"entry": muscle.IndexName, "index": indexJSON(ix.Publisher, ix.Entries)})
		return nil
	}
	fmt.Fprintf(c.stdout, "%s: bundle index by publisher %s, %d entries (signature not checked: verify checks it)\n", name, ix.Publisher, len(ix.Entries))
	for _, e := range ix.Entries {
		fmt.Fprintf(c.stdout, "  %-24s %d bytes blake3 %x\n", e.Name, e.Len, e.Hash)
	}
	return nil
}
