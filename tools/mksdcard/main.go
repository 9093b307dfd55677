// Command mksdcard writes the SD-card image of a Raspberry Pi 4 Model B
// (tools/sdcard): an MBR with one FAT32 boot partition holding the GPU
// firmware, config.txt, the referee as kernel8.img, and the key record and
// muscle bundle as referee.ram. Copy it to a card with dd or Raspberry Pi
// Imager.
//
// Usage:
//
//	go run ./tools/mksdcard -kernel build/referee-rpi4b.elf [-keys FILE] [-muscles FILE] [-firmware DIR] [-o build/sdcard-rpi4b.img]
//
// Exit status: 0 on success, 1 if the card could not be written, 2 for bad
// usage.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/muscles/referee/tools/sdcard"
)

func main() {
	kernel := flag.String("kernel", "", "the referee image `ELF`, built for rpi4b (make image BOARD=rpi4b)")
	keys := flag.String("keys", "", "the master-key record `FILE`, placed at the key region")
	muscles := flag.String("muscles", "", "the muscle bundle `FILE`, placed at the bundle region")
	firmware := flag.String("firmware", "", "the `DIR` of the GPU firmware (start4.elf, fixup4.dat); default "+sdcard.DebianFirmware+" (Debian's raspi-firmware)")
	out := flag.String("o", "build/sdcard-rpi4b.img", "write the card image to `FILE`")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: mksdcard -kernel ELF [-keys FILE] [-muscles FILE] [-firmware DIR] [-o FILE]\n\n"+
			"Writes a %d MiB SD-card image for the Raspberry Pi 4 Model B: an MBR with one\n"+
			"FAT32 partition holding %s, %s, %s and the GPU firmware.\n"+
			"Copy it to a card with dd (dd if=FILE of=/dev/sdX bs=4M conv=fsync) or\n"+
			"Raspberry Pi Imager; the console is UART0 on GPIO 14/15 at 115200 8N1.\n\nFlags:\n",
			sdcard.ImageSize>>20, sdcard.ConfigFile, sdcard.KernelFile, sdcard.RAMName)
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 0 || *kernel == "" {
		flag.Usage()
		os.Exit(2)
	}
	opts := sdcard.Options{Kernel: *kernel, Keys: *keys, Bundle: *muscles, Firmware: *firmware, Out: *out, Progress: os.Stderr}
	if err := sdcard.Build(opts); err != nil {
		fmt.Fprintf(os.Stderr, "mksdcard: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("mksdcard: %s (%d MiB): copy it to an SD card with dd or Raspberry Pi Imager\n", *out, sdcard.ImageSize>>20)
}
