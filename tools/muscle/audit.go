package main

import (
	"fmt"

	"github.com/muscles/referee/referee/audit"
	"github.com/muscles/referee/tools/internal/cli"
)

var auditCmd = &command{
	name: "audit",
	args: "--keys RECORD LOG [--json]",
	help: `audit checks an audit log the referee printed (a whole console transcript
will do: lines other than "audit" and "audit-head" are skipped): every entry
must carry the hash of the one before it, and the head must authenticate
with the audit key derived from the record's master key. It reports the
first broken link; the exit status is 4 if the log does not verify.`,
	run: runAudit,
}

func runAudit(c *ctx, cmd *command, args []string) error {
	fs := c.newFlags(cmd)
	keys := fs.String("keys", "", "master-key record")
	pos, err := c.parse(cmd, fs, args)
	if err != nil {
		return err
	}
	if *keys == "" || len(pos) != 1 {
		return cli.Fail(exitUsage, "want --keys RECORD and one LOG file")
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
	entries, err := audit.Verify(string(text), key)
	if c.json {
		out := map[string]any{"log": pos[0], "entries": len(entries), "ok": err == nil}
		if err != nil {
			out["error"] = err.Error()
		}
		writeJSON(c.stdout, out)
	}
	if err != nil {
		return cli.Reject(pos[0], err)
	}
	if !c.json {
		fmt.Fprintf(c.stdout, "%s: OK, %d entries, head authenticated by key record %s\n", pos[0], len(entries), rec.ID)
	}
	return nil
}
