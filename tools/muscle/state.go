package main

import (
	"encoding/hex"
	"fmt"

	"github.com/muscles/referee/referee/persist"
	"github.com/muscles/referee/referee/store"
	"github.com/muscles/referee/referee/store/memdisk"
	"github.com/muscles/referee/tools/internal/cli"
)

var stateCmd = &command{
	name: "state",
	args: "inspect --keys RECORD FILE [--json]",
	help: `state inspect reads a state disk (the file behind make qemu STATE=FILE, or
an image of a board's state medium) as the referee would at boot, with the
state keys derived from the record's master key: it lists every slot
(empty, damaged and why, foreign, or valid with its generation and
payload hash), says which record a referee would load, and lists what
that record holds: each persisted muscle's publisher, name, version,
state size and state hash, and the version floors. It never prints
weights or keys.

The exit status is 4 if the disk would be refused (sealed under another
master key, or two records of one generation that differ).`,
	run: runState,
}

func runState(c *ctx, cmd *command, args []string) error {
	fs := c.newFlags(cmd)
	keys := fs.String("keys", "", "master-key record")
	pos, err := c.parse(cmd, fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || pos[0] != "inspect" || *keys == "" {
		return cli.Fail(exitUsage, "want: state inspect --keys RECORD FILE")
	}
	file := pos[1]
	rec, err := readKeyRecord(*keys)
	if err != nil {
		return err
	}
	sk := rec.StateKeys()
	rec.Wipe()
	defer sk.Wipe()
	raw, err := cli.ReadFile(file)
	if err != nil {
		return err
	}
	dev, err := memdisk.FromBytes(raw, 512)
	if err != nil {
		return cli.Reject(file, err)
	}
	slots, best, payload, err := store.Scan(dev, store.Standard, sk)
	if slots == nil {
		return cli.Reject(file, err)
	}
	var st *persist.State
	if err == nil && best >= 0 {
		st, err = persist.Unmarshal(payload)
		clear(payload)
	}
	if c.json {
		writeJSON(c.stdout, stateJSON(file, slots, best, st, err))
	} else {
		printState(c, file, slots, best, st, err)
	}
	if err != nil {
		err = cli.Reject(file, err)
		if c.json {
			err = cli.Wrap(exitRejected, errSilent{err})
		}
		return err
	}
	return nil
}

func printState(c *ctx, file string, slots []store.Slot, best int, st *persist.State, err error) {
	fmt.Fprintf(c.stdout, "%s: %d slots of %d KiB\n", file, len(slots), store.SlotBytes>>10)
	for _, s := range slots {
		fmt.Fprintf(c.stdout, "  %s\n", s)
	}
	switch {
	case err != nil:
		fmt.Fprintf(c.stdout, "a referee would REFUSE this disk: %v\n", err)
		return
	case best < 0:
		fmt.Fprintln(c.stdout, "a referee would load nothing: a fresh store")
		return
	}
	fmt.Fprintf(c.stdout, "a referee would load generation %d from slot %d: %d muscle states, %d version floors\n", slots[best].Generation, best, len(st.Muscles), len(st.Floors))
	for _, m := range st.Muscles {
		fmt.Fprintf(c.stdout, "  muscle %q v%d by %s: state %d bytes blake3 %x\n", m.Name, m.Version, m.Publisher, len(m.State), m.Hash[:8])
	}
	for _, f := range st.Floors {
		fmt.Fprintf(c.stdout, "  floor %q: publisher %s, v%d\n", f.Name, f.Publisher, f.Version)
	}
}

func stateJSON(file string, slots []store.Slot, best int, st *persist.State, err error) map[string]any {
	js := []map[string]any{}
	for _, s := range slots {
		j := map[string]any{"slot": s.Index, "kind": s.Kind.String()}
		if s.Kind != store.Empty {
			j["generation"] = s.Generation
		}
		if s.Why != "" {
			j["why"] = s.Why
		}
		if s.Kind == store.Valid {
			j["payload_blake3"] = hex.EncodeToString(s.PayloadHash[:])
			j["record_blake3"] = hex.EncodeToString(s.Digest[:])
			j["length"] = s.Length
		}
		js = append(js, j)
	}
	out := map[string]any{"file": file, "ok": err == nil, "slots": js, "loads": nil}
	if err != nil {
		out["error"] = err.Error()
		return out
	}
	if best >= 0 {
		ms := []map[string]any{}
		for _, m := range st.Muscles {
			ms = append(ms, map[string]any{"name": m.Name, "version": m.Version, "publisher": m.Publisher.String(), "state_bytes": len(m.State), "state_blake3": hex.EncodeToString(m.Hash[:])})
		}
		fl := []map[string]any{}
		for _, f := range st.Floors {
			fl = append(fl, map[string]any{"name": f.Name, "version": f.Version, "publisher": f.Publisher.String()})
		}
		out["loads"] = map[string]any{"slot": best, "generation": slots[best].Generation, "muscles": ms, "floors": fl}
	}
	return out
}
