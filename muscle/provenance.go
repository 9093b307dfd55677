package muscle

import (
	"crypto/subtle"
	"encoding/binary"

	"github.com/muscles/referee/muscle/b3"
)

// The provenance section (FORMAT.md, "Provenance").
const (
	// ProvenanceVersion is the newest provenance layout: version 2 lists
	// the data files (weights) the compiler read. A provenance without
	// data files is written as version 1, the layout before data files,
	// so that its encoding is unique and older blobs stay byte for byte
	// what they were.
	ProvenanceVersion = 2
	HashSize          = 32
	// MaxDataFiles is the most data files a provenance lists.
	MaxDataFiles = 32

	provenanceFixed = 4 + 2*HashSize
	provenanceV1Max = provenanceFixed + 255 + 255
	dataFileMax     = 1 + 255 + HashSize
	provenanceMax   = provenanceV1Max + 1 + MaxDataFiles*dataFileMax
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
	// Data are the data files (weights) the compiler read besides the
	// source, in the order it read them: at most MaxDataFiles.
	Data []DataFile
}

// DataFile is a file the compiler read besides the source, such as an
// .npz of weights.
type DataFile struct {
	// Name is the file's name as the source wrote it (a path relative to
	// the source's directory): printable ASCII, 1 to 255 bytes.
	Name string
	// Hash is BLAKE3-256 of the file's bytes.
	Hash [HashSize]byte
}

// check validates the free-text fields and the data files.
func (p *Provenance) check() error {
	if len(p.Compiler) > 255 || len(p.Source) > 255 || !printable(p.Compiler) || !printable(p.Source) {
		return errorf(ErrInvalidInput, "provenance compiler and source must be printable ASCII of at most 255 bytes")
	}
	if len(p.Data) > MaxDataFiles {
		return errorf(ErrInvalidInput, "provenance lists %d data files, at most %d", len(p.Data), MaxDataFiles)
	}
	for _, d := range p.Data {
		if len(d.Name) == 0 || len(d.Name) > 255 || !printable(d.Name) {
			return errorf(ErrInvalidInput, "provenance data file name %q must be printable ASCII of 1 to 255 bytes", d.Name)
		}
	}
	return nil
}

// AppendBinary appends the encoded provenance: version 1 without data
// files, version 2 with them.
func (p *Provenance) AppendBinary(b []byte) ([]byte, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	version := uint16(1)
	if len(p.Data) > 0 {
		version = 2
	}
	b = binary.LittleEndian.AppendUint16(b, version)
	b = append(b, byte(len(p.Compiler)), byte(len(p.Source)))
	b = append(b, p.CodeHash[:]...)
	b = append(b, p.SourceHash[:]...)
	b = append(b, p.Compiler...)
	b = append(b, p.Source...)
	if version == 1 {
		return b, nil
	}
	b = append(b, byte(len(p.Data)))
	for _, d := range p.Data {
		b = append(b, byte(len(d.Name)))
		b = append(b, d.Name...)
		b = append(b, d.Hash[:]...)
	}
	return b, nil
}

// encodedLen is the provenance's encoded length.
func (p *Provenance) encodedLen() int {
	n := provenanceFixed + len(p.Compiler) + len(p.Source)
	if len(p.Data) > 0 {
		n++
		for _, d := range p.Data {
			n += 1 + len(d.Name) + HashSize
		}
	}
	return n
}

// ParseProvenance decodes a provenance section, version 1 or 2.
func ParseProvenance(b []byte) (*Provenance, error) {
	if len(b) < provenanceFixed {
		return nil, errorf(ErrBadManifest, "provenance is %d bytes, at least %d needed", len(b), provenanceFixed)
	}
	v := binary.LittleEndian.Uint16(b)
	if v != 1 && v != 2 {
		return nil, errorf(ErrBadManifest, "provenance version %d, want 1 or 2", v)
	}
	c, s := int(b[2]), int(b[3])
	end := provenanceFixed + c + s
	if v == 1 && len(b) != end || v == 2 && len(b) <= end {
		return nil, errorf(ErrBadManifest, "provenance version %d is %d bytes, its string lengths say %d", v, len(b), end)
	}
	p := &Provenance{
		Compiler: string(b[provenanceFixed : provenanceFixed+c]),
		Source:   string(b[provenanceFixed+c : end]),
	}
	copy(p.CodeHash[:], b[4:])
	copy(p.SourceHash[:], b[4+HashSize:])
	if !printable(p.Compiler) || !printable(p.Source) {
		return nil, errorf(ErrBadManifest, "provenance compiler or source is not printable ASCII")
	}
	if v == 1 {
		return p, nil
	}
	rest := b[end:]
	n := int(rest[0])
	if n == 0 || n > MaxDataFiles {
		return nil, errorf(ErrBadManifest, "provenance version 2 lists %d data files, want 1..%d", n, MaxDataFiles)
	}
	rest = rest[1:]
	for i := range n {
		if len(rest) < 1 {
			return nil, errorf(ErrBadManifest, "provenance data file %d is truncated", i)
		}
		l := int(rest[0])
		if l == 0 || len(rest) < 1+l+HashSize {
			return nil, errorf(ErrBadManifest, "provenance data file %d: name length %d in %d remaining bytes", i, l, len(rest)-1)
		}
		d := DataFile{Name: string(rest[1 : 1+l])}
		if !printable(d.Name) {
			return nil, errorf(ErrBadManifest, "provenance data file %d name is not printable ASCII", i)
		}
		copy(d.Hash[:], rest[1+l:])
		p.Data = append(p.Data, d)
		rest = rest[1+l+HashSize:]
	}
	if len(rest) != 0 {
		return nil, errorf(ErrBadManifest, "provenance has %d trailing bytes after its %d data files", len(rest), n)
	}
	return p, nil
}

// checkCode verifies the code hash in constant time.
func (p *Provenance) checkCode(code []byte) error {
	sum := b3.Sum256(code)
	if subtle.ConstantTimeCompare(sum[:], p.CodeHash[:]) != 1 {
		return errorf(ErrBadManifest, "provenance code hash does not match the code section")
	}
	return nil
}
