package muscle

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"
)

func TestSealOpenRoundTrip(t *testing.T) {
	f := newFixture(t, "m", map[string]Capabilities{"alice": CapAll})
	for _, tc := range []struct {
		name   string
		random bool
	}{{"deterministic", false}, {"random", true}} {
		t.Run(tc.name, func(t *testing.T) {
			in := neuronInput()
			if tc.random {
				in.Rand = rand.Reader
			}
			blob := f.seal(t, "alice", in)
			m, err := Open(blob, f.record, nil)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if !bytes.Equal(m.Code, in.Code) || !bytes.Equal(m.State, in.State) {
				t.Fatal("code or state differ after Open")
			}
			if m.Header.Name != in.Name || m.Header.Version != in.Version || m.Header.Deterministic() == tc.random {
				t.Fatalf("header %+v", m.Header)
			}
			if m.Manifest.CodeSize != uint32(len(in.Code)) || m.Manifest.StateSize != 20 || m.Manifest.ABI != ABIVersion ||
				m.Manifest.Input.String() != "[4]" || m.Manifest.TrainEntry != NoEntry {
				t.Fatalf("manifest %+v", m.Manifest)
			}
			if m.Provenance.Compiler != "musclec 0.1.0" || m.Provenance.Source != "neuron4.py" || m.Provenance.SourceHash != in.Provenance.SourceHash {
				t.Fatalf("provenance %+v", m.Provenance)
			}
			m.Wipe()
			if !bytes.Equal(m.Code, make([]byte, len(in.Code))) {
				t.Fatal("Wipe left code bytes")
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	f := newFixture(t, "m", map[string]Capabilities{"alice": CapAll})
	a := f.seal(t, "alice", neuronInput())
	b := f.seal(t, "alice", neuronInput())
	if !bytes.Equal(a, b) {
		t.Fatal("same inputs sealed twice give different bytes")
	}
	ha, _ := Inspect(a)

	variants := []struct {
		name       string
		change     func(*Input)
		sameSalt   bool
		wantSalted bool
	}{
		{"version", func(in *Input) { in.Version++ }, true, false},
		{"state", func(in *Input) { in.State[0] ^= 1 }, true, false},
		{"budget", func(in *Input) { in.BudgetMicros++ }, true, false},
		{"name", func(in *Input) { in.Name = "neuron5" }, false, false},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			in := neuronInput()
			v.change(in)
			c := f.seal(t, "alice", in)
			hc, err := Inspect(c)
			if err != nil {
				t.Fatal(err)
			}
			if hc.Nonce == ha.Nonce {
				t.Errorf("nonce unchanged")
			}
			if (hc.Salt == ha.Salt) != v.sameSalt {
				t.Errorf("salt equal = %v, want %v", hc.Salt == ha.Salt, v.sameSalt)
			}
			if _, err := Open(c, f.record, nil); err != nil {
				t.Errorf("Open: %v", err)
			}
		})
	}
}

func TestRandomSealing(t *testing.T) {
	f := newFixture(t, "m", map[string]Capabilities{"alice": CapAll})
	var blobs [][]byte
	for range 2 {
		in := neuronInput()
		in.Rand = rand.Reader
		blobs = append(blobs, f.seal(t, "alice", in))
	}
	if bytes.Equal(blobs[0], blobs[1]) {
		t.Fatal("random sealing gave identical blobs")
	}
	h0, _ := Inspect(blobs[0])
	h1, _ := Inspect(blobs[1])
	if h0.Salt == h1.Salt || h0.Nonce == h1.Nonce || h0.Deterministic() {
		t.Fatal("random salt/nonce not random or flag set")
	}
	in := neuronInput()
	in.Rand = bytes.NewReader(make([]byte, 10))
	if _, err := Seal(f.sealing["alice"], f.pubs["alice"], in); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("short random reader: %v", err)
	}
}

func TestSealRejectsBadInput(t *testing.T) {
	f := newFixture(t, "m", map[string]Capabilities{"alice": CapAll, "bob": CapAll})
	cases := []struct {
		name   string
		change func(*Input)
	}{
		{"empty name", func(in *Input) { in.Name = "" }},
		{"name with space", func(in *Input) { in.Name = "a b" }},
		{"long name", func(in *Input) { in.Name = string(bytes.Repeat([]byte("a"), 65)) }},
		{"zero budget", func(in *Input) { in.BudgetMicros = 0 }},
		{"undefined capability", func(in *Input) { in.Capabilities = 1 << 7 }},
		{"no code", func(in *Input) { in.Code = nil }},
		{"unaligned code", func(in *Input) { in.Code = in.Code[:5] }},
		{"state not fp32", func(in *Input) { in.State = in.State[:6] }},
		{"state shape mismatch", func(in *Input) { in.Manifest.State = Shape{4} }},
		{"forward outside code", func(in *Input) { in.Manifest.ForwardEntry = 36 }},
		{"forward unaligned", func(in *Input) { in.Manifest.ForwardEntry = 2 }},
		{"train capability without entry", func(in *Input) { in.Capabilities = CapForward | CapTrain }},
		{"persist without train", func(in *Input) {
			in.Capabilities = CapForward | CapPersist
		}},
		{"rank 5", func(in *Input) { in.Manifest.Input = Shape{1, 1, 1, 1, 4} }},
		{"compiler not printable", func(in *Input) { in.Provenance.Compiler = "x\n" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := neuronInput()
			tc.change(in)
			if _, err := Seal(f.sealing["alice"], f.pubs["alice"], in); !errors.Is(err, ErrInvalidInput) {
				t.Fatalf("Seal: %v, want ErrInvalidInput", err)
			}
		})
	}
	t.Run("mismatched keys", func(t *testing.T) {
		if _, err := Seal(f.sealing["alice"], f.pubs["bob"], neuronInput()); !errors.Is(err, ErrInvalidInput) {
			t.Fatalf("Seal: %v", err)
		}
	})
}

// TestOpenRejects: each way a good blob meets the wrong device, publisher or
// policy gives its own error.
func TestOpenRejects(t *testing.T) {
	f := newFixture(t, "m", map[string]Capabilities{"alice": CapAll, "bob": CapForward})
	wrongKey := newFixture(t, "other master", map[string]Capabilities{"alice": CapAll, "bob": CapForward})
	noAlice := newFixture(t, "m", map[string]Capabilities{"bob": CapForward})
	limited := newFixture(t, "m", map[string]Capabilities{"alice": CapForward})
	recordMin := newFixture(t, "m", map[string]Capabilities{"alice": CapAll})
	if err := recordMin.record.SetMinVersion("neuron4", 4); err != nil {
		t.Fatal(err)
	}

	train := neuronInput()
	train.Capabilities = CapForward | CapTrain
	train.Manifest.TrainEntry = 0
	trainBlob := f.seal(t, "alice", train)
	blob := f.seal(t, "alice", neuronInput()) // version 3

	// A signature by bob's key under alice's id.
	forged := neuronInput()
	bobAsAlice := &SigningKey{Publisher: f.pubs["alice"].Publisher, Key: f.pubs["bob"].Key}
	forgedBlob, err := Seal(f.sealing["alice"], bobAsAlice, forged)
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name   string
		blob   []byte
		keys   *KeyRecord
		policy *Policy
		want   error
	}{
		{"good", blob, f.record, nil, nil},
		{"good train", trainBlob, f.record, nil, nil},
		{"wrong master key", blob, wrongKey.record, nil, ErrWrongKey},
		{"unknown publisher", blob, noAlice.record, nil, ErrUnknownPublisher},
		{"capability not grantable", trainBlob, limited.record, nil, ErrCapability},
		{"forward-only publisher is fine", blob, limited.record, nil, nil},
		{"policy rollback", blob, f.record, &Policy{MinVersion: map[string]uint64{"neuron4": 4}}, ErrRollback},
		{"policy equal", blob, f.record, &Policy{MinVersion: map[string]uint64{"neuron4": 3}}, nil},
		{"policy other name", blob, f.record, &Policy{MinVersion: map[string]uint64{"neuron5": 9}}, nil},
		{"record rollback", blob, recordMin.record, nil, ErrRollback},
		{"signature by another key", forgedBlob, f.record, nil, ErrTampered},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(tc.blob, tc.keys, tc.policy)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("Open: %v, want %v", err, tc.want)
			}
			for _, other := range allSentinels {
				if other != tc.want && errors.Is(err, other) {
					t.Errorf("error also matches %v", other)
				}
			}
		})
	}
}

var allSentinels = []error{ErrNotMuscle, ErrTruncated, ErrMalformed, ErrUnsupportedVersion, ErrUnsupportedArch,
	ErrUnknownPublisher, ErrTampered, ErrCapability, ErrRollback, ErrWrongKey, ErrBadManifest,
	ErrNoKeyRecord, ErrMalformedKeyRecord, ErrMalformedKeyFile, ErrInvalidInput}

func TestPolicyRaise(t *testing.T) {
	var p Policy
	p.Raise("a", 5)
	p.Raise("a", 2)
	if p.Min("a") != 5 || p.Min("b") != 0 || (*Policy)(nil).Min("a") != 0 {
		t.Fatalf("policy %v", p.MinVersion)
	}
}

// TestSealBudgetBounds: budgets are 1 µs to MaxBudgetMicros (finding 6).
func TestSealBudgetBounds(t *testing.T) {
	f := newFixture(t, "m", map[string]Capabilities{"alice": CapAll})
	for _, b := range []uint32{0, MaxBudgetMicros + 1, 1_476_000_000} {
		in := neuronInput()
		in.BudgetMicros = b
		if _, err := Seal(f.sealing["alice"], f.pubs["alice"], in); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("budget %d µs: %v, want refused", b, err)
		}
	}
	in := neuronInput()
	in.BudgetMicros = MaxBudgetMicros
	f.seal(t, "alice", in)
}
