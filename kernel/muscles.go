//go:build tamago && arm64

package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/muscles/referee/board/qemu/virt"
	"github.com/muscles/referee/board/qemu/virt/layout"
	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/muscle/bundle"
	"github.com/muscles/referee/referee/audit"
	"github.com/muscles/referee/referee/verify"
)

// readBundle copies the used part of the bundle region into RAM: it grows
// the copy until the newc reader finds the trailer.
func readBundle() ([]bundle.Entry, error) {
	for n := 64 << 10; ; n *= 2 {
		if n > layout.BundleMax {
			n = layout.BundleMax
		}
		entries, err := bundle.Parse(virt.ReadBundleRegion(n))
		if !errors.Is(err, bundle.ErrTruncated) || n == layout.BundleMax {
			return entries, err
		}
	}
}

// loader admits muscles into the referee: from the boot bundle and from
// console uploads, through one validation chain and one version policy.
type loader struct {
	w       io.Writer
	rec     *muscle.KeyRecord
	log     *audit.Log
	policy  muscle.Policy
	muscles []*muscle.Muscle
}

// loadBundle admits every muscle of the boot bundle; each is accepted or
// rejected on its own, the others keep loading.
func (l *loader) loadBundle() {
	entries, err := readBundle()
	switch {
	case errors.Is(err, bundle.ErrNoBundle):
		fmt.Fprintf(l.w, "muscles: no bundle at %#x\n", layout.BundleStart)
		l.log.Append(now(), "bundle", "none")
		return
	case err != nil:
		fmt.Fprintf(l.w, "muscles: bundle at %#x rejected: %v\n", layout.BundleStart, err)
		l.log.Append(now(), "bundle-error", err.Error())
		return
	}
	fmt.Fprintf(l.w, "muscles: bundle at %#x with %d entries\n", layout.BundleStart, len(entries))
	l.log.Append(now(), "bundle", fmt.Sprintf("%d entries", len(entries)))
	for _, e := range entries {
		l.admit(e.Name, e.Data)
	}
}

// admit runs the validation chain (structure, publisher, signature,
// version, decryption, manifest, then the machine-code verifier) on one
// blob, prints and audits the verdict, and on success serves the muscle,
// replacing an older version of the same name.
func (l *loader) admit(source string, blob []byte) bool {
	m, err := muscle.Open(blob, l.rec, &l.policy)
	if err == nil {
		if err = verify.VerifyManifest(m.Code, m.Manifest); err != nil {
			m.Wipe()
			err = fmt.Errorf("machine-code verifier: %w", err)
		}
	}
	if err != nil {
		fmt.Fprintf(l.w, "muscle %s: rejected: %v\n", source, err)
		l.log.Append(now(), "reject", fmt.Sprintf("%s: %v", source, err))
		return false
	}
	h := m.Header
	l.policy.Raise(h.Name, h.Version)
	detail := fmt.Sprintf("%q v%d by %s, %s, code %d bytes blake3 %x, state %d bytes",
		h.Name, h.Version, h.Publisher, h.Capabilities, len(m.Code), m.Provenance.CodeHash[:8], len(m.State))
	fmt.Fprintf(l.w, "muscle %s: accepted %s\n", source, detail)
	l.log.Append(now(), "accept", source+": "+detail)
	for i, old := range l.muscles {
		if old.Header.Name == h.Name {
			old.Wipe()
			l.muscles[i] = m
			return true
		}
	}
	l.muscles = append(l.muscles, m)
	return true
}
