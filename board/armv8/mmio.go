//go:build tamago && arm64

package armv8

import "unsafe"

// Phys turns a physical address outside the Go heap (a device register, the
// DTB, the key or bundle region) into a pointer. There is no translation:
// TamaGo's MMU maps memory one to one.
//
//go:nosplit
func Phys(addr uintptr) unsafe.Pointer {
	return unsafe.Add(unsafe.Pointer(nil), addr)
}

// Device registers are read and written with single aligned accesses.

// Read32 reads the 32-bit register at addr.
//
//go:nosplit
func Read32(addr uintptr) uint32 {
	return *(*uint32)(Phys(addr))
}

// Write32 writes the 32-bit register at addr.
//
//go:nosplit
func Write32(addr uintptr, v uint32) {
	*(*uint32)(Phys(addr)) = v
}
