//go:build tamago && arm64 && !imx8mpevk && !rpi4b

package main

import (
	"github.com/muscles/referee/board"
	"github.com/muscles/referee/board/qemu/virt"
)

// theBoard is QEMU's virt, the default (make image BOARD=virt).
var theBoard board.Board = virt.New()
