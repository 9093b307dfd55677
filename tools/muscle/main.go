// Command muscle creates keys for, seals, inspects, verifies and bundles
// .muscle blobs (the format is package muscle; muscle/FORMAT.md specifies
// it). Run "muscle help" for the subcommands and exit statuses.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
