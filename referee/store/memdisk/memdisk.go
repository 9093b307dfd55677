// Package memdisk is a block device in memory for the sealed store's
// tests and benchmarks (board.BlockDevice): it keeps unflushed writes in a
// volatile cache, counts the operations that change the medium (one per
// block written, one per flush), loses power before a chosen operation,
// and at the cut applies any subset of the unflushed writes, in any
// order, each possibly torn; it can also fail writes or drop them
// silently.
package memdisk

import (
	"errors"
	"fmt"
	"math/rand/v2"
)

// ErrPowerLost is what every operation returns once the power is cut.
var ErrPowerLost = errors.New("memdisk: power lost")

// Disk is the device.
type Disk struct {
	bs      int
	durable []byte
	pending []write // unflushed block writes, in the order issued
	ops     int
	// CutAt is the operation (counting from 0) before which the power
	// goes; negative: never.
	CutAt int
	cut   bool
	// FailWrites makes WriteBlocks fail; DropWrites makes it report
	// success and do nothing; FailFlush makes Flush fail.
	FailWrites, DropWrites, FailFlush bool
	// Reads counts ReadBlocks calls.
	Reads int
}

type write struct {
	lba  uint64
	data []byte
}

// New is a zeroed disk of blocks blocks of bs bytes.
func New(blocks, bs int) *Disk {
	return &Disk{bs: bs, durable: make([]byte, blocks*bs), CutAt: -1}
}

// Clone is a disk powered on with a copy of d's medium (not its cache):
// no operations counted, no cut set, no faults.
func (d *Disk) Clone() *Disk {
	return &Disk{bs: d.bs, durable: append([]byte(nil), d.durable...), CutAt: -1}
}

func (d *Disk) Name() string      { return fmt.Sprintf("memdisk, %d KiB", len(d.durable)>>10) }
func (d *Disk) BlockSize() int    { return d.bs }
func (d *Disk) Blocks() uint64    { return uint64(len(d.durable) / d.bs) }
func (d *Disk) Ops() int          { return d.ops }
func (d *Disk) Bytes() []byte     { return d.durable }
func (d *Disk) Pending() int      { return len(d.pending) }
func (d *Disk) SetBytes(b []byte) { copy(d.durable, b) }

func (d *Disk) span(lba uint64, b []byte) error {
	if len(b)%d.bs != 0 || lba > d.Blocks() || uint64(len(b)/d.bs) > d.Blocks()-lba {
		return fmt.Errorf("memdisk: %d bytes at block %d outside a %d-block disk", len(b), lba, d.Blocks())
	}
	return nil
}

// op counts one operation, cutting the power at CutAt.
func (d *Disk) op() error {
	if d.cut {
		return ErrPowerLost
	}
	if d.ops == d.CutAt {
		d.cut = true
		return ErrPowerLost
	}
	d.ops++
	return nil
}

// ReadBlocks reads what a reader would see: the medium with the cache on
// top.
func (d *Disk) ReadBlocks(lba uint64, b []byte) error {
	if d.cut {
		return ErrPowerLost
	}
	if err := d.span(lba, b); err != nil {
		return err
	}
	d.Reads++
	off := int(lba) * d.bs
	copy(b, d.durable[off:])
	for _, w := range d.pending {
		wo := int(w.lba) * d.bs
		if wo+d.bs > off && wo < off+len(b) {
			copy(b[wo-off:], w.data)
		}
	}
	return nil
}

// WriteBlocks writes block by block into the cache.
func (d *Disk) WriteBlocks(lba uint64, b []byte) error {
	if err := d.span(lba, b); err != nil {
		return err
	}
	if d.FailWrites {
		return errors.New("memdisk: write error")
	}
	for i := 0; i < len(b); i += d.bs {
		if err := d.op(); err != nil {
			return err
		}
		if !d.DropWrites {
			d.pending = append(d.pending, write{lba + uint64(i/d.bs), append([]byte(nil), b[i:i+d.bs]...)})
		}
	}
	return nil
}

// Flush makes every cached write durable.
func (d *Disk) Flush() error {
	if d.FailFlush {
		return errors.New("memdisk: flush error")
	}
	if err := d.op(); err != nil {
		return err
	}
	for _, w := range d.pending {
		copy(d.durable[int(w.lba)*d.bs:], w.data)
	}
	d.pending = nil
	return nil
}

// Cut is how the cache is left at a power cut.
type Cut int

const (
	// LoseCache: no unflushed write reaches the medium.
	LoseCache Cut = iota
	// KeepCache: every unflushed write reaches it, in order.
	KeepCache
	// Scramble: a random subset reaches it, in random order, each write
	// torn (only a random prefix of the block written) with probability
	// one half.
	Scramble
)

// PowerCycle applies the cut to the cache and powers the disk back on:
// the operation count restarts and CutAt is cleared.
func (d *Disk) PowerCycle(how Cut, rng *rand.Rand) {
	switch how {
	case KeepCache:
		for _, w := range d.pending {
			copy(d.durable[int(w.lba)*d.bs:], w.data)
		}
	case Scramble:
		rng.Shuffle(len(d.pending), func(i, j int) { d.pending[i], d.pending[j] = d.pending[j], d.pending[i] })
		for _, w := range d.pending {
			if rng.IntN(2) == 0 {
				continue
			}
			n := d.bs
			if rng.IntN(2) == 0 {
				n = rng.IntN(d.bs)
			}
			copy(d.durable[int(w.lba)*d.bs:], w.data[:n])
		}
	}
	d.pending, d.cut, d.ops, d.CutAt = nil, false, 0, -1
}

// FromBytes is a disk holding b (whole blocks of bs bytes), for tools
// that read a state disk file.
func FromBytes(b []byte, bs int) (*Disk, error) {
	if bs <= 0 || len(b)%bs != 0 {
		return nil, fmt.Errorf("memdisk: %d bytes are not whole %d-byte blocks", len(b), bs)
	}
	return &Disk{bs: bs, durable: b, CutAt: -1}, nil
}
