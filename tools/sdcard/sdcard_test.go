package sdcard

import (
	"bytes"
	"strings"
	"testing"

	"github.com/muscles/referee/board/raspberrypi/rpi4b/layout"
)

func TestRAMFile(t *testing.T) {
	keys, bundle := []byte("keys"), []byte("bundle")
	got, err := RAMFile(keys, bundle)
	if err != nil {
		t.Fatal(err)
	}
	gap := layout.BundleStart - layout.KeyRecordStart
	if len(got) != gap+len(bundle) || !bytes.HasPrefix(got, keys) || !bytes.Equal(got[gap:], bundle) {
		t.Errorf("RAMFile: %d bytes, want keys, zeros to %#x, bundle", len(got), gap)
	}
	if got, _ := RAMFile(keys, nil); !bytes.Equal(got, keys) {
		t.Errorf("RAMFile without a bundle = %q, want the keys alone", got)
	}
	if _, err := RAMFile(make([]byte, layout.KeyRecordMax+1), nil); err == nil {
		t.Error("a key record larger than the key region was accepted")
	}
	if _, err := RAMFile(nil, make([]byte, layout.BundleMax+1)); err == nil {
		t.Error("a bundle larger than the bundle region was accepted")
	}
}

// TestConfig: the firmware reads lines of at most 80 characters, and the
// boot depends on each of these.
func TestConfig(t *testing.T) {
	c := Config()
	for _, l := range strings.Split(c, "\n") {
		if len(l) > 80 {
			t.Errorf("config.txt line longer than 80 characters: %q", l)
		}
	}
	for _, want := range []string{"arm_64bit=1", "kernel=kernel8.img", "kernel_old=1", "disable_commandline_tags=1",
		"enable_uart=1", "init_uart_clock=48000000", "initramfs referee.ram 0x30000000"} {
		if !strings.Contains(c, "\n"+want+"\n") {
			t.Errorf("config.txt has no line %q", want)
		}
	}
}

func TestFindFirmwareSaysBothWays(t *testing.T) {
	_, err := FindFirmware(t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "FIRMWARE") || !strings.Contains(err.Error(), "raspi-firmware") {
		t.Errorf("FindFirmware(empty dir) = %v; want an error naming FIRMWARE= and Debian's raspi-firmware", err)
	}
}
