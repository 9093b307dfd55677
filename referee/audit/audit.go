// Package audit is the referee's audit log: every event (boot, image hash,
// key fingerprint, muscle accepted or rejected, runs, faults, uploads) is an
// entry that carries the BLAKE3 hash of the one before it, and the head of
// the chain is authenticated with a key derived from the master key, so a
// log rewritten without that key does not verify.
//
// Every boot uses the same key and starts its clock at zero, so a log
// carries the identity of its boot: the referee starts it with Start, whose
// first entry (kind "boot") names a random 128-bit boot id as
// "boot id <32 hex digits>", and every head names the id too. At power-off
// the referee closes the log (Close): the closing entry is the last one, and
// the head is authenticated as final, in a domain of its own, so an open
// head cannot be passed off as final. Check says which boot a transcript is
// of and whether it is complete (its last listing is the final one) or only
// a prefix (a later listing may have been cut off).
//
// The log is bounded: it keeps its first MaxFirst entries (the boot, the
// key, and the bundle's verdicts as far as they go) and at most MaxRecent
// of the entries after them. When the recent ones fill up, the oldest DropBatch of them are
// dropped and an entry of kind "gap" is appended, recording the whole range
// of sequence numbers dropped so far and the hash of the last of the first
// entries; being in the chain, it is authenticated by the head like any
// other entry. A listing is then the first entries, one jump in sequence
// numbers, and the recent ones; Check accepts the jump only if the last gap
// entry listed records exactly that range and the entry before the jump
// has exactly that hash, so entries removed by anyone but the referee still
// break the chain.
//
// The printed form is one line an entry and a head line ending a listing:
//
//	audit SEQ TIME KIND PREV HASH DETAIL
//	audit-head COUNT LAST boot BOOTID open|final AUTH
//
// SEQ and COUNT are decimal, TIME decimal nanoseconds since boot (numbers
// without a plus sign or leading zeros), KIND one
// word of [A-Za-z0-9._-], PREV, HASH, LAST and AUTH 64 lowercase hex
// digits, BOOTID 32, and DETAIL a Go-quoted string (strconv.Quote), so an
// entry never spans lines. A line is an audit line only if it is exactly in
// this form (Format and FormatHead print it back unchanged); Check skips
// every other line, so a whole console transcript can be given. No other
// console output has this form: the one reply that begins with user-chosen
// text is the muscle list, which begins with a muscle name (one word of
// [A-Za-z0-9._-]) and goes on " v<version> by", never with a decimal;
// every other line begins with fixed text, and user input is only ever
// quoted. A line lost or damaged in transit breaks the chain, or, if it
// is the last head line, leaves a prefix; it never makes a shorter log
// pass as complete.
//
// The package does no I/O and builds for the host and for GOOS=tamago; the
// referee prints the log on its console, and the host checks a printed log
// with Check (or Verify).
package audit

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/muscles/referee/muscle/b3"
)

// HashSize is the size of an entry hash and of the head's authenticator.
const HashSize = 32

// BootIDSize is the size of a boot id.
const BootIDSize = 16

// The log's bound: at most MaxEntries entries are kept. An entry takes
// about 200 bytes (at most about 700, MaxDetail bounding its detail), so
// a full log is about 230 KiB, and at most about 800 KiB, of a 256 MiB
// board; a typical full listing takes about 20 s on a 115200-baud console.
const (
	// MaxFirst is how many entries from the start of the log are kept
	// for good.
	MaxFirst = 128
	// MaxRecent is how many of the entries after them are kept.
	MaxRecent = 1024
	// DropBatch is how many of the oldest recent entries are dropped
	// when they fill up (one gap entry is appended for each batch).
	DropBatch = MaxRecent / 4
	// MaxEntries is the most entries the log keeps.
	MaxEntries = MaxFirst + MaxRecent
	// MaxDetail is the longest detail kept; longer ones are cut and end
	// in "...".
	MaxDetail = 512
	// MaxKind is the longest kind.
	MaxKind = 32
)

// Kinds the package writes itself.
const (
	KindBoot = "boot" // the first entry of a log from Start
	KindGap  = "gap"  // entries were dropped (only the log appends it)
)

// Hash is an entry's hash.
type Hash [HashSize]byte

func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// BootID identifies one boot of the referee.
type BootID [BootIDSize]byte

func (id BootID) String() string { return hex.EncodeToString(id[:]) }

// IsZero reports whether id is the zero id of a log without one (New).
func (id BootID) IsZero() bool { return id == BootID{} }

// ParseBootID reads a boot id printed as 32 hex digits.
func ParseBootID(s string) (BootID, error) {
	var id BootID
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != BootIDSize {
		return id, fmt.Errorf("boot id %q is not %d hex digits", s, 2*BootIDSize)
	}
	copy(id[:], b)
	return id, nil
}

// bootMark is how the boot entry names the boot id.
const bootMark = "boot id "

// bootIDIn finds the boot id a boot entry's detail names: the first
// "boot id " followed by 32 lowercase hex digits and no further digit.
func bootIDIn(detail string) (BootID, bool) {
	i := strings.Index(detail, bootMark)
	if i < 0 {
		return BootID{}, false
	}
	s := detail[i+len(bootMark):]
	const n = 2 * BootIDSize
	if len(s) < n || (len(s) > n && isHex(s[n])) {
		return BootID{}, false
	}
	for j := 0; j < n; j++ {
		if !isHex(s[j]) {
			return BootID{}, false
		}
	}
	id, err := ParseBootID(s[:n])
	return id, err == nil
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' }

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
	h := b3.New()
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
	return h.Sum()
}

// Head is what a head line states about the log.
type Head struct {
	Count uint64 // entries ever appended (the next sequence number)
	Last  Hash   // hash of the last entry (zero if there is none)
	Boot  BootID // the log's boot id (zero for a log from New)
	Final bool   // the log was closed (Close) and nothing followed
	Auth  Hash   // the authenticator of all of the above
}

// Domains of the head's authenticator: an open head and a final one are
// authenticated over different messages, so neither passes for the other.
const (
	domainOpen  = "muscles referee audit head, open\x00"
	domainFinal = "muscles referee audit head, final\x00"
)

// authenticate is the head's authenticator: keyed BLAKE3 over the domain
// (open or final), the boot id, the number of entries and the last hash.
func authenticate(key *[32]byte, h *Head) Hash {
	m := b3.NewKeyed(key)
	if h.Final {
		m.Write([]byte(domainFinal))
	} else {
		m.Write([]byte(domainOpen))
	}
	m.Write(h.Boot[:])
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], h.Count)
	m.Write(n[:])
	m.Write(h.Last[:])
	return m.Sum()
}

// Log is an append-only chain of entries, bounded as the package comment
// describes.
type Log struct {
	key     [32]byte
	boot    BootID
	entries []Entry // the first MaxFirst, then the recent ones
	next    uint64  // sequence number of the next entry
	last    Hash    // hash of the last entry
	final   bool
}

// New starts an empty log whose head is authenticated with key (the master
// key's audit key, muscle.KeyRecord.AuditKey), with the zero boot id. The
// referee uses Start.
func New(key [32]byte) *Log { return &Log{key: key} }

// Start starts the log of one boot: its first entry is the boot entry,
// whose detail (describing the referee, the board and the image) names the
// boot id as "boot id <hex>"; if detail does not, Start puts that in front.
func Start(key [32]byte, id BootID, now int64, detail string) *Log {
	l := &Log{key: key, boot: id}
	if got, ok := bootIDIn(detail); !ok || got != id {
		detail = bootMark + id.String() + ", " + detail
	}
	l.add(now, KindBoot, detail)
	return l
}

// validKind: 1 to MaxKind bytes of [A-Za-z0-9._-].
func validKind(k string) bool {
	if k == "" || len(k) > MaxKind {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// cut shortens a detail to MaxDetail bytes (at a character boundary).
func cut(s string) string {
	if len(s) <= MaxDetail {
		return s
	}
	n := MaxDetail - len("...")
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}

// Append adds an event; kind must be one word of [A-Za-z0-9._-] (else it
// is recorded as "invalid-kind"), and not "gap". An entry appended after
// Close reopens the log: its head is no longer final.
func (l *Log) Append(now int64, kind, detail string) Entry {
	if !validKind(kind) || kind == KindGap {
		kind = "invalid-kind"
	}
	if len(l.entries) >= MaxEntries {
		l.drop(now)
	}
	return l.add(now, kind, cut(detail))
}

// Close appends the log's last event (the power-off) and marks the log
// final: its head is then authenticated as final.
func (l *Log) Close(now int64, kind, detail string) Entry {
	e := l.Append(now, kind, detail)
	l.final = true
	return e
}

func (l *Log) add(now int64, kind, detail string) Entry {
	e := Entry{Seq: l.next, Time: now, Kind: kind, Detail: detail, Prev: l.last}
	e.Hash = hashEntry(&e)
	l.entries = append(l.entries, e)
	l.next++
	l.last = e.Hash
	l.final = false
	return e
}

// drop drops the oldest DropBatch recent entries and records the whole
// range dropped so far in a gap entry.
func (l *Log) drop(now int64) {
	to := l.entries[MaxFirst+DropBatch-1].Seq
	rest := copy(l.entries[MaxFirst:], l.entries[MaxFirst+DropBatch:])
	clear(l.entries[MaxFirst+rest:])
	l.entries = l.entries[:MaxFirst+rest]
	l.add(now, KindGap, gapDetail(MaxFirst, to, l.entries[MaxFirst-1].Hash))
}

// gapDetail is a gap entry's detail: entries from..to are gone, and the
// entry before them (the last one kept from the start) has hash kept.
func gapDetail(from, to uint64, kept Hash) string {
	return fmt.Sprintf("dropped entries %d-%d (%d) to bound the log; entry %d is %s", from, to, to-from+1, from-1, kept)
}

// parseGap reads a gap entry's detail.
func parseGap(d string) (from, to uint64, kept Hash, ok bool) {
	if _, err := fmt.Sscanf(d, "dropped entries %d-%d", &from, &to); err != nil || from == 0 || to < from {
		return 0, 0, kept, false
	}
	kept, err := parseHash(d[strings.LastIndexByte(d, ' ')+1:])
	if err != nil || gapDetail(from, to, kept) != d {
		return 0, 0, kept, false
	}
	return from, to, kept, true
}

// Entries returns the entries the log keeps: the first MaxFirst and the
// recent ones, in order.
func (l *Log) Entries() []Entry { return l.entries }

// Boot returns the log's boot id.
func (l *Log) Boot() BootID { return l.boot }

// Final reports whether the log is closed.
func (l *Log) Final() bool { return l.final }

// Head returns the log's authenticated head.
func (l *Log) Head() Head {
	h := Head{Count: l.next, Last: l.last, Boot: l.boot, Final: l.final}
	h.Auth = authenticate(&l.key, &h)
	return h
}

// Format renders an entry as a line.
func Format(e Entry) string {
	return fmt.Sprintf("audit %d %d %s %s %s %s", e.Seq, e.Time, e.Kind, e.Prev, e.Hash, strconv.Quote(e.Detail))
}

// FormatHead renders the log's head line.
func (l *Log) FormatHead() string { return formatHead(l.Head()) }

func formatHead(h Head) string {
	state := "open"
	if h.Final {
		state = "final"
	}
	return fmt.Sprintf("audit-head %d %s boot %s %s %s", h.Count, h.Last, h.Boot, state, h.Auth)
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

// parseEntry reads an entry line; ok only if the line is exactly in the
// printed form.
func parseEntry(line string) (e Entry, ok bool) {
	f := strings.SplitN(line, " ", 7)
	if len(f) != 7 || f[0] != "audit" || !validKind(f[3]) {
		return e, false
	}
	var err error
	if e.Seq, err = strconv.ParseUint(f[1], 10, 64); err != nil {
		return e, false
	}
	if e.Time, err = strconv.ParseInt(f[2], 10, 64); err != nil {
		return e, false
	}
	e.Kind = f[3]
	if e.Prev, err = parseHash(f[4]); err != nil {
		return e, false
	}
	if e.Hash, err = parseHash(f[5]); err != nil {
		return e, false
	}
	if e.Detail, err = strconv.Unquote(f[6]); err != nil {
		return e, false
	}
	return e, Format(e) == line
}

// parseHead reads a head line; ok only if the line is exactly in the
// printed form.
func parseHead(line string) (h Head, ok bool) {
	f := strings.Split(line, " ")
	if len(f) != 7 || f[0] != "audit-head" || f[3] != "boot" || (f[5] != "open" && f[5] != "final") {
		return h, false
	}
	var err error
	if h.Count, err = strconv.ParseUint(f[1], 10, 64); err != nil {
		return h, false
	}
	if h.Last, err = parseHash(f[2]); err != nil {
		return h, false
	}
	if h.Boot, err = ParseBootID(f[4]); err != nil {
		return h, false
	}
	h.Final = f[5] == "final"
	if h.Auth, err = parseHash(f[6]); err != nil {
		return h, false
	}
	return h, formatHead(h) == line
}
