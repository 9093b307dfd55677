// Copyright 2026 The referee authors. Part of the project's bare-metal port.

//go:build tamago

package runtime

import "unsafe"

// sbrk grows the heap, which starts after the program's data and grows up
// towards the boot stack at the top of RAM. Memory is zeroed the first time
// it is handed out (RAM may hold anything after a reset); memFree zeroes what
// comes back.
func sbrk(n uintptr) unsafe.Pointer {
	bl := bloc
	n = memRound(n)
	if bl+n < bl || bl+n > uintptr(g0.stack.lo) {
		return nil
	}
	if bl+n > blocMax {
		if blocMax > bl {
			memclrNoHeapPointers(unsafe.Pointer(blocMax), bl+n-blocMax)
		} else {
			memclrNoHeapPointers(unsafe.Pointer(bl), n)
		}
		blocMax = bl + n
	}
	bloc += n
	return unsafe.Pointer(bl)
}
