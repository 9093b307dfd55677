package qemu

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestArgs(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, size int) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, make([]byte, size), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	kernel := write("referee.elf", 16)
	keys := write("keys.bin", 100)
	bigKeys := write("big-keys.bin", 64<<10+1)
	bundle := write("bundle.bin", 1000)
	comma := write("a,b.bin", 10)
	disk := write("state.img", 16<<20)
	oddDisk := write("odd.img", 16<<20+512)
	smallDisk := write("small.img", 1<<20)

	tests := []struct {
		name    string
		c       Config
		want    []string // must appear, in order
		wantErr string
	}{
		{"plain", Config{Kernel: kernel},
			[]string{"-machine", "virt,secure=on,gic-version=3", "-cpu", "cortex-a53", "virtio-mmio.force-legacy=false", "-m", "2048M", "-semihosting", "-nic", "none", "virtio-rng-device", "-kernel", kernel}, ""},
		{"imx8mpevk", Config{Board: "imx8mpevk", Kernel: kernel, Keys: keys, NoRNG: true},
			[]string{"-machine", "imx8mp-evk", "-m", "2048M", "-serial", "stdio", "-serial", "null", "-semihosting", "-nic", "none", "loader,file=" + keys + ",addr=0x90000000,force-raw=on", "-kernel", kernel}, ""},
		{"rpi4b", Config{Board: "rpi4b", Kernel: kernel, Keys: keys, NoRNG: true},
			[]string{"-machine", "raspi4b", "-m", "2048M", "-serial", "stdio", "-serial", "null", "-semihosting", "loader,file=" + keys + ",addr=0x30000000,force-raw=on", "-kernel", kernel}, ""},
		{"rpi4b card files", Config{Board: "rpi4b", NoRNG: true, Raw: []Load{{File: kernel, Addr: 0}, {File: keys, Addr: 0x3000_0000}}},
			[]string{"-machine", "raspi4b", "loader,file=" + kernel + ",addr=0x0,force-raw=on", "loader,file=" + keys + ",addr=0x30000000,force-raw=on"}, ""},
		{"kernel and raw files", Config{Kernel: kernel, Raw: []Load{{File: kernel, Addr: 0}}}, nil, "both a kernel image and raw files"},
		{"unknown board", Config{Board: "pdp11", Kernel: kernel}, nil, "unknown board"},
		{"loads", Config{Kernel: kernel, Keys: keys, Muscles: bundle, ICount: true},
			[]string{"shift=0,sleep=off", "loader,file=" + keys + ",addr=0x90000000,force-raw=on", "loader,file=" + bundle + ",addr=0x91000000,force-raw=on"}, ""},
		{"no kernel", Config{}, nil, "no kernel image"},
		{"missing kernel", Config{Kernel: filepath.Join(dir, "nope.elf")}, nil, "nope.elf"},
		{"missing keys", Config{Kernel: kernel, Keys: filepath.Join(dir, "nokeys")}, nil, "key record (KEYS)"},
		{"keys too big", Config{Kernel: kernel, Keys: bigKeys}, nil, "holds 65536"},
		{"comma", Config{Kernel: kernel, Muscles: comma}, nil, "comma"},
		{"virt state", Config{Kernel: kernel, State: disk},
			[]string{"-drive", "if=none,id=state,format=raw,cache=writethrough,file=" + disk, "-device", "virtio-blk-device,drive=state"}, ""},
		{"imx8mpevk state", Config{Board: "imx8mpevk", Kernel: kernel, NoRNG: true, State: disk},
			[]string{"-drive", "if=sd,bus=2,id=state,format=raw,cache=writethrough,file=" + disk}, ""},
		{"imx8mpevk odd state", Config{Board: "imx8mpevk", Kernel: kernel, NoRNG: true, State: oddDisk}, nil, "power of two"},
		{"small state", Config{Kernel: kernel, State: smallDisk}, nil, "needs at least"},
		{"missing state", Config{Kernel: kernel, State: filepath.Join(dir, "nodisk")}, nil, "state disk (STATE)"},
		{"rpi4b state", Config{Board: "rpi4b", Kernel: kernel, NoRNG: true, State: disk}, nil, "no state medium"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args, err := tt.c.Args()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			i := 0
			for _, a := range args {
				if i < len(tt.want) && a == tt.want[i] {
					i++
				}
			}
			if i != len(tt.want) {
				t.Errorf("args %q lack %q (in order)", args, tt.want[i])
			}
			if tt.c.State == "" && (slices.Contains(args, "-drive") || slices.Contains(args, "-snapshot")) {
				t.Errorf("no state disk, but args %q", args)
			}
			if slices.Contains(args, "-snapshot") {
				t.Errorf("args %q: a state disk is never a snapshot", args)
			}
			if tt.c.NoRNG == slices.Contains(args, "virtio-rng-device") {
				t.Errorf("NoRNG=%v but args %q", tt.c.NoRNG, args)
			}
		})
	}
}
