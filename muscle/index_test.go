package muscle

import (
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

// indexFixture: alice and bob, a muscle of each, and alice's index of her
// muscle as "a.muscle".
func indexFixture(t testing.TB) (f *fixture, alice, bob, index []byte) {
	f = newFixture(t, "index", map[string]Capabilities{"alice": CapAll, "bob": CapAll})
	alice = f.seal(t, "alice", neuronInput())
	in := neuronInput()
	in.Name = "bobs"
	bob = f.seal(t, "bob", in)
	index, err := SignIndex(f.pubs["alice"], []IndexEntry{IndexEntryFor("a.muscle", alice)})
	if err != nil {
		t.Fatal(err)
	}
	return f, alice, bob, index
}

func TestIndexRoundTrip(t *testing.T) {
	f, alice, _, index := indexFixture(t)
	ix, err := ParseIndex(index)
	if err != nil {
		t.Fatal(err)
	}
	if ix.Publisher != f.pubs["alice"].Publisher || len(ix.Entries) != 1 || ix.Entries[0] != IndexEntryFor("a.muscle", alice) {
		t.Fatalf("parsed %+v", ix)
	}
	v, err := VerifyIndex(index, f.record)
	if err != nil {
		t.Fatal(err)
	}
	if v.Publisher() != ix.Publisher || len(v.Entries()) != 1 {
		t.Fatalf("verified index %v %v", v.Publisher(), v.Entries())
	}
	if !v.Vouches("a.muscle", alice) {
		t.Fatal("the index does not vouch for the blob it lists")
	}
	m, vouched, err := v.Open("a.muscle", alice, f.record, nil)
	if err != nil || !vouched || m.Header.Name != "neuron4" {
		t.Fatalf("Open through the index: vouched %v, %v", vouched, err)
	}
}

// TestIndexSkipsOnlyTheSignature: a blob whose own signature is broken
// opens when its publisher's index vouches for it, and every other check
// still runs.
func TestIndexSkipsOnlyTheSignature(t *testing.T) {
	f := newFixture(t, "index", map[string]Capabilities{"alice": CapForward, "bob": CapAll})
	good := f.seal(t, "alice", neuronInput())
	badSig := append([]byte(nil), good...)
	badSig[len(badSig)-1] ^= 1
	if _, err := Open(badSig, f.record, nil); !errors.Is(err, ErrTampered) {
		t.Fatalf("Open of a blob with a broken signature: %v", err)
	}
	old := neuronInput()
	old.Version = 1
	oldBlob := f.seal(t, "alice", old)
	train := neuronInput()
	train.Name = "train"
	train.Capabilities = CapAll
	train.Manifest.TrainEntry = 4
	// Seal refuses capabilities the key record does not grant only at
	// Open: the sealer does not see the record.
	trainBlob := f.seal(t, "alice", train)
	index, err := SignIndex(f.pubs["alice"], []IndexEntry{
		IndexEntryFor("bad.muscle", badSig), IndexEntryFor("old.muscle", oldBlob), IndexEntryFor("train.muscle", trainBlob),
	})
	if err != nil {
		t.Fatal(err)
	}
	v, err := VerifyIndex(index, f.record)
	if err != nil {
		t.Fatal(err)
	}
	if _, vouched, err := v.Open("bad.muscle", badSig, f.record, nil); err != nil || !vouched {
		t.Fatalf("vouched blob with a broken signature: vouched %v, %v", vouched, err)
	}
	if err := f.record.SetMinVersion("neuron4", 2); err != nil {
		t.Fatal(err)
	}
	if _, vouched, err := v.Open("old.muscle", oldBlob, f.record, nil); !errors.Is(err, ErrRollback) || !vouched {
		t.Errorf("vouched old version: vouched %v, %v (want rollback)", vouched, err)
	}
	if _, _, err := v.Open("train.muscle", trainBlob, f.record, nil); !errors.Is(err, ErrCapability) {
		t.Errorf("vouched blob asking for an ungranted capability: %v", err)
	}
	other := newFixture(t, "another master", map[string]Capabilities{"alice": CapAll})
	if _, vouched, err := v.Open("bad.muscle", badSig, other.record, nil); !errors.Is(err, ErrTampered) || vouched {
		t.Errorf("index verified with another key record: vouched %v, %v", vouched, err)
	}
	var nilIndex *BundleIndex
	if _, vouched, err := nilIndex.Open("bad.muscle", badSig, f.record, nil); !errors.Is(err, ErrTampered) || vouched {
		t.Errorf("nil index: vouched %v, %v", vouched, err)
	}
}

// TestIndexTamper: every way to tamper with an index, or with what it
// lists, either fails VerifyIndex or leaves the blob to its own signature.
func TestIndexTamper(t *testing.T) {
	f, alice, bob, index := indexFixture(t)
	for i := range index {
		b := append([]byte(nil), index...)
		b[i] ^= 0x01
		if _, err := VerifyIndex(b, f.record); err == nil {
			t.Fatalf("byte %d flipped: the index still verifies", i)
		}
	}
	for n := range index {
		if _, err := VerifyIndex(index[:n], f.record); err == nil {
			t.Fatalf("index truncated to %d bytes verifies", n)
		}
	}
	if _, err := VerifyIndex(append(append([]byte(nil), index...), 0), f.record); !errors.Is(err, ErrMalformed) {
		t.Errorf("trailing byte: %v", err)
	}
	badSig := append([]byte(nil), alice...)
	badSig[len(badSig)-1] ^= 1
	byBob, err := SignIndex(f.pubs["bob"], []IndexEntry{IndexEntryFor("a.muscle", badSig), IndexEntryFor("b.muscle", bob)})
	if err != nil {
		t.Fatal(err)
	}
	vb, err := VerifyIndex(byBob, f.record)
	if err != nil {
		t.Fatal(err)
	}
	if vb.Vouches("a.muscle", badSig) {
		t.Error("bob's index vouches for alice's muscle")
	}
	if _, _, err := vb.Open("a.muscle", badSig, f.record, nil); !errors.Is(err, ErrTampered) {
		t.Errorf("alice's blob with a broken signature through bob's index: %v", err)
	}
	if _, vouched, err := vb.Open("b.muscle", bob, f.record, nil); err != nil || !vouched {
		t.Errorf("bob's own muscle: vouched %v, %v", vouched, err)
	}
	v, err := VerifyIndex(index, f.record)
	if err != nil {
		t.Fatal(err)
	}
	changed := append([]byte(nil), alice...)
	changed[len(changed)-70] ^= 1
	for _, c := range []struct {
		what, name string
		blob       []byte
	}{
		{"hash mismatch", "a.muscle", changed},
		{"length mismatch", "a.muscle", alice[:len(alice)-1]},
		{"unlisted name", "b.muscle", alice},
		{"listed name, another publisher's blob", "a.muscle", bob},
	} {
		if v.Vouches(c.name, c.blob) {
			t.Errorf("%s: vouched", c.what)
		}
	}
	// Another master key's record does not know the publisher.
	stranger := newFixture(t, "other", map[string]Capabilities{"carol": CapAll})
	if _, err := VerifyIndex(index, stranger.record); !errors.Is(err, ErrUnknownPublisher) {
		t.Errorf("index of a publisher not in the record: %v", err)
	}
	// A muscle signature is not an index signature: the same body signed
	// without the context string does not verify.
	body := index[:len(index)-SignatureSize]
	forged := append(append([]byte(nil), body...), signRaw(f.pubs["alice"], body)...)
	if _, err := VerifyIndex(forged, f.record); !errors.Is(err, ErrTampered) {
		t.Errorf("index signed without the context string: %v", err)
	}
}

func signRaw(k *SigningKey, msg []byte) []byte { return ed25519.Sign(k.Key, msg) }

func TestParseIndexRejects(t *testing.T) {
	_, alice, _, index := indexFixture(t)
	e := IndexEntryFor("a.muscle", alice)
	// build makes an unsigned index body (a zero signature) with count n.
	build := func(n uint32, entries ...IndexEntry) []byte {
		b := make([]byte, indexFixed)
		copy(b, IndexMagic)
		b[8] = IndexVersion
		binary.LittleEndian.PutUint32(b[20:], n)
		for _, e := range entries {
			b = append(b, byte(len(e.Name)))
			b = append(b, e.Name...)
			b = binary.LittleEndian.AppendUint32(b, e.Len)
			b = append(b, e.Hash[:]...)
		}
		return append(b, make([]byte, SignatureSize)...)
	}
	if _, err := ParseIndex(build(1, e)); err != nil {
		t.Fatalf("well-formed index: %v", err)
	}
	set := func(b []byte, off int, v byte) []byte { b = append([]byte(nil), b...); b[off] = v; return b }
	cases := []struct {
		what string
		b    []byte
		want error
	}{
		{"empty", nil, ErrMalformed},
		{"muscle magic", []byte(Magic + "0123456789abcdef"), ErrMalformed},
		{"wrong magic", set(index, 0, 'X'), ErrMalformed},
		{"wrong version", set(index, 8, 2), ErrUnsupportedVersion},
		{"version 0", set(index, 8, 0), ErrUnsupportedVersion},
		{"reserved byte", set(index, 10, 1), ErrMalformed},
		{"no entries", build(0), ErrMalformed},
		{"too many entries", build(MaxIndexEntries+1, e), ErrMalformed},
		{"count above the entries", build(2, e), ErrTruncated},
		{"count below the entries", build(1, e, IndexEntry{Name: "b", Len: 1}), ErrMalformed},
		{"duplicate names", build(2, e, e), ErrMalformed},
		{"the index's own name", build(1, IndexEntry{Name: IndexName, Len: 1}), ErrMalformed},
		{"directory name", build(1, IndexEntry{Name: "a/b", Len: 1}), ErrMalformed},
		{"empty name", build(1, IndexEntry{Name: "", Len: 1}), ErrMalformed},
		{"dot dot", build(1, IndexEntry{Name: "..", Len: 1}), ErrMalformed},
		{"zero length blob", build(1, IndexEntry{Name: "a", Len: 0}), ErrMalformed},
		{"blob above MaxBlob", build(1, IndexEntry{Name: "a", Len: MaxBlob + 1}), ErrMalformed},
		{"short", index[:indexFixed+SignatureSize-1], ErrTruncated},
	}
	for _, c := range cases {
		if _, err := ParseIndex(c.b); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.what, err, c.want)
		}
	}
	f, _, _, _ := indexFixture(t)
	if _, err := SignIndex(f.pubs["alice"], []IndexEntry{e, e}); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("SignIndex of duplicate names: %v", err)
	}
	if _, err := SignIndex(f.pubs["alice"], []IndexEntry{{Name: strings.Repeat("n", 300), Len: 1}}); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("SignIndex of a 300-byte name: %v", err)
	}
	if _, err := SignIndex(nil, []IndexEntry{e}); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("SignIndex without a key: %v", err)
	}
}

func FuzzParseIndex(f *testing.F) {
	fx, alice, bob, index := indexFixture(f)
	two, _ := SignIndex(fx.pubs["bob"], []IndexEntry{IndexEntryFor("a.muscle", alice), IndexEntryFor("b.muscle", bob)})
	for _, s := range [][]byte{index, two, index[:40], []byte(IndexMagic)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ix, err := ParseIndex(b)
		if err != nil {
			if !wrapsSentinel(err) {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			return
		}
		if len(ix.Entries) == 0 || len(ix.Entries) > MaxIndexEntries {
			t.Fatalf("%d entries", len(ix.Entries))
		}
		v, err := VerifyIndex(b, fx.record)
		if err != nil {
			return
		}
		// Only a real signature verifies, so v lists what a seed signed.
		for _, e := range v.Entries() {
			if e.Name != "a.muscle" && e.Name != "b.muscle" {
				t.Fatalf("a fuzzed index verifies: %+v", e)
			}
		}
	})
}

// BenchmarkOpenIndexed compares opening a small muscle on its own
// signature with opening it vouched for by a verified bundle index (the
// index's one signature check is outside the loop: it is shared by every
// muscle of the bundle).
func BenchmarkOpenIndexed(b *testing.B) {
	f, alice, _, index := indexFixture(b)
	v, err := VerifyIndex(index, f.record)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("signature", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m, err := Open(alice, f.record, nil)
			if err != nil {
				b.Fatal(err)
			}
			m.Wipe()
		}
	})
	b.Run("vouched", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m, vouched, err := v.Open("a.muscle", alice, f.record, nil)
			if err != nil || !vouched {
				b.Fatal(vouched, err)
			}
			m.Wipe()
		}
	})
	b.Run("verify-index", func(b *testing.B) {
		for b.Loop() {
			if _, err := VerifyIndex(index, f.record); err != nil {
				b.Fatal(err)
			}
		}
	})
}
