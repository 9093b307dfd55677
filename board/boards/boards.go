// Package boards lists the boards the referee is built for, for the host
// tools: each board's memory map (its layout package) and the build tags
// that select it in ./kernel. The image builder and the QEMU launcher take
// a board's name (make image BOARD=NAME) and find it here.
package boards

import (
	"fmt"
	"strings"

	"github.com/muscles/referee/board"
	imx8mpevk "github.com/muscles/referee/board/nxp/imx8mpevk/layout"
	virt "github.com/muscles/referee/board/qemu/virt/layout"
	rpi4b "github.com/muscles/referee/board/raspberrypi/rpi4b/layout"
)

// Target is one board the image can be built for.
type Target struct {
	// Name is the board's name for BOARD=.
	Name string
	// Layout is its memory map.
	Layout *board.Layout
	// Tags are the build tags that select it in ./kernel.
	Tags []string
	// Summary describes it in one line.
	Summary string
}

// Default is the board make image builds without BOARD=.
const Default = "virt"

// All lists every board, the default first.
var All = []Target{
	{Name: "virt", Layout: virt.Layout, Summary: "QEMU's virt machine (Cortex-A53, GICv3, EL3)"},
	{Name: "imx8mpevk", Layout: imx8mpevk.Layout, Tags: []string{"imx8mpevk", "linkramsize"},
		Summary: "NXP 8MPLUSLPD4-EVK (i.MX 8M Plus, Cortex-A53); tested under QEMU's imx8mp-evk"},
	{Name: "rpi4b", Layout: rpi4b.Layout, Tags: []string{"rpi4b", "linkcpuinit"},
		Summary: "Raspberry Pi 4 Model B (BCM2711, Cortex-A72, GIC-400); tested under QEMU's raspi4b; make sdcard writes its SD card"},
}

// Lookup finds a board by name; "" is the default.
func Lookup(name string) (Target, error) {
	if name == "" {
		name = Default
	}
	var names []string
	for _, t := range All {
		if t.Name == name {
			return t, nil
		}
		names = append(names, t.Name)
	}
	return Target{}, fmt.Errorf("unknown board %q (boards: %s)", name, strings.Join(names, ", "))
}
