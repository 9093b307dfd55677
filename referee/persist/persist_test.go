package persist

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"lukechampine.com/blake3"

	"github.com/muscles/referee/muscle"
)

func sample() *State {
	st := func(b ...byte) ([32]byte, []byte) { return blake3.Sum256(b), b }
	h1, s1 := st(1, 2, 3, 4)
	h2, s2 := st()
	return &State{
		Muscles: []Muscle{
			{Publisher: muscle.PublisherID{9}, Name: "zeta", Version: 3, Hash: h1, State: s1},
			{Publisher: muscle.PublisherID{7}, Name: "alpha", Version: 1, Hash: h2, State: s2},
		},
		Floors: []Floor{{Name: "zeta", Publisher: muscle.PublisherID{9}, Version: 3}, {Name: "beta", Publisher: muscle.PublisherID{8}, Version: 12}},
	}
}

// TestRoundTrip: Marshal is deterministic (input order does not matter)
// and Unmarshal gives the sorted state back.
func TestRoundTrip(t *testing.T) {
	s := sample()
	b, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	r := sample()
	r.Muscles[0], r.Muscles[1] = r.Muscles[1], r.Muscles[0]
	if b2, _ := r.Marshal(); !bytes.Equal(b, b2) {
		t.Fatal("the encoding depends on the lists' order")
	}
	got, err := Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	s.Sort()
	if !reflect.DeepEqual(got.Floors, s.Floors) || len(got.Muscles) != 2 || got.Muscles[0].Name != "alpha" || !bytes.Equal(got.Muscles[1].State, []byte{1, 2, 3, 4}) {
		t.Fatalf("round trip: %+v", got)
	}
	if empty, _ := (&State{}).Marshal(); len(empty) != 8 {
		t.Fatalf("the empty state is %d bytes", len(empty))
	}
}

// TestRefused: every truncation, trailing bytes, unsorted lists,
// duplicates and a wrong hash are refused.
func TestRefused(t *testing.T) {
	b, _ := sample().Marshal()
	for n := 0; n < len(b); n++ {
		if _, err := Unmarshal(b[:n]); !errors.Is(err, ErrPayload) {
			t.Fatalf("truncated to %d bytes: %v", n, err)
		}
	}
	if _, err := Unmarshal(append(b, 0)); !errors.Is(err, ErrPayload) {
		t.Fatalf("trailing byte: %v", err)
	}
	s := sample()
	s.Muscles[1].Name = "zeta"
	if _, err := s.Marshal(); !errors.Is(err, ErrPayload) {
		t.Fatalf("duplicate: %v", err)
	}
	s = sample()
	s.Muscles[0].State = []byte{5}
	if _, err := s.Marshal(); !errors.Is(err, ErrPayload) {
		t.Fatalf("wrong hash: %v", err)
	}
	// Floors swapped by hand: not canonical.
	f := sample()
	f.Muscles = nil
	fb, _ := f.Marshal()
	one := 2 + 4 + 8 + 8 // the "beta" floor: name length, name, publisher, version
	swapped := append(append(append([]byte{}, fb[:8]...), fb[8+one:]...), fb[8:8+one]...)
	if _, err := Unmarshal(swapped); !errors.Is(err, ErrPayload) {
		t.Fatalf("unsorted floors: %v", err)
	}
}

// FuzzUnmarshal: whatever Unmarshal accepts re-encodes to itself.
func FuzzUnmarshal(f *testing.F) {
	b, _ := sample().Marshal()
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Unmarshal(b)
		if err != nil {
			return
		}
		again, err := s.Marshal()
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("accepted a payload that does not re-encode to itself: %v", err)
		}
	})
}
