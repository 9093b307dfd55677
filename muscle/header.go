package muscle

import (
	"encoding/binary"
)

// Blob header constants (FORMAT.md, "Header").
const (
	Magic         = "\x7fMUSCLE\n"
	FormatVersion = 1
	// ArchAArch64 is the only target architecture: A64 with AdvSIMD fp32.
	ArchAArch64 = 1

	// FlagDeterministic: salt and nonce were derived (deterministic
	// sealing) rather than drawn at random; Open re-derives and checks them.
	FlagDeterministic = 1 << 0
	knownFlags        = FlagDeterministic

	// HeaderFixedSize is the header without the name.
	HeaderFixedSize = 88
	// MaxBlob is the largest blob the format allows (128 MiB); a board's
	// bundle region holds at least this much (each board checks so in a
	// test).
	MaxBlob = 128 << 20
	// MaxBudgetMicros is the largest call budget a referee grants: one
	// second. Seal refuses more; the referee refuses a blob asking more.
	MaxBudgetMicros = 1_000_000

	offMagic       = 0
	offFormat      = 8
	offFlags       = 9
	offHeaderLen   = 10
	offArch        = 12
	offABI         = 13
	offNameLen     = 14
	offReserved    = 15
	offPublisher   = 16
	offCaps        = 24
	offBudget      = 28
	offVersion     = 32
	offSalt        = 40
	offNonce       = 56
	offManifestLen = 68
	offCodeLen     = 72
	offStateLen    = 76
	offProvLen     = 80
	offBlobLen     = 84
	offName        = 88
)

// Header is the clear-text, authenticated header of a blob: everything a
// device needs to decide whether to open it, readable without a key.
type Header struct {
	Format       uint8
	Flags        uint8
	Arch         uint8
	ABI          uint8
	Publisher    PublisherID
	Capabilities Capabilities
	// BudgetMicros is the run-time budget of one forward or train call.
	BudgetMicros uint32
	Version      uint64
	Salt         [SaltSize]byte
	Nonce        [NonceSize]byte
	// Section lengths of the plaintext, in this order.
	ManifestLen, CodeLen, StateLen, ProvenanceLen uint32
	// BlobLen is the length of the whole blob.
	BlobLen uint32
	Name    string
}

// Deterministic reports whether FlagDeterministic is set.
func (h *Header) Deterministic() bool { return h.Flags&FlagDeterministic != 0 }

// Len is the header's length in bytes.
func (h *Header) Len() int { return HeaderFixedSize + len(h.Name) }

// PlaintextLen is the sum of the section lengths.
func (h *Header) PlaintextLen() uint64 {
	return uint64(h.ManifestLen) + uint64(h.CodeLen) + uint64(h.StateLen) + uint64(h.ProvenanceLen)
}

// expectedBlobLen: header, sections, GCM tag and signature.
func (h *Header) expectedBlobLen() uint64 {
	return uint64(h.Len()) + h.PlaintextLen() + TagSize + SignatureSize
}

// AppendBinary appends the encoded header.
func (h *Header) AppendBinary(b []byte) ([]byte, error) {
	if !ValidName(h.Name) {
		return nil, errorf(ErrInvalidInput, "invalid muscle name %q", h.Name)
	}
	var f [HeaderFixedSize]byte
	copy(f[offMagic:], Magic)
	f[offFormat] = h.Format
	f[offFlags] = h.Flags
	binary.LittleEndian.PutUint16(f[offHeaderLen:], uint16(h.Len()))
	f[offArch] = h.Arch
	f[offABI] = h.ABI
	f[offNameLen] = byte(len(h.Name))
	copy(f[offPublisher:], h.Publisher[:])
	binary.LittleEndian.PutUint32(f[offCaps:], uint32(h.Capabilities))
	binary.LittleEndian.PutUint32(f[offBudget:], h.BudgetMicros)
	binary.LittleEndian.PutUint64(f[offVersion:], h.Version)
	copy(f[offSalt:], h.Salt[:])
	copy(f[offNonce:], h.Nonce[:])
	binary.LittleEndian.PutUint32(f[offManifestLen:], h.ManifestLen)
	binary.LittleEndian.PutUint32(f[offCodeLen:], h.CodeLen)
	binary.LittleEndian.PutUint32(f[offStateLen:], h.StateLen)
	binary.LittleEndian.PutUint32(f[offProvLen:], h.ProvenanceLen)
	binary.LittleEndian.PutUint32(f[offBlobLen:], h.BlobLen)
	b = append(b, f[:]...)
	return append(b, h.Name...), nil
}

// ParseHeader parses and checks the header at the start of b (b may hold
// more than the header; the blob's total length is not checked here, see
// Inspect). Every field is validated except those that need a key.
func ParseHeader(b []byte) (*Header, error) {
	n := min(len(b), len(Magic))
	if string(b[:n]) != Magic[:n] {
		return nil, errorf(ErrNotMuscle, "bad magic at offset 0")
	}
	if len(b) <= offFormat {
		return nil, errorf(ErrTruncated, "%d bytes, header needs %d", len(b), HeaderFixedSize)
	}
	h := &Header{Format: b[offFormat]}
	if h.Format != FormatVersion {
		return nil, errorf(ErrUnsupportedVersion, "format version %d at offset %d, want %d", h.Format, offFormat, FormatVersion)
	}
	if len(b) < HeaderFixedSize {
		return nil, errorf(ErrTruncated, "%d bytes, header needs %d", len(b), HeaderFixedSize)
	}
	h.Flags = b[offFlags]
	h.Arch = b[offArch]
	h.ABI = b[offABI]
	copy(h.Publisher[:], b[offPublisher:])
	h.Capabilities = Capabilities(binary.LittleEndian.Uint32(b[offCaps:]))
	h.BudgetMicros = binary.LittleEndian.Uint32(b[offBudget:])
	h.Version = binary.LittleEndian.Uint64(b[offVersion:])
	copy(h.Salt[:], b[offSalt:])
	copy(h.Nonce[:], b[offNonce:])
	h.ManifestLen = binary.LittleEndian.Uint32(b[offManifestLen:])
	h.CodeLen = binary.LittleEndian.Uint32(b[offCodeLen:])
	h.StateLen = binary.LittleEndian.Uint32(b[offStateLen:])
	h.ProvenanceLen = binary.LittleEndian.Uint32(b[offProvLen:])
	h.BlobLen = binary.LittleEndian.Uint32(b[offBlobLen:])
	hlen := int(binary.LittleEndian.Uint16(b[offHeaderLen:]))
	nameLen := int(b[offNameLen])

	switch {
	case h.Flags&^knownFlags != 0:
		return nil, errorf(ErrMalformed, "undefined flag bits %#x at offset %d", h.Flags&^knownFlags, offFlags)
	case b[offReserved] != 0:
		return nil, errorf(ErrMalformed, "reserved byte at offset %d is %#x, want 0", offReserved, b[offReserved])
	case nameLen == 0 || nameLen > MaxNameLen:
		return nil, errorf(ErrMalformed, "name length %d at offset %d, want 1..%d", nameLen, offNameLen, MaxNameLen)
	case hlen != HeaderFixedSize+nameLen:
		return nil, errorf(ErrMalformed, "header length %d at offset %d, want %d for a %d-byte name", hlen, offHeaderLen, HeaderFixedSize+nameLen, nameLen)
	case h.Arch != ArchAArch64:
		return nil, errorf(ErrUnsupportedArch, "architecture %d at offset %d, want %d (AArch64)", h.Arch, offArch, ArchAArch64)
	case h.ABI != ABIVersion:
		return nil, errorf(ErrUnsupportedVersion, "ABI version %d at offset %d, want %d", h.ABI, offABI, ABIVersion)
	case h.Capabilities&^CapAll != 0:
		return nil, errorf(ErrCapability, "undefined capability bits %#x at offset %d", uint32(h.Capabilities&^CapAll), offCaps)
	case h.BudgetMicros == 0:
		return nil, errorf(ErrMalformed, "budget at offset %d is 0 µs", offBudget)
	case h.ManifestLen != ManifestSize:
		return nil, errorf(ErrMalformed, "manifest length %d at offset %d, want %d", h.ManifestLen, offManifestLen, ManifestSize)
	case h.CodeLen == 0 || h.CodeLen%EntryAlign != 0:
		return nil, errorf(ErrMalformed, "code length %d at offset %d is not a positive multiple of %d", h.CodeLen, offCodeLen, EntryAlign)
	case h.StateLen%ElementSize != 0:
		return nil, errorf(ErrMalformed, "state length %d at offset %d is not a multiple of %d", h.StateLen, offStateLen, ElementSize)
	case h.ProvenanceLen < provenanceFixed || h.ProvenanceLen > provenanceMax:
		return nil, errorf(ErrMalformed, "provenance length %d at offset %d, want %d..%d", h.ProvenanceLen, offProvLen, provenanceFixed, provenanceMax)
	case uint64(h.BlobLen) != uint64(hlen)+h.PlaintextLen()+TagSize+SignatureSize:
		return nil, errorf(ErrMalformed, "blob length %d at offset %d does not match the header and section lengths (%d)", h.BlobLen, offBlobLen, uint64(hlen)+h.PlaintextLen()+TagSize+SignatureSize)
	case h.BlobLen > MaxBlob:
		return nil, errorf(ErrMalformed, "blob length %d at offset %d exceeds %d", h.BlobLen, offBlobLen, MaxBlob)
	}
	if len(b) < hlen {
		return nil, errorf(ErrTruncated, "%d bytes, header needs %d", len(b), hlen)
	}
	h.Name = string(b[offName:hlen])
	if !ValidName(h.Name) {
		return nil, errorf(ErrMalformed, "invalid muscle name at offset %d", offName)
	}
	return h, nil
}

// Inspect parses and checks the header of a whole blob, and that the blob is
// exactly as long as the header says. It needs no key and decrypts nothing:
// the header is authenticated only when Open verifies the signature.
func Inspect(blob []byte) (*Header, error) {
	h, err := ParseHeader(blob)
	if err != nil {
		return nil, err
	}
	switch {
	case uint64(len(blob)) < uint64(h.BlobLen):
		return nil, errorf(ErrTruncated, "%d bytes, header declares %d", len(blob), h.BlobLen)
	case uint64(len(blob)) > uint64(h.BlobLen):
		return nil, errorf(ErrMalformed, "%d trailing bytes after the declared %d", uint64(len(blob))-uint64(h.BlobLen), h.BlobLen)
	}
	return h, nil
}
