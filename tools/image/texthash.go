package image

import (
	"debug/elf"
	"fmt"
	"strings"

	"lukechampine.com/blake3"
)

// TextHashVar is the kernel's string variable that Build sets, with -X, to
// the first 16 bytes (32 hex digits) of the BLAKE3 hash of the image's text
// (runtime.text to runtime.etext), which the boot audit entry names the
// image by. The kernel hashes its text itself at boot only when the
// variable is unset (an image not built by Build): that costs some 20
// instructions per byte of text, about 20 M for a 1 MiB image.
//
// Embedding it takes two links: the first with a placeholder of the same
// length, so that setting the real value changes only a string's bytes in
// the data, never the text; Build checks that the text hashes the same
// after the second.
const TextHashVar = "main.imageTextHash"

// textHashPlaceholder is what the first link embeds.
var textHashPlaceholder = strings.Repeat("0", 32)

// TextHash returns the hash the kernel names the ELF image file by (see
// TextHashVar): the BLAKE3 hash of runtime.text to runtime.etext, first 16
// bytes, in hex.
func TextHash(file string) (string, error) {
	f, err := elf.Open(file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		return "", fmt.Errorf("%s: %w", file, err)
	}
	var start, end uint64
	for _, s := range syms {
		switch s.Name {
		case "runtime.text":
			start = s.Value
		case "runtime.etext":
			end = s.Value
		}
	}
	sec := f.Section(".text")
	if sec == nil || start == 0 || end <= start || start < sec.Addr || end > sec.Addr+sec.Size {
		return "", fmt.Errorf("%s: no runtime.text..runtime.etext inside a .text section", file)
	}
	data, err := sec.Data()
	if err != nil {
		return "", fmt.Errorf("%s: .text: %w", file, err)
	}
	sum := blake3.Sum256(data[start-sec.Addr : end-sec.Addr])
	return fmt.Sprintf("%x", sum[:16]), nil
}
