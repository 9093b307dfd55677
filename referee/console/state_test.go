package console

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/muscle/muscletest"
	"github.com/muscles/referee/referee/audit"
	"github.com/muscles/referee/referee/keeper"
	"github.com/muscles/referee/referee/loader"
	"github.com/muscles/referee/referee/store"
	"github.com/muscles/referee/referee/store/memdisk"
)

// persister seals a learner with the persist capability.
func (k keys) persister(t testing.TB, name string, version uint64) []byte {
	t.Helper()
	in := &muscle.Input{
		Name: name, Version: version, Capabilities: muscle.CapAll, BudgetMicros: 500,
		Code: codeRetRet, State: make([]byte, 20),
	}
	in.Manifest.TrainEntry = 4
	in.Manifest.Input, in.Manifest.Output, in.Manifest.State, in.Manifest.Target = muscle.Shape{4}, muscle.Shape{1}, muscle.Shape{5}, muscle.Shape{1}
	return k.sealInput(t, in)
}

// bootWith is a referee booted on disk with keys k: the keeper opens the
// store, then the loader admits blobs. The verdicts are in f.out.
func bootWith(t *testing.T, k keys, disk *memdisk.Disk, blobs ...[]byte) *fixture {
	t.Helper()
	f := &fixture{t: t, k: k, out: &bytes.Buffer{}, in: &script{}}
	now := func() int64 { f.time += 1000; return f.time }
	f.log = audit.New(k.rec.AuditKey())
	f.ld = &loader.Loader{Out: f.out, Rec: k.rec, Log: f.log, Now: now, DeadlineTicks: func(us uint32) uint64 { return uint64(us) * 62 },
		MemoryBudget: 256 << 20, PeakInstructionsPerMicro: 4000}
	kp := keeper.Boot(f.out, f.log, now, f.ld, disk, nil, k.rec.StateKeys(), nil)
	for _, b := range blobs {
		if detail, err := f.ld.Admit("bundle", b); err != nil {
			f.out.WriteString("rejected: " + err.Error() + "\n")
		} else {
			f.out.WriteString("accepted " + detail + "\n")
		}
	}
	f.sh = &Shell{In: f.in, Out: f.out, Log: f.log, Loader: f.ld, Now: now, State: kp,
		Wait: func() { t.Fatal("the shell waits for console input after the end of the script") }}
	return f
}

func newStateDisk() *memdisk.Disk { return memdisk.New(store.RegionBytes/512, 512) }

// TestSaveAndRestore: save seals the trained state and the floors; after
// a reboot the same muscle gets its trained state back, an older version
// and another publisher's muscle under the name are refused, and the
// banner says there is no anchor.
func TestSaveAndRestore(t *testing.T) {
	k := newKeys(t)
	disk := newStateDisk()
	f := bootWith(t, k, disk, k.persister(t, "learner", 2), k.neuron(t, "neuron4", 3))
	if out := f.out.String(); !strings.Contains(out, "fresh store") || !strings.Contains(out, "NO ANCHOR") {
		t.Fatalf("boot on an empty disk:\n%s", out)
	}
	trained := f.muscle("learner").Space.State()
	copy(trained, []byte{1, 2, 3, 4, 5, 6, 7, 8})
	want := stateHash(f.muscle("learner"))
	if out := f.exec("save"); !strings.HasPrefix(out, "saved generation 1 (slot 0") {
		t.Fatalf("save: %q", out)
	}
	if e := f.lastEntry(); e.Kind != "state-save" || !strings.Contains(e.Detail, "generation 1") {
		t.Fatalf("save audited as %s %q", e.Kind, e.Detail)
	}
	if out := f.exec("save"); !strings.HasPrefix(out, "saved generation 2 (slot 1") {
		t.Fatalf("second save: %q", out)
	}

	// Same master key, another publisher.
	other, err := muscletest.AddPublisher(k.rec, nil, muscle.CapAll)
	if err != nil {
		t.Fatal(err)
	}
	ok := keys{k.rec, other.Sealer, other.Signer}
	g := bootWith(t, k, disk.Clone(), k.persister(t, "learner", 2), k.neuron(t, "neuron4", 2), ok.neuron(t, "learner", 9))
	out := g.out.String()
	if !strings.Contains(out, "loaded generation 2 from slot 1: 1 muscle states, 2 version floors") {
		t.Fatalf("reboot:\n%s", out)
	}
	if got := stateHash(g.muscle("learner")); got != want {
		t.Fatalf("the trained state was not restored: %s, want %s", got, want)
	}
	if !strings.Contains(out, "rejected: "+muscle.ErrRollback.Error()) || !strings.Contains(out, `"neuron4" v3 was accepted before (sealed state)`) {
		t.Errorf("an older neuron4 after the reboot:\n%s", out)
	}
	if !strings.Contains(out, "rejected: "+loader.ErrNameTaken.Error()) {
		t.Errorf("another publisher's learner after the reboot:\n%s", out)
	}
	// A higher version starts from its own sealed state.
	h := bootWith(t, k, disk.Clone(), k.persister(t, "learner", 3))
	if stateHash(h.muscle("learner")) == want || !strings.Contains(h.out.String(), "stored state of v2 not applied to v3") {
		t.Errorf("v3 got v2's trained state:\n%s", h.out.String())
	}
	// state lists the slots; format is refused on a store in use.
	st := g.exec("state")
	if !strings.Contains(st, "slot 0: generation 1") || !strings.Contains(st, "slot 1: generation 2") || !strings.Contains(st, "NO ANCHOR") {
		t.Errorf("state:\n%s", st)
	}
	if out := g.exec("state format"); !strings.Contains(out, "nothing to format") {
		t.Errorf("format of a store in use: %q", out)
	}
	if e := g.lastEntry(); e.Kind != "console" || !strings.Contains(e.Detail, "state format refused") {
		t.Errorf("refused format audited as %s %q", e.Kind, e.Detail)
	}
}

// TestForeignDisk: a disk sealed under another master key is refused at
// boot; save refuses to touch it; only state format erases it, audited.
func TestForeignDisk(t *testing.T) {
	k1, k2 := newKeys(t), newKeys(t)
	disk := newStateDisk()
	f := bootWith(t, k1, disk, k1.persister(t, "learner", 1))
	f.exec("save")
	before := append([]byte(nil), disk.Bytes()...)
	g := bootWith(t, k2, disk, k2.persister(t, "learner", 1))
	if out := g.out.String(); !strings.Contains(out, "REFUSED") || !strings.Contains(out, "foreign") {
		t.Fatalf("foreign disk at boot:\n%s", out)
	}
	if e := g.log.Entries(); !hasKind(e, "state-refused") {
		t.Error("the refusal is not audited")
	}
	if out := g.exec("save"); !strings.Contains(out, "not saved") || !strings.Contains(out, "state format") {
		t.Errorf("save on a foreign disk: %q", out)
	}
	if !bytes.Equal(disk.Bytes(), before) {
		t.Fatal("the foreign disk was written")
	}
	// The first record's generation is above every one seen (the
	// foreign record's 1).
	if out := g.exec("state format"); !strings.Contains(out, "saved generation 2") {
		t.Fatalf("format: %q", out)
	}
	if e := g.lastEntry(); e.Kind != "state-format" {
		t.Errorf("format audited as %s", e.Kind)
	}
	if out := bootWith(t, k2, disk.Clone()).out.String(); !strings.Contains(out, "loaded generation 2") {
		t.Errorf("after format:\n%s", out)
	}
}

// TestPoweroffSaves: unsaved training is saved at power-off; with no
// store, save says so.
func TestPoweroffSaves(t *testing.T) {
	k := newKeys(t)
	disk := newStateDisk()
	f := bootWith(t, k, disk, k.persister(t, "learner", 1))
	f.exec("save")
	// The automatic save after train is what marks the state changed;
	// calls need the image, so mark it as train would.
	if msg := f.sh.State.Trained(); !strings.Contains(msg, "not saved yet") {
		t.Fatalf("a train right after a save: %q", msg)
	}
	out, _ := f.run("poweroff\n")
	if !strings.Contains(out, "saved generation 2 at power-off") {
		t.Errorf("power-off:\n%s", out)
	}
	n := &fixture{t: t, out: &bytes.Buffer{}, log: audit.New([32]byte{})}
	n.sh = &Shell{Out: n.out, Log: n.log, Now: func() int64 { return 0 }}
	if out := n.exec("save"); !strings.Contains(out, "no sealed store") {
		t.Errorf("save without a store: %q", out)
	}
	nk := keeper.Boot(n.out, n.log, func() int64 { return 0 }, &loader.Loader{}, nil, errors.New("no medium"), nil, nil)
	if _, err := nk.Save("test"); !errors.Is(err, keeper.ErrNoStore) {
		t.Errorf("keeper without a medium: %v", err)
	}
}

func hasKind(es []audit.Entry, kind string) bool {
	for _, e := range es {
		if e.Kind == kind {
			return true
		}
	}
	return false
}
