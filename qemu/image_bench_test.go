package qemu_test

import (
	"cmp"
	"debug/elf"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// imageTarget is the size each board's production image should stay
// within, in bytes (3.5 MB, decimal megabytes).
const imageTarget = 3_500_000

// BenchmarkImage reports, per board, the production image's size next to
// its target and what it is made of: the ELF's sections by file size and
// the Go packages with the most code and data (symbol sizes in the loaded
// sections; read-only data Go does not size per symbol, such as strings
// and type descriptors, counts under its section only).
func BenchmarkImage(b *testing.B) {
	for _, tb := range boardsUnderTest {
		b.Run(tb.name, func(b *testing.B) {
			var st os.FileInfo
			var secs, pkgs []contributor
			for i := 0; i < b.N; i++ {
				var err error
				if st, err = os.Stat(tb.image); err != nil {
					b.Fatal(err)
				}
				if secs, pkgs, err = imageContributors(tb.image); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(st.Size()), "image-bytes")
			b.ReportMetric(imageTarget, "target-bytes")
			b.Logf("%s: %d bytes, target %d (3.5 MB)", tb.name, st.Size(), imageTarget)
			b.Logf("sections: %s", topContributors(secs, 8))
			b.Logf("packages: %s", topContributors(pkgs, 12))
		})
	}
}

type contributor struct {
	name  string
	bytes uint64
}

func topContributors(c []contributor, n int) string {
	var parts []string
	for _, x := range c[:min(n, len(c))] {
		parts = append(parts, fmt.Sprintf("%s %d", x.name, x.bytes))
	}
	return strings.Join(parts, ", ")
}

// imageContributors lists an ELF's sections by the bytes they take in the
// file and its Go packages by the bytes their symbols take in the
// sections the file holds, largest first.
func imageContributors(file string) (sections, packages []contributor, err error) {
	f, err := elf.Open(file)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	inFile := make(map[elf.SectionIndex]bool)
	for i, s := range f.Sections {
		if s.Type == elf.SHT_NULL || s.Type == elf.SHT_NOBITS {
			continue
		}
		sections = append(sections, contributor{s.Name, s.FileSize})
		inFile[elf.SectionIndex(i)] = s.Flags&elf.SHF_ALLOC != 0
	}
	syms, err := f.Symbols()
	if err != nil {
		return nil, nil, err
	}
	perPkg := make(map[string]uint64)
	for _, s := range syms {
		if inFile[s.Section] && s.Size > 0 {
			perPkg[symbolPackage(s.Name)] += s.Size
		}
	}
	for name, n := range perPkg {
		packages = append(packages, contributor{name, n})
	}
	largest := func(a, b contributor) int {
		return cmp.Or(cmp.Compare(b.bytes, a.bytes), strings.Compare(a.name, b.name))
	}
	slices.SortFunc(sections, largest)
	slices.SortFunc(packages, largest)
	return sections, packages, nil
}

// symbolPackage is the import path a Go symbol belongs to: "fmt" for
// fmt.(*pp).doPrintf, "encoding/json" for type:encoding/json.encodeState;
// symbols of no package (go:func.*, runtime tables) keep their prefix.
func symbolPackage(name string) string {
	if strings.HasPrefix(name, "go:func.") {
		return "go:func.*" // the functions' metadata in .gopclntab
	}
	for _, p := range []string{"type:.eq.", "type:", "go:itab.", "go:string.", "go:"} {
		if rest, ok := strings.CutPrefix(name, p); ok && rest != "" && rest[0] != '.' {
			name = rest
			break
		}
	}
	name = strings.TrimLeft(name, "*(")
	end := len(name)
	if i := strings.IndexAny(name, "(["); i >= 0 {
		end = i
	}
	slash := strings.LastIndexByte(name[:end], '/')
	if dot := strings.IndexByte(name[slash+1:], '.'); dot >= 0 {
		return name[:slash+1+dot]
	}
	return name
}
