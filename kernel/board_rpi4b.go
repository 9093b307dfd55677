//go:build tamago && arm64 && rpi4b

package main

import (
	"github.com/muscles/referee/board"
	"github.com/muscles/referee/board/raspberrypi/rpi4b"
)

// theBoard is the Raspberry Pi 4 Model B (make image BOARD=rpi4b).
var theBoard board.Board = rpi4b.New()
