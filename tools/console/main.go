// Command console talks to a referee's serial console from the host: for
// scripts, and to upload sealed muscles without typing base64.
//
// Usage:
//
//	console -connect ADDR [-json] [-timeout D] [COMMAND ...]
//
// ADDR is a Unix socket (what `make qemu CONSOLE=PATH` and
// `qemu/run -console PATH` create), tcp:HOST:PORT, or a serial device
// (set its line speed first, e.g. with stty). Each COMMAND is one console
// line ("run relu_mlp 1,2,3,4"); "upload FILE" sends a sealed muscle in the
// console's framing (length, BLAKE3, base64 lines, "."). The replies are
// printed as they come, one command after the other. With no COMMAND the
// tool passes standard input through, line by line.
//
// Exit status: 0 when every command got its reply, 1 when the connection
// failed or timed out, 2 for bad usage, 3 when a reply was an error
// ("error: ..." or a JSON {"error": ...}).
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("console", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("connect", "", "the console: a Unix socket `PATH`, tcp:HOST:PORT, or a serial device")
	jsonMode := fs.Bool("json", false, "switch the console to JSON replies first (json on)")
	timeout := fs.Duration("timeout", 2*time.Minute, "how long to wait for the prompt and for each reply")
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage: console -connect ADDR [-json] [-timeout D] [COMMAND ...]

Talks to a referee's serial console. Each COMMAND is one console line;
"upload FILE" sends a sealed muscle in the console's framing. With no
COMMAND, standard input is passed through line by line.

Exit status: 0 every command answered, 1 connection failed or timed out,
2 bad usage, 3 a reply was an error.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *addr == "" {
		fmt.Fprintln(stderr, "console: -connect ADDR is required")
		fs.Usage()
		return 2
	}
	c, err := dial(*addr, *timeout)
	if err != nil {
		fmt.Fprintf(stderr, "console: %v\n", err)
		return 1
	}
	defer c.Close()
	commands := fs.Args()
	if *jsonMode {
		commands = append([]string{"json on"}, commands...)
	}
	if err := c.sync(); err != nil {
		fmt.Fprintf(stderr, "console: %v\n", err)
		return 1
	}
	status := 0
	each := func(line string) bool {
		reply, err := c.command(line)
		if err != nil {
			fmt.Fprintf(stderr, "console: %s: %v\n", line, err)
			status = 1
			return false
		}
		fmt.Fprint(stdout, reply)
		if isError(reply) && status == 0 {
			status = 3
		}
		return true
	}
	if len(fs.Args()) == 0 {
		for _, line := range commands {
			if !each(line) {
				return status
			}
		}
		passThrough(stdin, each)
		return status
	}
	for _, line := range commands {
		if !each(line) {
			break
		}
	}
	return status
}
