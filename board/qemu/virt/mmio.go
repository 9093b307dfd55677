//go:build tamago && arm64

package virt

import "unsafe"

// phys turns a physical address outside the Go heap (a device register, the
// DTB, the DMA region) into a pointer. There is no translation: the MMU maps
// memory one to one.
//
//go:nosplit
func phys(addr uintptr) unsafe.Pointer {
	return unsafe.Add(unsafe.Pointer(nil), addr)
}

// Device registers are read and written with single aligned accesses.

//go:nosplit
func mmioRead32(addr uintptr) uint32 {
	return *(*uint32)(phys(addr))
}

//go:nosplit
func mmioWrite32(addr uintptr, v uint32) {
	*(*uint32)(phys(addr)) = v
}
