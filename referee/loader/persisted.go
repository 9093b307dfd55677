package loader

import (
	"fmt"

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/muscle/b3"
	"github.com/muscles/referee/referee/persist"
	"github.com/muscles/referee/referee/served"
)

// What the loader takes from and gives to the sealed store: version
// floors, which outlive the boot that set them, and persisted muscles'
// trained state.

// checkFloor refuses a muscle under a name the stored state gives to
// another publisher, or older than the version stored for it.
func (l *Loader) checkFloor(h *muscle.Header) error {
	if l.Stored == nil {
		return nil
	}
	f := l.Stored.FindFloor(h.Name)
	switch {
	case f == nil:
		return nil
	case f.Publisher != h.Publisher:
		return fmt.Errorf("%w: %q belongs to publisher %s (sealed state); publisher %s may not serve a muscle under that name", ErrNameTaken, h.Name, f.Publisher, h.Publisher)
	case h.Version < f.Version:
		return fmt.Errorf("%w: %q v%d was accepted before (sealed state); v%d is older", muscle.ErrRollback, h.Name, f.Version, h.Version)
	}
	return nil
}

// restore gives a persisted muscle the trained state stored for it: same
// publisher, same version, same state size. It says what it did, for the
// verdict.
func (l *Loader) restore(sv *served.Muscle) string {
	if l.Stored == nil || !sv.Persists() {
		return ""
	}
	h := sv.Header
	m := l.Stored.FindMuscle(h.Name)
	switch {
	case m == nil:
		return ""
	case m.Publisher != h.Publisher:
		return fmt.Sprintf(", stored state of publisher %s not applied", m.Publisher)
	case m.Version != h.Version:
		return fmt.Sprintf(", stored state of v%d not applied to v%d", m.Version, h.Version)
	case len(m.State) != len(sv.Space.State()) || b3.Sum256(m.State) != m.Hash:
		return fmt.Sprintf(", stored state of %d bytes does not fit (%d)", len(m.State), len(sv.Space.State()))
	}
	copy(sv.Space.State(), m.State)
	return ", trained state restored from the sealed store"
}

// Snapshot is the persistent state to save now: every served muscle with
// the persist capability and its live state, the stored state of names
// not served this boot, and the floors of every name accepted now or
// before. The muscles' states are not copied: marshal it before the next
// call.
func (l *Loader) Snapshot() *persist.State {
	s := &persist.State{}
	floors := map[string]persist.Floor{}
	servedNames := map[string]bool{}
	if l.Stored != nil {
		for _, f := range l.Stored.Floors {
			floors[f.Name] = f
		}
	}
	for name, c := range l.names {
		if f, ok := floors[name]; !ok || c.version > f.Version {
			floors[name] = persist.Floor{Name: name, Publisher: c.publisher, Version: c.version}
		}
	}
	for _, m := range l.muscles {
		servedNames[m.Header.Name] = true
		if m.Persists() {
			st := m.Space.State()
			s.Muscles = append(s.Muscles, persist.Muscle{Publisher: m.Header.Publisher, Name: m.Header.Name, Version: m.Header.Version, Hash: b3.Sum256(st), State: st})
		}
	}
	if l.Stored != nil {
		for _, m := range l.Stored.Muscles {
			if !servedNames[m.Name] {
				s.Muscles = append(s.Muscles, m)
			}
		}
	}
	for _, f := range floors {
		s.Floors = append(s.Floors, f)
	}
	s.Sort()
	return s
}
