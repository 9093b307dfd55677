package audit

import (
	"errors"
	"fmt"
	"strings"
)

// Errors of Check and Verify.
var (
	ErrBrokenChain = errors.New("audit: broken chain")
	ErrBadHead     = errors.New("audit: head does not authenticate")
	ErrSyntax      = errors.New("audit: malformed log")
	ErrMixedBoots  = errors.New("audit: listings of different boots")
	ErrAfterFinal  = errors.New("audit: a listing follows the final listing")
)

// Gap is a range of entries the referee dropped to bound its log, as a
// gap entry recorded it.
type Gap struct {
	From, To uint64 // sequence numbers of the first and last entry dropped
	Record   uint64 // sequence number of the gap entry that records it
}

// Len is the number of entries dropped.
func (g Gap) Len() uint64 { return g.To - g.From + 1 }

// Report is what Check found in a transcript.
type Report struct {
	// Entries are the entries of the last listing that verified.
	Entries []Entry
	// Boot is the boot id its head names (zero for a log from New), and
	// BootEntry whether its first entry is a boot entry naming it.
	Boot      BootID
	BootEntry bool
	// Count is the number of entries the referee had appended when it
	// printed that listing (more than len(Entries) if some were dropped).
	Count uint64
	// Final: that listing is the final one, printed at power-off, so the
	// transcript holds the complete log. Otherwise it is a prefix: the
	// log may have gone on after it.
	Final bool
	// Gap is the range of entries the referee dropped, if it dropped any.
	Gap *Gap
	// Listings is the number of listings that verified.
	Listings int
	// Unfinished is the number of entry lines after the last head line
	// (a listing cut short); they were checked as far as they go, but
	// Entries does not include them.
	Unfinished int
}

// Complete reports whether the transcript ends in the final listing.
func (r *Report) Complete() bool { return r.Final }

// listing is the listing being read.
type listing struct {
	entries []Entry
	next    uint64 // the sequence number expected next
	last    Hash   // the hash of the last entry
	boot    BootID // named by a boot entry at 0
	booted  bool
	gap     *Gap // a jump in sequence numbers
	gapLine int  // the line of the entry after the jump
	kept    Hash // the hash of the entry before the jump
	record  *Gap // what the last gap entry records
	keptRec Hash // the hash before the gap, as it records it
}

func (c *listing) add(e Entry, lineNo int) error {
	if hashEntry(&e) != e.Hash {
		return fmt.Errorf("%w: entry %d was altered (its hash does not match its contents)", ErrBrokenChain, e.Seq)
	}
	switch {
	case e.Seq == c.next && e.Prev == c.last:
	case e.Seq == c.next:
		return fmt.Errorf("%w: entry %d does not follow entry %d", ErrBrokenChain, e.Seq, e.Seq-1)
	case e.Seq > c.next && c.next > 0 && c.gap == nil:
		// Entries dropped, by the referee (a gap entry must say so
		// before the head) or by someone else.
		c.gap = &Gap{From: c.next, To: e.Seq - 1}
		c.kept, c.gapLine = c.last, lineNo
	default:
		return fmt.Errorf("%w: entry %d where %d was expected (missing or reordered entries)", ErrBrokenChain, e.Seq, c.next)
	}
	if e.Kind == KindGap {
		from, to, kept, ok := parseGap(e.Detail)
		if !ok {
			return fmt.Errorf("%w: gap entry %d does not say which entries were dropped", ErrSyntax, e.Seq)
		}
		c.record, c.keptRec = &Gap{From: from, To: to, Record: e.Seq}, kept
	}
	if e.Seq == 0 && e.Kind == KindBoot {
		c.boot, c.booted = bootIDIn(e.Detail)
	}
	c.entries = append(c.entries, e)
	c.next, c.last = e.Seq+1, e.Hash
	return nil
}

// close checks the listing against its head line.
func (c *listing) close(h *Head, key *[32]byte) error {
	if h.Count != c.next || h.Last != c.last {
		return fmt.Errorf("%w: head names %d entries ending %s, the listing has %d ending %s", ErrBrokenChain, h.Count, h.Last, c.next, c.last)
	}
	if h.Boot != c.boot {
		return fmt.Errorf("%w: head names boot %s, the listing's boot entry %s", ErrBrokenChain, h.Boot, c.boot)
	}
	if authenticate(key, h) != h.Auth {
		return fmt.Errorf("%w (wrong key record, or the log was rewritten, or its head relabelled)", ErrBadHead)
	}
	g, r := c.gap, c.record
	switch {
	case g == nil && r != nil:
		return fmt.Errorf("%w: entry %d records entries %d-%d as dropped, but the listing has no gap", ErrBrokenChain, r.Record, r.From, r.To)
	case g != nil && r == nil:
		return fmt.Errorf("%w: entries %d-%d are missing before line %d, and the log records no gap", ErrBrokenChain, g.From, g.To, c.gapLine)
	case g != nil && (r.From != g.From || r.To != g.To):
		return fmt.Errorf("%w: entries %d-%d are missing before line %d, but the log records %d-%d as dropped (entry %d)", ErrBrokenChain, g.From, g.To, c.gapLine, r.From, r.To, r.Record)
	case g != nil && c.kept != c.keptRec:
		return fmt.Errorf("%w: the entries before the gap are not the ones the log kept (entry %d names %s)", ErrBrokenChain, r.Record, c.keptRec)
	case g != nil:
		g.Record = r.Record
	}
	return nil
}

// looksLikeAudit: a line that begins as an audit line would, but is not
// one (named in errors, to tell a damaged line from a missing one).
func looksLikeAudit(line string) bool {
	for _, p := range []string{"audit ", "audit-head "} {
		if s, ok := strings.CutPrefix(line, p); ok && s != "" && s[0] >= '0' && s[0] <= '9' {
			return true
		}
	}
	return false
}

// Check checks a printed log against the audit key and reports what it
// holds. The text may be a whole console transcript: lines that are not
// audit lines in the printed form (see the package comment) are skipped.
// It may hold several listings of the log of one boot (at boot, on
// request, at power-off), each ending in its head line; every one must
// verify and agree with the ones before, none may follow a final one, and
// all must be of the same boot. The report describes the last listing;
// the error names the first broken link and its line.
//
// A verified report says only what the key vouches for: the boot it names
// (compare it with the boot id the console printed when the log started)
// and whether the transcript is complete or a prefix.
func Check(text string, key [32]byte) (*Report, error) {
	r := &Report{}
	var cur listing
	var seen map[uint64]Hash // entries of the listings so far
	suspect := 0             // a line of this listing that looks like an audit line
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		lineNo := i + 1
		fail := func(err error) (*Report, error) {
			if suspect > 0 {
				err = fmt.Errorf("%w (line %d begins like an audit line but is not one: damaged?)", err, suspect)
			}
			return r, fmt.Errorf("line %d: %w", lineNo, err)
		}
		if e, ok := parseEntry(line); ok {
			if e.Seq == 0 && e.Kind == KindBoot && r.Listings > 0 {
				if id, ok := bootIDIn(e.Detail); ok && id != r.Boot {
					return fail(fmt.Errorf("%w: boot %s after boot %s (check each boot's transcript on its own)", ErrMixedBoots, id, r.Boot))
				}
			}
			if r.Final {
				return fail(ErrAfterFinal)
			}
			if h, ok := seen[e.Seq]; ok && h != e.Hash {
				return fail(fmt.Errorf("%w: entry %d is not the entry %d of the listing before", ErrBrokenChain, e.Seq, e.Seq))
			}
			if err := cur.add(e, lineNo); err != nil {
				return fail(err)
			}
			continue
		}
		if h, ok := parseHead(line); ok {
			if r.Final {
				return fail(ErrAfterFinal)
			}
			if err := cur.close(&h, &key); err != nil {
				return fail(err)
			}
			if r.Listings > 0 && h.Boot != r.Boot {
				return fail(fmt.Errorf("%w: boot %s after boot %s (check each boot's transcript on its own)", ErrMixedBoots, h.Boot, r.Boot))
			}
			if h.Count < r.Count {
				return fail(fmt.Errorf("%w: a listing of %d entries after one of %d", ErrBrokenChain, h.Count, r.Count))
			}
			*r = Report{Entries: cur.entries, Boot: h.Boot, BootEntry: cur.booted, Count: h.Count, Final: h.Final, Gap: cur.gap, Listings: r.Listings + 1}
			if seen == nil {
				seen = make(map[uint64]Hash, len(cur.entries))
			}
			for _, e := range cur.entries {
				seen[e.Seq] = e.Hash
			}
			cur, suspect = listing{}, 0
			continue
		}
		if looksLikeAudit(line) {
			suspect = lineNo
		}
	}
	if r.Listings == 0 {
		err := fmt.Errorf("%w: no audit-head line", ErrSyntax)
		if suspect > 0 {
			err = fmt.Errorf("%w (line %d begins like an audit line but is not one: damaged?)", err, suspect)
		}
		return r, err
	}
	r.Unfinished = len(cur.entries)
	return r, nil
}

// Verify checks a printed log as Check does and returns the entries of its
// last listing. It says nothing of whether the transcript is complete:
// use Check for that.
func Verify(text string, key [32]byte) ([]Entry, error) {
	r, err := Check(text, key)
	if err != nil && r.Listings == 0 {
		return nil, err
	}
	return r.Entries, err
}
