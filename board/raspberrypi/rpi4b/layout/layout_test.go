package layout

import "testing"

// TestLayoutMatchesTheConstants: Layout says what the constants say
// (board/boards checks every board's layout against the board contract).
func TestLayoutMatchesTheConstants(t *testing.T) {
	if Layout.RAM.Start != RAMStart || Layout.RAM.End != RAMEnd || Layout.RAM.Size() != RAMSize {
		t.Errorf("Layout.RAM %#x..%#x does not match RAMStart..RAMEnd %#x..%#x", Layout.RAM.Start, Layout.RAM.End, RAMStart, RAMEnd)
	}
	if Layout.KeyRecord.Start != KeyRecordStart || Layout.KeyRecord.Size() != KeyRecordMax ||
		Layout.Bundle.Start != BundleStart || Layout.Bundle.Size() != BundleMax {
		t.Errorf("Layout's key and bundle regions do not match the constants")
	}
	if StackOffset >= RAMSize || StackOffset%16 != 0 {
		t.Errorf("StackOffset %#x is not a 16-byte aligned offset inside runtime RAM", StackOffset)
	}
}

// TestBelowTheVideoCore: everything the firmware or the referee touches is
// ARM memory on every Pi 4, below the VideoCore's share at the top of the
// first GiB (at most 0x4000_0000 - 76 MiB with the default gpu_mem).
func TestBelowTheVideoCore(t *testing.T) {
	const gpuMemDefault = 76 << 20
	for _, r := range Layout.Regions() {
		if r.End > 0x4000_0000-gpuMemDefault {
			t.Errorf("%s ends at %#x, inside the VideoCore's memory from %#x", r.Name, r.End, 0x4000_0000-gpuMemDefault)
		}
	}
}
