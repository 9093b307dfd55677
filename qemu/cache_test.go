package qemu_test

import (
	"debug/elf"
	"encoding/binary"
	"testing"
)

// TestCodeIsMadeVisibleToFetch: new code reaches a muscle's arena through
// ordinary stores, so the referee must clean it to the point of
// unification and invalidate the instruction cache before it runs (Arm
// ARM, concurrent modification and execution of instructions). QEMU does
// not model caches, so this reads the image's machine code instead: the
// sandbox's syncCode issues DC CVAU, then DSB ISH, IC IALLU, DSB ISH, ISB,
// in that order, and sandbox.New calls it.
func TestCodeIsMadeVisibleToFetch(t *testing.T) {
	forBoards(t, func(t *testing.T, tb *testBoard) {
		f, err := elf.Open(tb.image)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		syms, err := f.Symbols()
		if err != nil {
			t.Fatal(err)
		}
		text := f.Section(".text")
		data, err := text.Data()
		if err != nil {
			t.Fatal(err)
		}
		code := func(name string) (uint64, []uint32) {
			for _, s := range syms {
				if s.Name == name && s.Value >= text.Addr && s.Value+s.Size <= text.Addr+uint64(len(data)) {
					b := data[s.Value-text.Addr : s.Value-text.Addr+s.Size]
					w := make([]uint32, len(b)/4)
					for i := range w {
						w[i] = binary.LittleEndian.Uint32(b[4*i:])
					}
					return s.Value, w
				}
			}
			t.Fatalf("no symbol %s in the image", name)
			return 0, nil
		}
		const pkg = "github.com/muscles/referee/referee/sandbox."
		syncAddr, sync := code(pkg + "syncCode.abi0") // an assembly function
		want := []struct {
			name       string
			mask, bits uint32
		}{
			{"dc cvau", 0xffffffe0, 0xd50b7b20},
			{"dsb ish", 0xffffffff, 0xd5033b9f},
			{"ic iallu", 0xffffffff, 0xd508751f},
			{"dsb ish", 0xffffffff, 0xd5033b9f},
			{"isb", 0xffffffff, 0xd5033fdf},
		}
		i := 0
		for _, w := range sync {
			if i < len(want) && w&want[i].mask == want[i].bits {
				i++
			}
		}
		if i != len(want) {
			t.Errorf("syncCode lacks %s (or has it out of order)", want[i].name)
		}
		newAddr, newCode := code(pkg + "New")
		calls := false
		for k, w := range newCode {
			if w&0xfc000000 == 0x94000000 { // bl
				off := int64(int32(w<<6)>>6) * 4
				if newAddr+uint64(4*k)+uint64(off) == syncAddr {
					calls = true
				}
			}
		}
		if !calls {
			t.Error("sandbox.New does not call syncCode")
		}
	})
}
