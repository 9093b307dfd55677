package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/muscles/referee/tools/internal/cli"
)

// Exit statuses (also in the help text and muscle/README.md).
const (
	exitOK       = cli.OK       // success
	exitFailure  = cli.Failure  // an unexpected failure (a bug, or a failing random source)
	exitUsage    = cli.Usage    // bad command line
	exitFile     = cli.File     // a file could not be read or written, or exists already
	exitRejected = cli.Rejected // an input was rejected: bad blob, key record, key file or bundle
)

const usage = `usage: muscle COMMAND [flags] [files]

Commands:
  keygen -o DIR                 new master-key record and a first publisher
  keygen add-publisher --record FILE [-o DIR]
                                add a trusted publisher to a key record
  seal [flags] -o OUT           seal code + state + manifest into a .muscle blob
  inspect FILE...               print a blob's header (or a bundle's, a key
                                record's or key file's public fields); no key
  verify --keys RECORD FILE...  check signature, policy, decryption and the
                                machine code; print the manifest and the
                                instruction counts (never code or weights)
  bundle -o OUT FILE...         pack sealed muscles into a newc cpio bundle
  audit --keys RECORD LOG [--require-complete] [--boot ID]
                                check an audit log the referee printed: complete or a prefix
  state inspect --keys RECORD FILE
                                list a state disk's slots, generations and state
                                hashes, and which record a referee would load
  help [COMMAND]                this text, or a command's flags

Flags may come before or after file arguments; "--" ends the flags. Each
command takes --help and most take --json (machine-readable output on
stdout). Key material is never printed: keys appear as fingerprints.

Exit status:
  0  success
  1  unexpected failure
  2  usage error (unknown command or flag, missing argument)
  3  file error (cannot read or write; refusing to overwrite without --force)
  4  rejected input (tampered, wrong key, unknown publisher, capability,
     rollback, truncated, malformed or unsupported blob, record, key file
     or bundle, code the machine-code verifier refuses, a state disk a
     referee would refuse)
`

// command is one subcommand.
type command struct {
	name, args, help string
	run              func(c *ctx, cmd *command, args []string) error
}

// ctx is what a command writes to.
type ctx struct {
	stdout, stderr io.Writer
	json           bool
}

func commands() []*command {
	return []*command{keygenCmd, sealCmd, inspectCmd, verifyCmd, bundleCmd, auditCmd, stateCmd}
}

// run is the whole command: it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	name := args[0]
	if name == "help" || name == "-h" || name == "--help" || name == "-help" {
		if len(args) > 1 && name == "help" {
			return run([]string{args[1], "--help"}, stdout, stderr)
		}
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	for _, cmd := range commands() {
		if cmd.name == name {
			c := &ctx{stdout: stdout, stderr: stderr}
			err := cmd.run(c, cmd, args[1:])
			return c.finish(cmd.name, err)
		}
	}
	fmt.Fprintf(stderr, "muscle: unknown command %q\n\n%s", name, usage)
	return exitUsage
}

// finish reports err and turns it into an exit status.
func (c *ctx) finish(name string, err error) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	code := exitFailure
	var ee *cli.ExitError
	if errors.As(err, &ee) {
		code = ee.Code
	}
	fmt.Fprintf(c.stderr, "muscle %s: %v\n", name, err)
	var silent errSilent
	if c.json && !errors.As(err, &silent) {
		writeJSON(c.stdout, map[string]any{"error": err.Error(), "kind": errorKind(err), "exit": code})
	}
	return code
}

// newFlags makes a command's flag set; --json is common to all but keygen's
// help.
func (c *ctx) newFlags(cmd *command) *flag.FlagSet {
	fs := flag.NewFlagSet("muscle "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.BoolVar(&c.json, "json", false, "print machine-readable JSON on stdout")
	fs.Usage = func() {}
	return fs
}

// parse parses args with flags anywhere among the positional arguments and
// prints help for --help.
func (c *ctx) parse(cmd *command, fs *flag.FlagSet, args []string) ([]string, error) {
	pos, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(c.stdout, "usage: muscle %s %s\n\n%s\nFlags:\n", cmd.name, cmd.args, strings.TrimSpace(cmd.help))
		fs.SetOutput(c.stdout)
		fs.PrintDefaults()
		fmt.Fprint(c.stdout, "\nExit status: 0 ok, 1 unexpected failure, 2 usage, 3 file error, 4 rejected input.\n")
		return nil, flag.ErrHelp
	}
	if err != nil {
		return nil, cli.Fail(exitUsage, "%v (see muscle %s --help)", err, cmd.name)
	}
	return pos, nil
}
