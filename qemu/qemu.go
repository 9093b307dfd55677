// Package qemu knows how the referee image is booted under
// qemu-system-aarch64 on each board the project supports (board/boards):
// the machine and CPU, the RAM, the console (the board's first UART on
// standard I/O or a Unix socket), semihosting for the exit status, the
// board's entropy device where it has one, its state medium when a state
// disk file is given (written through, never -snapshot), no other
// devices, and the key record and muscle bundle loaded at their fixed
// addresses from the board's memory map.
//
// The same Config serves `make qemu` (through ./qemu/run) and the tests.
package qemu

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/muscles/referee/board/boards"
	"github.com/muscles/referee/referee/store"
)

// Binary is the emulator (Debian package qemu-system-arm).
const Binary = "qemu-system-aarch64"

// machine is how one board is emulated.
type machine struct {
	// args select the machine and CPU (RAM comes from the layout).
	args []string
	// serials are the -serial options after the console's (boards whose
	// console is not their first UART would name it here).
	serials []string
	// rng is the -device of the board's entropy device, if it has one.
	rng string
	// state gives the options that attach a state disk file as the
	// board's state medium (board.Board.StateDevice), if it has one;
	// pow2 says the medium must be a power of two bytes long (QEMU's SD
	// card model).
	state func(file string) []string
	pow2  bool
}

// machines holds one entry per board of board/boards.
var machines = map[string]machine{
	"virt": {
		args: []string{"-machine", "virt,secure=on,gic-version=3", "-cpu", "cortex-a53",
			"-global", "virtio-mmio.force-legacy=false"},
		rng: "virtio-rng-device",
		// Written through to the file, so what the guest flushed is on
		// the host's disk when QEMU is killed.
		state: func(f string) []string {
			return []string{"-drive", "if=none,id=state,format=raw,cache=writethrough,file=" + f,
				"-device", "virtio-blk-device,drive=state"}
		},
	},
	"imx8mpevk": {
		// The SoC's Cortex-A53 comes with the machine; UART1 is the first
		// -serial, UART2 the second.
		// (QEMU 10 or later; qemu/deps.sh installs it.)
		args:    []string{"-machine", "imx8mp-evk"},
		serials: []string{"null"},
		// An SD card in uSDHC3 (bus 2), where the model attaches it (on
		// the physical EVK uSDHC3 is the eMMC).
		state: func(f string) []string {
			return []string{"-drive", "if=sd,bus=2,id=state,format=raw,cache=writethrough,file=" + f}
		},
		pow2: true,
	},
	"rpi4b": {
		// The SoC's four Cortex-A72 come with the machine; UART0 (the
		// PL011) is the first -serial, the mini-UART the second.
		args:    []string{"-machine", "raspi4b"},
		serials: []string{"null"},
	},
}

// Config describes one boot.
type Config struct {
	// Board is the board the image was built for; empty means virt.
	Board string
	// Kernel is the image (ELF) to boot, given to QEMU's -kernel.
	Kernel string
	// Raw, in place of Kernel, are files placed in RAM as they are, as a
	// board's firmware would place them (the Pi 4's kernel8.img at 0 and
	// its referee.ram); the cores then start at their reset address, 0.
	Raw []Load
	// Keys is an optional master-key record file, loaded at the board's
	// key region.
	Keys string
	// Muscles is an optional muscle bundle file, loaded at the board's
	// bundle region.
	Muscles string
	// NoRNG leaves out the entropy device (on boards that have one).
	NoRNG bool
	// ICount makes guest time count instructions (-icount
	// shift=0,sleep=off): deterministic, and a nanosecond of guest time is
	// one instruction.
	ICount bool
	// State, if set, is a disk image file attached as the board's state
	// medium, written through (never -snapshot).
	State string
	// Console, if set, puts the serial console on a Unix socket at this
	// path instead of standard I/O; QEMU waits for the first client (such
	// as tools/console) before it starts the machine.
	Console string
}

// Load is one file for QEMU's generic loader.
type Load struct {
	File string
	Addr uint64
}

// Args returns the emulator's arguments, after checking the files.
func (c Config) Args() ([]string, error) {
	target, err := boards.Lookup(c.Board)
	if err != nil {
		return nil, fmt.Errorf("qemu: %w", err)
	}
	m, ok := machines[target.Name]
	if !ok {
		return nil, fmt.Errorf("qemu: no QEMU machine for board %q", target.Name)
	}
	lay := target.Layout
	switch {
	case c.Kernel == "" && len(c.Raw) == 0:
		return nil, fmt.Errorf("qemu: no kernel image given")
	case c.Kernel != "" && len(c.Raw) != 0:
		return nil, fmt.Errorf("qemu: both a kernel image and raw files given")
	case c.Kernel != "":
		if _, err := os.Stat(c.Kernel); err != nil {
			return nil, fmt.Errorf("qemu: kernel image: %w", err)
		}
	}
	serial := "stdio"
	if c.Console != "" {
		if strings.Contains(c.Console, ",") {
			return nil, fmt.Errorf("qemu: console socket path %q contains a comma, which QEMU's option syntax cannot take", c.Console)
		}
		serial = "unix:" + c.Console + ",server=on,wait=on"
	}
	args := append([]string{}, m.args...)
	args = append(args,
		"-m", fmt.Sprintf("%dM", lay.DRAMSize>>20),
		"-nographic", "-monitor", "none", "-serial", serial)
	for _, s := range m.serials {
		args = append(args, "-serial", s)
	}
	args = append(args,
		"-semihosting",
		// No default devices the referee does not drive (virt's default
		// virtio-net NIC also needs an option ROM from a package the
		// project does not install; the EVK's ENET gets no peer).
		"-nic", "none")
	if !c.NoRNG && m.rng != "" {
		args = append(args, "-device", m.rng)
	}
	if c.ICount {
		args = append(args, "-icount", "shift=0,sleep=off")
	}
	if c.State != "" {
		st, err := m.stateArgs(target.Name, c.State)
		if err != nil {
			return nil, err
		}
		args = append(args, st...)
	}
	loads := []struct {
		what, file string
		addr, max  uint64
	}{
		{"key record (KEYS)", c.Keys, lay.KeyRecord.Start, lay.KeyRecord.Size()},
		{"muscle bundle (MUSCLES)", c.Muscles, lay.Bundle.Start, lay.Bundle.Size()},
	}
	for _, r := range c.Raw {
		loads = append(loads, struct {
			what, file string
			addr, max  uint64
		}{"raw file", r.File, r.Addr, lay.DRAMStart + lay.DRAMSize - r.Addr})
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
	if c.Kernel == "" {
		return args, nil
	}
	return append(args, "-kernel", c.Kernel), nil
}

// MinStateDisk is the smallest state disk: the store's region.
const MinStateDisk = store.RegionBytes

// HasStateMedium reports whether the board has a state medium the
// referee drives under QEMU.
func HasStateMedium(board string) bool {
	t, err := boards.Lookup(board)
	return err == nil && machines[t.Name].state != nil
}

// stateArgs checks a state disk file and returns the options that attach
// it.
func (m machine) stateArgs(board, file string) ([]string, error) {
	if m.state == nil {
		return nil, fmt.Errorf("qemu: board %s has no state medium the referee drives; leave out the state disk (STATE)", board)
	}
	st, err := os.Stat(file)
	if err != nil {
		return nil, fmt.Errorf("qemu: state disk (STATE): %w", err)
	}
	n := st.Size()
	if n < MinStateDisk {
		return nil, fmt.Errorf("qemu: state disk %s is %d bytes; it needs at least %d", file, n, MinStateDisk)
	}
	if m.pow2 && n&(n-1) != 0 {
		return nil, fmt.Errorf("qemu: state disk %s is %d bytes; on %s (an SD card) QEMU needs a power of two", file, n, board)
	}
	if strings.Contains(file, ",") {
		return nil, fmt.Errorf("qemu: state disk path %q contains a comma, which QEMU's option syntax cannot take", file)
	}
	return m.state(file), nil
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
