package main

import (
	"bytes"
	"encoding/hex"
	"fmt"

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/muscle/bundle"
	"github.com/muscles/referee/referee/verify"
	"github.com/muscles/referee/tools/internal/cli"
	"lukechampine.com/blake3"
)

var verifyCmd = &command{
	name: "verify",
	args: "--keys RECORD [--min-version NAME=N]... FILE... [--json]",
	help: `verify opens each blob (or each entry of a bundle) as the referee does:
structure, publisher, signature, capabilities, version policy (the record's
minimum versions and --min-version), decryption, manifest, and the machine
code (the referee's verifier). It prints the manifest and provenance (the
source and every data file the compiler read, with their hashes), the
BLAKE3 hashes of code and state and the instructions each entry executes per
call, never the code or the weights: a verifier rejection names the entry,
the code offset and the rule broken, as on the referee's console. The exit
status is 4 if any blob is rejected.

A bundle's index (a signed bundle) is verified first, as the referee does,
and stands for the signatures of the muscles it vouches for; a refused
index counts as a rejection, and its muscles are then checked on their own
signatures.`,
	run: runVerify,
}

func runVerify(c *ctx, cmd *command, args []string) error {
	fs := c.newFlags(cmd)
	keys := fs.String("keys", "", "master-key record")
	var minv multiFlag
	fs.Var(&minv, "min-version", "lowest acceptable version, NAME=N (repeatable)")
	pos, err := c.parse(cmd, fs, args)
	if err != nil {
		return err
	}
	if *keys == "" || len(pos) == 0 {
		return cli.Fail(exitUsage, "want --keys RECORD and at least one FILE")
	}
	mins, err := parseMinVersions(minv)
	if err != nil {
		return cli.Fail(exitUsage, "%v", err)
	}
	rec, err := readKeyRecord(*keys)
	if err != nil {
		return err
	}
	defer rec.Wipe()
	policy := &muscle.Policy{MinVersion: mins}

	var results []any
	var first error
	for _, path := range pos {
		b, err := cli.ReadFile(path)
		if err != nil {
			return err
		}
		type blob struct {
			name, entry string
			data        []byte
		}
		blobs := []blob{{path, "", b}}
		var index *muscle.BundleIndex
		if bytes.HasPrefix(b, []byte(bundle.Magic)) {
			es, err := bundle.Parse(b)
			if err != nil {
				return cli.Reject(path, err)
			}
			blobs = blobs[:0]
			for _, e := range es {
				if e.Name != muscle.IndexName {
					blobs = append(blobs, blob{path + ":" + e.Name, e.Name, e.Data})
					continue
				}
				name := path + ":" + e.Name
				if index, err = muscle.VerifyIndex(e.Data, rec); err != nil {
					err = cli.Reject(name, err)
					if first == nil {
						first = err
					}
					if c.json {
						results = append(results, map[string]any{"file": name, "ok": false, "error": err.Error(), "kind": errorKind(err)})
					} else {
						fmt.Fprintf(c.stdout, "%s: REJECTED: %v (each muscle is checked on its own signature)\n", name, err)
					}
				} else if c.json {
					results = append(results, map[string]any{"file": name, "ok": true, "index": indexJSON(index.Publisher(), index.Entries())})
				} else {
					fmt.Fprintf(c.stdout, "%s: OK bundle index by publisher %s, lists %d entries\n", name, index.Publisher(), len(index.Entries()))
				}
			}
		}
		for _, bl := range blobs {
			m, vouched, err := index.Open(bl.entry, bl.data, rec, policy)
			var counts verify.Report
			if err == nil {
				// As the referee's loader; Error (not Explain) shows nothing
				// of the code.
				if counts, err = verify.VerifyManifest(m.Code, m.Manifest); err != nil {
					err = fmt.Errorf("machine-code verifier: %w", err)
					m.Wipe()
				}
			}
			if err != nil {
				err = cli.Reject(bl.name, err)
				if first == nil {
					first = err
				}
				if c.json {
					results = append(results, map[string]any{"file": bl.name, "ok": false, "error": err.Error(), "kind": errorKind(err)})
				} else {
					fmt.Fprintf(c.stdout, "%s: REJECTED: %v\n", bl.name, err)
				}
				continue
			}
			if c.json {
				r := verifiedJSON(bl.name, m, bl.data, counts)
				r["vouched_by_index"] = vouched
				results = append(results, r)
			} else {
				printVerified(c, bl.name, m, bl.data, counts)
				if vouched {
					fmt.Fprintf(c.stdout, "  signature     vouched for by the bundle index\n")
				}
			}
			m.Wipe()
		}
	}
	if c.json {
		writeJSON(c.stdout, map[string]any{"key_id": rec.ID.String(), "results": results})
		if first != nil {
			return cli.Wrap(exitRejected, errSilent{first})
		}
	}
	return first
}

// errSilent marks an error already reported in the JSON output.
type errSilent struct{ error }

func (e errSilent) Unwrap() error { return e.error }

func entryString(e uint32) string {
	if e == muscle.NoEntry {
		return "none"
	}
	return fmt.Sprintf("%#x", e)
}

func verifiedJSON(name string, m *muscle.Muscle, blob []byte, counts verify.Report) map[string]any {
	code, state := blake3.Sum256(m.Code), blake3.Sum256(m.State)
	man, p := m.Manifest, m.Provenance
	data := []any{}
	for _, d := range p.Data {
		data = append(data, map[string]any{"name": d.Name, "blake3": hex.EncodeToString(d.Hash[:])})
	}
	return map[string]any{
		"file": name, "ok": true, "header": headerJSON(m.Header, blob),
		"manifest": map[string]any{
			"abi": man.ABI, "forward_entry": entryString(man.ForwardEntry), "train_entry": entryString(man.TrainEntry),
			"code_size": man.CodeSize, "state_size": man.StateSize, "scratch_size": man.ScratchSize,
			"input": man.Input.String(), "output": man.Output.String(), "state": man.State.String(), "target": man.Target.String(),
		},
		"provenance": map[string]any{
			"code_blake3": hex.EncodeToString(p.CodeHash[:]), "source_blake3": hex.EncodeToString(p.SourceHash[:]),
			"compiler": p.Compiler, "source": p.Source, "data": data,
		},
		"code_blake3": hex.EncodeToString(code[:]), "state_blake3": hex.EncodeToString(state[:]),
		"instructions": map[string]any{"forward": counts.Forward, "train": counts.Train},
	}
}

func printVerified(c *ctx, name string, m *muscle.Muscle, blob []byte, counts verify.Report) {
	h, man, p := m.Header, m.Manifest, m.Provenance
	state := blake3.Sum256(m.State)
	fmt.Fprintf(c.stdout, "%s: OK muscle %q version %d by publisher %s, %d bytes\n", name, h.Name, h.Version, h.Publisher, len(blob))
	fmt.Fprintf(c.stdout, "  capabilities  %s, budget %d µs\n", h.Capabilities, h.BudgetMicros)
	fmt.Fprintf(c.stdout, "  entries       forward %s, train %s (ABI %d)\n", entryString(man.ForwardEntry), entryString(man.TrainEntry), man.ABI)
	fmt.Fprintf(c.stdout, "  shapes        input %v, output %v, state %v, target %v\n", man.Input, man.Output, man.State, man.Target)
	fmt.Fprintf(c.stdout, "  sizes         code %d, state %d, scratch %d bytes\n", man.CodeSize, man.StateSize, man.ScratchSize)
	if man.TrainEntry == muscle.NoEntry {
		fmt.Fprintf(c.stdout, "  instructions  forward %d per call (verified)\n", counts.Forward)
	} else {
		fmt.Fprintf(c.stdout, "  instructions  forward %d, train %d per call (verified)\n", counts.Forward, counts.Train)
	}
	fmt.Fprintf(c.stdout, "  code blake3   %x\n  state blake3  %x\n", p.CodeHash, state)
	fmt.Fprintf(c.stdout, "  source        %s blake3 %x\n", p.Source, p.SourceHash)
	for _, d := range p.Data {
		fmt.Fprintf(c.stdout, "  data          %s blake3 %x\n", d.Name, d.Hash)
	}
	fmt.Fprintf(c.stdout, "  compiler      %s\n", p.Compiler)
}

// indexJSON describes a bundle index's publisher and entries.
func indexJSON(pub muscle.PublisherID, entries []muscle.IndexEntry) map[string]any {
	list := []any{}
	for _, e := range entries {
		list = append(list, map[string]any{"entry": e.Name, "size": e.Len, "blake3": hex.EncodeToString(e.Hash[:])})
	}
	return map[string]any{"publisher": pub.String(), "entries": list}
}
