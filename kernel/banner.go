//go:build tamago && arm64

package main

import (
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/muscles/referee/board"
)

// diagnostics are extra banner lines of test and bench images (diag.go,
// built with the diag tag); the production image has none.
var diagnostics []func(board.Board) string

func printBanner(w io.Writer, b board.Board) {
	// The wall clock counts from reset: under QEMU's -icount shift=0 this
	// is the number of instructions executed since then.
	bootTime := time.Now().UnixNano()
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	p("referee %s: secure execution of tiny neural networks", Version)
	p("board: %s", b.Name())
	p("go: %s %s/%s", runtime.Version(), runtime.GOOS, runtime.GOARCH)

	textStart, textEnd := runtime.TextRegion()
	p("memory:")
	for _, r := range b.Layout().Regions() {
		p("  %-14s 0x%08x-0x%08x %7d KiB", r.Name, r.Start, r.End, r.Size()>>10)
	}
	p("  %-14s 0x%08x-0x%08x %7d KiB", "image text", textStart, textEnd, (textEnd-textStart)>>10)
	for _, line := range b.Details() {
		p("%s", line)
	}
	p("entropy: %s", b.Entropy())
	for _, d := range diagnostics {
		p("%s", d(b))
	}
	p("boot: banner reached %d ns after reset (guest time)", bootTime)
}

// powerOff says so and stops the board.
func powerOff(b board.Board, status int) {
	fmt.Printf("referee: powering off, exit status %d\n", status)
	b.PowerOff(status)
}
