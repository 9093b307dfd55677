package muscle

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"io"

	"github.com/muscles/referee/muscle/b3"
)

// Input is what Seal seals.
type Input struct {
	Name         string
	Version      uint64
	Capabilities Capabilities
	BudgetMicros uint32
	// Manifest: Seal sets ABI, CodeSize and StateSize; the caller sets
	// the entries, the scratch size and the shapes.
	Manifest Manifest
	// Provenance: Seal sets CodeHash; the caller sets the rest.
	Provenance Provenance
	Code       []byte
	State      []byte
	// Rand, when set, selects random sealing: salt and nonce are read from
	// it. When nil, sealing is deterministic.
	Rand io.Reader
}

// Seal encrypts and signs a muscle for the publisher of sk and signer (they
// must name the same publisher). With in.Rand nil the result depends only on
// the keys and the input, byte for byte.
func Seal(sk *SealingKey, signer *SigningKey, in *Input) ([]byte, error) {
	if sk.Publisher != signer.Publisher {
		return nil, errorf(ErrInvalidInput, "sealing key is for publisher %s, signing key for %s", sk.Publisher, signer.Publisher)
	}
	if len(signer.Key) != ed25519.PrivateKeySize {
		return nil, errorf(ErrInvalidInput, "signing key is %d bytes, want %d", len(signer.Key), ed25519.PrivateKeySize)
	}
	if uint64(len(in.Code)) > MaxBlob || uint64(len(in.State)) > MaxBlob {
		return nil, errorf(ErrInvalidInput, "code (%d bytes) or state (%d bytes) larger than a blob may be", len(in.Code), len(in.State))
	}
	if in.BudgetMicros == 0 || in.BudgetMicros > MaxBudgetMicros {
		return nil, errorf(ErrInvalidInput, "budget %d µs is not 1-%d", in.BudgetMicros, MaxBudgetMicros)
	}
	m := in.Manifest
	m.ABI = ABIVersion
	m.CodeSize = uint32(len(in.Code))
	m.StateSize = uint32(len(in.State))
	p := in.Provenance
	if err := p.check(); err != nil {
		return nil, err
	}
	p.CodeHash = b3.Sum256(in.Code)

	h := &Header{
		Format:        FormatVersion,
		Arch:          ArchAArch64,
		ABI:           ABIVersion,
		Publisher:     sk.Publisher,
		Capabilities:  in.Capabilities,
		BudgetMicros:  in.BudgetMicros,
		Version:       in.Version,
		Name:          in.Name,
		ManifestLen:   ManifestSize,
		CodeLen:       m.CodeSize,
		StateLen:      m.StateSize,
		ProvenanceLen: uint32(p.encodedLen()),
	}
	if h.expectedBlobLen() > MaxBlob {
		return nil, errorf(ErrInvalidInput, "blob would be %d bytes, at most %d", h.expectedBlobLen(), MaxBlob)
	}
	h.BlobLen = uint32(h.expectedBlobLen())
	if in.Rand == nil {
		h.Flags = FlagDeterministic
		h.Salt = deterministicSalt(h.Publisher, h.Name)
	} else if _, err := io.ReadFull(in.Rand, h.Salt[:]); err != nil {
		return nil, errorf(ErrInvalidInput, "reading random salt: %v", err)
	}

	hdr, err := h.AppendBinary(nil)
	if err != nil {
		return nil, err
	}
	// The header must be one Open accepts: parse what was encoded.
	if _, err := ParseHeader(hdr); err != nil {
		return nil, errorf(ErrInvalidInput, "header: %v", err)
	}
	if err := m.Check(h); err != nil {
		return nil, errorf(ErrInvalidInput, "manifest: %v", err)
	}
	plain := make([]byte, 0, h.PlaintextLen())
	if plain, err = m.AppendBinary(plain); err != nil {
		return nil, err
	}
	plain = append(plain, in.Code...)
	plain = append(plain, in.State...)
	if plain, err = p.AppendBinary(plain); err != nil {
		return nil, err
	}
	defer clear(plain)

	var key [KeySize]byte
	defer clear(key[:])
	deriveMuscleKey(&key, &sk.key, &h.Salt)
	if in.Rand == nil {
		h.Nonce = deterministicNonce(&key, hdr, plain)
	} else if _, err := io.ReadFull(in.Rand, h.Nonce[:]); err != nil {
		return nil, errorf(ErrInvalidInput, "reading random nonce: %v", err)
	}
	copy(hdr[offNonce:], h.Nonce[:])

	aead, err := newGCM(&key)
	if err != nil {
		return nil, err
	}
	blob := make([]byte, 0, h.BlobLen)
	blob = append(blob, hdr...)
	blob = aead.Seal(blob, h.Nonce[:], plain, hdr)
	blob = append(blob, ed25519.Sign(signer.Key, blob)...)
	return blob, nil
}

// newGCM is AES-256-GCM with the standard 12-byte nonce and 16-byte tag.
func newGCM(key *[KeySize]byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
