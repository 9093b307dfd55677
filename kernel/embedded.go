//go:build tamago && arm64

package main

import _ "embed"

// embeddedBundle is a muscle bundle built into the image, for boards with
// no loader: `make image MUSCLES=FILE` (tools/image Options.Bundle) puts
// FILE in place of the empty kernel/embedded.cpio with go build -overlay.
//
//go:embed embedded.cpio
var embeddedBundle []byte
