//go:build tamago && arm64

package virt

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/usbarmory/tamago/dma"

	"github.com/muscles/referee/board/armv8"
	"github.com/muscles/referee/board/qemu/virt/layout"
)

// The virtio-mmio transport (version 2) the board's virtio drivers share,
// polled, one request at a time on queue 0 (Virtual I/O Device (VIRTIO)
// Version 1.2: 4.2.2 MMIO Device Register Layout, 3.1 Device Initialization,
// 2.7 Split Virtqueues): finding a device by its device ID, the status
// handshake, feature negotiation, the queue in the DMA region, and one
// descriptor chain submitted and waited for. The devices are in
// virtio_rng.go (entropy) and virtio_blk.go (block).
// QEMU offers version 2 only with -global virtio-mmio.force-legacy=false.
//
// The DMA region lies outside the runtime's memory, where TamaGo's MMU maps
// Device-nGnRnE memory: the rings and buffers are accessed with aligned
// loads and stores only. No barriers are issued, as QEMU's emulated core
// makes its accesses in program order (with a device on a real bus, a DSB
// would go before the notify).

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
	vConfigGeneration = 0x0fc
	vConfig           = 0x100      // the device-specific configuration space
	virtioMagic       = 0x74726976 // "virt"
	deviceBlock       = 2
	deviceEntropy     = 4
	statusAcknowledge = 1
	statusDriver      = 2
	statusDriverOK    = 4
	statusFeaturesOK  = 8
	statusFailed      = 128
	featureVersion1   = 1 << 32 // VIRTIO_F_VERSION_1
	descFlagNext      = 1
	descFlagWrite     = 2

	// Each device's area in the DMA region: its queue (queueSize
	// descriptors) and, from bufOffset, its small buffers.
	queueSize   = 4
	descOffset  = 0x000
	availOffset = 0x100
	usedOffset  = 0x200
	bufOffset   = 0x400
	areaSize    = 0x1000
)

var (
	dmaOnce sync.Once
	dmaErr  error
)

// reserveDMA reserves size bytes (aligned to align) in the DMA region,
// which it sets up on first use: once for all the board's devices, as a
// second dma.Init would forget what the first ones reserved.
func reserveDMA(size, align int) (uintptr, error) {
	dmaOnce.Do(func() { dmaErr = dma.Init(layout.DMAStart, layout.DMASize) })
	if dmaErr != nil {
		return 0, dmaErr
	}
	addr, _ := dma.Reserve(size, align)
	return uintptr(addr), nil
}

// virtio is one virtio-mmio transport and its queue 0.
type virtio struct {
	name     string  // the driver's name for errors ("virtio-rng")
	id       uint32  // the device ID
	base     uintptr // the transport's registers
	area     uintptr // its queue and small buffers, in the DMA region
	lastUsed uint16
	broken   error // set once a request went unanswered
}

// findVirtio looks through the virt board's virtio-mmio slots for the
// device with this device ID, from the top slot down: QEMU fills the slots
// from the top (0xa003e00 first), in the order of its -device options.
// It reports found false if there is none.
func findVirtio(id uint32, name string) (v *virtio, found bool, err error) {
	for i := layout.VirtioSlots - 1; i >= 0; i-- {
		base := uintptr(layout.VirtioMMIO + i*layout.VirtioSlotSize)
		if armv8.Read32(base+vMagic) != virtioMagic || armv8.Read32(base+vDeviceID) != id {
			continue
		}
		if ver := armv8.Read32(base + vVersion); ver != 2 {
			return nil, true, fmt.Errorf("%s at %#x is legacy (version %d): start QEMU with -global virtio-mmio.force-legacy=false", name, base, ver)
		}
		return &virtio{name: name, id: id, base: base}, true, nil
	}
	return nil, false, nil
}

func (v *virtio) reg(off uintptr) uintptr { return v.base + off }

// init resets the device and brings it up with the features want (the
// driver accepts those the device offers, and fails unless it offers every
// one of need) and queue 0 in an area of the DMA region. It returns the
// features agreed on.
func (v *virtio) init(want, need uint64) (uint64, error) {
	armv8.Write32(v.reg(vStatus), 0)
	armv8.Write32(v.reg(vStatus), statusAcknowledge)
	armv8.Write32(v.reg(vStatus), statusAcknowledge|statusDriver)
	feat, err := v.negotiate(want, need)
	if err == nil {
		err = v.setupQueue()
	}
	if err != nil {
		armv8.Write32(v.reg(vStatus), statusFailed)
		return 0, err
	}
	armv8.Write32(v.reg(vStatus), statusAcknowledge|statusDriver|statusFeaturesOK|statusDriverOK)
	return feat, nil
}

func (v *virtio) negotiate(want, need uint64) (uint64, error) {
	var offered uint64
	for sel := uint32(0); sel < 2; sel++ {
		armv8.Write32(v.reg(vDeviceFeatSel), sel)
		offered |= uint64(armv8.Read32(v.reg(vDeviceFeatures))) << (32 * sel)
	}
	for bit := 0; bit < 64; bit++ {
		if f := uint64(1) << bit; need&f != 0 && offered&f == 0 {
			return 0, fmt.Errorf("device does not offer %s", featureName(v.id, bit))
		}
	}
	feat := (want | need) & offered
	for sel := uint32(0); sel < 2; sel++ {
		armv8.Write32(v.reg(vDriverFeatSel), sel)
		armv8.Write32(v.reg(vDriverFeatures), uint32(feat>>(32*sel)))
	}
	armv8.Write32(v.reg(vStatus), statusAcknowledge|statusDriver|statusFeaturesOK)
	if armv8.Read32(v.reg(vStatus))&statusFeaturesOK == 0 {
		return 0, errors.New("device refused the feature set")
	}
	return feat, nil
}

// featureName names feature bit for the errors of a device with this ID.
func featureName(id uint32, bit int) string {
	switch {
	case bit == 32:
		return "VIRTIO_F_VERSION_1"
	case id == deviceBlock && bit == blkFeatureFlushBit:
		return "VIRTIO_BLK_F_FLUSH"
	}
	return fmt.Sprintf("feature bit %d", bit)
}

func (v *virtio) setupQueue() error {
	armv8.Write32(v.reg(vQueueSel), 0)
	if max := armv8.Read32(v.reg(vQueueNumMax)); max < queueSize {
		return fmt.Errorf("queue 0 holds %d descriptors, need %d", max, queueSize)
	}
	area, err := reserveDMA(areaSize, areaSize)
	if err != nil {
		return err
	}
	v.area = area
	for off := uintptr(0); off < areaSize; off += 4 {
		armv8.Write32(v.area+off, 0)
	}
	armv8.Write32(v.reg(vQueueNum), queueSize)
	setAddr := func(low uintptr, a uintptr) {
		armv8.Write32(v.reg(low), uint32(a))
		armv8.Write32(v.reg(low+4), uint32(uint64(a)>>32))
	}
	setAddr(vQueueDescLow, v.area+descOffset)
	setAddr(vQueueDriverLow, v.area+availOffset)
	setAddr(vQueueDeviceLow, v.area+usedOffset)
	armv8.Write32(v.reg(vQueueReady), 1)
	return nil
}

// config32 reads the 32-bit word at off in the device configuration space.
func (v *virtio) config32(off uintptr) uint32 { return armv8.Read32(v.reg(vConfig + off)) }

// config64 reads the 64-bit field at off in the device configuration
// space, again if the device changed it between the two halves.
func (v *virtio) config64(off uintptr) uint64 {
	for {
		gen := armv8.Read32(v.reg(vConfigGeneration))
		x := uint64(v.config32(off)) | uint64(v.config32(off+4))<<32
		if armv8.Read32(v.reg(vConfigGeneration)) == gen {
			return x
		}
	}
}

func store16(addr uintptr, v uint16) { *(*uint16)(armv8.Phys(addr)) = v }
func load16(addr uintptr) uint16     { return *(*uint16)(armv8.Phys(addr)) }

// buffer is one descriptor of a chain: len bytes at addr, which the device
// reads, or writes if write is set.
type buffer struct {
	addr  uintptr
	len   uint32
	write bool
}

// submit hands the chain of buffers (at most queueSize) to the device and
// waits up to timeout ns of guest time for it to be used; it returns how
// many bytes the device says it wrote. A request left unanswered leaves the
// queue in the device's hands, so every later one fails too.
func (v *virtio) submit(chain []buffer, timeout int64) (uint32, error) {
	if v.broken != nil {
		return 0, v.broken
	}
	if len(chain) == 0 || len(chain) > queueSize {
		return 0, fmt.Errorf("%s: a chain of %d descriptors (the queue holds %d)", v.name, len(chain), queueSize)
	}
	for i, b := range chain {
		desc := v.area + descOffset + 16*uintptr(i)
		var flags uint32
		if b.write {
			flags |= descFlagWrite
		}
		if i+1 < len(chain) {
			flags |= descFlagNext | uint32(i+1)<<16
		}
		armv8.Write32(desc, uint32(b.addr))
		armv8.Write32(desc+4, uint32(uint64(b.addr)>>32))
		armv8.Write32(desc+8, b.len)
		armv8.Write32(desc+12, flags) // flags, next
	}

	avail := v.area + availOffset
	idx := load16(avail + 2)
	store16(avail+4+2*uintptr(idx%queueSize), 0) // the chain's head
	store16(avail+2, idx+1)
	armv8.Write32(v.reg(vQueueNotify), 0)

	used := v.area + usedOffset
	deadline := nanotime() + timeout
	for load16(used+2) == v.lastUsed {
		if nanotime() > deadline {
			v.broken = fmt.Errorf("%s: no answer within %v", v.name, time.Duration(timeout))
			return 0, v.broken
		}
	}
	elem := used + 4 + 8*uintptr(v.lastUsed%queueSize)
	head, n := armv8.Read32(elem), armv8.Read32(elem+4)
	v.lastUsed++
	armv8.Write32(v.reg(vInterruptACK), armv8.Read32(v.reg(vInterruptStatus)))
	if head != 0 {
		return 0, fmt.Errorf("%s: device returned descriptor %d, not the chain at 0", v.name, head)
	}
	return n, nil
}
