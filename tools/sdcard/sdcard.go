// Package sdcard writes the Raspberry Pi 4's SD-card image: an MBR with one
// FAT32 boot partition holding the GPU firmware (start4.elf, fixup4.dat),
// the referee as the flat kernel8.img the firmware loads at 0 (KernelImage),
// the key record and the muscle bundle as one file the firmware places at
// the key region (RAMFile), and a config.txt that says so (Config). The
// partition table and the file system are written by go-diskfs, as a plain
// file, without root or loop devices.
package sdcard

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	diskfs "github.com/diskfs/go-diskfs"
	"github.com/diskfs/go-diskfs/disk"
	"github.com/diskfs/go-diskfs/filesystem"
	"github.com/diskfs/go-diskfs/partition/mbr"
)

// The card's geometry: 512-byte sectors, the boot partition from 4 MiB
// (the alignment card makers recommend) to the end of a 128 MiB image, of
// which dd or Raspberry Pi Imager write every byte.
const (
	sectorSize     = 512
	ImageSize      = 128 << 20
	partitionStart = (4 << 20) / sectorSize
	partitionSize  = ImageSize/sectorSize - partitionStart
	// VolumeLabel names the boot partition.
	VolumeLabel = "REFEREE"
)

// Options describe one card.
type Options struct {
	// Kernel is the referee image (ELF) built for rpi4b.
	Kernel string
	// Keys is the master-key record; Bundle the muscle bundle. Either may
	// be empty, and then the referee boots without it.
	Keys, Bundle string
	// Firmware is the directory of the GPU firmware (FindFirmware).
	Firmware string
	// Out is the image file to write; an existing file is replaced.
	Out string
	// Progress receives one line per file written.
	Progress io.Writer
}

// Build writes the card image.
func Build(opts Options) error {
	if opts.Out == "" {
		return errors.New("sdcard: no output file given")
	}
	fw, err := FindFirmware(opts.Firmware)
	if err != nil {
		return err
	}
	files, err := contents(opts, fw)
	if err != nil {
		return err
	}
	tmp := opts.Out + ".tmp"
	os.Remove(tmp)
	if err := write(tmp, files, opts.Progress); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, opts.Out)
}

// file is one file of the boot partition.
type file struct {
	name string
	data []byte
}

// contents reads and makes every file of the boot partition.
func contents(opts Options, fw string) ([]file, error) {
	if opts.Kernel == "" {
		return nil, errors.New("sdcard: no kernel image given")
	}
	k, err := os.Open(opts.Kernel)
	if err != nil {
		return nil, fmt.Errorf("sdcard: %w", err)
	}
	defer k.Close()
	kernel, err := KernelImage(k)
	if err != nil {
		return nil, fmt.Errorf("sdcard: %s: %w", opts.Kernel, err)
	}
	read := func(path string) ([]byte, error) {
		if path == "" {
			return nil, nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("sdcard: %w", err)
		}
		return b, nil
	}
	keys, err := read(opts.Keys)
	if err != nil {
		return nil, err
	}
	bundle, err := read(opts.Bundle)
	if err != nil {
		return nil, err
	}
	ram, err := RAMFile(keys, bundle)
	if err != nil {
		return nil, fmt.Errorf("sdcard: %w", err)
	}
	files := []file{{ConfigFile, []byte(Config())}, {KernelFile, kernel}, {RAMName, ram}}
	for i, name := range append(append([]string{}, FirmwareFiles...), FirmwareLicences...) {
		b, err := os.ReadFile(filepath.Join(fw, name))
		if errors.Is(err, os.ErrNotExist) && i >= len(FirmwareFiles) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("sdcard: firmware: %w", err)
		}
		files = append(files, file{name, b})
	}
	return files, nil
}

// write creates the image at path with files on its boot partition.
func write(path string, files []file, progress io.Writer) error {
	d, err := diskfs.Create(path, ImageSize, diskfs.SectorSizeDefault)
	if err != nil {
		return fmt.Errorf("sdcard: %w", err)
	}
	defer d.Close()
	table := &mbr.Table{
		LogicalSectorSize: sectorSize, PhysicalSectorSize: sectorSize,
		Partitions: []*mbr.Partition{{Index: 1, Bootable: true, Type: mbr.Fat32LBA, Start: partitionStart, Size: partitionSize}},
	}
	if err := d.Partition(table); err != nil {
		return fmt.Errorf("sdcard: partition table: %w", err)
	}
	fs, err := d.CreateFilesystem(disk.FilesystemSpec{Partition: 1, FSType: filesystem.TypeFat32, VolumeLabel: VolumeLabel, Reproducible: true})
	if err != nil {
		return fmt.Errorf("sdcard: FAT32: %w", err)
	}
	for _, f := range files {
		w, err := fs.OpenFile("/"+f.name, os.O_CREATE|os.O_RDWR)
		if err != nil {
			return fmt.Errorf("sdcard: %s: %w", f.name, err)
		}
		if _, err := io.Copy(w, bytes.NewReader(f.data)); err != nil {
			return fmt.Errorf("sdcard: %s: %w", f.name, err)
		}
		if err := w.Close(); err != nil {
			return fmt.Errorf("sdcard: %s: %w", f.name, err)
		}
		if progress != nil {
			fmt.Fprintf(progress, "sdcard: %-18s %9d bytes\n", f.name, len(f.data))
		}
	}
	return nil
}
