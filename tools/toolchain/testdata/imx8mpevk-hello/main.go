// Command imx8mpevk-hello is a smoke test of TamaGo's own board package for
// the NXP 8MPLUSLPD4-EVK, used unmodified, under the project's bootstrapped
// toolchain: it prints, sleeps, runs a goroutine, reads random bytes and
// powers QEMU off through semihosting. TestImx8mpevkHelloBoots builds it
// with the build tag linkramsize and boots it on qemu-system-aarch64
// -machine imx8mp-evk.
package main

import (
	"crypto/rand"
	"fmt"
	"runtime/goos"
	"time"
	_ "unsafe"

	_ "github.com/usbarmory/tamago/board/nxp/imx8mpevk"
)

// The board package would claim the EVK's 6 GiB of DDR; with the linkramsize
// build tag the program states its own size (as tamago-example does), which
// must fit in the RAM given to QEMU: the boot stack sits at its top.
//
//go:linkname ramSize runtime/goos.RamSize
var ramSize uint = 0x20000000 // 512 MiB from imx8mp.DDR_BASE

// Marker is the line the test waits for.
const Marker = "IMX8MPEVK-HELLO-OK"

// semihostingExit ends QEMU with the given status (exit_arm64.s).
func semihostingExit(code int32)

func main() {
	goos.Exit = semihostingExit

	fmt.Println("imx8mpevk-hello: main started")

	start := time.Now()
	time.Sleep(10 * time.Millisecond)
	if d := time.Since(start); d < 10*time.Millisecond {
		fmt.Println("imx8mpevk-hello: FAIL: slept", d)
		semihostingExit(1)
	}

	done := make(chan string)
	go func() { done <- "from a goroutine" }()
	msg := <-done

	var b [16]byte
	rand.Read(b[:])

	fmt.Printf("imx8mpevk-hello: slept, heard %q, random %x\n", msg, b)
	fmt.Println(Marker)
}
