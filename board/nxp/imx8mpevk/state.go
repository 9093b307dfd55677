//go:build tamago && arm64

package imx8mpevk

import (
	"errors"

	"github.com/muscles/referee/board"
)

// StateDevice is not written yet.
func (Board) StateDevice() (board.BlockDevice, error) {
	return nil, errors.New("state device: not written yet")
}
