package muscle

import (
	"crypto/subtle"
	"encoding/binary"

	"lukechampine.com/blake3"
)

// The provenance section (FORMAT.md, "Provenance").
const (
	ProvenanceVersion = 1
	HashSize          = 32

	provenanceFixed = 4 + 2*HashSize
	provenanceMax   = provenanceFixed + 255 + 255
)

// Provenance records where a muscle came from; the referee's audit log
// prints it.
type Provenance struct {
	// CodeHash is BLAKE3-256 of the code section (Seal computes it).
	CodeHash [HashSize]byte
	// SourceHash is BLAKE3-256 of the source file the compiler read.
	SourceHash [HashSize]byte
	// Compiler names the compiler and its version; Source the source file
	// (its base name). Printable ASCII, at most 255 bytes each.
	Compiler, Source string
}

// AppendBinary appends the encoded provenance.
func (p *Provenance) AppendBinary(b []byte) ([]byte, error) {
	if len(p.Compiler) > 255 || len(p.Source) > 255 || !printable(p.Compiler) || !printable(p.Source) {
		return nil, errorf(ErrInvalidInput, "provenance compiler and source must be printable ASCII of at most 255 bytes")
	}
	b = binary.LittleEndian.AppendUint16(b, ProvenanceVersion)
	b = append(b, byte(len(p.Compiler)), byte(len(p.Source)))
	b = append(b, p.CodeHash[:]...)
	b = append(b, p.SourceHash[:]...)
	b = append(b, p.Compiler...)
	return append(b, p.Source...), nil
}

// encodedLen is the provenance's encoded length.
func (p *Provenance) encodedLen() int { return provenanceFixed + len(p.Compiler) + len(p.Source) }

// ParseProvenance decodes a provenance section.
func ParseProvenance(b []byte) (*Provenance, error) {
	if len(b) < provenanceFixed {
		return nil, errorf(ErrBadManifest, "provenance is %d bytes, at least %d needed", len(b), provenanceFixed)
	}
	if v := binary.LittleEndian.Uint16(b); v != ProvenanceVersion {
		return nil, errorf(ErrBadManifest, "provenance version %d, want %d", v, ProvenanceVersion)
	}
	c, s := int(b[2]), int(b[3])
	if len(b) != provenanceFixed+c+s {
		return nil, errorf(ErrBadManifest, "provenance is %d bytes, its string lengths say %d", len(b), provenanceFixed+c+s)
	}
	p := &Provenance{
		Compiler: string(b[provenanceFixed : provenanceFixed+c]),
		Source:   string(b[provenanceFixed+c:]),
	}
	copy(p.CodeHash[:], b[4:])
	copy(p.SourceHash[:], b[4+HashSize:])
	if !printable(p.Compiler) || !printable(p.Source) {
		return nil, errorf(ErrBadManifest, "provenance compiler or source is not printable ASCII")
	}
	return p, nil
}

// checkCode verifies the code hash in constant time.
func (p *Provenance) checkCode(code []byte) error {
	sum := blake3.Sum256(code)
	if subtle.ConstantTimeCompare(sum[:], p.CodeHash[:]) != 1 {
		return errorf(ErrBadManifest, "provenance code hash does not match the code section")
	}
	return nil
}
