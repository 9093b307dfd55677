//go:build tamago && arm64

package virt

import "unsafe"

// Semihosting (Arm semihosting specification, SYS_EXIT 0x18 with
// ADP_Stopped_ApplicationExit 0x20026): QEMU, started with -semihosting,
// exits with the given status, so os.Exit(n) in the image ends QEMU with n.
const (
	semihostingExit           = 0x18
	adpStoppedApplicationExit = 0x20026
)

func semihostingCall(op uint64, arg uintptr) uint64

// exit powers the machine off with status code.
func exit(code int32) {
	block := [2]uint64{adpStoppedApplicationExit, uint64(uint32(code))}
	semihostingCall(semihostingExit, uintptr(unsafe.Pointer(&block)))
	for {
		waitForInterrupt()
	}
}
