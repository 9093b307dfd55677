//go:build tamago && arm64

package imx8mpevk

import (
	"fmt"
	"sync"

	"github.com/muscles/referee/board"
	"github.com/muscles/referee/board/nxp/imx8mpevk/layout"
)

// StateDevice finds the SD card in uSDHC3 (QEMU's -drive if=sd,bus=2) and
// initialises it (usdhc.go). With no card it fails at once under QEMU
// ("no SD card in uSDHC3"), within a few command timeouts on hardware.
func (Board) StateDevice() (board.BlockDevice, error) {
	c, err := openSDCard("uSDHC3", layout.USDHC3, emulated)
	if err != nil {
		return nil, err
	}
	return &sdDevice{c: c}, nil
}

// maxChunk is the most blocks one command moves (BLKCNT is 16 bits); a
// longer request is split.
const maxChunk = 1024

// sdDevice is the card as a board.BlockDevice. Writes are complete on the
// card when it leaves the programming state, which Flush waits for (and
// every command that moves data waits for first).
type sdDevice struct {
	mu sync.Mutex
	c  *sdCard
}

func (d *sdDevice) Name() string {
	return fmt.Sprintf("%s SD card, %d MiB (%s)", d.c.name, d.c.blocks*sdBlockSize>>20, d.c.kind)
}

func (d *sdDevice) BlockSize() int { return sdBlockSize }
func (d *sdDevice) Blocks() uint64 { return d.c.blocks }

func (d *sdDevice) ReadBlocks(lba uint64, b []byte) error  { return d.rw(false, lba, b) }
func (d *sdDevice) WriteBlocks(lba uint64, b []byte) error { return d.rw(true, lba, b) }

// Flush waits until the card reports the transfer state and ready for
// data (CMD13), that is, until every block written has been programmed.
func (d *sdDevice) Flush() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.c.waitTransfer(busyTimeout); err != nil {
		return fmt.Errorf("flush: %w", err)
	}
	return nil
}

func (d *sdDevice) rw(write bool, lba uint64, b []byte) error {
	what := "read"
	if write {
		what = "write"
	}
	if len(b)%sdBlockSize != 0 {
		return fmt.Errorf("%s: %s of %d bytes: not a whole number of %d-byte blocks", d.c.name, what, len(b), sdBlockSize)
	}
	n := uint64(len(b) / sdBlockSize)
	if lba > d.c.blocks || n > d.c.blocks-lba {
		return fmt.Errorf("%s: %d-block %s at block %d: past the end of the card (%d blocks)", d.c.name, n, what, lba, d.c.blocks)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for n > 0 {
		k := min(n, maxChunk)
		if err := d.c.transfer(write, lba, b[:k*sdBlockSize]); err != nil {
			return err
		}
		lba, n, b = lba+k, n-k, b[k*sdBlockSize:]
	}
	return nil
}
