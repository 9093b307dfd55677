// Command run boots a referee image under qemu-system-aarch64 with the
// console on this terminal, printing the exact QEMU command line first.
// Its exit status is the image's (semihosting passes it through).
//
// Usage:
//
//	go run ./qemu/run [-board virt|imx8mpevk|rpi4b] [-kernel build/referee.elf] [-keys FILE] [-muscles FILE] [-state FILE | -default-state FILE] [-no-rng] [-icount] [-console PATH]
//
// A state disk named with -state or -default-state that does not exist is
// created, empty (the referee starts a fresh sealed store on it).
// Exit status: the image's; 125 if QEMU could not be started; 2 for bad
// usage. Quit a running image with Ctrl-A x. When standard input is not a
// terminal, its end types "poweroff" at the console.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"

	"golang.org/x/term"

	"github.com/muscles/referee/qemu"
	"github.com/muscles/referee/referee/store"
)

func main() {
	var c qemu.Config
	flag.StringVar(&c.Board, "board", "virt", "the `BOARD` the image was built for (virt, imx8mpevk, rpi4b)")
	flag.StringVar(&c.Kernel, "kernel", "build/referee.elf", "the image to boot (`ELF`)")
	flag.StringVar(&c.Keys, "keys", "", "master-key record `FILE` to load at the key region")
	flag.StringVar(&c.Muscles, "muscles", "", "muscle bundle `FILE` to load at the bundle region")
	flag.BoolVar(&c.NoRNG, "no-rng", false, "boot without the board's entropy device (virt: virtio-rng)")
	flag.BoolVar(&c.ICount, "icount", false, "count instructions as guest time (-icount shift=0,sleep=off)")
	flag.StringVar(&c.State, "state", "", "attach the state disk `FILE` as the board's state medium (created if missing)")
	defaultState := flag.String("default-state", "", "like -state, but only on boards that have a state medium (make qemu's default)")
	flag.StringVar(&c.Console, "console", "", "put the serial console on a Unix socket at `PATH` (QEMU waits for the first client, e.g. go run ./tools/console -connect PATH)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: run [flags]\n\nBoots the image on the board's QEMU machine and prints the QEMU command line first.\nThe exit status is the image's.\n\nFlags:\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	if c.State == "" && *defaultState != "" && qemu.HasStateMedium(c.Board) {
		c.State = *defaultState
	}
	if c.State != "" {
		if err := createState(c.State); err != nil {
			fmt.Fprintf(os.Stderr, "run: %v\n", err)
			os.Exit(125)
		}
	}
	cmd, err := c.Command(context.Background())
	if err != nil {
		fmt.Fprintf(os.Stderr, "run: %v\n", err)
		os.Exit(125)
	}
	fmt.Fprintln(os.Stderr, qemu.CommandLine(cmd))
	if c.Console != "" {
		fmt.Fprintf(os.Stderr, "run: the console is on %s; QEMU starts the machine when a client connects: go run ./tools/console -connect %s\n", c.Console, c.Console)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if c.Console == "" && !term.IsTerminal(int(os.Stdin.Fd())) {
		// Not a terminal (a script, a pipe, < /dev/null): pass the input
		// on, and when it ends, power the referee off instead of leaving
		// it waiting for a console that will never type.
		cmd.Stdin = nil
		in, err := cmd.StdinPipe()
		if err != nil {
			fmt.Fprintf(os.Stderr, "run: %v\n", err)
			os.Exit(125)
		}
		go func() {
			io.Copy(in, os.Stdin)
			fmt.Fprintln(os.Stderr, "run: standard input ended (not a terminal): typing poweroff")
			io.WriteString(in, "\npoweroff\n")
		}()
	}
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		os.Exit(exit.ExitCode())
	case err != nil:
		fmt.Fprintf(os.Stderr, "run: %v\n", err)
		os.Exit(125)
	}
}

// createState creates an empty state disk if file does not exist.
func createState(file string) error {
	if _, err := os.Stat(file); err == nil {
		return nil
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("creating the state disk: %w", err)
	}
	if err := f.Truncate(store.DefaultDiskBytes); err != nil {
		f.Close()
		return fmt.Errorf("creating the state disk: %w", err)
	}
	fmt.Fprintf(os.Stderr, "run: created the state disk %s (%d MiB, empty: the referee starts a fresh sealed store on it)\n", file, store.DefaultDiskBytes>>20)
	return f.Close()
}
