package loader

import (
	"fmt"
	"strings"

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/muscle/bundle"
)

// maxMissingNamed is the most missing entries endIndex names.
const maxMissingNamed = 8

// bundleIndex is the state of one bundle's index while LoadBundle admits
// its entries.
type bundleIndex struct {
	where   string
	index   *muscle.BundleIndex // nil: none, or refused
	entry   string              // the bundle entry being admitted
	present map[string]bool     // entries of the bundle
	vouched int
	nanos   int64 // how long VerifyIndex took
}

// beginIndex takes the bundle index (muscle.IndexName) out of entries. An
// index that verifies (muscle.VerifyIndex) vouches for the entries it lists
// with their exact bytes, from its own publisher, so that their signatures
// are not checked again; a refused one is printed and audited
// ("bundle-index-error") and every entry is checked on its own signature,
// as is every entry the index does not vouch for.
func (l *Loader) beginIndex(where string, entries []bundle.Entry) []bundle.Entry {
	l.bundle = nil
	var raw []byte
	found := false
	rest := make([]bundle.Entry, 0, len(entries))
	for _, e := range entries {
		if e.Name == muscle.IndexName {
			raw, found = e.Data, true
			continue
		}
		rest = append(rest, e)
	}
	if !found {
		return entries
	}
	start := l.Now()
	ix, err := muscle.VerifyIndex(raw, l.Rec)
	if err != nil {
		fmt.Fprintf(l.Out, "muscles: bundle index %s rejected: %v; each muscle is checked on its own signature\n", where, err)
		l.Log.Append(l.Now(), "bundle-index-error", where+": "+err.Error())
		return rest
	}
	b := &bundleIndex{where: where, index: ix, present: make(map[string]bool, len(rest)), nanos: l.Now() - start}
	for _, e := range rest {
		b.present[e.Name] = true
	}
	l.bundle = b
	return rest
}

// admitEntry admits one bundle entry, through the bundle's index if it has
// one.
func (l *Loader) admitEntry(prefix string, e bundle.Entry) (string, error) {
	if l.bundle != nil {
		l.bundle.entry = e.Name
		defer func() { l.bundle.entry = "" }()
	}
	return l.Admit(prefix+e.Name, e.Data)
}

// open is muscle.Open, or while a bundle entry is admitted, its bundle
// index's Open, timing the phases into t.
func (l *Loader) open(blob []byte, t *muscle.OpenTimes) (*muscle.Muscle, error) {
	if l.bundle == nil || l.bundle.entry == "" {
		return muscle.OpenTimed(blob, l.Rec, nil, l.Now, t)
	}
	m, vouched, err := l.bundle.index.OpenTimed(l.bundle.entry, blob, l.Rec, nil, l.Now, t)
	if vouched {
		l.bundle.vouched++
	}
	return m, err
}

// endIndex prints and audits ("bundle-index") what a verified index
// vouched for: its publisher, how many of its entries it vouched for,
// those it lists that the bundle lacks, and how long verifying it took.
func (l *Loader) endIndex() {
	b := l.bundle
	l.bundle = nil
	if b == nil {
		return
	}
	var missing []string
	for _, e := range b.index.Entries() {
		if !b.present[e.Name] {
			missing = append(missing, e.Name)
		}
	}
	detail := fmt.Sprintf("%s: by %s, %d listed, %d vouched for (one signature check)", b.where, b.index.Publisher(), len(b.index.Entries()), b.vouched)
	if len(missing) > 0 {
		detail += fmt.Sprintf(", %d missing from the bundle: %s", len(missing), strings.Join(missing[:min(len(missing), maxMissingNamed)], " "))
		if len(missing) > maxMissingNamed {
			detail += " ..."
		}
	}
	detail += fmt.Sprintf("; index verified in %d ns", b.nanos)
	fmt.Fprintf(l.Out, "muscles: bundle index %s\n", detail)
	l.Log.Append(l.Now(), "bundle-index", detail)
}
