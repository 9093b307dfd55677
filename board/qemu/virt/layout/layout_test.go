package layout

import "testing"

func TestLayout(t *testing.T) {
	const twoMiB = 2 << 20
	if RAMStart%twoMiB != 0 {
		t.Errorf("RAMStart %#x is not 2 MiB aligned (TamaGo's MMU set-up needs it)", RAMStart)
	}
	if TextStart <= RAMStart || TextStart >= RAMStart+twoMiB || TextStart%TextRound != 0 {
		t.Errorf("TextStart %#x must sit in the first 2 MiB of RAM, %#x aligned", TextStart, TextRound)
	}
	if DTBStart+DTBMax > RAMStart {
		t.Errorf("the DTB area ends at %#x, inside runtime RAM from %#x", DTBStart+DTBMax, RAMStart)
	}
	regions := Layout.Regions()
	for i := 1; i < len(regions); i++ {
		if regions[i].Start < regions[i-1].End {
			t.Errorf("%s overlaps %s", regions[i].Name, regions[i-1].Name)
		}
	}
	last := regions[len(regions)-1]
	if last.End > DRAMStart+DRAMSize {
		t.Errorf("%s ends at %#x, past RAM (%#x)", last.Name, last.End, DRAMStart+DRAMSize)
	}
	if DMAStart < RAMEnd {
		t.Errorf("DMA region %#x is inside runtime RAM (ends %#x); tamago's dma refuses that", DMAStart, RAMEnd)
	}
}

// TestLayoutMatchesTheConstants: Layout says what the constants say
// (board/boards checks every board's layout against the board contract).
func TestLayoutMatchesTheConstants(t *testing.T) {
	if Layout.RAM.Start != RAMStart || Layout.RAM.End != RAMEnd || Layout.RAM.Size() != RAMSize {
		t.Errorf("Layout.RAM %#x..%#x does not match RAMStart..RAMEnd %#x..%#x (RAMSize %#x)", Layout.RAM.Start, Layout.RAM.End, RAMStart, RAMEnd, RAMSize)
	}
	if Layout.KeyRecord.Start != KeyRecordStart || Layout.KeyRecord.Size() != KeyRecordMax ||
		Layout.Bundle.Start != BundleStart || Layout.Bundle.Size() != BundleMax {
		t.Errorf("Layout's key and bundle regions do not match the constants")
	}
	if StackOffset >= RAMSize || StackOffset%16 != 0 {
		t.Errorf("StackOffset %#x is not a 16-byte aligned offset inside runtime RAM", StackOffset)
	}
}
