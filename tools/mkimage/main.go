// Command mkimage builds the referee unikernel image for one board.
//
// Usage:
//
//	go run ./tools/mkimage [-board virt|imx8mpevk|rpi4b] [-o build/referee.elf] [-bundle FILE] [-diag] [-dwarf] [-exit-status N] [-skip-verifier]
//
// It uses $TAMAGO as the go command if set, else the project's bootstrapped
// toolchain (built on first use). Exit status: 0 on success, 1 if the build
// failed, 2 for bad usage.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/muscles/referee/board/boards"
	"github.com/muscles/referee/tools/image"
)

func main() {
	out := flag.String("o", "build/referee.elf", "write the image to `FILE`")
	status := flag.Int("exit-status", -1, "tests only: make the kernel power off with exit status `N` (0-255)")
	bundle := flag.String("bundle", "", "build the muscle bundle `FILE` (muscle bundle) into the image, for boards with no loader")
	skip := flag.Bool("skip-verifier", false, "tests only: map muscles without the machine-code verifier (never for a device)")
	diag := flag.Bool("diag", false, "tests and benchmarks only: add the diagnostics (AES-GCM cost, OS services, idle check) to the banner")
	dwarf := flag.Bool("dwarf", false, "keep the DWARF debugging information (for gdb; about a quarter of the file)")
	boardName := flag.String("board", boards.Default, "the `BOARD` to build for: "+boardNames())
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: mkimage [-board BOARD] [-o FILE] [-bundle FILE] [-diag] [-dwarf] [-exit-status N] [-skip-verifier]\n\nBuilds ./kernel for GOOS=tamago GOARCH=arm64 for one board, linked at the\nboard's address, using $TAMAGO or the project's own toolchain. Boards:\n")
		for _, t := range boards.All {
			fmt.Fprintf(flag.CommandLine.Output(), "  %-10s %s (%s)\n", t.Name, t.Summary, image.LinkFlags(t))
		}
		fmt.Fprintf(flag.CommandLine.Output(), "\nFlags:\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	if _, err := boards.Lookup(*boardName); err != nil {
		fmt.Fprintf(os.Stderr, "mkimage: %v\n", err)
		os.Exit(2)
	}
	opts := image.Options{Board: *boardName, Out: *out, Progress: os.Stderr, SkipVerifier: *skip, Bundle: *bundle, Diag: *diag, DWARF: *dwarf}
	if *status >= 0 {
		if *status > 255 {
			fmt.Fprintln(os.Stderr, "mkimage: -exit-status must be 0-255")
			os.Exit(2)
		}
		opts.ExitStatus = status
	}
	if err := image.Build(context.Background(), opts); err != nil {
		fmt.Fprintf(os.Stderr, "mkimage: %v\n", err)
		os.Exit(1)
	}
	st, err := os.Stat(*out)
	if err != nil {
		fmt.Fprintf(os.Stderr, "mkimage: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("mkimage: %s for %s (%d bytes)\n", *out, *boardName, st.Size())
}

func boardNames() string {
	var names []string
	for _, t := range boards.All {
		names = append(names, t.Name)
	}
	return strings.Join(names, ", ")
}
