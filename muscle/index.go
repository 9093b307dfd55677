package muscle

import (
	"crypto/ed25519"
	"crypto/subtle"
	"encoding/binary"

	"github.com/muscles/referee/muscle/b3"
)

// The bundle index (FORMAT.md, "The bundle index"): one publisher's signed
// list of the bundle entries it vouches for, so that a referee checks one
// Ed25519 signature for all of them instead of one a muscle.
const (
	// IndexName is the reserved bundle entry name of the index.
	IndexName = "bundle.index"
	// IndexMagic starts every index.
	IndexMagic = "MSCLINDX"
	// IndexVersion is the only index version this code implements.
	IndexVersion = 1
	// MaxIndexEntries is the most entries an index may list.
	MaxIndexEntries = 4096
	// MaxIndexName is the longest entry name an index may list (the
	// bundle's limit).
	MaxIndexName = 255
	// CtxIndexSignature starts the message an index signature signs (the
	// context string, then the index without its signature), so that no
	// index signature is ever a muscle signature (whose message starts with
	// Magic) or the reverse.
	CtxIndexSignature = "Eä/muscle/2025 bundle index signature v1"

	indexFixed    = 24 // magic, version, reserved, publisher, count
	indexPerEntry = 1 + 4 + HashSize
)

// IndexEntry is one bundle entry an index vouches for: its name in the
// bundle, the length of its blob and the BLAKE3-256 hash of the whole blob.
type IndexEntry struct {
	Name string
	Len  uint32
	Hash [HashSize]byte
}

// IndexEntryFor describes blob as the bundle entry name.
func IndexEntryFor(name string, blob []byte) IndexEntry {
	return IndexEntry{Name: name, Len: uint32(len(blob)), Hash: b3.Sum256(blob)}
}

// Index is a parsed bundle index. ParseIndex checks its structure only:
// nothing in it is trusted until VerifyIndex has checked the signature.
type Index struct {
	Publisher PublisherID
	Entries   []IndexEntry
	// signed is the message the signature covers; sig the signature.
	signed []byte
	sig    []byte
}

// SignIndex makes the index of entries signed by signer. It refuses what
// ParseIndex would.
func SignIndex(signer *SigningKey, entries []IndexEntry) ([]byte, error) {
	if signer == nil || len(signer.Key) != ed25519.PrivateKeySize {
		return nil, errorf(ErrInvalidInput, "no signing key for the bundle index")
	}
	b := make([]byte, indexFixed, indexFixed+len(entries)*(indexPerEntry+16)+SignatureSize)
	copy(b, IndexMagic)
	b[8] = IndexVersion
	copy(b[12:20], signer.Publisher[:])
	binary.LittleEndian.PutUint32(b[20:24], uint32(len(entries)))
	for _, e := range entries {
		if len(e.Name) > MaxIndexName {
			return nil, errorf(ErrInvalidInput, "bundle index: entry name of %d bytes, at most %d", len(e.Name), MaxIndexName)
		}
		b = append(b, byte(len(e.Name)))
		b = append(b, e.Name...)
		b = binary.LittleEndian.AppendUint32(b, e.Len)
		b = append(b, e.Hash[:]...)
	}
	if _, err := ParseIndex(append(b[:len(b):len(b)], make([]byte, SignatureSize)...)); err != nil {
		return nil, errorf(ErrInvalidInput, "bundle index: %v", err)
	}
	msg := append([]byte(CtxIndexSignature), b...)
	return append(b, ed25519.Sign(signer.Key, msg)...), nil
}

// ParseIndex checks the structure of an index: magic (ErrMalformed),
// version (ErrUnsupportedVersion), reserved bytes, entry count, names
// (plain, distinct, not IndexName) and blob lengths (ErrMalformed), and the
// length (ErrTruncated when short, ErrMalformed when bytes follow the
// signature).
func ParseIndex(b []byte) (*Index, error) {
	if len(b) < len(IndexMagic) || string(b[:len(IndexMagic)]) != IndexMagic {
		return nil, errorf(ErrMalformed, "bundle index: bad magic (want %q)", IndexMagic)
	}
	if len(b) < indexFixed+SignatureSize {
		return nil, errorf(ErrTruncated, "bundle index of %d bytes, at least %d needed", len(b), indexFixed+SignatureSize)
	}
	if b[8] != IndexVersion {
		return nil, errorf(ErrUnsupportedVersion, "bundle index version %d (offset 8), want %d", b[8], IndexVersion)
	}
	if b[9]|b[10]|b[11] != 0 {
		return nil, errorf(ErrMalformed, "bundle index: reserved bytes (offset 9) not zero")
	}
	ix := &Index{}
	copy(ix.Publisher[:], b[12:20])
	n := binary.LittleEndian.Uint32(b[20:24])
	if n == 0 || n > MaxIndexEntries {
		return nil, errorf(ErrMalformed, "bundle index lists %d entries (offset 20), want 1..%d", n, MaxIndexEntries)
	}
	body := b[:len(b)-SignatureSize]
	off := indexFixed
	ix.Entries = make([]IndexEntry, 0, min(int(n), len(body)/indexPerEntry))
	seen := make(map[string]bool, cap(ix.Entries))
	for i := range int(n) {
		if off >= len(body) || off+1+int(body[off])+4+HashSize > len(body) {
			return nil, errorf(ErrTruncated, "bundle index entry %d (offset %d) runs past the signature", i, off)
		}
		l := int(body[off])
		name := string(body[off+1 : off+1+l])
		if !plainName(name) || name == IndexName {
			return nil, errorf(ErrMalformed, "bundle index entry %d (offset %d): name is not a plain file name", i, off)
		}
		if seen[name] {
			return nil, errorf(ErrMalformed, "bundle index entry %d (offset %d): name %q listed twice", i, off, name)
		}
		seen[name] = true
		e := IndexEntry{Name: name, Len: binary.LittleEndian.Uint32(body[off+1+l:])}
		if e.Len == 0 || e.Len > MaxBlob {
			return nil, errorf(ErrMalformed, "bundle index entry %q: blob length %d, want 1..%d", name, e.Len, MaxBlob)
		}
		copy(e.Hash[:], body[off+1+l+4:])
		ix.Entries = append(ix.Entries, e)
		off += 1 + l + 4 + HashSize
	}
	if off != len(body) {
		return nil, errorf(ErrMalformed, "bundle index: %d bytes between the last entry (offset %d) and the signature", len(body)-off, off)
	}
	ix.signed = body
	ix.sig = b[len(body):]
	return ix, nil
}

// plainName: 1 to MaxIndexName printable bytes, no space, '/' or '\\', not
// "." or ".." (the bundle's rule for entry names).
func plainName(s string) bool {
	if len(s) == 0 || len(s) > MaxIndexName || s == "." || s == ".." {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= 0x20 || c >= 0x7f || c == '/' || c == '\\' {
			return false
		}
	}
	return true
}

// BundleIndex is an index whose signature verified against a key record:
// only VerifyIndex makes one. Its Open skips a muscle's own signature for
// exactly the blobs it vouches for.
type BundleIndex struct {
	index   *Index
	keys    *KeyRecord
	entries map[string]*IndexEntry
}

// VerifyIndex parses an index (ParseIndex), finds its publisher in the key
// record (ErrUnknownPublisher) and verifies its signature (ErrTampered).
func VerifyIndex(b []byte, keys *KeyRecord) (*BundleIndex, error) {
	if keys == nil {
		return nil, errorf(ErrInvalidInput, "no key record")
	}
	ix, err := ParseIndex(b)
	if err != nil {
		return nil, err
	}
	pub, ok := keys.Publisher(ix.Publisher)
	if !ok {
		return nil, errorf(ErrUnknownPublisher, "publisher %s (offset 12) of the bundle index is not in key record %s", ix.Publisher, keys.ID)
	}
	msg := append([]byte(CtxIndexSignature), ix.signed...)
	if !verifyEd25519(pub.PublicKey, msg, ix.sig) {
		return nil, errorf(ErrTampered, "signature (offset %d) of the bundle index by publisher %s", len(ix.signed), ix.Publisher)
	}
	v := &BundleIndex{index: ix, keys: keys, entries: make(map[string]*IndexEntry, len(ix.Entries))}
	for i := range ix.Entries {
		v.entries[ix.Entries[i].Name] = &ix.Entries[i]
	}
	return v, nil
}

// Publisher is the publisher who signed the index.
func (v *BundleIndex) Publisher() PublisherID { return v.index.Publisher }

// Entries lists what the index vouches for, in its order.
func (v *BundleIndex) Entries() []IndexEntry { return v.index.Entries }

// Vouches reports whether the index vouches for blob as the bundle entry
// name: the index lists name with blob's length and BLAKE3-256 hash, and
// the blob's header names the index's publisher (a publisher vouches for
// its own muscles only). A nil index vouches for nothing.
func (v *BundleIndex) Vouches(name string, blob []byte) bool {
	if v == nil {
		return false
	}
	e, ok := v.entries[name]
	if !ok || uint64(len(blob)) != uint64(e.Len) || len(blob) < offPublisher+PublisherIDSize {
		return false
	}
	if subtle.ConstantTimeCompare(blob[offPublisher:offPublisher+PublisherIDSize], v.index.Publisher[:]) != 1 {
		return false
	}
	h := b3.Sum256(blob)
	return subtle.ConstantTimeCompare(h[:], e.Hash[:]) == 1
}

// Open opens blob, the bundle entry name, as the package's Open does, with
// one difference: when the index vouches for the blob (Vouches) and keys
// is the record the index was verified with, the blob's own signature is
// not checked, the index's having stood for it. Every other check stays.
// vouched reports whether that happened; a nil index opens as Open.
func (v *BundleIndex) Open(name string, blob []byte, keys *KeyRecord, policy *Policy) (m *Muscle, vouched bool, err error) {
	vouched = v != nil && keys == v.keys && v.Vouches(name, blob)
	m, err = open(blob, keys, policy, vouched, nil)
	return m, vouched, err
}

// OpenTimed is Open that also times the phases with now, into t (see
// muscle.OpenTimed); checking that the index vouches for the blob counts
// as the signature phase.
func (v *BundleIndex) OpenTimed(name string, blob []byte, keys *KeyRecord, policy *Policy, now func() int64, t *OpenTimes) (m *Muscle, vouched bool, err error) {
	c := &phaseClock{now: now, t: t, last: now()}
	vouched = v != nil && keys == v.keys && v.Vouches(name, blob)
	m, err = open(blob, keys, policy, vouched, c)
	return m, vouched, err
}
