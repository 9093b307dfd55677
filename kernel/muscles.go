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

// loadMuscles opens every muscle of the bundle as the validation chain says
// (structure, publisher, signature, version, decryption, manifest, then the
// machine-code verifier), prints and audits each verdict, and keeps serving
// the others whatever one does.
func loadMuscles(w io.Writer, rec *muscle.KeyRecord, log *audit.Log) []*muscle.Muscle {
	entries, err := readBundle()
	switch {
	case errors.Is(err, bundle.ErrNoBundle):
		fmt.Fprintf(w, "muscles: no bundle at %#x\n", layout.BundleStart)
		log.Append(now(), "bundle", "none")
		return nil
	case err != nil:
		fmt.Fprintf(w, "muscles: bundle at %#x rejected: %v\n", layout.BundleStart, err)
		log.Append(now(), "bundle-error", err.Error())
		return nil
	}
	fmt.Fprintf(w, "muscles: bundle at %#x with %d entries\n", layout.BundleStart, len(entries))
	log.Append(now(), "bundle", fmt.Sprintf("%d entries", len(entries)))
	policy := &muscle.Policy{}
	var loaded []*muscle.Muscle
	for _, e := range entries {
		m, err := muscle.Open(e.Data, rec, policy)
		if err == nil {
			if err = verify.VerifyManifest(m.Code, m.Manifest); err != nil {
				m.Wipe()
				err = fmt.Errorf("machine-code verifier: %w", err)
			}
		}
		if err != nil {
			fmt.Fprintf(w, "muscle %s: rejected: %v\n", e.Name, err)
			log.Append(now(), "reject", fmt.Sprintf("%s: %v", e.Name, err))
			continue
		}
		h := m.Header
		policy.Raise(h.Name, h.Version)
		detail := fmt.Sprintf("%q v%d by %s, %s, code %d bytes blake3 %x, state %d bytes",
			h.Name, h.Version, h.Publisher, h.Capabilities, len(m.Code), m.Provenance.CodeHash[:8], len(m.State))
		fmt.Fprintf(w, "muscle %s: accepted %s\n", e.Name, detail)
		log.Append(now(), "accept", e.Name+": "+detail)
		loaded = append(loaded, m)
	}
	return loaded
}
