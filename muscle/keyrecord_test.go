package muscle

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"lukechampine.com/blake3"
)

func TestKeyRecordRoundTrip(t *testing.T) {
	f := newFixture(t, "m", map[string]Capabilities{"alice": CapAll, "bob": CapForward})
	for _, mv := range []MinVersion{{"zeta", 1}, {"alpha", 7}, {"zeta", 2}} {
		if err := f.record.SetMinVersion(mv.Name, mv.Version); err != nil {
			t.Fatal(err)
		}
	}
	b, err := f.record.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	// The record sits at the start of a larger, zero-filled region.
	region := make([]byte, MaxKeyRecord)
	copy(region, b)
	r, err := ParseKeyRecord(region)
	if err != nil {
		t.Fatalf("ParseKeyRecord: %v", err)
	}
	if r.ID != f.record.ID || r.master != f.record.master || len(r.Publishers) != 2 ||
		r.MinVersion("alpha") != 7 || r.MinVersion("zeta") != 2 || r.MinVersion("beta") != 0 {
		t.Fatalf("parsed record differs: %+v", r)
	}
	if p, ok := r.Publisher(f.pubs["bob"].Publisher); !ok || p.Grants != CapForward || !bytes.Equal(p.PublicKey, f.pubs["bob"].Public().Key) {
		t.Fatalf("bob: %+v %v", p, ok)
	}
	again, _ := r.MarshalBinary()
	if !bytes.Equal(again, b) {
		t.Fatal("re-encoding differs")
	}
	// The record keeps no reference into the region.
	clear(region)
	if r.master != f.record.master {
		t.Fatal("record aliases the region")
	}
	r.Wipe()
	if r.master != [KeySize]byte{} {
		t.Fatal("Wipe left the master key")
	}
	if _, err := r.MarshalBinary(); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("marshal after wipe: %v", err)
	}
}

// resum recomputes the checksum of an edited record.
func resum(b []byte) []byte {
	n := len(b) - keyRecordCheck
	blake3.DeriveKey(b[n:], CtxKeyRecordCheck, b[:n])
	return b
}

func TestKeyRecordRejects(t *testing.T) {
	f := newFixture(t, "m", map[string]Capabilities{"alice": CapAll})
	if err := f.record.SetMinVersion("neuron4", 2); err != nil {
		t.Fatal(err)
	}
	good, err := f.record.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	edit := func(fn func(b []byte) []byte) []byte { return fn(bytes.Clone(good)) }
	cases := []struct {
		name   string
		region []byte
		want   []error
	}{
		{"zero region", make([]byte, MaxKeyRecord), []error{ErrNoKeyRecord}},
		{"erased region", bytes.Repeat([]byte{0xFF}, 4096), []error{ErrNoKeyRecord}},
		{"nothing", nil, []error{ErrNoKeyRecord}},
		{"garbage", bytes.Repeat([]byte("garbage!"), 100), []error{ErrMalformedKeyRecord}},
		{"a muscle blob", []byte(Magic + "........"), []error{ErrMalformedKeyRecord}},
		{"flipped master key byte", edit(func(b []byte) []byte { b[40] ^= 1; return b }), []error{ErrMalformedKeyRecord}},
		{"flipped checksum", edit(func(b []byte) []byte { b[len(b)-1] ^= 1; return b }), []error{ErrMalformedKeyRecord}},
		{"truncated", good[:len(good)-1], []error{ErrMalformedKeyRecord, ErrTruncated}},
		{"fixed part only", good[:keyRecordFixed-1], []error{ErrMalformedKeyRecord, ErrTruncated}},
		{"version 2", edit(func(b []byte) []byte { b[8] = 2; return resum(b) }), []error{ErrMalformedKeyRecord, ErrUnsupportedVersion}},
		{"key id of another key", edit(func(b []byte) []byte { b[16] ^= 1; return resum(b) }), []error{ErrMalformedKeyRecord}},
		{"length too large", edit(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[12:], MaxKeyRecord+1); return b }), []error{ErrMalformedKeyRecord}},
		{"no publishers", edit(func(b []byte) []byte { b[64] = 0; return resum(b) }), []error{ErrMalformedKeyRecord}},
		{"two publishers claimed", edit(func(b []byte) []byte { b[64] = 2; return resum(b) }), []error{ErrMalformedKeyRecord}},
		{"undefined grant", edit(func(b []byte) []byte { b[keyRecordFixed+40] = 0x80; return resum(b) }), []error{ErrMalformedKeyRecord}},
		{"bad min-version name", edit(func(b []byte) []byte { b[keyRecordFixed+keyRecordPublisher+1] = ' '; return resum(b) }), []error{ErrMalformedKeyRecord}},
		{"reserved set", edit(func(b []byte) []byte { b[10] = 1; return resum(b) }), []error{ErrMalformedKeyRecord}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseKeyRecord(tc.region)
			if r != nil {
				t.Fatal("got a record")
			}
			for _, w := range tc.want {
				if !errors.Is(err, w) {
					t.Fatalf("ParseKeyRecord: %v, want %v", err, w)
				}
			}
			if containsSecret(err.Error(), f.master) {
				t.Fatal("error contains the master key")
			}
		})
	}
}

func TestKeyRecordSweep(t *testing.T) {
	f := newFixture(t, "m", map[string]Capabilities{"alice": CapAll})
	good, _ := f.record.MarshalBinary()
	for i := range good {
		b := bytes.Clone(good)
		b[i] ^= 0x5A
		if _, err := ParseKeyRecord(b); !errors.Is(err, ErrMalformedKeyRecord) {
			t.Fatalf("byte %d changed: %v", i, err)
		}
	}
	for n := 1; n < len(good); n++ {
		if _, err := ParseKeyRecord(good[:n]); !errors.Is(err, ErrMalformedKeyRecord) {
			t.Fatalf("prefix %d: %v", n, err)
		}
	}
}

func TestKeyRecordBuildErrors(t *testing.T) {
	if _, err := NewKeyRecord(make([]byte, 32)); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("zero master: %v", err)
	}
	if _, err := NewKeyRecord(make([]byte, 31)); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("short master: %v", err)
	}
	r, _ := NewKeyRecord(testKey("m"))
	if _, err := r.MarshalBinary(); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("no publishers: %v", err)
	}
	sk := signingKey("alice")
	p := Publisher{ID: sk.Publisher, PublicKey: sk.Public().Key, Grants: CapForward}
	if err := r.AddPublisher(p); err != nil {
		t.Fatal(err)
	}
	if err := r.AddPublisher(p); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("duplicate: %v", err)
	}
	p.ID[0] ^= 1
	p.Grants = 0x10
	if err := r.AddPublisher(p); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("bad grants: %v", err)
	}
	if err := r.SetMinVersion("bad name", 1); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("bad name: %v", err)
	}
}

func TestKeyHierarchy(t *testing.T) {
	a := newFixture(t, "m", map[string]Capabilities{"alice": CapAll, "bob": CapAll})
	b := newFixture(t, "other", map[string]Capabilities{"alice": CapAll})
	ka, kb, ka2 := a.sealing["alice"], a.sealing["bob"], b.sealing["alice"]
	if ka.key == kb.key || ka.key == ka2.key {
		t.Fatal("sealing keys of different publishers or masters coincide")
	}
	if ka.Fingerprint() == kb.Fingerprint() || len(ka.Fingerprint()) != 16 {
		t.Fatalf("fingerprints %s %s", ka.Fingerprint(), kb.Fingerprint())
	}
	if a.record.AuditKey() == b.record.AuditKey() || a.record.AuditKey() == ka.key {
		t.Fatal("audit key not separated")
	}
	// Bob's sealing key cannot produce a blob that opens under Alice's id.
	in := neuronInput()
	mixed := &SealingKey{Publisher: a.pubs["alice"].Publisher, key: kb.key}
	blob, err := Seal(mixed, a.pubs["alice"], in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(blob, a.record, nil); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("Open with bob's sealing key under alice's id: %v", err)
	}
}

func TestKeyFiles(t *testing.T) {
	f := newFixture(t, "m", map[string]Capabilities{"alice": CapAll})
	sk, sig := f.sealing["alice"], f.pubs["alice"]
	sb, _ := sk.MarshalBinary()
	gb, _ := sig.MarshalBinary()
	pb, _ := sig.Public().MarshalBinary()
	sk2, err := ParseSealingKey(sb)
	if err != nil || sk2.key != sk.key || sk2.Publisher != sk.Publisher {
		t.Fatalf("sealing key: %v", err)
	}
	sig2, err := ParseSigningKey(gb)
	if err != nil || !sig2.Key.Equal(sig.Key) {
		t.Fatalf("signing key: %v", err)
	}
	pub2, err := ParsePublicKey(pb)
	if err != nil || !pub2.Key.Equal(sig.Public().Key) || pub2.Fingerprint() != sig.Public().Fingerprint() {
		t.Fatalf("public key: %v", err)
	}
	parsers := map[string]func([]byte) error{
		"sealing": func(b []byte) error { _, err := ParseSealingKey(b); return err },
		"signing": func(b []byte) error { _, err := ParseSigningKey(b); return err },
		"public":  func(b []byte) error { _, err := ParsePublicKey(b); return err },
	}
	files := map[string][]byte{"sealing": sb, "signing": gb, "public": pb}
	for name, parse := range parsers {
		for other, b := range files {
			err := parse(b)
			if (other == name) != (err == nil) {
				t.Errorf("%s parser on %s file: %v", name, other, err)
			}
		}
		good := files[name]
		for i := range good {
			b := bytes.Clone(good)
			b[i] ^= 1
			if err := parse(b); !errors.Is(err, ErrMalformedKeyFile) {
				t.Fatalf("%s file byte %d: %v", name, i, err)
			}
		}
		if err := parse(good[:len(good)-1]); !errors.Is(err, ErrMalformedKeyFile) {
			t.Fatalf("%s truncated: %v", name, err)
		}
	}
}

func TestCapabilities(t *testing.T) {
	cases := []struct {
		in   string
		want Capabilities
		err  bool
	}{
		{"forward", CapForward, false},
		{"forward,train", CapForward | CapTrain, false},
		{" train , persist ", CapTrain | CapPersist, false},
		{"all", CapAll, false},
		{"none", 0, false},
		{"", 0, false},
		{"fly", 0, true},
	}
	for _, tc := range cases {
		c, err := ParseCapabilities(tc.in)
		if (err != nil) != tc.err || c != tc.want {
			t.Errorf("ParseCapabilities(%q) = %v, %v", tc.in, c, err)
		}
	}
	if s := (CapAll | 0x100).String(); s != "forward,train,persist,0x100" {
		t.Errorf("String: %s", s)
	}
	if CapForward != 1 || CapTrain != 2 || CapPersist != 4 {
		t.Fatal("capability values are part of the format")
	}
}

func TestValidName(t *testing.T) {
	for name, want := range map[string]bool{
		"neuron4": true, "a.b_c-d": true, "": false, ".hidden": false, "-x": false,
		"a b": false, "a/b": false, "é": false, string(bytes.Repeat([]byte("x"), 64)): true,
		string(bytes.Repeat([]byte("x"), 65)): false,
	} {
		if ValidName(name) != want {
			t.Errorf("ValidName(%q) != %v", name, want)
		}
	}
}
