//go:build tamago && arm64

package armv8

import "unsafe"

// Semihosting (Arm semihosting specification, SYS_EXIT 0x18 with
// ADP_Stopped_ApplicationExit 0x20026): QEMU, started with -semihosting,
// exits with the given status. On hardware without a debugger attached the
// HLT instruction is undefined: call it only where semihosting is known to
// be there.
const (
	semihostingExit           = 0x18
	adpStoppedApplicationExit = 0x20026
)

func semihostingCall(op uint64, arg uintptr) uint64

// SemihostingExit ends the emulator with status code; should it return,
// the core sleeps forever.
func SemihostingExit(code int32) {
	block := [2]uint64{adpStoppedApplicationExit, uint64(uint32(code))}
	semihostingCall(semihostingExit, uintptr(unsafe.Pointer(&block)))
	Halt()
}

// Halt sleeps the core forever.
func Halt() {
	for {
		WaitForInterrupt()
	}
}
