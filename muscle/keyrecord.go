package muscle

import (
	"crypto/ed25519"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"lukechampine.com/blake3"
)

// The master-key record (FORMAT.md, "The master-key record").
const (
	KeyRecordMagic   = "MSCLKEYR"
	KeyRecordVersion = 1
	// MaxKeyRecord is the largest record the format allows (64 KiB); a
	// board's key region holds at least this much.
	MaxKeyRecord = 64 << 10

	keyRecordFixed     = 72
	keyRecordPublisher = PublisherIDSize + ed25519.PublicKeySize + 4 + 4
	keyRecordCheck     = 32
)

// Publisher is a trusted publisher in the key record.
type Publisher struct {
	ID        PublisherID
	PublicKey ed25519.PublicKey
	// Grants is the set of capabilities this publisher's muscles may ask
	// for.
	Grants Capabilities
}

// MinVersion is the lowest acceptable version of the muscle Name.
type MinVersion struct {
	Name    string
	Version uint64
}

// KeyRecord is a parsed master-key record: the master key (kept unexported,
// never printed), its id, the trusted publishers and minimum versions.
type KeyRecord struct {
	ID          KeyID
	Publishers  []Publisher
	MinVersions []MinVersion // sorted by name
	master      [KeySize]byte
}

// NewKeyRecord starts a record for a master key (copied; the caller should
// wipe its copy). The master key must not be all zero.
func NewKeyRecord(master []byte) (*KeyRecord, error) {
	if len(master) != KeySize {
		return nil, errorf(ErrInvalidInput, "master key is %d bytes, want %d", len(master), KeySize)
	}
	r := &KeyRecord{}
	copy(r.master[:], master)
	if r.master == [KeySize]byte{} {
		return nil, errorf(ErrInvalidInput, "master key is all zero")
	}
	r.ID = keyIDOf(&r.master)
	return r, nil
}

// Wipe zeroes the master key; the record can no longer open anything.
func (r *KeyRecord) Wipe() { clear(r.master[:]) }

// AddPublisher adds a trusted publisher.
func (r *KeyRecord) AddPublisher(p Publisher) error {
	if len(p.PublicKey) != ed25519.PublicKeySize {
		return errorf(ErrInvalidInput, "publisher %s: public key is %d bytes, want %d", p.ID, len(p.PublicKey), ed25519.PublicKeySize)
	}
	if p.Grants&^CapAll != 0 {
		return errorf(ErrInvalidInput, "publisher %s: undefined capability bits %#x", p.ID, uint32(p.Grants&^CapAll))
	}
	if _, ok := r.Publisher(p.ID); ok {
		return errorf(ErrInvalidInput, "publisher %s is already in the record", p.ID)
	}
	p.PublicKey = slices.Clone(p.PublicKey)
	r.Publishers = append(r.Publishers, p)
	return nil
}

// SetMinVersion sets the lowest acceptable version of a muscle.
func (r *KeyRecord) SetMinVersion(name string, v uint64) error {
	if !ValidName(name) {
		return errorf(ErrInvalidInput, "minimum version: invalid muscle name %q", name)
	}
	i, found := slices.BinarySearchFunc(r.MinVersions, name, func(m MinVersion, n string) int { return strings.Compare(m.Name, n) })
	if found {
		r.MinVersions[i].Version = v
	} else {
		r.MinVersions = slices.Insert(r.MinVersions, i, MinVersion{name, v})
	}
	return nil
}

// Publisher looks a publisher up by id.
func (r *KeyRecord) Publisher(id PublisherID) (Publisher, bool) {
	for _, p := range r.Publishers {
		if p.ID == id {
			return p, true
		}
	}
	return Publisher{}, false
}

// MinVersion is the record's lowest acceptable version of a muscle (0 when
// the record sets none).
func (r *KeyRecord) MinVersion(name string) uint64 {
	for _, m := range r.MinVersions {
		if m.Name == name {
			return m.Version
		}
	}
	return 0
}

// SealingKey derives the sealing key of a publisher from the master key
// (what keygen hands a publisher, and what Open re-derives).
func (r *KeyRecord) SealingKey(id PublisherID) *SealingKey {
	k := &SealingKey{Publisher: id}
	deriveSealingKey(&k.key, &r.master, id)
	return k
}

// AuditKey derives the key that authenticates the audit log's chain head:
// derive_key(CtxAuditKey, master key).
func (r *KeyRecord) AuditKey() [KeySize]byte {
	var k [KeySize]byte
	blake3.DeriveKey(k[:], CtxAuditKey, r.master[:])
	return k
}

// StateKeys are the keys of the referee's sealed store (referee/store),
// each derived from the master key with a context of its own.
type StateKeys struct {
	// Seal is the AES-256-GCM key of every record:
	// derive_key(CtxStateKey, master key).
	Seal [KeySize]byte
	// Nonce keys the BLAKE3 hash a record's nonce is taken from:
	// derive_key(CtxStateNonceKey, master key).
	Nonce [KeySize]byte
	// StoreID names the store in every record header, so that a medium
	// sealed under another master key is recognised as foreign:
	// derive_key(CtxStoreID, master key)[0:16]. It is public.
	StoreID [StoreIDSize]byte
}

// StoreIDSize is the length of a sealed store's id.
const StoreIDSize = 16

// Wipe clears the secret keys (the store id is public).
func (k *StateKeys) Wipe() {
	clear(k.Seal[:])
	clear(k.Nonce[:])
}

// StateKeys derives the sealed store's keys.
func (r *KeyRecord) StateKeys() *StateKeys {
	k := &StateKeys{}
	blake3.DeriveKey(k.Seal[:], CtxStateKey, r.master[:])
	blake3.DeriveKey(k.Nonce[:], CtxStateNonceKey, r.master[:])
	var id [32]byte
	blake3.DeriveKey(id[:], CtxStoreID, r.master[:])
	copy(k.StoreID[:], id[:])
	return k
}

// MarshalBinary encodes the record (the file placed at the key region).
func (r *KeyRecord) MarshalBinary() ([]byte, error) {
	if len(r.Publishers) == 0 || len(r.Publishers) > 0xFFFF || len(r.MinVersions) > 0xFFFF {
		return nil, errorf(ErrInvalidInput, "key record: %d publishers (want 1..65535), %d minimum versions", len(r.Publishers), len(r.MinVersions))
	}
	if r.master == [KeySize]byte{} {
		return nil, errorf(ErrInvalidInput, "key record: master key is all zero (wiped?)")
	}
	b := make([]byte, keyRecordFixed, 512)
	copy(b, KeyRecordMagic)
	binary.LittleEndian.PutUint16(b[8:], KeyRecordVersion)
	copy(b[16:], r.ID[:])
	copy(b[32:], r.master[:])
	binary.LittleEndian.PutUint16(b[64:], uint16(len(r.Publishers)))
	binary.LittleEndian.PutUint16(b[66:], uint16(len(r.MinVersions)))
	for _, p := range r.Publishers {
		b = append(b, p.ID[:]...)
		b = append(b, p.PublicKey...)
		b = binary.LittleEndian.AppendUint32(b, uint32(p.Grants))
		b = binary.LittleEndian.AppendUint32(b, 0)
	}
	for _, m := range r.MinVersions {
		b = append(b, byte(len(m.Name)))
		b = append(b, m.Name...)
		b = binary.LittleEndian.AppendUint64(b, m.Version)
	}
	n := len(b) + keyRecordCheck
	if n > MaxKeyRecord {
		return nil, errorf(ErrInvalidInput, "key record is %d bytes, the key region holds %d", n, MaxKeyRecord)
	}
	binary.LittleEndian.PutUint32(b[12:], uint32(n))
	var sum [keyRecordCheck]byte
	blake3.DeriveKey(sum[:], CtxKeyRecordCheck, b)
	return append(b, sum[:]...), nil
}

// ParseKeyRecord parses a key record from the start of region (typically
// the whole key region; bytes after the record's length are ignored). It
// copies what it keeps, so the caller can wipe region afterwards.
func ParseKeyRecord(region []byte) (*KeyRecord, error) {
	if uniform(region) {
		return nil, errorf(ErrNoKeyRecord, "key region (%d bytes) is empty", len(region))
	}
	if len(region) < len(KeyRecordMagic) || string(region[:8]) != KeyRecordMagic {
		return nil, errorf(ErrMalformedKeyRecord, "bad magic at offset 0")
	}
	if len(region) < keyRecordFixed {
		return nil, fmt.Errorf("%w: %w: %d bytes, the fixed part is %d", ErrMalformedKeyRecord, ErrTruncated, len(region), keyRecordFixed)
	}
	if v := binary.LittleEndian.Uint16(region[8:]); v != KeyRecordVersion {
		return nil, fmt.Errorf("%w: %w: record version %d at offset 8, want %d", ErrMalformedKeyRecord, ErrUnsupportedVersion, v, KeyRecordVersion)
	}
	n := int(binary.LittleEndian.Uint32(region[12:]))
	if n > MaxKeyRecord || n < keyRecordFixed+keyRecordPublisher+keyRecordCheck {
		return nil, errorf(ErrMalformedKeyRecord, "record length %d at offset 12 is out of range", n)
	}
	if n > len(region) {
		return nil, fmt.Errorf("%w: %w: record length %d at offset 12, region has %d bytes", ErrMalformedKeyRecord, ErrTruncated, n, len(region))
	}
	rec := region[:n]
	var sum [keyRecordCheck]byte
	blake3.DeriveKey(sum[:], CtxKeyRecordCheck, rec[:n-keyRecordCheck])
	if subtle.ConstantTimeCompare(sum[:], rec[n-keyRecordCheck:]) != 1 {
		return nil, errorf(ErrMalformedKeyRecord, "checksum at offset %d does not match", n-keyRecordCheck)
	}
	if rec[10] != 0 || rec[11] != 0 || binary.LittleEndian.Uint32(rec[68:]) != 0 {
		return nil, errorf(ErrMalformedKeyRecord, "reserved bytes (offsets 10, 68) are not zero")
	}
	r := &KeyRecord{}
	copy(r.master[:], rec[32:64])
	if r.master == [KeySize]byte{} {
		return nil, errorf(ErrMalformedKeyRecord, "master key (offset 32) is all zero")
	}
	copy(r.ID[:], rec[16:32])
	want := keyIDOf(&r.master)
	if subtle.ConstantTimeCompare(want[:], r.ID[:]) != 1 {
		r.Wipe()
		return nil, errorf(ErrMalformedKeyRecord, "key id at offset 16 does not match the master key")
	}
	if err := r.parseEntries(rec); err != nil {
		r.Wipe()
		return nil, err
	}
	return r, nil
}

// parseEntries reads the publisher and minimum-version tables.
func (r *KeyRecord) parseEntries(rec []byte) error {
	np := int(binary.LittleEndian.Uint16(rec[64:]))
	nm := int(binary.LittleEndian.Uint16(rec[66:]))
	end := len(rec) - keyRecordCheck
	if np == 0 {
		return errorf(ErrMalformedKeyRecord, "no publishers (offset 64)")
	}
	off := keyRecordFixed
	for i := 0; i < np; i++ {
		if off+keyRecordPublisher > end {
			return errorf(ErrMalformedKeyRecord, "publisher %d at offset %d runs past the record", i, off)
		}
		e := rec[off : off+keyRecordPublisher]
		var p Publisher
		copy(p.ID[:], e)
		p.PublicKey = slices.Clone(e[PublisherIDSize : PublisherIDSize+ed25519.PublicKeySize])
		p.Grants = Capabilities(binary.LittleEndian.Uint32(e[40:]))
		if p.Grants&^CapAll != 0 || binary.LittleEndian.Uint32(e[44:]) != 0 {
			return errorf(ErrMalformedKeyRecord, "publisher %d at offset %d: undefined capability or reserved bits", i, off)
		}
		if _, dup := r.Publisher(p.ID); dup {
			return errorf(ErrMalformedKeyRecord, "publisher %s at offset %d appears twice", p.ID, off)
		}
		r.Publishers = append(r.Publishers, p)
		off += keyRecordPublisher
	}
	for i := 0; i < nm; i++ {
		if off+1 > end || off+1+int(rec[off])+8 > end {
			return errorf(ErrMalformedKeyRecord, "minimum version %d at offset %d runs past the record", i, off)
		}
		l := int(rec[off])
		name := string(rec[off+1 : off+1+l])
		if !ValidName(name) {
			return errorf(ErrMalformedKeyRecord, "minimum version %d at offset %d: invalid muscle name", i, off)
		}
		if len(r.MinVersions) > 0 && r.MinVersions[len(r.MinVersions)-1].Name >= name {
			return errorf(ErrMalformedKeyRecord, "minimum version %d at offset %d: names not sorted or repeated", i, off)
		}
		r.MinVersions = append(r.MinVersions, MinVersion{name, binary.LittleEndian.Uint64(rec[off+1+l:])})
		off += 1 + l + 8
	}
	if off != end {
		return errorf(ErrMalformedKeyRecord, "%d unused bytes at offset %d before the checksum", end-off, off)
	}
	return nil
}

// uniform reports whether b is empty or all 0x00 or all 0xff bytes (an
// unprogrammed or erased region).
func uniform(b []byte) bool {
	if len(b) == 0 {
		return true
	}
	if b[0] != 0 && b[0] != 0xFF {
		return false
	}
	for _, c := range b {
		if c != b[0] {
			return false
		}
	}
	return true
}
