package muscle

import (
	"crypto/ed25519"
	"encoding/binary"
	"math"
	"testing"

	"lukechampine.com/blake3"
)

// neuronCode is the forward pass of a 4-input neuron, y = w·x + b, in the
// muscle ABI (checked with aarch64-linux-gnu-objdump):
//
//	ldr q0, [x0]; ldr q1, [x2]; ldr s2, [x2, #16]
//	fmul v0.4s, v0.4s, v1.4s; faddp v0.4s, v0.4s, v0.4s; faddp s0, v0.2s
//	fadd s0, s0, s2; str s0, [x1]; ret
var neuronCode = words(0x3DC00000, 0x3DC00041, 0xBD401042, 0x6E21DC00,
	0x6E20D400, 0x7E30D800, 0x1E222800, 0xBD000020, InstrRet)

func words(ws ...uint32) []byte {
	var b []byte
	for _, w := range ws {
		b = binary.LittleEndian.AppendUint32(b, w)
	}
	return b
}

func floats(fs ...float32) []byte {
	var b []byte
	for _, f := range fs {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(f))
	}
	return b
}

// testKey derives a fixed 32-byte test key from a label.
func testKey(label string) []byte {
	var k [32]byte
	blake3.DeriveKey(k[:], "muscle tests 2025 test key", []byte(label))
	return k[:]
}

// fixture is a key record with publishers and their keys.
type fixture struct {
	master  []byte
	record  *KeyRecord
	pubs    map[string]*SigningKey
	sealing map[string]*SealingKey
}

// newFixture builds a record with master key testKey(master) and a
// publisher per name, each granted grants[name].
func newFixture(t testing.TB, master string, grants map[string]Capabilities) *fixture {
	t.Helper()
	f := &fixture{master: testKey(master), pubs: map[string]*SigningKey{}, sealing: map[string]*SealingKey{}}
	r, err := NewKeyRecord(f.master)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"alice", "bob", "carol"} {
		g, ok := grants[name]
		if !ok {
			continue
		}
		sk := signingKey(name)
		if err := r.AddPublisher(Publisher{ID: sk.Publisher, PublicKey: sk.Public().Key, Grants: g}); err != nil {
			t.Fatal(err)
		}
		f.pubs[name] = sk
		f.sealing[name] = r.SealingKey(sk.Publisher)
	}
	f.record = r
	return f
}

func signingKey(name string) *SigningKey {
	priv := ed25519.NewKeyFromSeed(testKey("signing " + name))
	return &SigningKey{Publisher: PublisherIDFor(priv.Public().(ed25519.PublicKey)), Key: priv}
}

// neuronInput is the 4-input neuron: 4 weights and a bias as state.
func neuronInput() *Input {
	return &Input{
		Name:         "neuron4",
		Version:      3,
		Capabilities: CapForward,
		BudgetMicros: 1000,
		Manifest: Manifest{
			ForwardEntry: 0,
			TrainEntry:   NoEntry,
			Input:        Shape{4},
			Output:       Shape{1},
			State:        Shape{5},
			Target:       Shape{1},
		},
		Provenance: Provenance{
			SourceHash: blake3.Sum256([]byte("W = np.array([0.5, -1, 2, 0.25])\nb = 0.77\n")),
			Compiler:   "musclec 0.1.0",
			Source:     "neuron4.py",
		},
		Code:  neuronCode,
		State: floats(0.5, -1, 2, 0.25, 0.77),
	}
}

// seal seals in for publisher name of f, failing the test on error.
func (f *fixture) seal(t testing.TB, name string, in *Input) []byte {
	t.Helper()
	b, err := Seal(f.sealing[name], f.pubs[name], in)
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	return b
}
