package keeper

import (
	"fmt"

	"github.com/muscles/referee/board"
)

// metered is the medium with the time spent inside its calls counted, so
// that what the store costs (sealing, hashing, checking) can be told from
// what the device takes (under QEMU, how long the host takes to answer,
// which the guest spends polling and which varies with the host's load).
type metered struct {
	board.BlockDevice
	now   func() int64
	spent int64
}

func (m *metered) time(f func() error) error {
	t0 := m.now()
	err := f()
	m.spent += m.now() - t0
	return err
}

func (m *metered) ReadBlocks(lba uint64, b []byte) error {
	return m.time(func() error { return m.BlockDevice.ReadBlocks(lba, b) })
}

func (m *metered) WriteBlocks(lba uint64, b []byte) error {
	return m.time(func() error { return m.BlockDevice.WriteBlocks(lba, b) })
}

func (m *metered) Flush() error { return m.time(m.BlockDevice.Flush) }

// cost is a span of guest time and the part of it spent in the device.
type cost struct{ total, device int64 }

func (c cost) String() string {
	return fmt.Sprintf("took %d ns, %d of them in the device", c.total, c.device)
}
