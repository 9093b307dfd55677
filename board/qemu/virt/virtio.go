//go:build tamago && arm64

package virt

import (
	"errors"
	"fmt"

	"github.com/usbarmory/tamago/dma"

	"github.com/muscles/referee/board/armv8"
	"github.com/muscles/referee/board/qemu/virt/layout"
)

// A minimal virtio-mmio (version 2) driver for the entropy device, polled,
// one request at a time (Virtual I/O Device (VIRTIO) Version 1.2: 4.2.2 MMIO
// Device Register Layout, 2.7 Split Virtqueues, 5.4 Entropy Device).
// QEMU 7.2 offers version 2 only with -global virtio-mmio.force-legacy=false.

const (
	vMagic            = 0x000
	vVersion          = 0x004
	vDeviceID         = 0x008
	vDeviceFeatures   = 0x010
	vDeviceFeatSel    = 0x014
	vDriverFeatures   = 0x020
	vDriverFeatSel    = 0x024
	vQueueSel         = 0x030
	vQueueNumMax      = 0x034
	vQueueNum         = 0x038
	vQueueReady       = 0x044
	vQueueNotify      = 0x050
	vInterruptStatus  = 0x060
	vInterruptACK     = 0x064
	vStatus           = 0x070
	vQueueDescLow     = 0x080
	vQueueDescHigh    = 0x084
	vQueueDriverLow   = 0x090
	vQueueDriverHigh  = 0x094
	vQueueDeviceLow   = 0x0a0
	vQueueDeviceHigh  = 0x0a4
	virtioMagic       = 0x74726976 // "virt"
	deviceEntropy     = 4
	statusAcknowledge = 1
	statusDriver      = 2
	statusDriverOK    = 4
	statusFeaturesOK  = 8
	featureVersion1   = 1 << (32 - 32) // VIRTIO_F_VERSION_1, in the second feature word
	descFlagWrite     = 2

	queueSize   = 4
	descOffset  = 0x000
	availOffset = 0x100
	usedOffset  = 0x200
	bufOffset   = 0x400
	bufSize     = 256
	areaSize    = 0x1000
)

var errNoEntropyDevice = errors.New("no virtio entropy device")

// virtioRNG is one virtio-mmio entropy device.
type virtioRNG struct {
	base     uintptr // the transport's registers
	area     uintptr // its queue and buffer, in the DMA region
	lastUsed uint16
}

// findVirtioRNG probes the virt board's virtio-mmio slots for an entropy
// device and initialises the first one found.
func findVirtioRNG() (*virtioRNG, error) {
	for i := 0; i < layout.VirtioSlots; i++ {
		base := uintptr(layout.VirtioMMIO + i*layout.VirtioSlotSize)
		if armv8.Read32(base+vMagic) != virtioMagic || armv8.Read32(base+vDeviceID) != deviceEntropy {
			continue
		}
		if v := armv8.Read32(base + vVersion); v != 2 {
			return nil, fmt.Errorf("virtio-rng at %#x is legacy (version %d): start QEMU with -global virtio-mmio.force-legacy=false", base, v)
		}
		d := &virtioRNG{base: base}
		if err := d.init(); err != nil {
			return nil, fmt.Errorf("virtio-rng at %#x: %w", base, err)
		}
		return d, nil
	}
	return nil, errNoEntropyDevice
}

func (d *virtioRNG) reg(off uintptr) uintptr { return d.base + off }

func (d *virtioRNG) init() error {
	armv8.Write32(d.reg(vStatus), 0)
	armv8.Write32(d.reg(vStatus), statusAcknowledge)
	armv8.Write32(d.reg(vStatus), statusAcknowledge|statusDriver)

	armv8.Write32(d.reg(vDeviceFeatSel), 1)
	if armv8.Read32(d.reg(vDeviceFeatures))&featureVersion1 == 0 {
		return errors.New("device does not offer VIRTIO_F_VERSION_1")
	}
	armv8.Write32(d.reg(vDriverFeatSel), 1)
	armv8.Write32(d.reg(vDriverFeatures), featureVersion1)
	armv8.Write32(d.reg(vDriverFeatSel), 0)
	armv8.Write32(d.reg(vDriverFeatures), 0)
	armv8.Write32(d.reg(vStatus), statusAcknowledge|statusDriver|statusFeaturesOK)
	if armv8.Read32(d.reg(vStatus))&statusFeaturesOK == 0 {
		return errors.New("device refused the feature set")
	}

	armv8.Write32(d.reg(vQueueSel), 0)
	if max := armv8.Read32(d.reg(vQueueNumMax)); max < queueSize {
		return fmt.Errorf("queue 0 holds %d descriptors, need %d", max, queueSize)
	}
	if err := dma.Init(layout.DMAStart, layout.DMASize); err != nil {
		return err
	}
	addr, _ := dma.Reserve(areaSize, areaSize)
	d.area = uintptr(addr)
	for off := uintptr(0); off < areaSize; off += 4 {
		armv8.Write32(d.area+off, 0)
	}
	armv8.Write32(d.reg(vQueueNum), queueSize)
	setAddr := func(low uintptr, a uintptr) {
		armv8.Write32(d.reg(low), uint32(a))
		armv8.Write32(d.reg(low+4), uint32(uint64(a)>>32))
	}
	setAddr(vQueueDescLow, d.area+descOffset)
	setAddr(vQueueDriverLow, d.area+availOffset)
	setAddr(vQueueDeviceLow, d.area+usedOffset)
	armv8.Write32(d.reg(vQueueReady), 1)
	armv8.Write32(d.reg(vStatus), statusAcknowledge|statusDriver|statusFeaturesOK|statusDriverOK)
	return nil
}

func store16(addr uintptr, v uint16) { *(*uint16)(armv8.Phys(addr)) = v }
func load16(addr uintptr) uint16     { return *(*uint16)(armv8.Phys(addr)) }

// read fills b (at most bufSize bytes per request) with entropy.
func (d *virtioRNG) read(b []byte) error {
	for len(b) > 0 {
		n := min(len(b), bufSize)
		buf := d.area + bufOffset
		// One descriptor: the device writes n bytes at buf.
		desc := d.area + descOffset
		armv8.Write32(desc, uint32(buf))
		armv8.Write32(desc+4, uint32(uint64(buf)>>32))
		armv8.Write32(desc+8, uint32(n))
		armv8.Write32(desc+12, descFlagWrite) // flags = WRITE, next = 0

		avail := d.area + availOffset
		idx := load16(avail + 2)
		store16(avail+4+2*uintptr(idx%queueSize), 0)
		store16(avail+2, idx+1)
		armv8.Write32(d.reg(vQueueNotify), 0)

		used := d.area + usedOffset
		deadline := nanotime() + 1e9
		for load16(used+2) == d.lastUsed {
			if nanotime() > deadline {
				return errors.New("virtio-rng: no answer within a second")
			}
		}
		elem := used + 4 + 8*uintptr(d.lastUsed%queueSize)
		got := int(armv8.Read32(elem + 4))
		d.lastUsed++
		armv8.Write32(d.reg(vInterruptACK), armv8.Read32(d.reg(vInterruptStatus)))
		if got <= 0 || got > n {
			return fmt.Errorf("virtio-rng: device returned %d bytes for a %d-byte request", got, n)
		}
		for i := 0; i < got; i++ {
			b[i] = *(*byte)(armv8.Phys(buf + uintptr(i)))
		}
		b = b[got:]
	}
	return nil
}
