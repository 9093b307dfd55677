// Command toolchain bootstraps the project's TamaGo-compatible Go
// distribution: the pinned upstream Go release, fetched through the Go module
// proxy and checked against its known checksum, with the project's own
// bare-metal port (GOOS=tamago) applied to a copy of it.
//
// The result lives under the user cache directory, keyed by the Go version and
// a hash of the port, so a second run is a no-op. It prints the path of the
// distribution's go command on standard output; progress goes to standard
// error.
//
// Usage:
//
//	go run ./tools/toolchain [-force] [-quiet] [-root]
package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

func main() {
	force := flag.Bool("force", false, "rebuild even if a cached toolchain exists")
	quiet := flag.Bool("quiet", false, "print no progress")
	root := flag.Bool("root", false, "print GOROOT instead of the path of the go command")
	resync := flag.String("resync", "", "port developers: re-copy the release sources into the existing distribution `DIR` and re-apply the port without rebuilding commands")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), `usage: toolchain [-force] [-quiet] [-root]

Builds (once) and prints the path of a Go %s distribution that accepts
GOOS=tamago GOARCH=arm64 GOOSPKG=github.com/usbarmory/tamago.

The upstream release comes from the Go module proxy as %s@%s
and is checked against its pinned checksum; the port in tools/toolchain/_port
and the edits in tools/toolchain/edits.go are applied to a copy of it under
the user cache directory (override with MUSCLE_TOOLCHAIN_CACHE).

Flags:
`, goVersion, toolchainModule, toolchainVersion())
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}

	if *resync != "" {
		b := &bootstrap{quiet: *quiet, start: time.Now()}
		if err := b.resync(*resync); err != nil {
			fmt.Fprintf(os.Stderr, "toolchain: %v\n", err)
			os.Exit(1)
		}
		return
	}
	b := &bootstrap{force: *force, quiet: *quiet, start: time.Now()}
	goroot, err := b.run()
	if err != nil {
		fmt.Fprintf(os.Stderr, "toolchain: %v\n", err)
		os.Exit(1)
	}
	if *root {
		fmt.Println(goroot)
	} else {
		fmt.Println(goCommand(goroot))
	}
}
