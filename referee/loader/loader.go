// Package loader admits muscles into the referee, from the boot bundles
// and from console uploads, through one validation chain (structure,
// publisher, signature, version, decryption, manifest and capabilities,
// then the machine-code verifier) and one version policy, and keeps the
// set of muscles being served. Every verdict is audited. It builds for the
// host, where it is unit-tested, and for GOOS=tamago.
package loader

import (
	"errors"
	"fmt"
	"io"

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/muscle/bundle"
	"github.com/muscles/referee/referee/audit"
	"github.com/muscles/referee/referee/served"
	"github.com/muscles/referee/referee/verify"
)

// Loader admits and holds the muscles the referee serves.
type Loader struct {
	// Out receives one line per verdict.
	Out io.Writer
	Rec *muscle.KeyRecord
	Log *audit.Log
	// Now is the clock for audit entries and load times.
	Now func() int64
	// DeadlineTicks converts a budget into the call deadline (the board's).
	DeadlineTicks func(micros uint32) uint64
	// SkipVerify is set only by test images (-X main.testSkipVerifier),
	// to show that EL0 and the MMU alone contain hostile code.
	SkipVerify bool

	policy  muscle.Policy
	muscles []*served.Muscle
}

// ReadBundle reads a bundle from a region of at most max bytes through
// read (which copies the region's first n bytes): it grows the copy until
// the newc reader finds the trailer.
func ReadBundle(read func(n int) []byte, max int) ([]bundle.Entry, error) {
	for n := min(64<<10, max); ; n *= 2 {
		if n > max {
			n = max
		}
		entries, err := bundle.Parse(read(n))
		if !errors.Is(err, bundle.ErrTruncated) || n == max {
			return entries, err
		}
	}
}

// LoadBundle admits every muscle of one bundle (entries, or err from
// reading it), each accepted or rejected on its own. where names the
// bundle ("at 0x91000000", "built into the image"); prefix is put before
// each entry's name in verdicts.
func (l *Loader) LoadBundle(where, prefix string, entries []bundle.Entry, err error) {
	switch {
	case errors.Is(err, bundle.ErrNoBundle):
		fmt.Fprintf(l.Out, "muscles: no bundle %s\n", where)
		l.Log.Append(l.Now(), "bundle", "none "+where)
		return
	case err != nil:
		fmt.Fprintf(l.Out, "muscles: bundle %s rejected: %v\n", where, err)
		l.Log.Append(l.Now(), "bundle-error", where+": "+err.Error())
		return
	}
	fmt.Fprintf(l.Out, "muscles: bundle %s with %d entries\n", where, len(entries))
	l.Log.Append(l.Now(), "bundle", fmt.Sprintf("%s, %d entries", where, len(entries)))
	for _, e := range entries {
		if detail, err := l.Admit(prefix+e.Name, e.Data); err != nil {
			fmt.Fprintf(l.Out, "muscle %s%s: rejected: %v\n", prefix, e.Name, err)
		} else {
			fmt.Fprintf(l.Out, "muscle %s%s: accepted %s\n", prefix, e.Name, detail)
		}
	}
}

// Admit runs the validation chain on one blob, audits the verdict, and on
// success maps the muscle into its sandbox and serves it, replacing an
// older version of the same name. It returns a description of the muscle
// accepted, or why it was rejected.
func (l *Loader) Admit(source string, blob []byte) (string, error) {
	start := l.Now()
	m, err := muscle.Open(blob, l.Rec, &l.policy)
	if err == nil && !l.SkipVerify {
		if err = verify.VerifyManifest(m.Code, m.Manifest); err != nil {
			err = fmt.Errorf("machine-code verifier: %w", err)
		}
	}
	var sv *served.Muscle
	if err == nil {
		sv, err = served.New(m, l.DeadlineTicks(m.Header.BudgetMicros))
	}
	if m != nil {
		m.Wipe() // the arena holds the only copy now
	}
	if err != nil {
		l.Log.Append(l.Now(), "reject", fmt.Sprintf("%s: %v", source, err))
		return "", err
	}
	sv.LoadNanos = l.Now() - start
	h := m.Header
	l.policy.Raise(h.Name, h.Version)
	detail := fmt.Sprintf("%q v%d by %s, %s, code %d bytes blake3 %x, state %d bytes",
		h.Name, h.Version, h.Publisher, h.Capabilities, len(m.Code), m.Provenance.CodeHash[:8], len(m.State))
	if l.SkipVerify {
		detail += " (verifier skipped: test image)"
	}
	l.Log.Append(l.Now(), "accept", source+": "+detail)
	for i, old := range l.muscles {
		if old.Header.Name == h.Name {
			l.Retire(old)
			l.muscles[i] = sv
			return detail, nil
		}
	}
	l.muscles = append(l.muscles, sv)
	return detail, nil
}

// Retire audits a muscle's counts and wipes its arena.
func (l *Loader) Retire(m *served.Muscle) {
	l.Log.Append(l.Now(), "counts", m.Counts())
	m.Space.Wipe()
}

// Find returns the served muscle called name, or nil.
func (l *Loader) Find(name string) *served.Muscle {
	for _, m := range l.muscles {
		if m.Header.Name == name {
			return m
		}
	}
	return nil
}

// Muscles lists the served muscles in the order they were first admitted.
func (l *Loader) Muscles() []*served.Muscle { return l.muscles }

// Shutdown audits every muscle's counts and wipes every arena.
func (l *Loader) Shutdown() {
	for _, m := range l.muscles {
		l.Retire(m)
	}
	l.muscles = nil
}
