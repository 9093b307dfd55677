//go:build tamago && arm64

// Command kernel is the referee unikernel's main program: it boots on the
// board, prints a banner saying what it found, takes the master key out of
// the key region (which it then wipes), starts the audit log, opens the
// muscles of the bundle, serves the console until `poweroff`, and powers off
// with an exit status that QEMU passes on to the host. Muscles run at
// Secure EL0 in sandboxes of their own (referee/sandbox).
package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/muscles/referee/referee"
)

// Version is the referee's version, printed in the banner.
const Version = "0.1.0"

// testExitStatus is set only by tests (make image EXIT_STATUS=n) to show
// that the image's exit status reaches the host.
var testExitStatus string

// testSkipVerifier is set to "yes" only by tests (make image
// SKIP_VERIFIER=yes): muscles are mapped without the machine-code verifier,
// to show that EL0 and the MMU alone contain hostile code.
var testSkipVerifier string

func main() {
	printBanner(os.Stdout)
	rec, log, status := takeKeys(os.Stdout)
	if rec == nil {
		printAudit(os.Stdout, log)
		fmt.Printf("referee: powering off, exit status %d\n", status)
		os.Exit(status)
	}
	l := &loader{w: os.Stdout, rec: rec, log: log, skipVerify: testSkipVerifier == "yes"}
	if l.skipVerify {
		fmt.Println("referee: TEST IMAGE: the machine-code verifier is skipped")
		log.Append(now(), "test", "machine-code verifier skipped")
	}
	l.loadBundles()
	printAudit(os.Stdout, log)
	fmt.Printf("ready: console reached %d ns after reset (guest time; instructions under -icount)\n", now())
	sh := &shell{w: os.Stdout, log: log, loader: l}
	status = sh.run()
	for _, m := range l.muscles {
		m.space.Wipe()
	}
	rec.Wipe()
	if status == referee.ExitOK && testExitStatus != "" {
		n, err := strconv.Atoi(testExitStatus)
		if err != nil || n < 0 || n > 255 {
			fmt.Printf("referee: test exit status %q is not 0-255\n", testExitStatus)
			n = 1
		}
		status = n
	}
	fmt.Printf("referee: powering off, exit status %d\n", status)
	os.Exit(status)
}
