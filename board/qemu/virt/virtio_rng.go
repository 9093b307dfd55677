//go:build tamago && arm64

package virt

import (
	"errors"
	"fmt"

	"github.com/muscles/referee/board/armv8"
)

// The virtio entropy device (VIRTIO 1.2: 5.4 Entropy Device) on the shared
// virtio-mmio transport (virtio.go): one device-writable buffer a request.
// rng.go feeds it to the DRBG.

const (
	rngBufOffset = bufOffset // the request buffer, in the device's area
	rngBufSize   = 256
	rngTimeout   = 1e9 // ns
)

var errNoEntropyDevice = errors.New("no virtio entropy device")

// virtioRNG is one virtio-mmio entropy device.
type virtioRNG struct {
	*virtio
}

// findVirtioRNG finds the virt board's entropy device and initialises it.
func findVirtioRNG() (*virtioRNG, error) {
	v, found, err := findVirtio(deviceEntropy, "virtio-rng")
	switch {
	case err != nil:
		return nil, err
	case !found:
		return nil, errNoEntropyDevice
	}
	if _, err := v.init(featureVersion1, featureVersion1); err != nil {
		return nil, fmt.Errorf("virtio-rng at %#x: %w", v.base, err)
	}
	return &virtioRNG{v}, nil
}

// read fills b (at most rngBufSize bytes per request) with entropy.
func (d *virtioRNG) read(b []byte) error {
	buf := d.area + rngBufOffset
	for len(b) > 0 {
		n := min(len(b), rngBufSize)
		// One descriptor: the device writes n bytes at buf.
		got, err := d.submit([]buffer{{addr: buf, len: uint32(n), write: true}}, rngTimeout)
		if err != nil {
			return err
		}
		if got == 0 || got > uint32(n) {
			return fmt.Errorf("virtio-rng: device returned %d bytes for a %d-byte request", got, n)
		}
		for i := 0; i < int(got); i++ {
			b[i] = *(*byte)(armv8.Phys(buf + uintptr(i)))
		}
		b = b[got:]
	}
	return nil
}
