//go:build tamago && arm64 && imx8mpevk

package main

import (
	"github.com/muscles/referee/board"
	"github.com/muscles/referee/board/nxp/imx8mpevk"
)

// theBoard is the NXP 8MPLUSLPD4-EVK (make image BOARD=imx8mpevk).
var theBoard board.Board = imx8mpevk.New()
