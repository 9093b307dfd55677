//go:build !tamago

package loader

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/muscle/bundle"
	"github.com/muscles/referee/referee/persist"
)

// brokenSig is blob with its own signature broken: only an index that
// vouches for it admits it.
func brokenSig(blob []byte) []byte {
	b := append([]byte(nil), blob...)
	b[len(b)-1] ^= 0x01
	return b
}

// index is k's signed index of the named entries of files.
func (k keys) index(t *testing.T, files map[string][]byte, names ...string) []byte {
	t.Helper()
	var list []muscle.IndexEntry
	for _, n := range names {
		list = append(list, muscle.IndexEntryFor(n, files[n]))
	}
	b, err := muscle.SignIndex(k.sg, list)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// loadIndexed loads a bundle of files in order names and returns the
// printed lines and the audit kinds.
func loadIndexed(t *testing.T, h *harness, names []string, files map[string][]byte) ([]string, string) {
	t.Helper()
	entries, err := bundle.Parse(cpioBundle(t, names, files))
	h.out.Reset()
	n := len(h.Log.Entries())
	h.LoadBundle("at 0x91000000", "bundle/", entries, err)
	var kinds []string
	for _, e := range h.Log.Entries()[n:] {
		kinds = append(kinds, e.Kind)
	}
	return strings.Split(strings.TrimSuffix(h.out.String(), "\n"), "\n"), strings.Join(kinds, " ")
}

func match(t *testing.T, lines []string, want ...string) {
	t.Helper()
	if len(lines) != len(want) {
		t.Fatalf("printed %d lines, want %d:\n%s", len(lines), len(want), strings.Join(lines, "\n"))
	}
	for i, re := range want {
		if !regexp.MustCompile(re).MatchString(lines[i]) {
			t.Errorf("line %d %q does not match %s", i+1, lines[i], re)
		}
	}
}

// TestSignedBundle: a signed index vouches for its publisher's muscles
// (their own signatures, broken here, are not checked), while the other
// publisher's muscle of a mixed bundle and an unlisted extra entry are
// checked on their own signatures.
func TestSignedBundle(t *testing.T) {
	a, b := twoPublishers(t)
	files := map[string][]byte{
		"one.muscle":    brokenSig(a.neuron(t, "one", 1)),
		"two.muscle":    brokenSig(a.neuron(t, "two", 1)),
		"theirs.muscle": b.neuron(t, "theirs", 1),
		"extra.muscle":  a.neuron(t, "extra", 1),
		"forged.muscle": brokenSig(b.neuron(t, "forged", 1)),
	}
	files[muscle.IndexName] = a.index(t, files, "one.muscle", "two.muscle")
	h := newLoader(a)
	lines, kinds := loadIndexed(t, h, []string{muscle.IndexName, "one.muscle", "two.muscle", "theirs.muscle", "extra.muscle", "forged.muscle"}, files)
	match(t, lines,
		`^muscles: bundle at 0x91000000 with 6 entries$`,
		`^muscle bundle/one.muscle: accepted "one" v1 `,
		`^muscle bundle/two.muscle: accepted "two" v1 `,
		`^muscle bundle/theirs.muscle: accepted "theirs" v1 `,
		`^muscle bundle/extra.muscle: accepted "extra" v1 `,
		`^muscle bundle/forged.muscle: rejected: tampered`,
		`^muscles: bundle index at 0x91000000: by `+a.sg.Publisher.String()+`, 2 listed, 2 vouched for \(one signature check\); index verified in 1000 ns$`,
	)
	if kinds != "bundle accept accept accept accept reject bundle-index" {
		t.Errorf("audit kinds %q", kinds)
	}
	h.verifies(t, a)

	// Uploads keep the per-muscle signature, even of a blob the index
	// vouched for.
	if _, err := h.Admit("upload", brokenSig(a.neuron(t, "up", 1))); !errors.Is(err, muscle.ErrTampered) {
		t.Errorf("upload with a broken signature after a signed bundle: %v", err)
	}
}

// TestSignedBundleTamper: each way to tamper with a bundle's index or its
// entries. A refused index is printed and audited and the muscles are
// checked on their own signatures (so the ones with a broken signature are
// refused and the others keep serving); an entry the index does not vouch
// for with its exact bytes is checked on its own signature.
func TestSignedBundleTamper(t *testing.T) {
	a, b := twoPublishers(t)
	good := a.neuron(t, "good", 1)
	weak := brokenSig(a.neuron(t, "weak", 1))
	base := map[string][]byte{"good.muscle": good, "weak.muscle": weak}
	index := a.index(t, base, "good.muscle", "weak.muscle")
	order := []string{muscle.IndexName, "good.muscle", "weak.muscle"}
	with := func(ix []byte) map[string][]byte {
		return map[string][]byte{muscle.IndexName: ix, "good.muscle": good, "weak.muscle": weak}
	}
	flip := func(b []byte, off int) []byte { c := append([]byte(nil), b...); c[off] ^= 0x01; return c }
	const refused = `^muscles: bundle index at 0x91000000 rejected: `
	const ownSig = `; each muscle is checked on its own signature$`
	for _, c := range []struct {
		what  string
		files map[string][]byte
		index string // the index verdict line
		weak  string // weak.muscle's
	}{
		{"signature byte flipped", with(flip(index, len(index)-1)), refused + `tampered: .*` + ownSig, "rejected: tampered"},
		{"signed body byte flipped", with(flip(index, 30)), refused + `tampered: .*` + ownSig, "rejected: tampered"},
		{"publisher changed", with(flip(index, 12)), refused + `unknown publisher: .*` + ownSig, "rejected: tampered"},
		{"wrong magic", with(flip(index, 0)), refused + `malformed: bundle index: bad magic.*` + ownSig, "rejected: tampered"},
		{"wrong version", with(flip(index, 8)), refused + `unsupported version: .*` + ownSig, "rejected: tampered"},
		{"truncated", with(index[:len(index)-10]), refused + `.*` + ownSig, "rejected: tampered"},
		{"empty", with([]byte{}), refused + `malformed: .*` + ownSig, "rejected: tampered"},
		{"another publisher's index", with(b.index(t, base, "good.muscle", "weak.muscle")), `^muscles: bundle index at 0x91000000: by ` + b.sg.Publisher.String() + `, 2 listed, 0 vouched for`, "rejected: tampered"},
	} {
		t.Run(c.what, func(t *testing.T) {
			h := newLoader(a)
			lines, kinds := loadIndexed(t, h, order, c.files)
			if strings.HasPrefix(c.index, refused) {
				match(t, lines, `with 3 entries$`, c.index, `^muscle bundle/good.muscle: accepted`, `^muscle bundle/weak.muscle: `+c.weak)
				if kinds != "bundle bundle-index-error accept reject" {
					t.Errorf("audit kinds %q", kinds)
				}
			} else {
				match(t, lines, `with 3 entries$`, `^muscle bundle/good.muscle: accepted`, `^muscle bundle/weak.muscle: `+c.weak, c.index)
			}
			if ms := h.Muscles(); len(ms) != 1 || ms[0].Name() != "good" {
				t.Errorf("served %d muscles, want good", len(ms))
			}
			h.verifies(t, a)
		})
	}

	// The entries, against a good index.
	weakChanged := flip(weak, len(weak)-70)
	for _, c := range []struct {
		what    string
		order   []string
		files   map[string][]byte
		want    []string
		vouched string
	}{
		{"hash mismatch", order, map[string][]byte{muscle.IndexName: index, "good.muscle": good, "weak.muscle": weakChanged},
			[]string{`good.muscle: accepted`, `weak.muscle: rejected: tampered`}, "2 listed, 1 vouched for"},
		{"swapped entries", order, map[string][]byte{muscle.IndexName: index, "good.muscle": weak, "weak.muscle": good},
			[]string{`good.muscle: rejected: tampered`, `weak.muscle: accepted "good"`}, "2 listed, 0 vouched for"},
		{"listed entry missing", []string{muscle.IndexName, "good.muscle"}, map[string][]byte{muscle.IndexName: index, "good.muscle": good},
			[]string{`good.muscle: accepted`}, "2 listed, 1 vouched for \\(one signature check\\), 1 missing from the bundle: weak.muscle"},
		{"unlisted extra entry", append(order, "extra.muscle"), map[string][]byte{muscle.IndexName: index, "good.muscle": good, "weak.muscle": weak, "extra.muscle": brokenSig(a.neuron(t, "extra", 1))},
			[]string{`good.muscle: accepted`, `weak.muscle: accepted`, `extra.muscle: rejected: tampered`}, "2 listed, 2 vouched for"},
		{"index last", []string{"good.muscle", "weak.muscle", muscle.IndexName}, with(index),
			[]string{`good.muscle: accepted`, `weak.muscle: accepted`}, "2 listed, 2 vouched for"},
	} {
		t.Run(c.what, func(t *testing.T) {
			h := newLoader(a)
			lines, _ := loadIndexed(t, h, c.order, c.files)
			want := []string{`with ` + string(rune('0'+len(c.order))) + ` entries$`}
			for _, w := range c.want {
				want = append(want, `^muscle bundle/`+w)
			}
			want = append(want, `^muscles: bundle index at 0x91000000: by `+a.sg.Publisher.String()+`, `+c.vouched)
			match(t, lines, want...)
		})
	}
	// Duplicate names, of the index or of muscles, are refused by the
	// bundle reader (bundle.Parse) and by the index parser (muscle's
	// TestParseIndexRejects).
}

// TestSignedBundleRollback: replaying an old index with its old blobs
// gives nothing the version floors refuse: the key record's minimum, the
// persisted floors and this boot's claims all still apply to vouched
// muscles.
func TestSignedBundleRollback(t *testing.T) {
	a, _ := twoPublishers(t)
	old := map[string][]byte{"n.muscle": a.neuron(t, "n", 1), "m.muscle": a.neuron(t, "m", 1), "p.muscle": a.neuron(t, "p", 3)}
	old[muscle.IndexName] = a.index(t, old, "n.muscle", "m.muscle", "p.muscle")
	order := []string{muscle.IndexName, "n.muscle", "m.muscle", "p.muscle"}
	cur := map[string][]byte{"p.muscle": a.neuron(t, "p", 4)}
	cur[muscle.IndexName] = a.index(t, cur, "p.muscle")

	h := newLoader(a)
	if err := a.rec.SetMinVersion("n", 2); err != nil {
		t.Fatal(err)
	}
	h.Stored = &persist.State{Floors: []persist.Floor{{Name: "m", Publisher: a.sg.Publisher, Version: 2}}}
	lines, _ := loadIndexed(t, h, []string{muscle.IndexName, "p.muscle"}, cur)
	match(t, lines, `with 2 entries$`, `^muscle bundle/p.muscle: accepted "p" v4 `, `1 listed, 1 vouched for`)
	lines, _ = loadIndexed(t, h, order, old)
	match(t, lines, `with 4 entries$`,
		`^muscle bundle/n.muscle: rejected: rollback`,
		`^muscle bundle/m.muscle: rejected: rollback`,
		`^muscle bundle/p.muscle: rejected: rollback: .*"p" v4 was accepted this boot`,
		`3 listed, 3 vouched for`)
}
