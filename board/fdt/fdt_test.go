package fdt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// qemuDTB asks QEMU for the device tree it gives the referee's machine.
func qemuDTB(t *testing.T) []byte {
	t.Helper()
	if _, err := exec.LookPath("qemu-system-aarch64"); err != nil {
		t.Fatal("qemu-system-aarch64 not installed (Debian qemu-system-arm; make test installs it)")
	}
	file := filepath.Join(t.TempDir(), "virt.dtb")
	out, err := exec.Command("qemu-system-aarch64", "-machine", "virt,secure=on,gic-version=3,dumpdtb="+file,
		"-cpu", "cortex-a53", "-m", "2G", "-nographic", "-nic", "none").CombinedOutput()
	if err != nil {
		t.Fatalf("dumping the DTB: %v\n%s", err, out)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestQEMUDeviceTree(t *testing.T) {
	tree, err := Parse(qemuDTB(t))
	if err != nil {
		t.Fatal(err)
	}
	mem, err := tree.Property("memory@40000000", "reg")
	if err != nil {
		t.Fatal(err)
	}
	if len(mem) != 16 || binary.BigEndian.Uint64(mem) != 0x4000_0000 || binary.BigEndian.Uint64(mem[8:]) != 2<<30 {
		t.Errorf("memory reg = %x, want 0x40000000 + 2 GiB", mem)
	}
	seed, err := tree.Property("secure-chosen", "rng-seed")
	if err != nil {
		t.Fatal(err)
	}
	if len(seed) != 32 || bytes.Equal(seed, make([]byte, 32)) {
		t.Errorf("rng-seed = %x, want 32 random bytes", seed)
	}
	compat, err := tree.Property("", "compatible")
	if err != nil || !bytes.HasPrefix(compat, []byte("linux,dummy-virt")) {
		t.Errorf("root compatible = %q, %v", compat, err)
	}
	if _, err := tree.Property("secure-chosen", "no-such-property"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing property: error %v, want ErrNotFound", err)
	}
	virtio := 0
	if err := tree.Walk(func(depth int, node, prop, value []byte) bool {
		if depth == 1 && bytes.HasPrefix(node, []byte("virtio_mmio@")) && string(prop) == "reg" {
			virtio++
		}
		return true
	}); err != nil {
		t.Fatal(err)
	}
	if virtio != 32 {
		t.Errorf("%d virtio-mmio nodes, want 32", virtio)
	}
}

func TestBadBlobs(t *testing.T) {
	good := qemuDTB(t)
	corrupt := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	tests := []struct {
		name string
		blob []byte
		want error
	}{
		{"empty", nil, ErrTruncated},
		{"zeros", make([]byte, 4096), ErrBadMagic},
		{"short", good[:39], ErrTruncated},
		{"cut", good[:len(good)/2], ErrTruncated},
		{"strings outside", corrupt(func(b []byte) []byte { binary.BigEndian.PutUint32(b[12:], 1<<30); return b }), ErrMalformed},
		{"bad token", corrupt(func(b []byte) []byte {
			off := binary.BigEndian.Uint32(b[8:])
			binary.BigEndian.PutUint32(b[off:], 0x77)
			return b
		}), ErrMalformed},
	}
	for _, tt := range tests {
		tree, err := Parse(tt.blob)
		if err == nil {
			_, err = tree.Property("secure-chosen", "rng-seed")
		}
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: error %v, want %v", tt.name, err, tt.want)
		}
	}
}

func FuzzWalk(f *testing.F) {
	f.Add([]byte{0xd0, 0x0d, 0xfe, 0xed})
	f.Fuzz(func(t *testing.T, b []byte) {
		tree, err := Parse(b)
		if err != nil {
			return
		}
		_ = tree.Walk(func(int, []byte, []byte, []byte) bool { return true })
	})
}
