package store

import (
	"fmt"

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/muscle/b3"
)

// Kind is what the boot scan found in a slot.
type Kind int

const (
	// Empty: no record (the header block is all zeros).
	Empty Kind = iota
	// Damaged: something that is not a valid record of this store (a torn
	// or failed write, a flipped bit, a record moved from another slot).
	Damaged
	// Foreign: a record sealed under another master key.
	Foreign
	// Valid: a record that authenticates under this device's key.
	Valid
)

func (k Kind) String() string {
	return [...]string{"empty", "damaged", "foreign", "valid"}[k]
}

// Slot is one slot as the scan found it. Only its header's fields and the
// payload's hash are kept, never the payload.
type Slot struct {
	Index int
	Kind  Kind
	// Why says what is wrong with a damaged or foreign slot.
	Why        string
	Generation uint64
	Digest     Digest
	Prev       Digest
	// Length is the payload's length.
	Length int
	// PayloadHash is the BLAKE3-256 of a valid record's payload.
	PayloadHash [32]byte
}

func (s Slot) String() string {
	switch s.Kind {
	case Valid:
		return fmt.Sprintf("slot %d: generation %d, %d-byte payload blake3 %x, record %x", s.Index, s.Generation, s.Length, s.PayloadHash[:8], s.Digest[:8])
	case Empty:
		return fmt.Sprintf("slot %d: empty", s.Index)
	}
	return fmt.Sprintf("slot %d: %s: %s", s.Index, s.Kind, s.Why)
}

// Scan reads every slot of dev. It returns what each holds, the index of
// the record a referee loads (-1: none, a fresh store) and its payload, or
// why the medium is refused (ErrForeign, ErrConflict). It does not consult
// an anchor (Open does).
func Scan(dev Device, geo Geometry, keys *muscle.StateKeys) ([]Slot, int, []byte, error) {
	if err := geo.check(dev); err != nil {
		return nil, -1, nil, err
	}
	slots := make([]Slot, geo.Slots)
	payloads := make([][]byte, geo.Slots)
	for i := range slots {
		var err error
		slots[i], payloads[i], err = readSlot(dev, geo, keys, i)
		if err != nil {
			return nil, -1, nil, err
		}
	}
	best, err := decide(slots)
	if err != nil || best < 0 {
		return slots, -1, nil, err
	}
	return slots, best, payloads[best], nil
}

// readSlot reads and checks slot i; only a device error is an error.
func readSlot(dev Device, geo Geometry, keys *muscle.StateKeys, i int) (Slot, []byte, error) {
	s := Slot{Index: i}
	bs := dev.BlockSize()
	lba := geo.lba(dev, i)
	first := make([]byte, bs)
	if err := dev.ReadBlocks(lba, first); err != nil {
		return s, nil, fmt.Errorf("reading slot %d: %w", i, err)
	}
	damaged := func(format string, a ...any) (Slot, []byte, error) {
		s.Kind, s.Why = Damaged, fmt.Sprintf(format, a...)
		return s, nil, nil
	}
	if allZero(first[:HeaderSize]) {
		return s, nil, nil
	}
	h, err := parseHeader(first)
	if err != nil {
		return damaged("%v", err)
	}
	s.Generation, s.Prev, s.Length = h.Generation, h.Prev, int(h.Length)
	if h.StoreID != keys.StoreID {
		s.Kind, s.Why = Foreign, fmt.Sprintf("sealed for store %x, not this device's %x", h.StoreID[:8], keys.StoreID[:8])
		return s, nil, nil
	}
	if int(h.Slot) != i {
		return damaged("a record written for slot %d", h.Slot)
	}
	if int64(h.Length) > int64(geo.Capacity()) {
		return damaged("payload length %d exceeds the slot's %d", h.Length, geo.Capacity())
	}
	n := recordSize(int(h.Length))
	rec := make([]byte, (n+bs-1)/bs*bs)
	copy(rec, first)
	if len(rec) > bs {
		if err := dev.ReadBlocks(lba+1, rec[bs:]); err != nil {
			return s, nil, fmt.Errorf("reading slot %d: %w", i, err)
		}
	}
	rec = rec[:n]
	payload, err := open(keys, h, rec)
	if err != nil {
		return damaged("generation %d %v", h.Generation, err)
	}
	s.Kind, s.Digest, s.PayloadHash = Valid, digest(rec), b3.Sum256(payload)
	return s, payload, nil
}

// decide picks the newest valid record: the highest generation wins, and
// two of one generation must hold one payload. A medium with foreign
// records and none of this device's is refused.
func decide(slots []Slot) (int, error) {
	best, foreign := -1, -1
	for i, s := range slots {
		if s.Kind == Foreign && foreign < 0 {
			foreign = i
		}
		if s.Kind == Valid && (best < 0 || s.Generation > slots[best].Generation) {
			best = i
		}
	}
	if best < 0 && foreign >= 0 {
		return -1, fmt.Errorf("%w: slot %d holds a record %s (a disk from another device, or one sealed under another master key), and no slot a record of this device", ErrForeign, foreign, slots[foreign].Why)
	}
	// Beside a valid record, a foreign-looking one is damage (a flipped
	// bit in its store id) and is overwritten like any other.
	if best < 0 {
		return -1, nil
	}
	for i, s := range slots {
		if i != best && s.Kind == Valid && s.Generation == slots[best].Generation && s.PayloadHash != slots[best].PayloadHash {
			return -1, fmt.Errorf("%w: slots %d and %d both hold generation %d, with different contents", ErrConflict, best, i, s.Generation)
		}
	}
	return best, nil
}

// Store is an opened store: the medium, its keys, what the scan found and
// the newest record.
type Store struct {
	dev    Device
	geo    Geometry
	keys   *muscle.StateKeys
	anchor Anchor

	slots  []Slot
	newest int    // slot of the newest valid record, -1 none
	next   uint64 // the next commit's generation
	// refused is why the medium was refused at boot (nil: in use).
	refused error
	// broken stops saves after an anchor failure until reboot.
	broken error
	// prev is what a first record names as its predecessor: the anchored
	// digest after Format, zero otherwise.
	prev Digest
}

// Open scans dev and checks the newest record against the anchor (nil:
// none). It returns the store and the payload to load (nil: a fresh
// store). A store refused at boot (ErrForeign, ErrConflict, ErrReplay) is
// returned with the error: it neither loads nor saves until Format. A
// medium that cannot hold the region (ErrDevice) or cannot be read gives
// no store.
func Open(dev Device, geo Geometry, keys *muscle.StateKeys, anchor Anchor) (*Store, []byte, error) {
	slots, best, payload, err := Scan(dev, geo, keys)
	if slots == nil {
		return nil, nil, err
	}
	s := &Store{dev: dev, geo: geo, keys: keys, anchor: anchor, slots: slots, newest: best, next: 1}
	for _, sl := range slots {
		if sl.Kind != Empty && sl.Generation >= s.next && sl.Generation < MaxGeneration {
			s.next = sl.Generation + 1
		}
	}
	if err == nil && anchor != nil {
		err = s.checkAnchor()
	}
	if err != nil {
		s.refused, s.newest = err, -1
		return s, nil, err
	}
	return s, payload, nil
}

// checkAnchor accepts the newest record if it is the anchored one, or the
// one after it (a cut between a commit and the anchor's update), and moves
// the anchor up to it.
func (s *Store) checkAnchor() error {
	ag, ad, err := s.anchor.Read()
	if err != nil {
		return fmt.Errorf("%w: anchor %s: %v", ErrReplay, s.anchor.Name(), err)
	}
	if ag == 0 {
		if s.newest >= 0 {
			return s.advance(s.slots[s.newest])
		}
		return nil
	}
	if ag >= s.next {
		s.next = ag + 1
	}
	if s.newest < 0 {
		return fmt.Errorf("%w: anchor %s records generation %d; the medium holds no valid record", ErrReplay, s.anchor.Name(), ag)
	}
	n := s.slots[s.newest]
	switch {
	case n.Generation == ag && n.Digest == ad:
		return nil
	case n.Generation == ag+1 && n.Prev == ad:
		return s.advance(n)
	}
	return fmt.Errorf("%w: anchor %s records generation %d (%x); the medium's newest record is generation %d (%x): an older copy of the medium", ErrReplay, s.anchor.Name(), ag, ad[:8], n.Generation, n.Digest[:8])
}

func (s *Store) advance(n Slot) error {
	if err := s.anchor.Advance(n.Generation, n.Digest); err != nil {
		return fmt.Errorf("anchor %s: %w", s.anchor.Name(), err)
	}
	return nil
}

// Slots is what each slot holds (after the scan and every commit since).
func (s *Store) Slots() []Slot { return append([]Slot(nil), s.slots...) }

// Refused is why the medium was refused at boot, or nil.
func (s *Store) Refused() error { return s.refused }

// Newest is the newest valid record, if there is one.
func (s *Store) Newest() (Slot, bool) {
	if s.newest < 0 {
		return Slot{}, false
	}
	return s.slots[s.newest], true
}

// Device is the medium.
func (s *Store) Device() Device { return s.dev }

// AnchorName names the anchor, or says there is none.
func (s *Store) AnchorName() string {
	if s.anchor == nil {
		return "none"
	}
	return s.anchor.Name()
}

// Refuse marks the store refused after the fact (its newest record
// authenticates but its payload is not one the referee writes): it then
// neither saves nor loads until Format, as if refused at boot.
func (s *Store) Refuse(err error) { s.refused, s.newest = err, -1 }

// Close wipes the store's keys; it saves nothing more.
func (s *Store) Close() {
	s.keys.Wipe()
	s.refused = fmt.Errorf("closed")
}
