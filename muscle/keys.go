package muscle

import (
	"encoding/hex"

	"github.com/muscles/referee/muscle/b3"
	"lukechampine.com/blake3"
)

// Sizes of the key hierarchy's values.
const (
	KeySize         = 32 // master, publisher sealing and muscle keys
	PublisherIDSize = 8
	KeyIDSize       = 16
	SaltSize        = 16
	NonceSize       = 12
	TagSize         = 16
	SignatureSize   = 64
)

// The BLAKE3 derive_key contexts. Each is used for exactly one purpose;
// changing any of them changes every derived value (FORMAT.md, "Key
// hierarchy").
const (
	CtxSealingKey     = "Eä/muscle/2025 publisher sealing key v1"
	CtxMuscleKey      = "Eä/muscle/2025 muscle encryption key v1"
	CtxNonceKey       = "Eä/muscle/2025 deterministic nonce key v1"
	CtxSalt           = "Eä/muscle/2025 deterministic salt v1"
	CtxKeyID          = "Eä/muscle/2025 master key id v1"
	CtxFingerprint    = "Eä/muscle/2025 key fingerprint v1"
	CtxPublisherID    = "Eä/muscle/2025 publisher id v1"
	CtxAuditKey       = "Eä/muscle/2025 audit chain key v1"
	CtxKeyFileCheck   = "Eä/muscle/2025 key file check v1"
	CtxKeyRecordCheck = "Eä/muscle/2025 key record check v1"
	CtxStateKey       = "Eä/muscle/2025 sealed state key v1"
	CtxStateNonceKey  = "Eä/muscle/2025 sealed state nonce key v1"
	CtxStoreID        = "Eä/muscle/2025 sealed state store id v1"
)

// PublisherID names a publisher in blob headers and in the key record.
type PublisherID [PublisherIDSize]byte

// String is the id in hex.
func (p PublisherID) String() string { return hex.EncodeToString(p[:]) }

// ParsePublisherID parses the hex form of a publisher id.
func ParsePublisherID(s string) (PublisherID, error) {
	var p PublisherID
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != PublisherIDSize {
		return p, errorf(ErrInvalidInput, "publisher id %q: want %d hex digits", s, 2*PublisherIDSize)
	}
	copy(p[:], b)
	return p, nil
}

// PublisherIDFor is the conventional publisher id for an Ed25519 public key
// (keygen uses it): derive_key(CtxPublisherID, public key), first 8 bytes.
func PublisherIDFor(publicKey []byte) PublisherID {
	var out [32]byte
	blake3.DeriveKey(out[:], CtxPublisherID, publicKey)
	var p PublisherID
	copy(p[:], out[:])
	return p
}

// KeyID is the fingerprint of a master key, stored in the key record and
// printed in logs instead of the key.
type KeyID [KeyIDSize]byte

// String is the id in hex.
func (k KeyID) String() string { return hex.EncodeToString(k[:]) }

// keyIDOf derives the key id of a master key.
func keyIDOf(master *[KeySize]byte) KeyID {
	var out [32]byte
	blake3.DeriveKey(out[:], CtxKeyID, master[:])
	var id KeyID
	copy(id[:], out[:])
	return id
}

// Fingerprint is a printable, non-reversible fingerprint of any key: the hex
// of the first 8 bytes of derive_key(CtxFingerprint, key). Use it in logs and
// command output instead of the key.
func Fingerprint(key []byte) string {
	var out [32]byte
	blake3.DeriveKey(out[:], CtxFingerprint, key)
	return hex.EncodeToString(out[:8])
}

// deriveSealingKey: derive_key(CtxSealingKey, master || publisher id).
func deriveSealingKey(out *[KeySize]byte, master *[KeySize]byte, pub PublisherID) {
	var m [KeySize + PublisherIDSize]byte
	copy(m[:], master[:])
	copy(m[KeySize:], pub[:])
	b3.DeriveKey32(out, CtxSealingKey, m[:])
	clear(m[:])
}

// deriveMuscleKey: derive_key(CtxMuscleKey, sealing key || salt).
func deriveMuscleKey(out *[KeySize]byte, sealing *[KeySize]byte, salt *[SaltSize]byte) {
	var m [KeySize + SaltSize]byte
	copy(m[:], sealing[:])
	copy(m[KeySize:], salt[:])
	b3.DeriveKey32(out, CtxMuscleKey, m[:])
	clear(m[:])
}

// deterministicSalt: the first 16 bytes of derive_key(CtxSalt, publisher id
// || name). It is public; it only separates muscles' keys.
func deterministicSalt(pub PublisherID, name string) [SaltSize]byte {
	m := make([]byte, 0, PublisherIDSize+len(name))
	m = append(m, pub[:]...)
	m = append(m, name...)
	var out [32]byte
	b3.DeriveKey32(&out, CtxSalt, m)
	var s [SaltSize]byte
	copy(s[:], out[:])
	return s
}

// deterministicNonce: the first 12 bytes of BLAKE3-keyed(nonce key, header
// with its nonce field zeroed || plaintext), where nonce key =
// derive_key(CtxNonceKey, muscle key). header must already have a zero nonce
// field.
func deterministicNonce(muscleKey *[KeySize]byte, header []byte, plaintext ...[]byte) [NonceSize]byte {
	var nk [KeySize]byte
	b3.DeriveKey32(&nk, CtxNonceKey, muscleKey[:])
	h := b3.NewKeyed(&nk)
	clear(nk[:])
	h.Write(header)
	for _, p := range plaintext {
		h.Write(p)
	}
	sum := h.Sum()
	var n [NonceSize]byte
	copy(n[:], sum[:])
	return n
}

// checkValue is the 8-byte integrity check of key files: the first 8 bytes
// of derive_key(ctx, body).
func checkValue(ctx string, body []byte) [8]byte {
	var out [32]byte
	blake3.DeriveKey(out[:], ctx, body)
	var c [8]byte
	copy(c[:], out[:])
	return c
}
