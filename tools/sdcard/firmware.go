package sdcard

import (
	"fmt"
	"os"
	"path/filepath"
)

// DebianFirmware is where Debian's raspi-firmware package (component
// non-free-firmware) installs the GPU firmware.
const DebianFirmware = "/usr/lib/raspi-firmware"

// FirmwareFiles are the GPU firmware files a Pi 4 boots from; the first
// are required.
var FirmwareFiles = []string{"start4.elf", "fixup4.dat"}

// FirmwareLicences are the firmware's licence files (upstream's, and the
// Debian package's that tools/raspi-firmware.sh keeps); those the
// directory holds go on the card beside the firmware.
var FirmwareLicences = []string{"LICENCE.broadcom", "copyright"}

// FindFirmware returns the directory the firmware comes from: dir if
// given, else DebianFirmware; it fails, naming every way to provide it,
// unless the directory holds every file of FirmwareFiles.
func FindFirmware(dir string) (string, error) {
	where := dir
	if where == "" {
		where = DebianFirmware
	}
	var missing []string
	for _, f := range FirmwareFiles {
		if _, err := os.Stat(filepath.Join(where, f)); err != nil {
			missing = append(missing, f)
		}
	}
	if len(missing) == 0 {
		return where, nil
	}
	if dir != "" {
		return "", fmt.Errorf("FIRMWARE=%s does not hold %v: name a directory with the Raspberry Pi 4 GPU firmware (start4.elf, fixup4.dat), or leave FIRMWARE unset to use Debian's raspi-firmware package (%s)", dir, missing, DebianFirmware)
	}
	return "", fmt.Errorf("no Raspberry Pi 4 GPU firmware: %s has no %v. Either install Debian's raspi-firmware package (component non-free-firmware), or name a directory that holds start4.elf and fixup4.dat with FIRMWARE=DIR (mksdcard -firmware DIR; `make firmware` downloads the Debian package, without installing it, into build/raspi-firmware, for FIRMWARE=build/raspi-firmware)", DebianFirmware, missing)
}
