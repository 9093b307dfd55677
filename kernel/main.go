//go:build tamago && arm64

// Command kernel is the referee unikernel's main program. It wires one
// board (chosen at build time: board_*.go) to the referee: it prints a
// banner saying what it found, takes the master key out of the board's key
// region (which it then wipes and unmaps), starts the audit log, opens the
// sealed store on the board's medium (referee/keeper), admits the
// muscles of the bundles (referee/loader), serves the console
// (referee/console) until `poweroff`, and powers off with an exit status
// that QEMU passes on to the host. Muscles run at Secure EL0 in sandboxes
// of their own (referee/sandbox).
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/muscles/referee/board"
	"github.com/muscles/referee/board/armv8"
	"github.com/muscles/referee/muscle/b3"
	"github.com/muscles/referee/muscle/bundle"
	"github.com/muscles/referee/referee"
	"github.com/muscles/referee/referee/console"
	"github.com/muscles/referee/referee/keeper"
	"github.com/muscles/referee/referee/loader"
)

// Version is the referee's version, printed in the banner.
const Version = "0.2.0"

// testExitStatus is set only by tests (make image EXIT_STATUS=n) to show
// that the image's exit status reaches the host.
var testExitStatus string

// testSkipVerifier is set to "yes" only by tests (mkimage -skip-verifier):
// muscles are mapped without the machine-code verifier, to show that EL0
// and the MMU alone contain hostile code.
var testSkipVerifier string

func now() int64 { return time.Now().UnixNano() }

// imageTextHash is set by tools/mkimage (tools/image.TextHashVar) to the
// BLAKE3 hash of the image's text, computed from the ELF file at build time.
var imageTextHash string

// imageHash is the BLAKE3 hash of the running image's instructions (first
// 16 bytes, hex): the one the build embedded, else (an image not built by
// tools/mkimage) hashed now, at some 20 instructions per byte of text. An
// image's word about itself is only as good as the image: the embedded hash
// names the image just as well as one computed by the same code at boot.
func imageHash() string {
	// All zeros is the placeholder of mkimage's first link.
	if len(imageTextHash) == 32 && strings.Trim(imageTextHash, "0") != "" {
		return imageTextHash
	}
	start, end := runtime.TextRegion()
	text := unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(nil), uintptr(start))), end-start)
	sum := b3.Sum256(text)
	return fmt.Sprintf("%x", sum[:16])
}

// muscleMemory is the budget for all muscles together: a quarter of the
// runtime's RAM, which leaves the garbage collector room to double the
// live heap (GOGC=100) with the referee's own memory on top.
func muscleMemory(lay *board.Layout) int64 { return int64(lay.RAM.Size() / 4) }

func main() {
	b := theBoard
	lay := b.Layout()
	printBanner(os.Stdout, b)
	text := imageHash()
	boot := func(id string) string {
		return fmt.Sprintf("referee %s on %s, boot id %s, image text blake3 %s", Version, b.Name(), id, text)
	}
	rec, log, status := referee.TakeKeys(b, fmt.Sprintf("%#x", lay.KeyRecord.Start), os.Stdout, now, boot)
	if rec == nil {
		console.PrintAudit(os.Stdout, log)
		powerOff(b, status)
	}
	l := &loader.Loader{Out: os.Stdout, Rec: rec, Log: log, Now: now, DeadlineTicks: b.DeadlineTicks,
		MemoryBudget: muscleMemory(lay), PeakInstructionsPerMicro: armv8.PeakInstructionsPerMicro,
		SkipVerify: testSkipVerifier == "yes"}
	if l.SkipVerify {
		fmt.Println("referee: TEST IMAGE: the machine-code verifier is skipped")
		log.Append(now(), "test", "machine-code verifier skipped")
	}
	dev, derr := b.StateDevice()
	kp := keeper.Boot(os.Stdout, log, now, l, dev, derr, rec.StateKeys(), nil)
	if len(embeddedBundle) > 0 {
		entries, err := bundle.Parse(embeddedBundle)
		l.LoadBundle("built into the image", "embedded:", entries, err)
	}
	entries, err := loader.ReadBundle(b.ReadBundleRegion, int(lay.Bundle.Size()))
	l.LoadBundle(fmt.Sprintf("at %#x", lay.Bundle.Start), "", entries, err)
	console.PrintAudit(os.Stdout, log)
	fmt.Printf("ready: console reached %d ns after reset (guest time; instructions under -icount)\n", now())
	sh := &console.Shell{In: b, Out: os.Stdout, Log: log, Loader: l, Now: now, Instructions: b.InstructionsRetired, State: kp}
	status = sh.Run()
	rec.Wipe()
	if status == referee.ExitOK && testExitStatus != "" {
		n, err := strconv.Atoi(testExitStatus)
		if err != nil || n < 0 || n > 255 {
			fmt.Printf("referee: test exit status %q is not 0-255\n", testExitStatus)
			n = 1
		}
		status = n
	}
	powerOff(b, status)
}
