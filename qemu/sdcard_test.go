package qemu_test

import (
	"bytes"
	"crypto/rand"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/muscles/referee/board/raspberrypi/rpi4b/layout"
	"github.com/muscles/referee/qemu"
	"github.com/muscles/referee/tools/image"
	"github.com/muscles/referee/tools/sdcard"
)

// The SD-card tests write the Pi 4's card with tools/sdcard and read it
// back with tools that share no code with it: the MBR parsed here from
// its bytes, the FAT32 file system through mtools (mdir, mtype, mcopy) and
// checked by dosfstools' fsck.fat. The e2e test (rpi4b_sdcard) boots the
// files read back.

// cardFirmware is the GPU firmware the tests put on the card: $FIRMWARE,
// else Debian's raspi-firmware package, else what tools/raspi-firmware.sh
// downloaded into build/raspi-firmware (make test runs it).
func cardFirmware(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("FIRMWARE")
	if dir == "" {
		if _, err := sdcard.FindFirmware(""); err != nil {
			root, err := image.ModuleRoot()
			if err != nil {
				t.Fatal(err)
			}
			dir = filepath.Join(root, "build", "raspi-firmware")
		}
	}
	fw, err := sdcard.FindFirmware(dir)
	if err != nil {
		t.Fatalf("%v (make test runs tools/raspi-firmware.sh for it)", err)
	}
	return fw
}

// writeSDCard writes a card with the rpi4b test image, keys and bundle.
func writeSDCard(t testing.TB, keys, bundle string) string {
	t.Helper()
	img := filepath.Join(t.TempDir(), "sdcard.img")
	var log bytes.Buffer
	err := sdcard.Build(sdcard.Options{Kernel: boardUnderTest(t, "rpi4b").image, Keys: keys, Bundle: bundle,
		Firmware: cardFirmware(t), Out: img, Progress: &log})
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	return img
}

// bootPartition reads the MBR: its one partition must be bootable FAT32
// (LBA), and its byte offset and size are returned.
func bootPartition(t testing.TB, img string) (offset, size int64) {
	t.Helper()
	f, err := os.Open(img)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	mbr := make([]byte, 512)
	if _, err := f.ReadAt(mbr, 0); err != nil {
		t.Fatal(err)
	}
	if mbr[510] != 0x55 || mbr[511] != 0xaa {
		t.Fatalf("no MBR signature: % x", mbr[510:])
	}
	var used int
	for i := 0; i < 4; i++ {
		e := mbr[446+16*i : 446+16*(i+1)]
		if e[4] == 0 {
			continue
		}
		used++
		if e[0] != 0x80 || e[4] != 0x0c {
			t.Errorf("partition %d: status %#x type %#x, want bootable (0x80) FAT32 LBA (0x0c)", i+1, e[0], e[4])
		}
		offset = int64(binary.LittleEndian.Uint32(e[8:])) * 512
		size = int64(binary.LittleEndian.Uint32(e[12:])) * 512
	}
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if used != 1 || offset == 0 || offset+size > st.Size() {
		t.Fatalf("%d partitions, the last at %d+%d in a %d-byte image; want one inside it", used, offset, size, st.Size())
	}
	return offset, size
}

// mtools runs an mtools command on the image's boot partition.
func mtools(t testing.TB, img string, offset int64, cmd string, args ...string) []byte {
	t.Helper()
	c := exec.Command(cmd, append([]string{"-i", fmt.Sprintf("%s@@%d", img, offset)}, args...)...)
	c.Env = append(os.Environ(), "MTOOLS_SKIP_CHECK=1")
	out, err := c.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("%s %s: %v\n%s (mtools is a Debian package qemu/deps.sh installs)", cmd, strings.Join(args, " "), err, stderr)
	}
	return out
}

// cardConfig reads config.txt from the card: its name=value lines, and the
// initramfs directive's file and address.
func cardConfig(t testing.TB, img string, offset int64) (map[string]string, string, uint64) {
	t.Helper()
	lines := map[string]string{}
	var ramFile string
	var ramAddr uint64
	for _, l := range strings.Split(string(mtools(t, img, offset, "mtype", "::"+sdcard.ConfigFile)), "\n") {
		l = strings.TrimSpace(strings.TrimSuffix(l, "\r"))
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if f := strings.Fields(l); len(f) == 3 && f[0] == "initramfs" {
			a, err := strconv.ParseUint(f[2], 0, 64)
			if err != nil {
				t.Fatalf("config.txt: %q: %v", l, err)
			}
			ramFile, ramAddr = f[1], a
			continue
		}
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			t.Fatalf("config.txt: line %q is neither name=value nor initramfs FILE ADDRESS", l)
		}
		lines[k] = v
	}
	return lines, ramFile, ramAddr
}

// cardBoot reads kernel8.img and the initramfs file back from the card
// with mcopy and boots them as the firmware would under kernel_old=1:
// the kernel at 0, the file at the address config.txt names, every core
// starting at 0, and RAM not zero where the image's zero-initialised data
// lies (leftovers), which the referee must clear itself.
func cardBoot(t testing.TB, img string) qemu.Config {
	t.Helper()
	offset, _ := bootPartition(t, img)
	cfg, ramFile, ramAddr := cardConfig(t, img, offset)
	if cfg["kernel_old"] != "1" || ramFile == "" {
		t.Fatalf("config.txt has kernel_old=%q and initramfs %q: the card would not boot as tested", cfg["kernel_old"], ramFile)
	}
	dir := t.TempDir()
	kernel, ram := filepath.Join(dir, cfg["kernel"]), filepath.Join(dir, ramFile)
	mtools(t, img, offset, "mcopy", "::"+cfg["kernel"], kernel)
	mtools(t, img, offset, "mcopy", "::"+ramFile, ram)
	return qemu.Config{Board: "rpi4b", Raw: []qemu.Load{{File: kernel, Addr: 0}, {File: ram, Addr: ramAddr}, leftovers(t, dir)}}
}

// leftovers is a file of non-zero bytes to place over the rpi4b image's
// .bss and .noptrbss, as RAM left by an earlier boot would hold.
func leftovers(t testing.TB, dir string) qemu.Load {
	t.Helper()
	ef, err := elf.Open(boardUnderTest(t, "rpi4b").image)
	if err != nil {
		t.Fatal(err)
	}
	defer ef.Close()
	bss, noptr := ef.Section(".bss"), ef.Section(".noptrbss")
	if bss == nil || noptr == nil || noptr.Addr < bss.Addr {
		t.Fatalf("the rpi4b image has no .bss and .noptrbss in that order")
	}
	file := filepath.Join(dir, "leftovers.bin")
	if err := os.WriteFile(file, bytes.Repeat([]byte{0xA5}, int(noptr.Addr+noptr.Size-bss.Addr)), 0o644); err != nil {
		t.Fatal(err)
	}
	return qemu.Load{File: file, Addr: bss.Addr}
}

// TestSDCard reads every file of the card back and checks it: the
// partition table, fsck.fat's verdict, the directory, config.txt's lines,
// the firmware byte for byte, kernel8.img against the ELF it came from,
// and referee.ram's layout.
func TestSDCard(t *testing.T) {
	bundle := make([]byte, 3000)
	rand.Read(bundle)
	bundleFile := filepath.Join(t.TempDir(), "bundle.cpio")
	if err := os.WriteFile(bundleFile, bundle, 0o600); err != nil {
		t.Fatal(err)
	}
	img := writeSDCard(t, keyFile, bundleFile)
	offset, size := bootPartition(t, img)

	// fsck.fat on the partition alone.
	part := filepath.Join(t.TempDir(), "boot.fat")
	whole, err := os.ReadFile(img)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(part, whole[offset:offset+size], 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("fsck.fat", "-n", part).CombinedOutput(); err != nil {
		t.Errorf("fsck.fat -n: %v\n%s (dosfstools is a Debian package qemu/deps.sh installs)", err, out)
	}

	names := strings.Fields(string(mtools(t, img, offset, "mdir", "-b", "::")))
	for i, n := range names {
		names[i] = strings.TrimPrefix(n, "::/")
	}
	slices.Sort(names)
	want := []string{"config.txt", "copyright", "fixup4.dat", "kernel8.img", "referee.ram", "start4.elf"}
	if !slices.Equal(names, want) {
		t.Errorf("the boot partition holds %v, want %v", names, want)
	}

	cfg, ramFile, ramAddr := cardConfig(t, img, offset)
	for k, v := range map[string]string{"arm_64bit": "1", "kernel_old": "1", "kernel": "kernel8.img",
		"disable_commandline_tags": "1", "enable_uart": "1", "enable_gic": "1", "init_uart_clock": "48000000"} {
		if cfg[k] != v {
			t.Errorf("config.txt: %s=%q, want %q", k, cfg[k], v)
		}
	}
	if ramFile != "referee.ram" || ramAddr != layout.KeyRecordStart {
		t.Errorf("config.txt: initramfs %s %#x, want referee.ram %#x", ramFile, ramAddr, layout.KeyRecordStart)
	}

	fw := cardFirmware(t)
	for _, f := range []string{"start4.elf", "fixup4.dat"} {
		wantBytes, err := os.ReadFile(filepath.Join(fw, f))
		if err != nil {
			t.Fatal(err)
		}
		if got := mtools(t, img, offset, "mtype", "::"+f); !bytes.Equal(got, wantBytes) {
			t.Errorf("%s on the card (%d bytes) differs from %s (%d bytes)", f, len(got), filepath.Join(fw, f), len(wantBytes))
		}
	}

	// kernel8.img: the stub branches to the ELF's entry, and every
	// segment's bytes are at their address.
	kernel := mtools(t, img, offset, "mtype", "::kernel8.img")
	ef, err := elf.Open(boardUnderTest(t, "rpi4b").image)
	if err != nil {
		t.Fatal(err)
	}
	defer ef.Close()
	if len(kernel) < 16 || binary.LittleEndian.Uint32(kernel) != 0x58000040 || binary.LittleEndian.Uint32(kernel[4:]) != 0xd61f0000 ||
		binary.LittleEndian.Uint64(kernel[8:]) != ef.Entry {
		t.Errorf("kernel8.img starts % x, want ldr x0, .+8; br x0; .quad %#x", kernel[:min(16, len(kernel))], ef.Entry)
	}
	for _, p := range ef.Progs {
		if p.Type != elf.PT_LOAD {
			continue
		}
		seg := make([]byte, p.Filesz)
		if _, err := p.ReadAt(seg, 0); err != nil {
			t.Fatal(err)
		}
		if uint64(len(kernel)) < p.Paddr+p.Filesz || !bytes.Equal(kernel[p.Paddr:p.Paddr+p.Filesz], seg) {
			t.Errorf("kernel8.img does not hold the segment at %#x (%d bytes)", p.Paddr, p.Filesz)
		}
	}

	// referee.ram: the key record at its start, the bundle at the bundle
	// region's offset.
	ram := mtools(t, img, offset, "mtype", "::referee.ram")
	keys, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	gap := layout.BundleStart - layout.KeyRecordStart
	if len(ram) != gap+len(bundle) || !bytes.Equal(ram[:len(keys)], keys) || !bytes.Equal(ram[gap:], bundle) ||
		!regexp.MustCompile(`^\x00*$`).Match(ram[len(keys):gap]) {
		t.Errorf("referee.ram (%d bytes) is not the key record, zeros up to %#x, then the bundle (%d bytes)", len(ram), gap, len(bundle))
	}
}
