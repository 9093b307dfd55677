package sdcard

import (
	"debug/elf"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/muscles/referee/board/raspberrypi/rpi4b/layout"
)

// The entry stub: with kernel_old=1 the firmware loads the kernel at 0 and
// starts every core there at EL3, but the ELF's entry is inside its text.
// The stub's two instructions load the entry from the literal after them
// and branch to it (ARM ARM C6.2.167 LDR (literal), C6.2.37 BR).
const (
	ldrX0Literal8 = 0x5800_0040 // ldr x0, .+8
	brX0          = 0xd61f_0000 // br x0
	stubSize      = 16
)

// KernelImage turns the rpi4b image (ELF) into the flat kernel8.img the
// firmware loads at address 0 with kernel_old=1: the entry stub at 0, then
// every loadable segment's file contents at its physical address. The
// zero-initialised tail of the last one (.bss, about 33 MiB) is left out:
// the image's entry clears it (board/raspberrypi/rpi4b, cpuinit).
func KernelImage(r io.ReaderAt) ([]byte, error) {
	f, err := elf.NewFile(r)
	if err != nil {
		return nil, fmt.Errorf("kernel image: %w", err)
	}
	defer f.Close()
	if f.Machine != elf.EM_AARCH64 || f.Class != elf.ELFCLASS64 {
		return nil, fmt.Errorf("kernel image: not a 64-bit arm64 ELF (%v, %v)", f.Class, f.Machine)
	}
	var end uint64
	var loads []*elf.Prog
	for _, p := range f.Progs {
		if p.Type != elf.PT_LOAD || p.Memsz == 0 {
			continue
		}
		// The first segment starts a page below the link address (the
		// linker's ELF headers), still inside runtime RAM.
		if p.Paddr < layout.RAMStart {
			return nil, fmt.Errorf("kernel image: a segment at %#x lies below runtime RAM (%#x): is it built for rpi4b?", p.Paddr, layout.RAMStart)
		}
		if p.Paddr+p.Memsz > layout.RAMEnd || p.Memsz < p.Filesz {
			return nil, fmt.Errorf("kernel image: a segment ends at %#x, past runtime RAM (%#x)", p.Paddr+p.Memsz, layout.RAMEnd)
		}
		end = max(end, p.Paddr+p.Filesz)
		loads = append(loads, p)
	}
	if len(loads) == 0 {
		return nil, fmt.Errorf("kernel image: no loadable segments")
	}
	if f.Entry < layout.TextStart || f.Entry >= end {
		return nil, fmt.Errorf("kernel image: entry %#x is outside the image [%#x, %#x)", f.Entry, layout.TextStart, end)
	}
	img := make([]byte, (end+7)&^7)
	binary.LittleEndian.PutUint32(img[0:], ldrX0Literal8)
	binary.LittleEndian.PutUint32(img[4:], brX0)
	binary.LittleEndian.PutUint64(img[8:], f.Entry)
	for _, p := range loads {
		if _, err := p.ReadAt(img[p.Paddr:p.Paddr+p.Filesz], 0); err != nil {
			return nil, fmt.Errorf("kernel image: segment at %#x: %w", p.Paddr, err)
		}
	}
	return img, nil
}

// RAMFile is the one file that the firmware's initramfs directive places
// at the key region: the key record, zeros up to the bundle region, then
// the bundle (either may be empty). Firmware that loads several files
// concatenates them; one file keeps the padding, and so the bundle's
// address, in the project's hands.
func RAMFile(keys, bundle []byte) ([]byte, error) {
	if len(keys) > layout.KeyRecordMax {
		return nil, fmt.Errorf("key record is %d bytes, the key region holds %d", len(keys), layout.KeyRecordMax)
	}
	if len(bundle) > layout.BundleMax {
		return nil, fmt.Errorf("bundle is %d bytes, the bundle region holds %d", len(bundle), layout.BundleMax)
	}
	if len(bundle) == 0 {
		return append([]byte{}, keys...), nil
	}
	gap := layout.BundleStart - layout.KeyRecordStart
	out := make([]byte, gap+len(bundle))
	copy(out, keys)
	copy(out[gap:], bundle)
	return out, nil
}
