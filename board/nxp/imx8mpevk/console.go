//go:build tamago && arm64

package imx8mpevk

import (
	"github.com/muscles/referee/board/armv8"
	"github.com/muscles/referee/board/nxp/imx8mpevk/layout"
)

// UART1 receive registers (IMX8MPRM 16.2.14 "UART Memory Map/Register
// Definition": URXD at 0x00, USR2 at 0x98).
const (
	urxd        = 0x00
	usr2        = 0x98
	usr2RDR     = 1 << 0  // receive data ready
	urxdErrMask = 1 << 14 // ERR: one of the error bits below is set
	urxdData    = 0xff
)

// rxErrors counts bytes received with an error flag (overrun, framing,
// parity, break); they are kept, not dropped.
var rxErrors uint64

// readConsole returns the next byte received on UART1, if any. TamaGo's
// uart.Rx drops a byte whose URXD error bits are set; the console keeps
// it, so that a flagged overrun does not silently cut a command.
func readConsole() (byte, bool) {
	if armv8.Read32(layout.UART1+usr2)&usr2RDR == 0 {
		return 0, false
	}
	v := armv8.Read32(layout.UART1 + urxd)
	if v&urxdErrMask != 0 {
		rxErrors++
	}
	return byte(v & urxdData), true
}
