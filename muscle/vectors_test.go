package muscle

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the test vectors and fuzz seed corpora under testdata")

// vector is one committed test vector: testdata/vectors/NAME.json holds the
// keys, the inputs and the expected intermediate values; NAME.keys the
// expected key record and NAME.muscle the expected blob.
type vector struct {
	Comment     string            `json:"comment"`
	MasterKey   string            `json:"master_key"`
	SigningSeed string            `json:"signing_seed"`
	Grants      string            `json:"grants"`
	MinVersions map[string]uint64 `json:"min_versions"`
	Input       vectorInput       `json:"input"`
	// Random, when set, is the "random" bytes Seal reads: salt then nonce.
	Random   string         `json:"random,omitempty"`
	Expected vectorExpected `json:"expected"`
}

type vectorInput struct {
	Name         string   `json:"name"`
	Version      uint64   `json:"version"`
	Capabilities string   `json:"capabilities"`
	BudgetMicros uint32   `json:"budget_us"`
	ForwardEntry uint32   `json:"forward_entry"`
	TrainEntry   uint32   `json:"train_entry"`
	ScratchSize  uint32   `json:"scratch_size"`
	InputShape   Shape    `json:"input_shape"`
	OutputShape  Shape    `json:"output_shape"`
	StateShape   Shape    `json:"state_shape"`
	TargetShape  Shape    `json:"target_shape"`
	Code         string   `json:"code"`
	State        string   `json:"state"`
	SourceHash   string   `json:"source_hash"`
	Compiler     string   `json:"compiler"`
	Source       string   `json:"source"`
	Disassembly  []string `json:"disassembly,omitempty"`
}

type vectorExpected struct {
	KeyID       string `json:"key_id"`
	PublisherID string `json:"publisher_id"`
	PublicKey   string `json:"public_key"`
	SealingKey  string `json:"sealing_key"`
	Salt        string `json:"salt"`
	MuscleKey   string `json:"muscle_key"`
	Nonce       string `json:"nonce"`
	CodeHash    string `json:"code_hash"`
	BlobSize    int    `json:"blob_size"`
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("hex %q: %v", s, err)
	}
	return b
}

// defaultVectors are the inputs -update writes.
func defaultVectors() map[string]*vector {
	in := neuronInput()
	vi := vectorInput{
		Name: in.Name, Version: in.Version, Capabilities: in.Capabilities.String(), BudgetMicros: in.BudgetMicros,
		ForwardEntry: 0, TrainEntry: NoEntry, ScratchSize: 0,
		InputShape: Shape{4}, OutputShape: Shape{1}, StateShape: Shape{5}, TargetShape: Shape{1},
		Code: hex.EncodeToString(in.Code), State: hex.EncodeToString(in.State),
		SourceHash: hex.EncodeToString(in.Provenance.SourceHash[:]), Compiler: in.Provenance.Compiler, Source: in.Provenance.Source,
		Disassembly: []string{"ldr q0, [x0]", "ldr q1, [x2]", "ldr s2, [x2, #16]", "fmul v0.4s, v0.4s, v1.4s",
			"faddp v0.4s, v0.4s, v0.4s", "faddp s0, v0.2s", "fadd s0, s0, s2", "str s0, [x1]", "ret"},
	}
	seq := func(from byte, n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = from + byte(i)
		}
		return hex.EncodeToString(b)
	}
	det := &vector{
		Comment:     "4-input neuron y = w.x + b (w = 0.5 -1 2 0.25, b = 0.77), deterministic sealing",
		MasterKey:   seq(0x00, 32),
		SigningSeed: seq(0x40, 32),
		Grants:      "forward,train,persist",
		MinVersions: map[string]uint64{"neuron4": 2},
		Input:       vi,
	}
	rnd := *det
	rnd.Comment = "the same neuron, random sealing; Random is what the random source returned (salt, then nonce)"
	rnd.Random = seq(0x80, SaltSize+NonceSize)
	return map[string]*vector{"neuron4": det, "neuron4-random": &rnd}
}

// build computes the key record, the blob and the intermediate values of v.
func (v *vector) build(t *testing.T) (record, blob []byte, exp vectorExpected) {
	t.Helper()
	r, err := NewKeyRecord(unhex(t, v.MasterKey))
	if err != nil {
		t.Fatal(err)
	}
	priv := ed25519.NewKeyFromSeed(unhex(t, v.SigningSeed))
	pub := priv.Public().(ed25519.PublicKey)
	signer := &SigningKey{Publisher: PublisherIDFor(pub), Key: priv}
	grants, err := ParseCapabilities(v.Grants)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.AddPublisher(Publisher{ID: signer.Publisher, PublicKey: pub, Grants: grants}); err != nil {
		t.Fatal(err)
	}
	for name, mv := range v.MinVersions {
		if err := r.SetMinVersion(name, mv); err != nil {
			t.Fatal(err)
		}
	}
	if record, err = r.MarshalBinary(); err != nil {
		t.Fatal(err)
	}
	vi := v.Input
	caps, err := ParseCapabilities(vi.Capabilities)
	if err != nil {
		t.Fatal(err)
	}
	in := &Input{
		Name: vi.Name, Version: vi.Version, Capabilities: caps, BudgetMicros: vi.BudgetMicros,
		Manifest: Manifest{ForwardEntry: vi.ForwardEntry, TrainEntry: vi.TrainEntry, ScratchSize: vi.ScratchSize,
			Input: vi.InputShape, Output: vi.OutputShape, State: vi.StateShape, Target: vi.TargetShape},
		Provenance: Provenance{Compiler: vi.Compiler, Source: vi.Source},
		Code:       unhex(t, vi.Code),
		State:      unhex(t, vi.State),
	}
	copy(in.Provenance.SourceHash[:], unhex(t, vi.SourceHash))
	if v.Random != "" {
		in.Rand = bytes.NewReader(unhex(t, v.Random))
	}
	sk := r.SealingKey(signer.Publisher)
	if blob, err = Seal(sk, signer, in); err != nil {
		t.Fatal(err)
	}
	h, err := Inspect(blob)
	if err != nil {
		t.Fatal(err)
	}
	var mk [KeySize]byte
	deriveMuscleKey(&mk, &sk.key, &h.Salt)
	m, err := Open(blob, r, nil)
	if err != nil {
		t.Fatal(err)
	}
	exp = vectorExpected{
		KeyID:       r.ID.String(),
		PublisherID: signer.Publisher.String(),
		PublicKey:   hex.EncodeToString(pub),
		SealingKey:  hex.EncodeToString(sk.key[:]),
		Salt:        hex.EncodeToString(h.Salt[:]),
		MuscleKey:   hex.EncodeToString(mk[:]),
		Nonce:       hex.EncodeToString(h.Nonce[:]),
		CodeHash:    hex.EncodeToString(m.Provenance.CodeHash[:]),
		BlobSize:    len(blob),
	}
	return record, blob, exp
}

// TestVectors checks the committed vectors both ways: building from the
// committed inputs gives the committed bytes and values, and opening the
// committed bytes gives the committed inputs back.
func TestVectors(t *testing.T) {
	dir := filepath.Join("testdata", "vectors")
	if *update {
		writeVectors(t, dir)
	}
	paths, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(paths) < 2 {
		t.Fatalf("want at least 2 vectors in %s, found %d", dir, len(paths))
	}
	for _, p := range paths {
		name := filepath.Base(p[:len(p)-len(".json")])
		t.Run(name, func(t *testing.T) {
			var v vector
			js, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(js, &v); err != nil {
				t.Fatal(err)
			}
			wantRecord, err := os.ReadFile(filepath.Join(dir, name+".keys"))
			if err != nil {
				t.Fatal(err)
			}
			wantBlob, err := os.ReadFile(filepath.Join(dir, name+".muscle"))
			if err != nil {
				t.Fatal(err)
			}

			// Inputs -> bytes.
			record, blob, exp := v.build(t)
			if !bytes.Equal(record, wantRecord) {
				t.Error("key record built from the inputs differs from the committed one")
			}
			if !bytes.Equal(blob, wantBlob) {
				t.Error("blob sealed from the inputs differs from the committed one")
			}
			if exp != v.Expected {
				t.Errorf("intermediate values differ:\n got %+v\nwant %+v", exp, v.Expected)
			}

			// Bytes -> inputs.
			r, err := ParseKeyRecord(wantRecord)
			if err != nil {
				t.Fatal(err)
			}
			if r.ID.String() != v.Expected.KeyID || r.MinVersion(v.Input.Name) != v.MinVersions[v.Input.Name] {
				t.Errorf("record: id %s", r.ID)
			}
			m, err := Open(wantBlob, r, nil)
			if err != nil {
				t.Fatalf("Open committed blob: %v", err)
			}
			vi := v.Input
			if hex.EncodeToString(m.Code) != vi.Code || hex.EncodeToString(m.State) != vi.State ||
				m.Header.Name != vi.Name || m.Header.Version != vi.Version || m.Header.Capabilities.String() != vi.Capabilities ||
				m.Header.BudgetMicros != vi.BudgetMicros || m.Manifest.ForwardEntry != vi.ForwardEntry ||
				m.Manifest.TrainEntry != vi.TrainEntry || m.Manifest.State.String() != vi.StateShape.String() ||
				m.Manifest.Input.String() != vi.InputShape.String() || m.Provenance.Compiler != vi.Compiler ||
				hex.EncodeToString(m.Provenance.SourceHash[:]) != vi.SourceHash || m.Provenance.Source != vi.Source {
				t.Errorf("opened muscle differs from the committed inputs: %+v %+v", m.Header, m.Manifest)
			}
			if hex.EncodeToString(m.Header.Salt[:]) != v.Expected.Salt || hex.EncodeToString(m.Header.Nonce[:]) != v.Expected.Nonce {
				t.Error("salt or nonce differ")
			}
			if (v.Random == "") != m.Header.Deterministic() {
				t.Error("deterministic flag")
			}
		})
	}
}

func writeVectors(t *testing.T, dir string) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, v := range defaultVectors() {
		record, blob, exp := v.build(t)
		v.Expected = exp
		js, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		for file, data := range map[string][]byte{name + ".json": append(js, '\n'), name + ".keys": record, name + ".muscle": blob} {
			if err := os.WriteFile(filepath.Join(dir, file), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
