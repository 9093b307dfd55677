package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
)

// parseInterleaved parses flags that may appear before, between or after
// positional arguments (the flag package alone stops at the first
// positional one). A "--" ends the flags: everything after it is positional.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		consumed := args[:len(args)-len(rest)]
		if len(consumed) > 0 && consumed[len(consumed)-1] == "--" && !isFlagValue(fs, consumed) {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	return pos, nil
}

// isFlagValue reports whether the final "--" of consumed was the value of a
// flag ("-o --") rather than the terminator.
func isFlagValue(fs *flag.FlagSet, consumed []string) bool {
	if len(consumed) < 2 {
		return false
	}
	prev := consumed[len(consumed)-2]
	if !strings.HasPrefix(prev, "-") || strings.Contains(prev, "=") || prev == "--" {
		return false
	}
	f := fs.Lookup(strings.TrimLeft(prev, "-"))
	if f == nil {
		return false
	}
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		return false
	}
	return true
}

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

// parseMinVersions parses NAME=VERSION pairs.
func parseMinVersions(list []string) (map[string]uint64, error) {
	out := map[string]uint64{}
	for _, s := range list {
		name, v, ok := strings.Cut(s, "=")
		n, err := strconv.ParseUint(v, 0, 64)
		if !ok || err != nil || name == "" {
			return nil, fmt.Errorf("--min-version %q: want NAME=VERSION", s)
		}
		out[name] = n
	}
	return out, nil
}
