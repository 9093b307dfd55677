package muscle

import (
	"crypto/ed25519"
	"crypto/subtle"
)

// Key files: what a publisher holds. Each is 56 bytes: an 8-byte magic, the
// publisher id, 32 bytes of key, and an 8-byte check value (FORMAT.md, "Key
// files").
const (
	keyFileSize      = 8 + PublisherIDSize + 32 + 8
	magicSealingKey  = "MSCLSEAL"
	magicSigningKey  = "MSCLSIGN"
	magicPublicKey   = "MSCLPUBK"
	keyFileCheckFrom = 8 + PublisherIDSize + 32
)

// SealingKey is a publisher's sealing key: derive_key(CtxSealingKey, master
// key || publisher id). With it a publisher seals muscles that only devices
// holding the master key can open; it cannot open other publishers' muscles.
type SealingKey struct {
	Publisher PublisherID
	key       [KeySize]byte
}

// Fingerprint is the key's printable fingerprint.
func (k *SealingKey) Fingerprint() string { return Fingerprint(k.key[:]) }

// Wipe zeroes the key.
func (k *SealingKey) Wipe() { clear(k.key[:]) }

// MarshalBinary is the sealing key file.
func (k *SealingKey) MarshalBinary() ([]byte, error) {
	return marshalKeyFile(magicSealingKey, k.Publisher, k.key[:]), nil
}

// ParseSealingKey parses a sealing key file.
func ParseSealingKey(b []byte) (*SealingKey, error) {
	id, key, err := parseKeyFile(magicSealingKey, "sealing key", b)
	if err != nil {
		return nil, err
	}
	k := &SealingKey{Publisher: id}
	copy(k.key[:], key)
	return k, nil
}

// SigningKey is a publisher's Ed25519 signing key with its publisher id.
type SigningKey struct {
	Publisher PublisherID
	Key       ed25519.PrivateKey
}

// Public is the matching public key.
func (k *SigningKey) Public() *PublicKey {
	return &PublicKey{Publisher: k.Publisher, Key: k.Key.Public().(ed25519.PublicKey)}
}

// Wipe zeroes the private key.
func (k *SigningKey) Wipe() { clear(k.Key) }

// MarshalBinary is the signing key file (it stores the 32-byte seed).
func (k *SigningKey) MarshalBinary() ([]byte, error) {
	if len(k.Key) != ed25519.PrivateKeySize {
		return nil, errorf(ErrInvalidInput, "signing key: %d bytes, want %d", len(k.Key), ed25519.PrivateKeySize)
	}
	return marshalKeyFile(magicSigningKey, k.Publisher, k.Key.Seed()), nil
}

// ParseSigningKey parses a signing key file.
func ParseSigningKey(b []byte) (*SigningKey, error) {
	id, seed, err := parseKeyFile(magicSigningKey, "signing key", b)
	if err != nil {
		return nil, err
	}
	return &SigningKey{Publisher: id, Key: ed25519.NewKeyFromSeed(seed)}, nil
}

// PublicKey is a publisher's Ed25519 public key with its publisher id.
type PublicKey struct {
	Publisher PublisherID
	Key       ed25519.PublicKey
}

// Fingerprint is the public key's fingerprint.
func (k *PublicKey) Fingerprint() string { return Fingerprint(k.Key) }

// MarshalBinary is the public key file.
func (k *PublicKey) MarshalBinary() ([]byte, error) {
	if len(k.Key) != ed25519.PublicKeySize {
		return nil, errorf(ErrInvalidInput, "public key: %d bytes, want %d", len(k.Key), ed25519.PublicKeySize)
	}
	return marshalKeyFile(magicPublicKey, k.Publisher, k.Key), nil
}

// ParsePublicKey parses a public key file.
func ParsePublicKey(b []byte) (*PublicKey, error) {
	id, key, err := parseKeyFile(magicPublicKey, "public key", b)
	if err != nil {
		return nil, err
	}
	return &PublicKey{Publisher: id, Key: ed25519.PublicKey(append([]byte(nil), key...))}, nil
}

func marshalKeyFile(magic string, id PublisherID, key []byte) []byte {
	b := make([]byte, 0, keyFileSize)
	b = append(b, magic...)
	b = append(b, id[:]...)
	b = append(b, key...)
	c := checkValue(CtxKeyFileCheck, b)
	return append(b, c[:]...)
}

// parseKeyFile returns the id and a copy-free view of the key bytes in b.
func parseKeyFile(magic, what string, b []byte) (PublisherID, []byte, error) {
	var id PublisherID
	if len(b) < 8 || string(b[:8]) != magic {
		return id, nil, errorf(ErrMalformedKeyFile, "not a %s file (bad magic at offset 0)", what)
	}
	if len(b) != keyFileSize {
		return id, nil, errorf(ErrMalformedKeyFile, "%s file is %d bytes, want %d", what, len(b), keyFileSize)
	}
	c := checkValue(CtxKeyFileCheck, b[:keyFileCheckFrom])
	if subtle.ConstantTimeCompare(c[:], b[keyFileCheckFrom:]) != 1 {
		return id, nil, errorf(ErrMalformedKeyFile, "%s file: check value at offset %d does not match", what, keyFileCheckFrom)
	}
	copy(id[:], b[8:])
	return id, b[8+PublisherIDSize : keyFileCheckFrom], nil
}
