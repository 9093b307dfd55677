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
	muscles []*served
	// skipVerify is set only by test images (-X main.testSkipVerifier),
	// to show that EL0 and the MMU alone contain hostile code.
	skipVerify bool
}

// loadBundles admits every muscle of the bundle built into the image, then
// of the bundle the loader placed in the bundle region; each is accepted or
// rejected on its own, the others keep loading.
func (l *loader) loadBundles() {
	if len(embeddedBundle) > 0 {
		entries, err := bundle.Parse(embeddedBundle)
		if err != nil {
			fmt.Fprintf(l.w, "muscles: embedded bundle rejected: %v\n", err)
			l.log.Append(now(), "bundle-error", "embedded: "+err.Error())
		} else {
			fmt.Fprintf(l.w, "muscles: bundle built into the image with %d entries\n", len(entries))
			l.log.Append(now(), "bundle", fmt.Sprintf("embedded, %d entries", len(entries)))
			l.admitAll("embedded:", entries)
		}
	}
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
	l.admitAll("", entries)
}

func (l *loader) admitAll(prefix string, entries []bundle.Entry) {
	for _, e := range entries {
		if detail, err := l.admit(prefix+e.Name, e.Data); err != nil {
			fmt.Fprintf(l.w, "muscle %s%s: rejected: %v\n", prefix, e.Name, err)
		} else {
			fmt.Fprintf(l.w, "muscle %s%s: accepted %s\n", prefix, e.Name, detail)
		}
	}
}

// admit runs the validation chain (structure, publisher, signature,
// version, decryption, manifest, then the machine-code verifier) on one
// blob, audits the verdict, and on success maps the muscle into its sandbox
// and serves it, replacing an older version of the same name. It returns a
// description of the muscle accepted, or why it was rejected.
func (l *loader) admit(source string, blob []byte) (string, error) {
	start := now()
	m, err := muscle.Open(blob, l.rec, &l.policy)
	if err == nil && !l.skipVerify {
		if err = verify.VerifyManifest(m.Code, m.Manifest); err != nil {
			err = fmt.Errorf("machine-code verifier: %w", err)
		}
	}
	var sv *served
	if err == nil {
		sv, err = newServed(m)
	}
	if m != nil {
		m.Wipe() // the arena holds the only copy now
	}
	if err != nil {
		l.log.Append(now(), "reject", fmt.Sprintf("%s: %v", source, err))
		return "", err
	}
	sv.loadNanos = now() - start
	h := m.Header
	l.policy.Raise(h.Name, h.Version)
	detail := fmt.Sprintf("%q v%d by %s, %s, code %d bytes blake3 %x, state %d bytes",
		h.Name, h.Version, h.Publisher, h.Capabilities, len(m.Code), m.Provenance.CodeHash[:8], len(m.State))
	if l.skipVerify {
		detail += " (verifier skipped: test image)"
	}
	l.log.Append(now(), "accept", source+": "+detail)
	for i, old := range l.muscles {
		if old.h.Name == h.Name {
			old.retire(l.log)
			l.muscles[i] = sv
			return detail, nil
		}
	}
	l.muscles = append(l.muscles, sv)
	return detail, nil
}

// find returns the served muscle called name.
func (l *loader) find(name string) *served {
	for _, m := range l.muscles {
		if m.h.Name == name {
			return m
		}
	}
	return nil
}
