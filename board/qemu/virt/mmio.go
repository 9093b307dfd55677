//go:build tamago && arm64

package virt

import "unsafe"

// Device registers are read and written with single aligned accesses.

//go:nosplit
func mmioRead32(addr uintptr) uint32 {
	return *(*uint32)(unsafe.Pointer(addr))
}

//go:nosplit
func mmioWrite32(addr uintptr, v uint32) {
	*(*uint32)(unsafe.Pointer(addr)) = v
}
