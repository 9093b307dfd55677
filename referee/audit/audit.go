// Package audit is the referee's audit log: every event (boot, image hash,
// key fingerprint, muscle accepted or rejected, runs, faults, uploads) is an
// entry that carries the BLAKE3 hash of the one before it, and the head of
// the chain is authenticated with a key derived from the master key, so a
// log rewritten without that key does not verify.
//
// The package does no I/O and builds for the host and for GOOS=tamago; the
// referee prints the log on its console, and the host checks a printed log
// with Verify.
package audit

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"lukechampine.com/blake3"
)

// HashSize is the size of an entry hash and of the head's authenticator.
const HashSize = 32

// Hash is an entry's hash.
type Hash [HashSize]byte

func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// Entry is one event.
type Entry struct {
	Seq    uint64 // 0 for the first entry
	Time   int64  // nanoseconds since the referee booted
	Kind   string // one word: boot, key, accept, reject, run, fault, upload, ...
	Detail string // free text; never key material, code or weights
	Prev   Hash   // hash of the previous entry (zero for the first)
	Hash   Hash   // hash of this entry
}

// hashEntry hashes an entry's fields, each length-prefixed, after its
// predecessor's hash.
func hashEntry(e *Entry) Hash {
	h := blake3.New(HashSize, nil)
	var n [8]byte
	h.Write(e.Prev[:])
	binary.LittleEndian.PutUint64(n[:], e.Seq)
	h.Write(n[:])
	binary.LittleEndian.PutUint64(n[:], uint64(e.Time))
	h.Write(n[:])
	for _, s := range []string{e.Kind, e.Detail} {
		binary.LittleEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	var out Hash
	h.Sum(out[:0])
	return out
}

// authenticate is the head's authenticator: keyed BLAKE3 over the number of
// entries and the last hash.
func authenticate(key *[32]byte, count uint64, head Hash) Hash {
	h := blake3.New(HashSize, key[:])
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], count)
	h.Write(n[:])
	h.Write(head[:])
	var out Hash
	h.Sum(out[:0])
	return out
}

// Log is an append-only chain of entries.
type Log struct {
	key     [32]byte
	entries []Entry
}

// New starts a log whose head is authenticated with key (the master key's
// audit key, muscle.KeyRecord.AuditKey).
func New(key [32]byte) *Log { return &Log{key: key} }

// Append adds an event; kind must be one word.
func (l *Log) Append(now int64, kind, detail string) Entry {
	if kind == "" || strings.ContainsAny(kind, " \t\n") {
		kind = "invalid-kind"
	}
	e := Entry{Seq: uint64(len(l.entries)), Time: now, Kind: kind, Detail: detail}
	if len(l.entries) > 0 {
		e.Prev = l.entries[len(l.entries)-1].Hash
	}
	e.Hash = hashEntry(&e)
	l.entries = append(l.entries, e)
	return e
}

// Entries returns the log's entries.
func (l *Log) Entries() []Entry { return l.entries }

// Head returns the number of entries, the last hash and its authenticator.
func (l *Log) Head() (count uint64, head, auth Hash) {
	count = uint64(len(l.entries))
	if count > 0 {
		head = l.entries[count-1].Hash
	}
	return count, head, authenticate(&l.key, count, head)
}

// The printed form, one line an entry and a final head line:
//
//	audit 3 1234567 accept <prev hex> <hash hex> "muscle neuron4 v3 ..."
//	audit-head 4 <head hex> <authenticator hex>

// Format renders an entry as a line.
func Format(e Entry) string {
	return fmt.Sprintf("audit %d %d %s %s %s %s", e.Seq, e.Time, e.Kind, e.Prev, e.Hash, strconv.Quote(e.Detail))
}

// FormatHead renders the head line.
func (l *Log) FormatHead() string {
	n, head, auth := l.Head()
	return fmt.Sprintf("audit-head %d %s %s", n, head, auth)
}

// Errors of Verify.
var (
	ErrBrokenChain = errors.New("audit: broken chain")
	ErrBadHead     = errors.New("audit: head does not authenticate")
	ErrSyntax      = errors.New("audit: malformed line")
)

// Verify checks a printed log (lines other than audit lines are ignored, so
// a whole console transcript can be given) against the audit key. A
// transcript may hold several listings of the same log, each ending in its
// head line; every one must verify. It returns the entries of the last
// listing and an error naming the first broken link.
func Verify(text string, key [32]byte) ([]Entry, error) {
	var entries []Entry
	headSeen, listingDone := false, false
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		lineNo := i + 1
		if listingDone && strings.HasPrefix(line, "audit 0 ") {
			entries, listingDone = nil, false
		}
		switch {
		case strings.HasPrefix(line, "audit "):
			e, err := parseEntry(line)
			if err != nil {
				return entries, fmt.Errorf("line %d: %w: %v", lineNo, ErrSyntax, err)
			}
			var prev Hash
			if len(entries) > 0 {
				prev = entries[len(entries)-1].Hash
			}
			if e.Seq != uint64(len(entries)) {
				return entries, fmt.Errorf("line %d: %w: entry %d where %d was expected (missing or reordered entries)", lineNo, ErrBrokenChain, e.Seq, len(entries))
			}
			if e.Prev != prev {
				return entries, fmt.Errorf("line %d: %w: entry %d does not follow entry %d", lineNo, ErrBrokenChain, e.Seq, e.Seq-1)
			}
			if hashEntry(&e) != e.Hash {
				return entries, fmt.Errorf("line %d: %w: entry %d was altered (its hash does not match its contents)", lineNo, ErrBrokenChain, e.Seq)
			}
			entries = append(entries, e)
		case strings.HasPrefix(line, "audit-head "):
			f := strings.Fields(line)
			if len(f) != 4 {
				return entries, fmt.Errorf("line %d: %w: head needs count, hash and authenticator", lineNo, ErrSyntax)
			}
			n, err := strconv.ParseUint(f[1], 10, 64)
			head, err2 := parseHash(f[2])
			auth, err3 := parseHash(f[3])
			if err != nil || err2 != nil || err3 != nil {
				return entries, fmt.Errorf("line %d: %w: bad head fields", lineNo, ErrSyntax)
			}
			var last Hash
			if len(entries) > 0 {
				last = entries[len(entries)-1].Hash
			}
			if n != uint64(len(entries)) || head != last {
				return entries, fmt.Errorf("line %d: %w: head names %d entries ending %s, the log has %d ending %s", lineNo, ErrBrokenChain, n, head, len(entries), last)
			}
			if authenticate(&key, n, head) != auth {
				return entries, fmt.Errorf("line %d: %w (wrong key record, or the log was rewritten)", lineNo, ErrBadHead)
			}
			headSeen, listingDone = true, true
		}
	}
	if !headSeen {
		return entries, fmt.Errorf("%w: no audit-head line", ErrSyntax)
	}
	return entries, nil
}

func parseHash(s string) (Hash, error) {
	var h Hash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != HashSize {
		return h, errors.New("not a 32-byte hex hash")
	}
	copy(h[:], b)
	return h, nil
}

func parseEntry(line string) (Entry, error) {
	f := strings.SplitN(line, " ", 7)
	if len(f) != 7 {
		return Entry{}, errors.New("an entry has seq, time, kind, prev, hash and detail")
	}
	var e Entry
	var err error
	if e.Seq, err = strconv.ParseUint(f[1], 10, 64); err != nil {
		return e, fmt.Errorf("seq: %v", err)
	}
	if e.Time, err = strconv.ParseInt(f[2], 10, 64); err != nil {
		return e, fmt.Errorf("time: %v", err)
	}
	e.Kind = f[3]
	if e.Prev, err = parseHash(f[4]); err != nil {
		return e, fmt.Errorf("prev: %v", err)
	}
	if e.Hash, err = parseHash(f[5]); err != nil {
		return e, fmt.Errorf("hash: %v", err)
	}
	if e.Detail, err = strconv.Unquote(f[6]); err != nil {
		return e, fmt.Errorf("detail: %v", err)
	}
	return e, nil
}
