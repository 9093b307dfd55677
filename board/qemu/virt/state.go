//go:build tamago && arm64

package virt

import (
	"sync"

	"github.com/muscles/referee/board"
)

var (
	stateOnce sync.Once
	stateDev  *virtioBlk
	stateErr  error
)

// StateDevice is the virtio block device (virtio_blk.go), found and
// initialised on the first call; later calls return the same device, or
// the same error.
func (Board) StateDevice() (board.BlockDevice, error) {
	stateOnce.Do(func() { stateDev, stateErr = findVirtioBlk() })
	if stateErr != nil {
		return nil, stateErr
	}
	return stateDev, nil
}
