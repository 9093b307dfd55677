//go:build tamago && arm64

package imx8mpevk

import (
	"github.com/muscles/referee/board/armv8"
	"github.com/muscles/referee/board/nxp/imx8mpevk/layout"
)

// UART1 receive registers (IMX8MPRM 16.2.14 "UART Memory Map/Register
// Definition": URXD at 0x00, USR2 at 0x98).
const (
	urxd     = 0x00
	usr2     = 0x98
	usr2RDR  = 1 << 0 // receive data ready
	urxdData = 0xff
)

// readConsole returns the next byte received on UART1, if any.
//
// Under QEMU 10.0.2's imx8mp-evk, once a muscle call has held the CPU
// while input arrived from a file, many later bytes come with URXD's ERR
// and OVRRUN flags set (measured: 28 of the 60 bytes of a short script,
// URXD 0xe02d for '-'), though their data bits are right and nothing is
// missing between them; clearing USR2.ORE does not stop it. TamaGo's
// uart.Rx drops every flagged byte, which cut commands to pieces
// ("train relu_mlp ..." arrived as "tr lu_l1-,530., 5ff"). The console
// keeps the byte.
func readConsole() (byte, bool) {
	if armv8.Read32(layout.UART1+usr2)&usr2RDR == 0 {
		return 0, false
	}
	return byte(armv8.Read32(layout.UART1+urxd) & urxdData), true
}
