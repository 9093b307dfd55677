//go:build tamago && arm64

package armv8

func probeRead32(addr uintptr) (v uint32, ok bool)

// ProbeRead32 reads the 32-bit device register at addr, if anything answers
// there: it reports false, instead of faulting, when the read aborts (under
// QEMU, an address no model decodes), so a board package can look for a
// device its emulator may leave out.
func ProbeRead32(addr uintptr) (uint32, bool) { return probeRead32(addr) }
