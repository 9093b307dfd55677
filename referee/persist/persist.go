// Package persist is the referee's persistent state as the sealed store
// (referee/store) keeps it: the trained state of every muscle with the
// persist capability, keyed by publisher and name with its version and
// state hash, and the version floors (each name's publisher and the
// highest version accepted). Marshal is deterministic and Unmarshal
// accepts only what Marshal produces, so one state has one encoding
// (docs/STATE.md, "Payload"). It builds for the host and for GOOS=tamago.
package persist

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/muscle/b3"
)

// Muscle is one persisted muscle's trained state.
type Muscle struct {
	Publisher muscle.PublisherID
	Name      string
	Version   uint64
	// Hash is the BLAKE3-256 of State.
	Hash  [32]byte
	State []byte
}

// Floor is what the referee has accepted under a name: its publisher
// and the highest version.
type Floor struct {
	Name      string
	Publisher muscle.PublisherID
	Version   uint64
}

// State is the whole persistent state, each list sorted by name.
type State struct {
	Muscles []Muscle
	Floors  []Floor
}

// ErrPayload: the payload is not a canonical encoding of a State.
var ErrPayload = errors.New("bad state payload")

// Sort puts both lists in the canonical order.
func (s *State) Sort() {
	slices.SortFunc(s.Muscles, func(a, b Muscle) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(s.Floors, func(a, b Floor) int { return strings.Compare(a.Name, b.Name) })
}

// FindMuscle returns the persisted state of name, or nil.
func (s *State) FindMuscle(name string) *Muscle {
	for i := range s.Muscles {
		if s.Muscles[i].Name == name {
			return &s.Muscles[i]
		}
	}
	return nil
}

// FindFloor returns the floor of name, or nil.
func (s *State) FindFloor(name string) *Floor {
	for i := range s.Floors {
		if s.Floors[i].Name == name {
			return &s.Floors[i]
		}
	}
	return nil
}

// Marshal encodes the state: u32 count, then each muscle (publisher id,
// u16 name length, name, u64 version, 32-byte hash, u32 state length,
// state), then u32 count and each floor (u16 name length, name, publisher
// id, u64 version); little-endian, lists sorted by name. It refuses
// duplicate names, names longer than muscle.MaxNameLen and hashes that do
// not match.
func (s *State) Marshal() ([]byte, error) {
	c := State{Muscles: slices.Clone(s.Muscles), Floors: slices.Clone(s.Floors)}
	c.Sort()
	var b []byte
	b = binary.LittleEndian.AppendUint32(b, uint32(len(c.Muscles)))
	for i, m := range c.Muscles {
		if err := checkName(m.Name, i > 0 && c.Muscles[i-1].Name == m.Name); err != nil {
			return nil, err
		}
		if b3.Sum256(m.State) != m.Hash {
			return nil, fmt.Errorf("%w: the hash of %q's state does not match it", ErrPayload, m.Name)
		}
		b = append(b, m.Publisher[:]...)
		b = appendName(b, m.Name)
		b = binary.LittleEndian.AppendUint64(b, m.Version)
		b = append(b, m.Hash[:]...)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(m.State)))
		b = append(b, m.State...)
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(len(c.Floors)))
	for i, f := range c.Floors {
		if err := checkName(f.Name, i > 0 && c.Floors[i-1].Name == f.Name); err != nil {
			return nil, err
		}
		b = appendName(b, f.Name)
		b = append(b, f.Publisher[:]...)
		b = binary.LittleEndian.AppendUint64(b, f.Version)
	}
	return b, nil
}

func checkName(name string, dup bool) error {
	switch {
	case name == "" || len(name) > muscle.MaxNameLen:
		return fmt.Errorf("%w: name of %d bytes (want 1..%d)", ErrPayload, len(name), muscle.MaxNameLen)
	case dup:
		return fmt.Errorf("%w: %q listed twice", ErrPayload, name)
	}
	return nil
}

func appendName(b []byte, name string) []byte {
	b = binary.LittleEndian.AppendUint16(b, uint16(len(name)))
	return append(b, name...)
}

// Unmarshal decodes a payload and checks that it is the canonical
// encoding (re-encoding it gives the same bytes) with every hash right.
func Unmarshal(b []byte) (*State, error) {
	r := reader{b: b}
	s := &State{}
	n := r.u32()
	for i := uint32(0); i < n && r.err == nil; i++ {
		var m Muscle
		copy(m.Publisher[:], r.bytes(muscle.PublisherIDSize))
		m.Name = r.name()
		m.Version = r.u64()
		copy(m.Hash[:], r.bytes(32))
		m.State = slices.Clone(r.bytes(int(r.u32())))
		s.Muscles = append(s.Muscles, m)
	}
	n = r.u32()
	for i := uint32(0); i < n && r.err == nil; i++ {
		var f Floor
		f.Name = r.name()
		copy(f.Publisher[:], r.bytes(muscle.PublisherIDSize))
		f.Version = r.u64()
		s.Floors = append(s.Floors, f)
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the floors", ErrPayload, len(r.b))
	}
	again, err := s.Marshal()
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(again, b) {
		return nil, fmt.Errorf("%w: not in canonical order", ErrPayload)
	}
	return s, nil
}

type reader struct {
	b   []byte
	err error
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b) {
		r.err = fmt.Errorf("%w: truncated", ErrPayload)
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) u16() uint16 {
	if v := r.bytes(2); v != nil {
		return binary.LittleEndian.Uint16(v)
	}
	return 0
}

func (r *reader) u32() uint32 {
	if v := r.bytes(4); v != nil {
		return binary.LittleEndian.Uint32(v)
	}
	return 0
}

func (r *reader) u64() uint64 {
	if v := r.bytes(8); v != nil {
		return binary.LittleEndian.Uint64(v)
	}
	return 0
}

func (r *reader) name() string { return string(r.bytes(int(r.u16()))) }
