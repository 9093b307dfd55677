package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"lukechampine.com/blake3"

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/referee/persist"
	"github.com/muscles/referee/referee/store"
	"github.com/muscles/referee/referee/store/memdisk"
)

// TestStateInspect: state inspect lists the slots and what the newest
// record holds (names, versions, hashes; never the state's bytes), and
// refuses a disk sealed under another master key.
func TestStateInspect(t *testing.T) {
	s := newSession(t)
	s.keygen("k1")
	s.keygen("k2")
	rec, err := readKeyRecord(s.path("k1/keyrecord.bin"))
	if err != nil {
		t.Fatal(err)
	}
	secret := bytes.Repeat([]byte("WEIGHTS!"), 8)
	st := &persist.State{
		Muscles: []persist.Muscle{{Publisher: muscle.PublisherID{1}, Name: "neuron4", Version: 3, Hash: blake3.Sum256(secret), State: secret}},
		Floors:  []persist.Floor{{Name: "neuron4", Publisher: muscle.PublisherID{1}, Version: 3}},
	}
	payload, err := st.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	d := memdisk.New(store.DefaultDiskBytes/512, 512)
	sto, _, err := store.Open(d, store.Standard, rec.StateKeys(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if _, err := sto.Commit(payload); err != nil {
			t.Fatal(err)
		}
	}
	s.write("state.img", d.Bytes())
	out, _ := s.run(0, "state", "inspect", "--keys", s.path("k1/keyrecord.bin"), s.path("state.img"))
	for _, want := range []string{"slot 0: generation 3", "slot 1: generation 2", "would load generation 3 from slot 0", `muscle "neuron4" v3`, "state 64 bytes", `floor "neuron4"`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "WEIGHTS") || strings.Contains(out, "57454947") {
		t.Errorf("the state's bytes are printed:\n%s", out)
	}
	js, _ := s.run(0, "state", "inspect", "--json", "--keys", s.path("k1/keyrecord.bin"), s.path("state.img"))
	var r struct {
		Loads struct{ Generation uint64 } `json:"loads"`
	}
	if err := json.Unmarshal([]byte(js), &r); err != nil || r.Loads.Generation != 3 {
		t.Errorf("json: %v %s", err, js)
	}
	out, _ = s.run(exitRejected, "state", "inspect", "--keys", s.path("k2/keyrecord.bin"), s.path("state.img"))
	if !strings.Contains(out, "REFUSE") || !strings.Contains(out, "foreign") {
		t.Errorf("another key's view:\n%s", out)
	}
	s.run(exitUsage, "state", "--keys", s.path("k1/keyrecord.bin"), s.path("state.img"))
}
