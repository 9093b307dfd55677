// Command mkimage builds the referee unikernel image for QEMU virt.
//
// Usage:
//
//	go run ./tools/mkimage [-o build/referee.elf] [-exit-status N]
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

	"github.com/muscles/referee/tools/image"
)

func main() {
	out := flag.String("o", "build/referee.elf", "write the image to `FILE`")
	status := flag.Int("exit-status", -1, "tests only: make the kernel power off with exit status `N` (0-255)")
	bundle := flag.String("bundle", "", "build the muscle bundle `FILE` (muscle bundle) into the image, for boards with no loader")
	skip := flag.Bool("skip-verifier", false, "tests only: map muscles without the machine-code verifier (never for a device)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: mkimage [-o FILE] [-bundle FILE] [-exit-status N] [-skip-verifier]\n\nBuilds ./kernel for GOOS=tamago GOARCH=arm64 with the board's link layout (%s),\nusing $TAMAGO or the project's own toolchain.\n\nFlags:\n", image.LinkFlags())
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	opts := image.Options{Out: *out, Progress: os.Stderr, SkipVerifier: *skip, Bundle: *bundle}
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
	fmt.Printf("mkimage: %s (%d bytes)\n", *out, st.Size())
}
