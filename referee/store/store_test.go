package store

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/referee/store/memdisk"
)

// Small slots keep the tests fast; the format's geometry is the same code.
var geo = Geometry{Slots: 2, SlotBytes: 64 << 10}

const blockSize = 512

func keys(seed byte) *muscle.StateKeys {
	k := &muscle.StateKeys{}
	for i := range k.Seal {
		k.Seal[i], k.Nonce[i] = seed, seed+1
	}
	for i := range k.StoreID {
		k.StoreID[i] = seed + 2
	}
	return k
}

func newDisk() *memdisk.Disk { return memdisk.New(geo.Slots*geo.SlotBytes/blockSize+8, blockSize) }

// payload n is a distinct payload of a few blocks.
func payload(n int) []byte {
	return bytes.Repeat([]byte(fmt.Sprintf("state %04d;", n)), 300+n%7)
}

func mustOpen(t *testing.T, d Device, k *muscle.StateKeys, a Anchor) (*Store, []byte) {
	t.Helper()
	s, p, err := Open(d, geo, k, a)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s, p
}

func mustCommit(t *testing.T, s *Store, p []byte) Saved {
	t.Helper()
	sv, err := s.Commit(p)
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	return sv
}

// TestFreshAndReopen: an empty disk is a fresh store; each commit is the
// next generation in the other slot, and a reboot loads the newest.
func TestFreshAndReopen(t *testing.T) {
	d, k := newDisk(), keys(1)
	s, p := mustOpen(t, d, k, nil)
	if p != nil {
		t.Fatalf("a fresh store loaded %d bytes", len(p))
	}
	for i := 1; i <= 5; i++ {
		sv := mustCommit(t, s, payload(i))
		if sv.Generation != uint64(i) || sv.Slot != (i-1)%2 {
			t.Fatalf("commit %d: generation %d slot %d", i, sv.Generation, sv.Slot)
		}
		_, p = mustOpen(t, d.Clone(), k, nil)
		if !bytes.Equal(p, payload(i)) {
			t.Fatalf("after commit %d the reboot loaded another payload", i)
		}
	}
	slots, best, _, err := Scan(d, geo, k)
	if err != nil || best != 0 || slots[0].Generation != 5 || slots[1].Generation != 4 || slots[0].Prev != slots[1].Digest {
		t.Fatalf("scan: best %d, %v, err %v", best, slots, err)
	}
}

// TestCutAtEveryWrite cuts the power before every operation of a commit
// (each block written and the flush), with the cache lost, kept, and
// scrambled (reordered, torn) at the cut: the reboot loads the old state
// or the new one, the new one whenever the commit was reported, and never
// fails.
func TestCutAtEveryWrite(t *testing.T) {
	k := keys(1)
	points := 0
	for _, size := range []int{1, 10} { // payloads of about 3 KiB and 33 KiB
		big := func(n int) []byte { return bytes.Repeat(payload(n), size) }
		base := newDisk()
		s, _ := mustOpen(t, base, k, nil)
		mustCommit(t, s, big(1))
		mustCommit(t, s, big(2)) // both slots hold records
		probe := base.Clone()
		ps, _ := mustOpen(t, probe, k, nil)
		mustCommit(t, ps, big(3))
		ops := probe.Ops()
		rng := rand.New(rand.NewPCG(1, uint64(size)))
		tried, newSeen := 0, 0
		for cut := 0; cut <= ops; cut++ {
			for _, how := range []memdisk.Cut{memdisk.LoseCache, memdisk.KeepCache, memdisk.Scramble, memdisk.Scramble, memdisk.Scramble} {
				d := base.Clone()
				d.CutAt = cut
				s, _ := mustOpen(t, d, k, nil)
				_, err := s.Commit(big(3))
				reported := err == nil
				if reported != (cut == ops) {
					t.Fatalf("cut before operation %d of %d: commit error %v", cut, ops, err)
				}
				d.PowerCycle(how, rng)
				_, p, err := Open(d, geo, k, nil)
				tried++
				switch {
				case err != nil:
					t.Fatalf("cut before operation %d (%v): reboot failed: %v", cut, how, err)
				case bytes.Equal(p, big(3)):
					newSeen++
				case reported || !bytes.Equal(p, big(2)):
					t.Fatalf("cut before operation %d (%v, reported %v): loaded neither the old nor the new state", cut, how, reported)
				}
			}
		}
		points += ops + 1
		t.Logf("%d-byte payload: %d cut points (%d operations in a commit), %d reboots, new state loaded in %d", len(big(3)), ops+1, ops, tried, newSeen)
		if newSeen == 0 {
			t.Errorf("no cut left the new state: the test cannot tell old from new")
		}
	}
	t.Logf("%d cut points in all", points)
}

// TestChainedCuts: random cuts during a commit, during the reboot's next
// commit, and so on, with the cache scrambled each time. The state loaded
// is always the last one reported saved or one attempted after it.
func TestChainedCuts(t *testing.T) {
	k := keys(3)
	rng := rand.New(rand.NewPCG(7, 8))
	d := newDisk()
	acked := -1          // last payload reported saved (-1: none)
	attempted := []int{} // payloads attempted since
	rounds, cuts := 400, 0
	for n := 0; n < rounds; n++ {
		s, p, err := Open(d, geo, k, nil)
		if err != nil {
			t.Fatalf("round %d: reboot failed: %v", n, err)
		}
		ok := p == nil && acked < 0
		for _, a := range append([]int{acked}, attempted...) {
			if a >= 0 && bytes.Equal(p, payload(a)) {
				ok = true
			}
		}
		if !ok {
			t.Fatalf("round %d: loaded a state that is neither the last acknowledged (%d) nor one attempted since %v", n, acked, attempted)
		}
		// A few commits, the power cut at a random operation of them.
		d.CutAt = rng.IntN(3 * (recordSize(len(payload(n*10)))/blockSize + 2))
		for c := 0; c < 3; c++ {
			id := n*10 + c
			attempted = append(attempted, id)
			if _, err := s.Commit(payload(id)); err != nil {
				cuts++
				break
			}
			acked, attempted = id, nil
		}
		d.PowerCycle(memdisk.Scramble, rng)
	}
	t.Logf("%d rounds of 3 commits, %d of them cut at a random operation, the cache scrambled at each power cycle", rounds, cuts)
	if cuts < rounds/2 {
		t.Errorf("only %d of %d rounds were cut", cuts, rounds)
	}
}

// TestWriteErrors: a write that fails, one that silently does nothing,
// and a failed flush are each reported, and the old state stays.
func TestWriteErrors(t *testing.T) {
	k := keys(1)
	for _, fault := range []string{"write error", "dropped write", "flush error"} {
		d := newDisk()
		s, _ := mustOpen(t, d, k, nil)
		mustCommit(t, s, payload(1))
		mustCommit(t, s, payload(2))
		switch fault {
		case "write error":
			d.FailWrites = true
		case "dropped write":
			d.DropWrites = true
		case "flush error":
			d.FailFlush = true
		}
		_, err := s.Commit(payload(3))
		if err == nil {
			t.Fatalf("%s: commit reported success", fault)
		}
		if fault == "dropped write" && !errors.Is(err, ErrReadBack) {
			t.Errorf("%s: %v, want the read-back to catch it", fault, err)
		}
		d.FailWrites, d.DropWrites, d.FailFlush = false, false, false
		d.PowerCycle(memdisk.LoseCache, nil)
		_, p := mustOpen(t, d, k, nil)
		if !bytes.Equal(p, payload(2)) {
			t.Errorf("%s: the old state was not kept", fault)
		}
		// The next commit works and does not reuse the failed generation.
		s2, _ := mustOpen(t, d, k, nil)
		if sv := mustCommit(t, s2, payload(4)); sv.Generation != 4 && sv.Generation != 3 {
			t.Errorf("%s: next commit is generation %d", fault, sv.Generation)
		}
	}
}

// offsets are 0, 1, 2, 4, 8, ... below n, and n-1.
func offsets(n int) []int {
	var o []int
	for i := 0; i < n; i = max(1, 2*i) {
		o = append(o, i)
	}
	return append(o, n-1)
}

// TestBitFlips flips one bit at bytes 0, 1, 2, 4, 8, ... of each slot's
// record (header, ciphertext and tag): the flip is detected and the other
// record used; never a corrupted state.
func TestBitFlips(t *testing.T) {
	k := keys(1)
	d := newDisk()
	s, _ := mustOpen(t, d, k, nil)
	mustCommit(t, s, payload(1)) // slot 0
	mustCommit(t, s, payload(2)) // slot 1, the newest
	flips := 0
	for slot, other := range []int{2, 1} {
		n := recordSize(len(payload(slot + 1)))
		for _, off := range offsets(n) {
			for _, bit := range []byte{0x01, 0x80} {
				c := d.Clone()
				c.Bytes()[slot*geo.SlotBytes+off] ^= bit
				_, p, err := Open(c, geo, k, nil)
				flips++
				if err != nil {
					t.Fatalf("slot %d byte %d bit %#x: %v", slot, off, bit, err)
				}
				if !bytes.Equal(p, payload(other)) {
					t.Fatalf("slot %d byte %d bit %#x: loaded a state other than the intact record's", slot, off, bit)
				}
				slots, _, _, _ := Scan(c, geo, k)
				if slots[slot].Kind == Valid {
					t.Fatalf("slot %d byte %d bit %#x: the flipped record still counts as valid", slot, off, bit)
				}
			}
		}
	}
	t.Logf("%d bit flips (bytes 0, 1, 2, 4, ... and the last of each of 2 records, 2 bits each)", flips)
}

// TestReplay: an old record put back beside newer ones loses; a copy of
// the whole medium put back is accepted without an anchor (the documented
// limit) and refused with one.
func TestReplay(t *testing.T) {
	k := keys(1)
	replays := 0
	defer func() { t.Logf("%d replays tried", replays) }()
	for _, anchored := range []bool{false, true} {
		var a Anchor
		if anchored {
			a = &EmulatedAnchor{}
		}
		d := newDisk()
		s, _ := mustOpen(t, d, k, a)
		var snaps [][]byte
		for i := 1; i <= 4; i++ {
			mustCommit(t, s, payload(i))
			snaps = append(snaps, append([]byte(nil), d.Bytes()...))
		}
		// Slot 0 holds generation 3, slot 1 generation 4. An old record
		// put back over either loses to the newer one left in the other.
		for _, r := range []struct{ slot, snap, want int }{
			{0, 0, 4}, // generation 1 over generation 3
			{1, 1, 3}, // generation 2 over generation 4
			{0, 2, 4}, // generation 3 over itself
		} {
			c := d.Clone()
			lo := r.slot * geo.SlotBytes
			copy(c.Bytes()[lo:lo+geo.SlotBytes], snaps[r.snap][lo:lo+geo.SlotBytes])
			_, p, err := Open(c, geo, k, a)
			replays++
			if anchored && r.want < 4 {
				// The anchored generation was overwritten: refused.
				if !errors.Is(err, ErrReplay) {
					t.Errorf("anchored: slot %d from after generation %d: %v, want ErrReplay", r.slot, r.snap+1, err)
				}
				continue
			}
			if err != nil || !bytes.Equal(p, payload(r.want)) {
				t.Errorf("anchored %v: slot %d from after generation %d: err %v, want generation %d loaded", anchored, r.slot, r.snap+1, err, r.want)
			}
		}
		// The whole medium as it was after generations 1, 2 and 3.
		for i := 0; i < 3; i++ {
			c := d.Clone()
			c.SetBytes(snaps[i])
			_, p, err := Open(c, geo, k, a)
			replays++
			if anchored {
				if !errors.Is(err, ErrReplay) {
					t.Errorf("anchored: the medium of generation %d gave %v, want ErrReplay", i+1, err)
				}
			} else if err != nil || !bytes.Equal(p, payload(i+1)) {
				t.Errorf("no anchor: the medium of generation %d must load as it is (undetectable without an anchor): err %v", i+1, err)
			}
		}
	}
	// With the anchor, a cut after the record is durable but before the
	// anchor moves is the next generation, accepted.
	a := &EmulatedAnchor{}
	d := newDisk()
	s, _ := mustOpen(t, d, k, a)
	mustCommit(t, s, payload(1))
	a.Fail = errors.New("anchor unavailable")
	if _, err := s.Commit(payload(2)); err == nil {
		t.Fatal("a commit whose anchor failed reported success")
	}
	if _, err := s.Commit(payload(3)); !errors.Is(err, ErrRefused) {
		t.Fatalf("after an anchor failure, saves go on: %v", err)
	}
	a.Fail = nil
	_, p := mustOpen(t, d, k, a)
	if !bytes.Equal(p, payload(2)) {
		t.Fatal("the record one past the anchor was not loaded")
	}
	if g, _, _ := a.Read(); g != 2 {
		t.Fatalf("the anchor was not moved up to the loaded record: %d", g)
	}
}

// TestForeign: a medium sealed under another master key is refused, left
// alone by Commit, and only Format overwrites it.
func TestForeign(t *testing.T) {
	d := newDisk()
	s, _ := mustOpen(t, d, keys(1), nil)
	mustCommit(t, s, payload(1))
	before := append([]byte(nil), d.Bytes()...)
	s2, p, err := Open(d, geo, keys(9), nil)
	if !errors.Is(err, ErrForeign) || p != nil || s2 == nil {
		t.Fatalf("another key: %v", err)
	}
	if _, err := s2.Commit(payload(2)); !errors.Is(err, ErrRefused) {
		t.Fatalf("commit on a foreign medium: %v", err)
	}
	if !bytes.Equal(d.Bytes(), before) {
		t.Fatal("the foreign medium was written to")
	}
	if _, err := s2.Format(payload(2)); err != nil {
		t.Fatal(err)
	}
	if _, p := mustOpen(t, d, keys(9), nil); !bytes.Equal(p, payload(2)) {
		t.Fatal("the formatted medium does not load its first record")
	}
	if _, _, err := Open(d, geo, keys(1), nil); !errors.Is(err, ErrForeign) {
		t.Fatalf("the old key now sees %v, want ErrForeign", err)
	}
	// Format with an anchor that is ahead: the first record follows it.
	a := &EmulatedAnchor{}
	a.Advance(7, Digest{1})
	s3, _, err := Open(d, geo, keys(1), a)
	if !errors.Is(err, ErrForeign) {
		t.Fatalf("anchored foreign: %v", err)
	}
	if sv, err := s3.Format(payload(3)); err != nil || sv.Generation != 8 {
		t.Fatalf("anchored format: %v generation %d", err, sv.Generation)
	}
	if _, p := mustOpen(t, d, keys(1), a); !bytes.Equal(p, payload(3)) {
		t.Fatal("the anchor refuses the formatted medium")
	}
}

// TestConflict: two valid records of one generation with different
// payloads fail closed.
func TestConflict(t *testing.T) {
	k := keys(1)
	d := newDisk()
	hdr := func(slot int) []byte {
		rec, err := seal(k, Header{Slot: uint16(slot), Generation: 5}, payload(slot))
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	copy(d.Bytes(), hdr(0))
	copy(d.Bytes()[geo.SlotBytes:], hdr(1))
	if _, _, err := Open(d, geo, k, nil); !errors.Is(err, ErrConflict) {
		t.Fatalf("conflicting records: %v", err)
	}
}

// TestSwappedSlots: records moved to each other's slot do not count.
func TestSwappedSlots(t *testing.T) {
	k := keys(1)
	d := newDisk()
	s, _ := mustOpen(t, d, k, nil)
	mustCommit(t, s, payload(1))
	mustCommit(t, s, payload(2))
	b := d.Bytes()
	a0 := append([]byte(nil), b[:geo.SlotBytes]...)
	copy(b, b[geo.SlotBytes:2*geo.SlotBytes])
	copy(b[geo.SlotBytes:], a0)
	slots, best, p, err := Scan(d, geo, k)
	if err != nil || best != -1 || p != nil {
		t.Fatalf("swapped slots: best %d err %v", best, err)
	}
	for _, sl := range slots {
		if sl.Kind != Damaged {
			t.Errorf("%v: want damaged", sl)
		}
	}
}

// TestSizes: a payload larger than a slot is refused and the old state
// kept; a device too small for the region gives no store; a block size
// that does not fit is refused.
func TestSizes(t *testing.T) {
	k := keys(1)
	d := newDisk()
	s, _ := mustOpen(t, d, k, nil)
	mustCommit(t, s, payload(1))
	if _, err := s.Commit(make([]byte, geo.Capacity()+1)); !errors.Is(err, ErrFull) {
		t.Fatalf("oversized payload: %v", err)
	}
	if sv := mustCommit(t, s, make([]byte, geo.Capacity())); sv.Generation != 2 {
		t.Fatalf("a full slot: generation %d", sv.Generation)
	}
	if _, _, err := Open(memdisk.New(geo.Slots*geo.SlotBytes/blockSize-1, blockSize), geo, k, nil); !errors.Is(err, ErrDevice) {
		t.Fatalf("small device: %v", err)
	}
	if _, _, err := Open(memdisk.New(64, 48), geo, k, nil); !errors.Is(err, ErrDevice) {
		t.Fatalf("odd block size: %v", err)
	}
	if _, err := (&Store{dev: d, geo: geo, keys: k, slots: make([]Slot, 2), newest: -1, next: MaxGeneration}).Commit(nil); !errors.Is(err, ErrRefused) {
		t.Fatalf("last generation: %v", err)
	}
}
