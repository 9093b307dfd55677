//go:build tamago && arm64

package rpi4b

import (
	"errors"

	"github.com/muscles/referee/board"
)

// StateDevice: the referee does not drive the Pi 4's EMMC2 controller
// yet, so this board keeps no sealed state (the banner says so).
func (Board) StateDevice() (board.BlockDevice, error) {
	return nil, errors.New("no driver for this board's SD card (EMMC2) yet: trained state and version floors last until power-off")
}
