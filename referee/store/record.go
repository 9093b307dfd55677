package store

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"fmt"

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/muscle/b3"
)

// A record is a header (HeaderSize bytes, the AES-GCM associated data),
// the payload's ciphertext and the 16-byte tag (docs/STATE.md, "Record").
const (
	HeaderSize    = 96
	FormatVersion = 1
	tagSize       = 16
	nonceSize     = 12
	// MaxGeneration is the last generation; the store never wraps.
	MaxGeneration = ^uint64(0)
)

// Magic begins every record.
var Magic = [8]byte{'M', 'S', 'C', 'L', 'S', 'T', 'A', 'T'}

// Digest is a record's BLAKE3-256 hash (header, ciphertext and tag), as
// the next record's header names it.
type Digest [32]byte

// Header is a record's header.
type Header struct {
	Slot       uint16
	Generation uint64
	Prev       Digest
	StoreID    [muscle.StoreIDSize]byte
	Length     uint32
	Nonce      [nonceSize]byte
}

// Header fields' offsets.
const (
	offMagic   = 0
	offFormat  = 8
	offSlot    = 10
	offFlags   = 12
	offGen     = 16
	offPrev    = 24
	offStoreID = 56
	offLength  = 72
	offNonce   = 76
	offReserve = 88
)

func (h *Header) marshal() []byte {
	b := make([]byte, HeaderSize)
	copy(b[offMagic:], Magic[:])
	binary.LittleEndian.PutUint16(b[offFormat:], FormatVersion)
	binary.LittleEndian.PutUint16(b[offSlot:], h.Slot)
	binary.LittleEndian.PutUint64(b[offGen:], h.Generation)
	copy(b[offPrev:], h.Prev[:])
	copy(b[offStoreID:], h.StoreID[:])
	binary.LittleEndian.PutUint32(b[offLength:], h.Length)
	copy(b[offNonce:], h.Nonce[:])
	return b
}

// parseHeader decodes a header; it checks everything a header alone can
// tell (not the store id, which the caller compares).
func parseHeader(b []byte) (*Header, error) {
	if len(b) < HeaderSize {
		return nil, fmt.Errorf("header: %d bytes, want %d", len(b), HeaderSize)
	}
	if !bytes.Equal(b[offMagic:offMagic+8], Magic[:]) {
		return nil, fmt.Errorf("no record (magic %x)", b[:8])
	}
	if v := binary.LittleEndian.Uint16(b[offFormat:]); v != FormatVersion {
		return nil, fmt.Errorf("format version %d (this referee reads %d)", v, FormatVersion)
	}
	if f := binary.LittleEndian.Uint32(b[offFlags:]); f != 0 {
		return nil, fmt.Errorf("flags %#x (none are defined)", f)
	}
	if !allZero(b[offReserve:HeaderSize]) {
		return nil, fmt.Errorf("reserved header bytes are not zero")
	}
	h := &Header{
		Slot:       binary.LittleEndian.Uint16(b[offSlot:]),
		Generation: binary.LittleEndian.Uint64(b[offGen:]),
		Length:     binary.LittleEndian.Uint32(b[offLength:]),
	}
	copy(h.Prev[:], b[offPrev:])
	copy(h.StoreID[:], b[offStoreID:])
	copy(h.Nonce[:], b[offNonce:])
	if h.Generation == 0 {
		return nil, fmt.Errorf("generation 0 (generations start at 1)")
	}
	return h, nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// recordSize is the length of a record with an n-byte payload.
func recordSize(n int) int { return HeaderSize + n + tagSize }

// seal builds the record of payload: the nonce is the first 12 bytes of
// BLAKE3 keyed with the nonce key over the header (nonce field zero) and
// the payload, so it differs whenever the generation, slot, previous
// digest or payload do, and putting an old medium back cannot make a
// nonce repeat with a different plaintext.
func seal(k *muscle.StateKeys, h Header, payload []byte) ([]byte, error) {
	h.Length = uint32(len(payload))
	h.StoreID = k.StoreID
	h.Nonce = [nonceSize]byte{}
	nh := b3.NewKeyed(&k.Nonce)
	nh.Write(h.marshal())
	nh.Write(payload)
	sum := nh.Sum()
	copy(h.Nonce[:], sum[:])
	hdr := h.marshal()
	aead, err := newAEAD(k)
	if err != nil {
		return nil, err
	}
	return aead.Seal(hdr, h.Nonce[:], payload, hdr), nil
}

// open authenticates and decrypts a whole record whose header h was
// parsed from rec.
func open(k *muscle.StateKeys, h *Header, rec []byte) ([]byte, error) {
	aead, err := newAEAD(k)
	if err != nil {
		return nil, err
	}
	hdr := rec[:HeaderSize]
	pt, err := aead.Open(nil, h.Nonce[:], rec[HeaderSize:], hdr)
	if err != nil {
		return nil, fmt.Errorf("does not authenticate under this device's key")
	}
	return pt, nil
}

func newAEAD(k *muscle.StateKeys) (cipher.AEAD, error) {
	block, err := aes.NewCipher(k.Seal[:])
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// digest is a record's hash.
func digest(rec []byte) Digest { return b3.Sum256(rec) }
