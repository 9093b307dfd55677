//go:build tamago && arm64

package armv8

// The key and bundle regions lie outside the runtime's memory: they are
// read and wiped with aligned 8-byte accesses only (Go's memmove and memclr
// may use unaligned or DC ZVA accesses, which fault where the MMU maps
// memory as Device memory).

// ReadPhys copies n bytes (a multiple of 8) from the physical address start
// (8-byte aligned) into RAM.
func ReadPhys(start, n uintptr) []byte {
	buf := make([]byte, n)
	for off := uintptr(0); off < n; off += 8 {
		v := *(*uint64)(Phys(start + off))
		for i := uintptr(0); i < 8; i++ {
			buf[off+i] = byte(v >> (8 * i))
		}
	}
	return buf
}

// WipePhys overwrites n bytes (a multiple of 8) at start with zeros.
func WipePhys(start, n uintptr) {
	for off := uintptr(0); off < n; off += 8 {
		*(*uint64)(Phys(start + off)) = 0
	}
}

// PhysClear reports whether every one of the n bytes at start is zero.
func PhysClear(start, n uintptr) bool {
	for off := uintptr(0); off < n; off += 8 {
		if *(*uint64)(Phys(start + off)) != 0 {
			return false
		}
	}
	return true
}
