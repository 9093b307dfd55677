// Package loader admits muscles into the referee, from the boot bundles
// and from console uploads, through one validation chain (structure,
// publisher, signature (a bundle's signed index may stand for its
// muscles': bundle.go), version, decryption, manifest and capabilities,
// the machine-code verifier and its instruction count) with one memory
// budget for all muscles and one version policy, and keeps the set of
// muscles being served. A name belongs to the publisher whose muscle was
// first accepted under it; only that publisher can replace it, and only
// with a higher version. Every verdict is audited. It builds for the
// host, where it is unit-tested, and for GOOS=tamago.
package loader

import (
	"errors"
	"fmt"
	"io"

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/muscle/b3"
	"github.com/muscles/referee/muscle/bundle"
	"github.com/muscles/referee/referee/audit"
	"github.com/muscles/referee/referee/persist"
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
	// MemoryBudget is how much memory the muscles may use together, in
	// bytes: the arenas of those served, plus, while one is admitted, its
	// decrypted sections and the verifier's working memory. Admission
	// checks it, from the header and then from the manifest, before it
	// allocates; 0 admits nothing.
	MemoryBudget int64
	// PeakInstructionsPerMicro is the most instructions the board's core
	// can retire in a microsecond of budget: an entry whose exact
	// instruction count (the verifier's) cannot finish within the
	// muscle's budget even at that rate is refused.
	PeakInstructionsPerMicro uint64
	// SkipVerify is set only by test images (-X main.testSkipVerifier),
	// to show that EL0 and the MMU alone contain hostile code.
	SkipVerify bool
	// Stored is the persistent state the sealed store loaded at boot
	// (nil: none): its floors bind names to publishers and refuse older
	// versions, and a persisted muscle admitted at the version it was
	// saved with gets its trained state back.
	Stored *persist.State

	names   map[string]claim // every name admitted this boot
	muscles []*served.Muscle
	used    int64        // memory of the served muscles
	bundle  *bundleIndex // the index of the bundle being loaded (bundle.go)
}

// claim is who a muscle name belongs to: the publisher whose muscle was
// first accepted under it (this boot), and the highest version accepted.
type claim struct {
	publisher muscle.PublisherID
	version   uint64
}

// Reasons for refusals that are the referee's own (the format's are the
// muscle.Err values), for errors.Is.
var (
	// ErrNameTaken: another publisher's muscle already holds the name.
	ErrNameTaken = errors.New("name taken")
	// ErrMemory: the muscle does not fit in what is left of the budget.
	ErrMemory = errors.New("memory budget")
	// ErrTooSlow: an entry cannot finish within the muscle's budget.
	ErrTooSlow = errors.New("instruction count exceeds budget")
)

// Available is how much of the memory budget is left.
func (l *Loader) Available() int64 { return l.MemoryBudget - l.used }

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
// reading it), each accepted or rejected on its own; a bundle index that
// verifies stands for the signatures of the muscles it vouches for
// (bundle.go). where names the bundle ("at 0x91000000", "built into the
// image"); prefix is put before each entry's name in verdicts.
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
	entries = l.beginIndex(where, entries)
	defer l.endIndex()
	for _, e := range entries {
		if detail, err := l.admitEntry(prefix, e); err != nil {
			fmt.Fprintf(l.Out, "muscle %s%s: rejected: %v\n", prefix, e.Name, err)
		} else {
			fmt.Fprintf(l.Out, "muscle %s%s: accepted %s\n", prefix, e.Name, detail)
		}
	}
}

// Admit runs the validation chain on one blob, audits the verdict, and on
// success maps the muscle into its sandbox and serves it, replacing an
// older version from the same publisher. It returns a description of the
// muscle accepted, or why it was rejected.
func (l *Loader) Admit(source string, blob []byte) (string, error) {
	start := l.Now()
	sv, detail, err := l.admit(blob)
	if err != nil {
		l.Log.Append(l.Now(), "reject", fmt.Sprintf("%s: %v", source, err))
		return "", err
	}
	sv.LoadNanos = l.Now() - start
	audited := l.Now()
	l.Log.Append(l.Now(), "accept", source+": "+detail)
	sv.LoadPhases = append(sv.LoadPhases, served.LoadPhase{Name: PhaseAudit, Nanos: l.Now() - audited})
	h := sv.Header
	l.names[h.Name] = claim{h.Publisher, h.Version}
	l.used += sv.Memory
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

// The phases of an admission, as served.Muscle.LoadPhases names them: the
// header's checks and the signature (or the bundle index's hash check),
// key derivation, decryption with the plaintext's checks, the name,
// version and memory checks with the machine-code verifier, the sandbox (served.New: the arena and its page
// tables), the rest of admission (state restore, the verdict's hashes),
// and the audit entry of the verdict (after LoadNanos).
const (
	PhaseSignature = "signature"
	PhaseDerive    = "derive"
	PhaseDecrypt   = "decrypt"
	PhaseVerify    = "verify"
	PhaseSandbox   = "sandbox"
	PhaseRest      = "rest"
	PhaseAudit     = "audit"
)

// admit is the validation chain: the memory the header implies, the
// format's checks and decryption (muscle.Open), the name's owner and
// version, the memory the manifest implies, the machine-code verifier and
// the instruction count against the budget, then the sandbox.
func (l *Loader) admit(blob []byte) (*served.Muscle, string, error) {
	if l.names == nil {
		l.names = map[string]claim{}
	}
	if h, err := muscle.Inspect(blob); err == nil {
		// Decrypted sections, the verifier, and the arena's copy of the
		// code and of the state (twice: live and initial).
		need := int64(h.PlaintextLen()) + verify.WorkingMemory(int(h.CodeLen)) + int64(h.CodeLen) + 2*int64(h.StateLen)
		if err := l.fits(need, "its code and state"); err != nil {
			return nil, "", err
		}
	}
	var times muscle.OpenTimes
	m, err := l.open(blob, &times)
	if err != nil {
		return nil, "", err
	}
	phases := []served.LoadPhase{{Name: PhaseSignature, Nanos: times.Signature}, {Name: PhaseDerive, Nanos: times.Derive}, {Name: PhaseDecrypt, Nanos: times.Decrypt}}
	mark := l.Now()
	phase := func(name string) {
		n := l.Now()
		phases = append(phases, served.LoadPhase{Name: name, Nanos: n - mark})
		mark = n
	}
	defer m.Wipe() // the arena holds the only copy once mapped
	h := m.Header
	if h.BudgetMicros > muscle.MaxBudgetMicros {
		return nil, "", fmt.Errorf("%w: a budget of %d µs exceeds the referee's limit of %d µs a call", ErrTooSlow, h.BudgetMicros, muscle.MaxBudgetMicros)
	}
	if err := l.checkFloor(h); err != nil {
		return nil, "", err
	}
	if c, ok := l.names[h.Name]; ok {
		if c.publisher != h.Publisher {
			return nil, "", fmt.Errorf("%w: %q belongs to publisher %s; publisher %s may not serve a muscle under that name", ErrNameTaken, h.Name, c.publisher, h.Publisher)
		}
		if h.Version <= c.version {
			return nil, "", fmt.Errorf("%w: %q v%d was accepted this boot; v%d may not replace it (a replacement needs a higher version, and the served muscle keeps its state)", muscle.ErrRollback, h.Name, c.version, h.Version)
		}
	}
	arena, err := served.MemoryNeeded(m)
	if err != nil {
		return nil, "", err
	}
	if err := l.fits(arena+verify.WorkingMemory(len(m.Code)), "its sandbox (manifest sizes)"); err != nil {
		return nil, "", err
	}
	if !l.SkipVerify {
		report, err := verify.VerifyManifest(m.Code, m.Manifest)
		if err != nil {
			return nil, "", fmt.Errorf("machine-code verifier: %w", err)
		}
		if err := l.inTime(h, report); err != nil {
			return nil, "", err
		}
	}
	phase(PhaseVerify)
	sv, err := served.New(m, l.DeadlineTicks(h.BudgetMicros))
	if err != nil {
		return nil, "", err
	}
	phase(PhaseSandbox)
	sv.Memory = arena
	restored := l.restore(sv)
	state := b3.Sum256(sv.Space.State())
	detail := fmt.Sprintf("%q v%d by %s, %s, code %d bytes blake3 %x, state %d bytes blake3 %x",
		h.Name, h.Version, h.Publisher, h.Capabilities, len(m.Code), m.Provenance.CodeHash[:8], len(m.State), state[:8])
	detail += restored
	if l.SkipVerify {
		detail += " (verifier skipped: test image)"
	}
	phase(PhaseRest)
	sv.LoadPhases = phases
	return sv, detail, nil
}

// fits checks need bytes against what is left of the memory budget.
func (l *Loader) fits(need int64, what string) error {
	if need > l.Available() {
		return fmt.Errorf("%w: %s needs %d bytes; %d of the referee's %d-byte budget for muscles are left", ErrMemory, what, need, max(l.Available(), 0), l.MemoryBudget)
	}
	return nil
}

// inTime refuses a muscle one of whose entries executes more instructions
// than its budget allows at the board's peak rate.
func (l *Loader) inTime(h *muscle.Header, r verify.Report) error {
	limit := uint64(h.BudgetMicros) * l.PeakInstructionsPerMicro // both below 2^32
	for _, e := range []struct {
		kind  muscle.EntryKind
		count uint64
	}{{muscle.EntryForward, r.Forward}, {muscle.EntryTrain, r.Train}} {
		if e.count > limit {
			return fmt.Errorf("%w: the %s entry executes %d instructions; a budget of %d µs allows at most %d on this board (%d a microsecond)",
				ErrTooSlow, e.kind, e.count, h.BudgetMicros, limit, l.PeakInstructionsPerMicro)
		}
	}
	return nil
}

// Retire audits a muscle's counts, wipes its arena and gives its memory
// back to the budget. The name stays its publisher's until power-off.
func (l *Loader) Retire(m *served.Muscle) {
	l.Log.Append(l.Now(), "counts", m.Counts())
	m.Space.Wipe()
	l.used -= m.Memory
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
