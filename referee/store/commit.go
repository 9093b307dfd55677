package store

import (
	"bytes"
	"fmt"

	"github.com/muscles/referee/muscle/b3"
)

// Saved describes a commit.
type Saved struct {
	Generation uint64
	Slot       int
	Digest     Digest
	// PayloadHash is the BLAKE3-256 of the payload saved.
	PayloadHash [32]byte
}

// Commit seals payload as the next generation, writes it into a slot that
// does not hold the newest valid record, flushes, reads it back and
// compares, then moves the anchor (if any) up to it. Only when it returns
// nil is the generation saved; on any error the newest record is the one
// before, untouched.
func (s *Store) Commit(payload []byte) (Saved, error) {
	switch {
	case s.refused != nil:
		return Saved{}, fmt.Errorf("%w at boot (%v): the medium is left as it is; `state format` erases it", ErrRefused, s.refused)
	case s.broken != nil:
		return Saved{}, fmt.Errorf("%w: saves stopped until reboot: %v", ErrRefused, s.broken)
	case len(payload) > s.geo.Capacity():
		return Saved{}, fmt.Errorf("%w: the state is %d bytes; a slot holds %d", ErrFull, len(payload), s.geo.Capacity())
	case s.next == MaxGeneration:
		return Saved{}, fmt.Errorf("%w: generation %d is the last; the store does not wrap", ErrRefused, s.next)
	}
	gen := s.next
	// A failed attempt may still land later; never reuse its generation.
	s.next++
	target := s.target()
	h := Header{Slot: uint16(target), Generation: gen, Prev: s.prev}
	if s.newest >= 0 {
		h.Prev = s.slots[s.newest].Digest
	}
	rec, err := seal(s.keys, h, payload)
	if err != nil {
		return Saved{}, err
	}
	saved := Saved{Generation: gen, Slot: target, Digest: digest(rec), PayloadHash: b3.Sum256(payload)}
	// Until the read-back, the slot's content is unknown.
	s.slots[target] = Slot{Index: target, Kind: Damaged, Why: fmt.Sprintf("generation %d being written", gen), Generation: gen}
	if err := s.write(target, rec); err != nil {
		s.slots[target].Why = fmt.Sprintf("generation %d not saved: %v", gen, err)
		return Saved{}, fmt.Errorf("generation %d not saved (generation %d stays the newest): %w", gen, s.newestGeneration(), err)
	}
	s.slots[target] = Slot{Index: target, Kind: Valid, Generation: gen, Digest: saved.Digest, Prev: h.Prev, Length: len(payload), PayloadHash: saved.PayloadHash}
	s.newest = target
	if s.anchor != nil {
		if err := s.anchor.Advance(gen, saved.Digest); err != nil {
			s.broken = fmt.Errorf("anchor %s did not advance to generation %d: %v", s.anchor.Name(), gen, err)
			return Saved{}, fmt.Errorf("generation %d is on the medium but %v", gen, s.broken)
		}
	}
	return saved, nil
}

func (s *Store) newestGeneration() uint64 {
	if s.newest < 0 {
		return 0
	}
	return s.slots[s.newest].Generation
}

// target is the slot the next record goes to: not the newest; an empty or
// damaged one if there is one, else the oldest.
func (s *Store) target() int {
	t := -1
	for i, sl := range s.slots {
		if i == s.newest {
			continue
		}
		if sl.Kind != Valid {
			return i
		}
		if t < 0 || sl.Generation < s.slots[t].Generation {
			t = i
		}
	}
	return t
}

// write puts rec (padded with zeros to whole blocks) at the start of slot
// i, flushes and reads it back.
func (s *Store) write(i int, rec []byte) error {
	bs := s.dev.BlockSize()
	buf := make([]byte, (len(rec)+bs-1)/bs*bs)
	copy(buf, rec)
	lba := s.geo.lba(s.dev, i)
	if err := s.dev.WriteBlocks(lba, buf); err != nil {
		return fmt.Errorf("writing slot %d: %w", i, err)
	}
	if err := s.dev.Flush(); err != nil {
		return fmt.Errorf("flushing: %w", err)
	}
	back := make([]byte, len(buf))
	if err := s.dev.ReadBlocks(lba, back); err != nil {
		return fmt.Errorf("reading slot %d back: %w", i, err)
	}
	if !bytes.Equal(back, buf) {
		return fmt.Errorf("%w: slot %d does not hold what was written", ErrReadBack, i)
	}
	return nil
}

// Format erases every slot's header (a medium refused at boot: foreign,
// conflicting or replayed), then commits payload as a fresh store's first
// record, with a generation above every one seen and anchored. It is the
// only way the store overwrites a medium it refused; the console audits
// it.
func (s *Store) Format(payload []byte) (Saved, error) {
	bs := s.dev.BlockSize()
	zero := make([]byte, bs)
	for i := range s.slots {
		if err := s.dev.WriteBlocks(s.geo.lba(s.dev, i), zero); err != nil {
			return Saved{}, fmt.Errorf("erasing slot %d: %w", i, err)
		}
	}
	if err := s.dev.Flush(); err != nil {
		return Saved{}, fmt.Errorf("flushing: %w", err)
	}
	for i := range s.slots {
		s.slots[i] = Slot{Index: i}
	}
	s.newest, s.refused, s.broken = -1, nil, nil
	if s.anchor != nil {
		g, d, err := s.anchor.Read()
		if err != nil {
			return Saved{}, fmt.Errorf("anchor %s: %w", s.anchor.Name(), err)
		}
		// The anchor accepts the record after the one it holds (the
		// slots, erased, no longer hold anything newer).
		s.next = g + 1
		if g > 0 {
			s.prev = d
		}
	}
	return s.Commit(payload)
}
