package board

import (
	"strings"
	"testing"
)

const (
	testKeyMax    = 64 << 10
	testBundleMax = 128 << 20
)

// goodLayout is a memory map that meets every check (QEMU virt's shape).
func goodLayout() *Layout {
	return &Layout{
		Board:     "test",
		DRAMStart: 0x4000_0000, DRAMSize: 2 << 30,
		RAM:       Region{Name: "runtime ram", Start: 0x4020_0000, End: 0x8E00_0000},
		TextStart: 0x4021_0000, TextRound: 0x1000,
		KeyRecord: Region{Name: "key record", Start: 0x9000_0000, End: 0x9001_0000},
		Bundle:    Region{Name: "muscle bundle", Start: 0x9100_0000, End: 0x9900_0000},
		Others: []Region{
			{Name: "dtb", Start: 0x4000_0000, End: 0x4010_0000},
			{Name: "dma", Start: 0x8E00_0000, End: 0x9000_0000},
		},
	}
}

func TestCheckLayoutGood(t *testing.T) {
	if errs := CheckLayout(goodLayout(), testKeyMax, testBundleMax); len(errs) != 0 {
		t.Errorf("a good layout is refused: %v", errs)
	}
}

// TestCheckLayoutBad breaks one property at a time: each must be reported,
// naming what is wrong.
func TestCheckLayoutBad(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(l *Layout)
		want   string
	}{
		{"ram unaligned", func(l *Layout) { l.RAM.Start = 0x4010_0000; l.TextStart = 0x4011_0000 }, "not 2 MiB aligned"},
		{"text below ram", func(l *Layout) { l.TextStart = 0x4010_0000 }, "text start 0x40100000"},
		{"text at ram start", func(l *Layout) { l.TextStart = l.RAM.Start }, "above the page tables"},
		{"text past 2 MiB", func(l *Layout) { l.TextStart = l.RAM.Start + 2<<20 }, "first 2 MiB"},
		{"text unrounded", func(l *Layout) { l.TextStart = 0x4021_0800 }, "not 0x1000 aligned"},
		{"rounding not a power of two", func(l *Layout) { l.TextRound = 0x3000 }, "not a power of two"},
		{"rounding zero", func(l *Layout) { l.TextRound = 0 }, "not a power of two"},
		{"overlap", func(l *Layout) { l.Others[1].End = 0x9000_1000 }, `"key record" [0x90000000, 0x90010000) overlaps "dma"`},
		{"empty region", func(l *Layout) { l.Others[0].End = l.Others[0].Start }, `"dtb" [0x40000000, 0x40000000) is empty`},
		{"past dram", func(l *Layout) { l.DRAMSize = 1 << 30 }, "is not inside DRAM"},
		{"below dram", func(l *Layout) { l.DRAMStart = 0x4010_0000; l.DRAMSize = 3 << 30 }, `"dtb" [0x40000000, 0x40100000) is not inside DRAM`},
		{"small key region", func(l *Layout) { l.KeyRecord.End = l.KeyRecord.Start + 4096 }, "key region holds 4096 bytes, a key record may be 65536"},
		{"small bundle region", func(l *Layout) { l.Bundle.End = l.Bundle.Start + 1<<20 }, "bundle region holds 1048576 bytes"},
		{"key unaligned", func(l *Layout) { l.KeyRecord = Region{Name: "key record", Start: 0x9010_0000, End: 0x9011_0000} }, "not inside one 2 MiB aligned block"},
		{"key over 2 MiB", func(l *Layout) { l.KeyRecord.End = l.KeyRecord.Start + 3<<20 }, "not inside one 2 MiB aligned block"},
		{"bundle in key block", func(l *Layout) { l.Bundle = Region{Name: "muscle bundle", Start: 0x9010_0000, End: 0x9810_0000} }, `"muscle bundle" [0x90100000, 0x98100000) shares the key region's 2 MiB block`},
		{"other in key block", func(l *Layout) {
			l.Others = append(l.Others, Region{Name: "mailbox", Start: 0x9018_0000, End: 0x9019_0000})
		}, `"mailbox" [0x90180000, 0x90190000) shares`},
		{"bundle in another 1 GiB block", func(l *Layout) {
			l.DRAMSize = 3 << 30
			l.Bundle = Region{Name: "muscle bundle", Start: 0xC000_0000, End: 0xC800_0000}
		}, "not in the key region's 1 GiB block at 0x80000000"},
		{"key in runtime ram", func(l *Layout) { l.KeyRecord = Region{Name: "key record", Start: 0x8000_0000, End: 0x8001_0000} }, "key region [0x80000000, 0x80010000) is inside runtime RAM"},
	}
	for _, tt := range tests {
		l := goodLayout()
		tt.mutate(l)
		errs := CheckLayout(l, testKeyMax, testBundleMax)
		found := false
		for _, err := range errs {
			if !strings.HasPrefix(err.Error(), "test: ") {
				t.Errorf("%s: %q does not name the board", tt.name, err)
			}
			found = found || strings.Contains(err.Error(), tt.want)
		}
		if !found {
			t.Errorf("%s: no error contains %q; got %v", tt.name, tt.want, errs)
		}
	}
}

// TestCheckLayoutLimits: the limits are the caller's.
func TestCheckLayoutLimits(t *testing.T) {
	l := goodLayout()
	if errs := CheckLayout(l, l.KeyRecord.Size(), l.Bundle.Size()); len(errs) != 0 {
		t.Errorf("regions exactly as large as the limits are refused: %v", errs)
	}
	if errs := CheckLayout(l, l.KeyRecord.Size()+1, l.Bundle.Size()+1); len(errs) != 2 {
		t.Errorf("regions one byte short of both limits: %d errors (%v), want 2", len(errs), errs)
	}
}
