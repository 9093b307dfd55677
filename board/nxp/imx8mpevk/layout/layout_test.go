package layout

import "testing"

// TestLayout: Layout says what the constants say (board/boards checks
// every board's layout against the board contract).
func TestLayout(t *testing.T) {
	if Layout.RAM.Start != RAMStart || Layout.RAM.End != RAMEnd || Layout.RAM.Size() != RAMSize {
		t.Errorf("Layout.RAM %#x..%#x does not match RAMStart..RAMEnd %#x..%#x (RAMSize %#x)", Layout.RAM.Start, Layout.RAM.End, RAMStart, RAMEnd, RAMSize)
	}
	if Layout.KeyRecord.Start != KeyRecordStart || Layout.KeyRecord.Size() != KeyRecordMax ||
		Layout.Bundle.Start != BundleStart || Layout.Bundle.Size() != BundleMax {
		t.Errorf("Layout's key and bundle regions do not match the constants")
	}
	// TamaGo keeps its page tables at RAMStart+0x4000..0x8000.
	if TextStart < RAMStart+0x8000 {
		t.Errorf("TextStart %#x overlaps TamaGo's page tables at %#x..%#x", TextStart, RAMStart+0x4000, RAMStart+0x8000)
	}
	if Layout.Board != "imx8mpevk" {
		t.Errorf("Layout.Board is %q, want imx8mpevk (BOARD=)", Layout.Board)
	}
}
