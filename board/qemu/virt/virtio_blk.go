//go:build tamago && arm64

package virt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/muscles/referee/board"
	"github.com/muscles/referee/board/armv8"
)

// The virtio block device (VIRTIO 1.2: 5.2 Block Device) on the shared
// virtio-mmio transport (virtio.go), the board's state medium: requests of
// three descriptors (header, data, status byte; a flush has no data), one
// at a time, through a bounce buffer in the DMA region; bigger reads and
// writes go in chunks of the buffer's size. The driver insists on
// VIRTIO_BLK_F_FLUSH, as the sealed store's crash consistency rests on
// Flush.

const (
	blkFeatureSizeMax  = 1 << 1 // VIRTIO_BLK_F_SIZE_MAX: size_max limits a data buffer
	blkFeatureRO       = 1 << 5 // VIRTIO_BLK_F_RO
	blkFeatureFlushBit = 9
	blkFeatureFlush    = 1 << blkFeatureFlushBit // VIRTIO_BLK_F_FLUSH

	blkConfigCapacity = 0x00 // u64, in 512-byte sectors
	blkConfigSizeMax  = 0x08 // u32, bytes

	blkTypeIn    = 0
	blkTypeOut   = 1
	blkTypeFlush = 4

	blkStatusOK     = 0
	blkStatusIOErr  = 1
	blkStatusUnsupp = 2

	blkSectorSize   = 512
	blkBounceSize   = 64 << 10
	blkHeaderOffset = bufOffset      // the 16-byte request header, in the device's area
	blkStatusOffset = bufOffset + 16 // the status byte
	// blkTimeout is how long a request may take (guest time; under
	// -icount, instructions the core spins while it waits).
	blkTimeout = 10e9 // ns
)

// virtioBlk is one virtio-mmio block device.
type virtioBlk struct {
	*virtio
	sectors uint64  // capacity, in 512-byte sectors
	bounce  uintptr // the data buffer, in the DMA region
	chunk   int     // bytes a request moves at most
	mu      sync.Mutex
}

var _ board.BlockDevice = (*virtioBlk)(nil)

// findVirtioBlk finds the virt board's block device (the first on QEMU's
// command line) and initialises it.
func findVirtioBlk() (*virtioBlk, error) {
	v, found, err := findVirtio(deviceBlock, "virtio-blk")
	switch {
	case err != nil:
		return nil, err
	case !found:
		return nil, errors.New("no virtio block device (QEMU: -drive if=none,id=state,format=raw,file=F -device virtio-blk-device,drive=state)")
	}
	d := &virtioBlk{virtio: v}
	if err := d.init(); err != nil {
		return nil, fmt.Errorf("virtio-blk at %#x: %w", v.base, err)
	}
	return d, nil
}

func (d *virtioBlk) init() (err error) {
	feat, err := d.virtio.init(blkFeatureSizeMax, featureVersion1|blkFeatureFlush)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			armv8.Write32(d.reg(vStatus), statusFailed)
		}
	}()
	// The driver does not accept VIRTIO_BLK_F_RO; the device says with it
	// that writes will fail.
	armv8.Write32(d.reg(vDeviceFeatSel), 0)
	if armv8.Read32(d.reg(vDeviceFeatures))&blkFeatureRO != 0 {
		return errors.New("the device is read-only")
	}
	d.sectors = d.config64(blkConfigCapacity)
	if d.sectors == 0 {
		return errors.New("the device holds no blocks")
	}
	d.chunk = blkBounceSize
	if feat&blkFeatureSizeMax != 0 {
		if limit := int(d.config32(blkConfigSizeMax)) &^ (blkSectorSize - 1); limit < d.chunk {
			d.chunk = limit
		}
		if d.chunk == 0 {
			return fmt.Errorf("the device takes data buffers of %d bytes at most, less than a block", d.config32(blkConfigSizeMax))
		}
	}
	d.bounce, err = reserveDMA(blkBounceSize, 4096)
	return err
}

// Name describes the device ("virtio-blk at 0xa003c00, 16 MiB").
func (d *virtioBlk) Name() string {
	n := d.sectors * blkSectorSize
	size := fmt.Sprintf("%d bytes", n)
	switch {
	case n%(1<<20) == 0:
		size = fmt.Sprintf("%d MiB", n>>20)
	case n%(1<<10) == 0:
		size = fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("virtio-blk at %#x, %s", d.base, size)
}

// BlockSize is the virtio sector, 512 bytes.
func (d *virtioBlk) BlockSize() int { return blkSectorSize }

// Blocks is the device's capacity in blocks.
func (d *virtioBlk) Blocks() uint64 { return d.sectors }

// ReadBlocks fills b (a whole number of blocks) from block lba on.
func (d *virtioBlk) ReadBlocks(lba uint64, b []byte) error {
	return d.transfer(blkTypeIn, lba, b)
}

// WriteBlocks writes b (a whole number of blocks) from block lba on; the
// blocks are durable once Flush returns.
func (d *virtioBlk) WriteBlocks(lba uint64, b []byte) error {
	return d.transfer(blkTypeOut, lba, b)
}

// Flush returns once the device has made every completed write durable.
func (d *virtioBlk) Flush() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.request(blkTypeFlush, 0, 0)
}

func (d *virtioBlk) transfer(typ uint32, lba uint64, b []byte) error {
	op := "read"
	if typ == blkTypeOut {
		op = "write"
	}
	if len(b)%blkSectorSize != 0 {
		return fmt.Errorf("virtio-blk: %s of %d bytes, not a whole number of %d-byte blocks", op, len(b), blkSectorSize)
	}
	count := uint64(len(b) / blkSectorSize)
	if lba > d.sectors || count > d.sectors-lba {
		return fmt.Errorf("virtio-blk: %s of %d bytes at block %d runs past the end of the device (%d blocks)", op, len(b), lba, d.sectors)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for len(b) > 0 {
		n := min(len(b), d.chunk)
		if typ == blkTypeOut {
			copyToPhys(d.bounce, b[:n])
		}
		if err := d.request(typ, lba, n); err != nil {
			return fmt.Errorf("%w (%s of %d bytes at block %d)", err, op, n, lba)
		}
		if typ == blkTypeIn {
			copyFromPhys(b[:n], d.bounce)
		}
		b = b[n:]
		lba += uint64(n / blkSectorSize)
	}
	return nil
}

// request runs one request of type typ at sector with n bytes of the
// bounce buffer (none for a flush) and checks its status byte.
func (d *virtioBlk) request(typ uint32, sector uint64, n int) error {
	hdr := d.area + blkHeaderOffset
	status := d.area + blkStatusOffset
	armv8.Write32(hdr, typ)
	armv8.Write32(hdr+4, 0)
	armv8.Write32(hdr+8, uint32(sector))
	armv8.Write32(hdr+12, uint32(sector>>32))
	*(*byte)(armv8.Phys(status)) = 0xff

	chain := []buffer{{addr: hdr, len: 16}}
	if n > 0 {
		chain = append(chain, buffer{addr: d.bounce, len: uint32(n), write: typ == blkTypeIn})
	}
	chain = append(chain, buffer{addr: status, len: 1, write: true})
	if _, err := d.submit(chain, blkTimeout); err != nil {
		return err
	}
	switch s := *(*byte)(armv8.Phys(status)); s {
	case blkStatusOK:
		return nil
	case blkStatusIOErr:
		return errors.New("virtio-blk: I/O error")
	case blkStatusUnsupp:
		return errors.New("virtio-blk: request not supported")
	default:
		return fmt.Errorf("virtio-blk: request status %#x", s)
	}
}

// copyToPhys copies src (a multiple of 8 bytes) to dst in the DMA region
// (8-byte aligned) with aligned 8-byte stores.
func copyToPhys(dst uintptr, src []byte) {
	for i := 0; i+8 <= len(src); i += 8 {
		*(*uint64)(armv8.Phys(dst + uintptr(i))) = binary.LittleEndian.Uint64(src[i:])
	}
}

// copyFromPhys fills dst (a multiple of 8 bytes) from src in the DMA region
// (8-byte aligned) with aligned 8-byte loads.
func copyFromPhys(dst []byte, src uintptr) {
	for i := 0; i+8 <= len(dst); i += 8 {
		binary.LittleEndian.PutUint64(dst[i:], *(*uint64)(armv8.Phys(src + uintptr(i))))
	}
}
