package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/muscles/referee/tools/internal/cli"
)

var errHelp = errors.New("help shown")

// parse parses flags that may come before or after positional arguments
// (the standard flag package stops at the first positional one) and
// returns the positional arguments.
func parse(fs *flag.FlagSet, stdout io.Writer, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(stdout)
				fs.PrintDefaults()
				return nil, errHelp
			}
			return nil, cli.Fail(exitUsage, "%v", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// parseModel parses the flags and expects exactly one positional argument,
// the model file.
func parseModel(fs *flag.FlagSet, stdout io.Writer, args []string) (string, error) {
	pos, err := parse(fs, stdout, args)
	if err != nil {
		return "", err
	}
	if len(pos) != 1 {
		return "", cli.Fail(exitUsage, "want one MODEL.py, got %d arguments %q", len(pos), pos)
	}
	return pos[0], nil
}

// newFlags makes a flag set that reports its own usage line.
func newFlags(name, args string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprintf(fs.Output(), "usage: musclec %s %s\n", name, args) }
	return fs
}
