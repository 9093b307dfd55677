package main

import (
	"fmt"
	"strings"

	"github.com/muscles/referee/referee/audit"
	"github.com/muscles/referee/tools/internal/cli"
)

var auditCmd = &command{
	name: "audit",
	args: "--keys RECORD LOG [--boot ID] [--require-complete] [--json]",
	help: `audit checks an audit log the referee printed (a whole console transcript
will do: lines that are not audit lines, "audit SEQ ..." and
"audit-head COUNT ...", are skipped): every entry must carry the hash of
the one before it, the head must authenticate with the audit key derived
from the record's master key, and entries the referee dropped to bound
its log must be the ones it recorded as dropped. It reports the first
broken link.

A verified log is of one boot, whose id it reports (the console prints it
when the log starts: "boot id ..."; --boot checks it), and it is either
complete, ending in the final listing the referee prints at power-off, or
a prefix: its last listing is not the final one, so the transcript may
have been cut and later entries may be missing. A prefix still exits 0
unless --require-complete is given.

The exit status is 4 if the log does not verify, is of another boot than
--boot, or (with --require-complete) is a prefix.`,
	run: runAudit,
}

func runAudit(c *ctx, cmd *command, args []string) error {
	fs := c.newFlags(cmd)
	keys := fs.String("keys", "", "master-key record")
	bootFlag := fs.String("boot", "", "the boot id the log must be of (32 hex digits)")
	requireComplete := fs.Bool("require-complete", false, "reject a log that does not end in the final (power-off) listing")
	pos, err := c.parse(cmd, fs, args)
	if err != nil {
		return err
	}
	if *keys == "" || len(pos) != 1 {
		return cli.Fail(exitUsage, "want --keys RECORD and one LOG file")
	}
	var want audit.BootID
	if *bootFlag != "" {
		if want, err = audit.ParseBootID(strings.ToLower(*bootFlag)); err != nil {
			return cli.Fail(exitUsage, "--boot: %v", err)
		}
	}
	rec, err := readKeyRecord(*keys)
	if err != nil {
		return err
	}
	key := rec.AuditKey()
	rec.Wipe()
	defer clear(key[:])
	text, err := cli.ReadFile(pos[0])
	if err != nil {
		return err
	}
	r, err := audit.Check(string(text), key)
	verified := err == nil
	switch {
	case !verified:
	case *bootFlag != "" && r.Boot != want:
		err = fmt.Errorf("the log is of boot %s, not %s", r.Boot, want)
	case *requireComplete && !r.Complete():
		err = fmt.Errorf("the log is only a prefix: its last listing (%d entries) is not the final one the referee prints at power-off", r.Count)
	}
	if c.json {
		writeJSON(c.stdout, auditJSON(pos[0], r, verified, err))
	}
	if err != nil {
		err = cli.Reject(pos[0], err)
		if c.json {
			err = cli.Wrap(exitRejected, errSilent{err})
		}
		return err
	}
	if !c.json {
		fmt.Fprintf(c.stdout, "%s: OK, %s; head authenticated by key record %s\n", pos[0], describeLog(r), rec.ID)
	}
	return nil
}

// describeLog says what a verified log is, in words.
func describeLog(r *audit.Report) string {
	var b strings.Builder
	if r.Complete() {
		fmt.Fprintf(&b, "complete: %d entries ending in the final listing", r.Count)
		if n := len(r.Entries); n > 0 {
			fmt.Fprintf(&b, " (%s %q)", r.Entries[n-1].Kind, r.Entries[n-1].Detail)
		}
	} else {
		fmt.Fprintf(&b, "but only a PREFIX: %d entries, and the last listing is not the final one the referee prints at power-off, so later entries may be missing", r.Count)
	}
	if r.BootEntry {
		fmt.Fprintf(&b, "; boot %s", r.Boot)
	} else {
		b.WriteString("; no boot id (the log does not start with a boot entry naming one)")
	}
	if g := r.Gap; g != nil {
		fmt.Fprintf(&b, "; entries %d-%d (%d) dropped by the referee to bound its log, as entry %d records", g.From, g.To, g.Len(), g.Record)
	}
	if r.Unfinished > 0 {
		fmt.Fprintf(&b, "; %d entries after the last head (a listing cut short) not counted", r.Unfinished)
	}
	if r.Listings > 1 {
		fmt.Fprintf(&b, "; %d listings", r.Listings)
	}
	return b.String()
}

// auditJSON is the --json report: status is "complete", "prefix" or, if
// the log does not verify, "invalid" (the other fields then describe the
// last listing that did verify, if any).
func auditJSON(log string, r *audit.Report, verified bool, err error) map[string]any {
	status := "prefix"
	switch {
	case !verified:
		status = "invalid"
	case r.Complete():
		status = "complete"
	}
	out := map[string]any{
		"log": log, "ok": err == nil, "verified": verified, "status": status, "complete": verified && r.Complete(),
		"entries": len(r.Entries), "count": r.Count, "listings": r.Listings, "unfinished": r.Unfinished,
	}
	if r.Listings > 0 {
		out["boot_id"] = r.Boot.String()
		out["boot_entry"] = r.BootEntry
	}
	if g := r.Gap; g != nil {
		out["gap"] = map[string]uint64{"from": g.From, "to": g.To, "dropped": g.Len(), "recorded_by": g.Record}
	}
	if err != nil {
		out["error"] = err.Error()
	}
	return out
}
