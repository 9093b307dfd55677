package boards

import (
	"testing"

	"github.com/muscles/referee/board"
	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/muscle/bundle"
)

// TestLayouts runs the shared layout checks on every board with the
// format's limits: the key region holds the largest key record, the bundle
// region the largest blob and bundle, and the key region can be unmapped
// on its own.
func TestLayouts(t *testing.T) {
	for _, b := range All {
		for _, err := range board.CheckLayout(b.Layout, muscle.MaxKeyRecord, max(muscle.MaxBlob, bundle.Max)) {
			t.Errorf("%s: %v", b.Name, err)
		}
		if b.Layout.Board != b.Name {
			t.Errorf("%s: Layout.Board is %q", b.Name, b.Layout.Board)
		}
	}
}

func TestLookup(t *testing.T) {
	if b, err := Lookup(""); err != nil || b.Name != Default {
		t.Errorf(`Lookup("") = %v, %v; want the default`, b.Name, err)
	}
	if _, err := Lookup("pdp11"); err == nil {
		t.Error("Lookup of an unknown board succeeded")
	}
}
