//go:build tamago && arm64

package virt

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"unsafe"

	"github.com/muscles/referee/board/armv8"
	"github.com/muscles/referee/board/fdt"
	"github.com/muscles/referee/board/qemu/virt/layout"
)

// DeviceTree is what the DTB that QEMU passed says about the machine, read
// to confirm the link-time layout, never to change it.
type DeviceTree struct {
	Size         int
	MemStart     uint64
	MemSize      uint64
	UARTFound    bool
	VirtioSlots  int
	SecureChosen bool
}

// ReadDeviceTree parses the DTB at layout.DTBStart.
func ReadDeviceTree() (DeviceTree, error) {
	raw := unsafe.Slice((*byte)(armv8.Phys(layout.DTBStart)), layout.DTBMax)
	t, err := fdt.Parse(raw)
	if err != nil {
		return DeviceTree{}, fmt.Errorf("device tree at %#x: %w", layout.DTBStart, err)
	}
	dt := DeviceTree{Size: t.Size()}
	uart := fmt.Sprintf("pl011@%x", layout.UART0)
	err = t.Walk(func(depth int, node, prop, value []byte) bool {
		if depth != 1 {
			return true
		}
		switch {
		case bytes.HasPrefix(node, []byte("memory@")) && string(prop) == "reg" && len(value) >= 16:
			dt.MemStart = binary.BigEndian.Uint64(value)
			dt.MemSize = binary.BigEndian.Uint64(value[8:])
		case string(node) == uart && string(prop) == "reg":
			dt.UARTFound = true
		case bytes.HasPrefix(node, []byte("virtio_mmio@")) && string(prop) == "reg":
			dt.VirtioSlots++
		case string(node) == "secure-chosen":
			dt.SecureChosen = true
		}
		return true
	})
	if err != nil {
		return dt, fmt.Errorf("device tree at %#x: %w", layout.DTBStart, err)
	}
	return dt, nil
}

// Check reports whether the DTB agrees with the layout the image was linked
// for.
func (dt DeviceTree) Check() error {
	if dt.MemStart > layout.RAMStart || dt.MemStart+dt.MemSize < layout.KeyRecordStart {
		return fmt.Errorf("RAM %#x-%#x does not cover the runtime and key regions %#x-%#x (is QEMU started with -m 2G?)",
			dt.MemStart, dt.MemStart+dt.MemSize, layout.RAMStart, layout.KeyRecordStart)
	}
	if !dt.UARTFound {
		return fmt.Errorf("no pl011@%x in the device tree", layout.UART0)
	}
	return nil
}
