// Package qemu knows how the referee image is booted under
// qemu-system-aarch64: the machine (virt with EL3 and a GICv3, a Cortex-A53,
// 2 GiB), the console (PL011 on standard I/O), semihosting for the exit
// status, virtio-rng for entropy, and the key record and muscle bundle
// loaded at their fixed addresses from the board's memory map.
//
// The same Config serves `make qemu` (through ./qemu/run) and the tests.
package qemu

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/muscles/referee/board/qemu/virt/layout"
)

// Binary is the emulator (Debian package qemu-system-arm).
const Binary = "qemu-system-aarch64"

// Config describes one boot.
type Config struct {
	// Kernel is the image (ELF) to boot.
	Kernel string
	// Keys is an optional master-key record file, loaded at
	// layout.KeyRecordStart.
	Keys string
	// Muscles is an optional muscle bundle file, loaded at
	// layout.BundleStart.
	Muscles string
	// NoRNG leaves out the virtio-rng device.
	NoRNG bool
	// ICount makes guest time count instructions (-icount
	// shift=0,sleep=off): deterministic, and a nanosecond of guest time is
	// one instruction.
	ICount bool
	// Console, if set, puts the serial console on a Unix socket at this
	// path instead of standard I/O; QEMU waits for the first client (such
	// as tools/console) before it starts the machine.
	Console string
}

// Args returns the emulator's arguments, after checking the files.
func (c Config) Args() ([]string, error) {
	if c.Kernel == "" {
		return nil, fmt.Errorf("qemu: no kernel image given")
	}
	if _, err := os.Stat(c.Kernel); err != nil {
		return nil, fmt.Errorf("qemu: kernel image: %w", err)
	}
	serial := "stdio"
	if c.Console != "" {
		if strings.Contains(c.Console, ",") {
			return nil, fmt.Errorf("qemu: console socket path %q contains a comma, which QEMU's option syntax cannot take", c.Console)
		}
		serial = "unix:" + c.Console + ",server=on,wait=on"
	}
	args := []string{
		"-machine", "virt,secure=on,gic-version=3",
		"-cpu", "cortex-a53",
		"-m", fmt.Sprintf("%dM", layout.DRAMSize>>20),
		"-nographic", "-monitor", "none", "-serial", serial,
		// No default devices the referee does not drive (virt's default
		// virtio-net NIC also needs an option ROM from a package the
		// project does not install).
		"-nic", "none",
		"-semihosting",
		"-global", "virtio-mmio.force-legacy=false",
	}
	if !c.NoRNG {
		args = append(args, "-device", "virtio-rng-device")
	}
	if c.ICount {
		args = append(args, "-icount", "shift=0,sleep=off")
	}
	loads := []struct {
		what, file string
		addr, max  uint64
	}{
		{"key record (KEYS)", c.Keys, layout.KeyRecordStart, layout.KeyRecordMax},
		{"muscle bundle (MUSCLES)", c.Muscles, layout.BundleStart, layout.BundleMax},
	}
	for _, l := range loads {
		if l.file == "" {
			continue
		}
		st, err := os.Stat(l.file)
		if err != nil {
			return nil, fmt.Errorf("qemu: %s: %w", l.what, err)
		}
		if uint64(st.Size()) > l.max {
			return nil, fmt.Errorf("qemu: %s %s is %d bytes, the region at %#x holds %d", l.what, l.file, st.Size(), l.addr, l.max)
		}
		if strings.Contains(l.file, ",") {
			return nil, fmt.Errorf("qemu: %s path %q contains a comma, which QEMU's option syntax cannot take", l.what, l.file)
		}
		args = append(args, "-device", fmt.Sprintf("loader,file=%s,addr=%#x,force-raw=on", l.file, l.addr))
	}
	return append(args, "-kernel", c.Kernel), nil
}

// Command returns the emulator command for c.
func (c Config) Command(ctx context.Context) (*exec.Cmd, error) {
	args, err := c.Args()
	if err != nil {
		return nil, err
	}
	if _, err := exec.LookPath(Binary); err != nil {
		return nil, fmt.Errorf("qemu: %s not found (Debian: apt-get install qemu-system-arm): %w", Binary, err)
	}
	return exec.CommandContext(ctx, Binary, args...), nil
}

// CommandLine renders a command for a shell, quoting where needed.
func CommandLine(cmd *exec.Cmd) string {
	words := make([]string, len(cmd.Args))
	for i, a := range cmd.Args {
		if a == "" || strings.ContainsAny(a, " \t\n'\"\\$&;|<>()*?[]#~`!{}") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		words[i] = a
	}
	return strings.Join(words, " ")
}
