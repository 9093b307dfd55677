// Package muscletest makes what tests of the referee, its tools and its
// boards need from the muscle format: master-key records for fresh random
// keys with publishers, and small muscles to seal. It is for tests only
// (the keys it makes are real, but nothing keeps them).
package muscletest

import (
	"crypto/ed25519"
	"crypto/rand"
	"testing"

	"github.com/muscles/referee/muscle"
)

// Code that the verifier accepts and the sandbox runs.
var (
	// CodeRet is a bare ret.
	CodeRet = []byte{0xc0, 0x03, 0x5f, 0xd6}
	// CodeSVC is svc #0; ret, which the verifier rejects.
	CodeSVC = []byte{0x01, 0x00, 0x00, 0xd4, 0xc0, 0x03, 0x5f, 0xd6}
)

// Publisher is a publisher of a key record, with the keys it seals and
// signs with.
type Publisher struct {
	Record *muscle.KeyRecord
	// Master is the record's master key.
	Master []byte
	Sealer *muscle.SealingKey
	Signer *muscle.SigningKey
}

// NewRecord makes a record for a fresh random master key with no
// publishers, and returns the master key too.
func NewRecord() (*muscle.KeyRecord, []byte, error) {
	master := make([]byte, muscle.KeySize)
	if _, err := rand.Read(master); err != nil {
		return nil, nil, err
	}
	rec, err := muscle.NewKeyRecord(master)
	return rec, master, err
}

// NewPublisher makes a record for a fresh random master key with one
// publisher that may grant grants.
func NewPublisher(grants muscle.Capabilities) (*Publisher, error) {
	rec, master, err := NewRecord()
	if err != nil {
		return nil, err
	}
	return AddPublisher(rec, master, grants)
}

// AddPublisher adds a fresh publisher that may grant grants to rec (whose
// master key is master).
func AddPublisher(rec *muscle.KeyRecord, master []byte, grants muscle.Capabilities) (*Publisher, error) {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		return nil, err
	}
	id := muscle.PublisherIDFor(pub)
	if err := rec.AddPublisher(muscle.Publisher{ID: id, PublicKey: pub, Grants: grants}); err != nil {
		return nil, err
	}
	return &Publisher{Record: rec, Master: master, Sealer: rec.SealingKey(id), Signer: &muscle.SigningKey{Publisher: id, Key: priv}}, nil
}

// MustPublisher is NewPublisher for a test.
func MustPublisher(t testing.TB, grants muscle.Capabilities) *Publisher {
	t.Helper()
	p, err := NewPublisher(grants)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Neuron describes a forward-only muscle of code with input [4], output
// [1] and a zero state of 5 floats, budget 1000 µs.
func Neuron(name string, version uint64, code []byte) *muscle.Input {
	in := &muscle.Input{
		Name: name, Version: version, Capabilities: muscle.CapForward, BudgetMicros: 1000,
		Code: code, State: make([]byte, 20),
	}
	in.Manifest.TrainEntry = muscle.NoEntry
	in.Manifest.Input, in.Manifest.Output, in.Manifest.State = muscle.Shape{4}, muscle.Shape{1}, muscle.Shape{5}
	return in
}

// Seal seals in with p's keys, naming muscletest as its compiler where in
// names none.
func (p *Publisher) Seal(t testing.TB, in *muscle.Input) []byte {
	t.Helper()
	if in.Provenance.Compiler == "" {
		in.Provenance.Compiler, in.Provenance.Source = "muscletest", in.Name+".py"
	}
	blob, err := muscle.Seal(p.Sealer, p.Signer, in)
	if err != nil {
		t.Fatal(err)
	}
	return blob
}
