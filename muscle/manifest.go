package muscle

import (
	"encoding/binary"
	"fmt"
)

// The manifest section (FORMAT.md, "Manifest").
const (
	ManifestVersion = 1
	// ManifestSize is the manifest's fixed length.
	ManifestSize = 24 + 4*shapeSize
	// MaxRank is the largest tensor rank.
	MaxRank = 4

	shapeSize = 4 + 4*MaxRank
)

// Shape is a tensor shape of fp32 elements, outermost dimension first. A
// rank-0 shape (nil) is a scalar; a zero dimension makes the tensor empty.
type Shape []uint32

// Elements is the number of elements, or -1 if the count exceeds what a
// blob could hold.
func (s Shape) Elements() int64 {
	n := int64(1)
	for _, d := range s {
		n *= int64(d)
		if n > MaxBlob {
			return -1
		}
	}
	return n
}

// Bytes is the buffer size the shape needs (-1 if too large).
func (s Shape) Bytes() int64 {
	n := s.Elements()
	if n < 0 {
		return -1
	}
	return n * ElementSize
}

// String formats the shape as "[4 1]" ("[]" for a scalar).
func (s Shape) String() string { return fmt.Sprint([]uint32(s)) }

// Manifest describes a muscle's code and buffers. It is encrypted; the
// referee checks it against the header, the code and the state.
type Manifest struct {
	ABI uint16
	// Entry offsets into the code section; TrainEntry is NoEntry when the
	// muscle cannot train.
	ForwardEntry, TrainEntry uint32
	// Sizes in bytes of the code and state sections and of the scratch
	// buffer the caller provides.
	CodeSize, StateSize, ScratchSize uint32
	// Tensor shapes (fp32): x0 input, x1 output, x2 state, x4 target.
	Input, Output, State, Target Shape
}

// AppendBinary appends the encoded manifest.
func (m *Manifest) AppendBinary(b []byte) ([]byte, error) {
	var f [ManifestSize]byte
	binary.LittleEndian.PutUint16(f[0:], ManifestVersion)
	binary.LittleEndian.PutUint16(f[2:], m.ABI)
	binary.LittleEndian.PutUint32(f[4:], m.ForwardEntry)
	binary.LittleEndian.PutUint32(f[8:], m.TrainEntry)
	binary.LittleEndian.PutUint32(f[12:], m.CodeSize)
	binary.LittleEndian.PutUint32(f[16:], m.StateSize)
	binary.LittleEndian.PutUint32(f[20:], m.ScratchSize)
	for i, s := range []Shape{m.Input, m.Output, m.State, m.Target} {
		if len(s) > MaxRank {
			return nil, errorf(ErrInvalidInput, "%s shape has rank %d, at most %d", shapeNames[i], len(s), MaxRank)
		}
		o := 24 + i*shapeSize
		f[o] = byte(len(s))
		for j, d := range s {
			binary.LittleEndian.PutUint32(f[o+4+4*j:], d)
		}
	}
	return append(b, f[:]...), nil
}

var shapeNames = [4]string{"input", "output", "state", "target"}

// ParseManifest decodes a manifest section. It checks the encoding only;
// Open checks it against the header, code and state as well (Check).
func ParseManifest(b []byte) (*Manifest, error) {
	if len(b) != ManifestSize {
		return nil, errorf(ErrBadManifest, "manifest is %d bytes, want %d", len(b), ManifestSize)
	}
	if v := binary.LittleEndian.Uint16(b); v != ManifestVersion {
		return nil, fmt.Errorf("%w: %w: manifest version %d at manifest offset 0, want %d", ErrBadManifest, ErrUnsupportedVersion, v, ManifestVersion)
	}
	m := &Manifest{
		ABI:          binary.LittleEndian.Uint16(b[2:]),
		ForwardEntry: binary.LittleEndian.Uint32(b[4:]),
		TrainEntry:   binary.LittleEndian.Uint32(b[8:]),
		CodeSize:     binary.LittleEndian.Uint32(b[12:]),
		StateSize:    binary.LittleEndian.Uint32(b[16:]),
		ScratchSize:  binary.LittleEndian.Uint32(b[20:]),
	}
	shapes := []*Shape{&m.Input, &m.Output, &m.State, &m.Target}
	for i, s := range shapes {
		o := 24 + i*shapeSize
		rank := int(b[o])
		if rank > MaxRank || b[o+1] != 0 || b[o+2] != 0 || b[o+3] != 0 {
			return nil, errorf(ErrBadManifest, "%s shape at manifest offset %d: rank %d or reserved bytes invalid", shapeNames[i], o, rank)
		}
		for j := rank; j < MaxRank; j++ {
			if binary.LittleEndian.Uint32(b[o+4+4*j:]) != 0 {
				return nil, errorf(ErrBadManifest, "%s shape at manifest offset %d: unused dimension %d is not zero", shapeNames[i], o, j)
			}
		}
		if rank > 0 {
			*s = make(Shape, rank)
			for j := range rank {
				(*s)[j] = binary.LittleEndian.Uint32(b[o+4+4*j:])
			}
		}
	}
	return m, nil
}

// Check validates the manifest against a header: ABI, section sizes,
// entries, shapes and capabilities.
func (m *Manifest) Check(h *Header) error {
	switch {
	case m.ABI != uint16(h.ABI):
		return errorf(ErrBadManifest, "manifest ABI %d, header ABI %d", m.ABI, h.ABI)
	case m.CodeSize != h.CodeLen:
		return errorf(ErrBadManifest, "manifest code size %d, code section %d bytes", m.CodeSize, h.CodeLen)
	case m.StateSize != h.StateLen:
		return errorf(ErrBadManifest, "manifest state size %d, state section %d bytes", m.StateSize, h.StateLen)
	case m.State.Bytes() != int64(m.StateSize):
		return errorf(ErrBadManifest, "state shape %v needs %d bytes, state size is %d", m.State, m.State.Bytes(), m.StateSize)
	case !entryOK(m.ForwardEntry, m.CodeSize):
		return errorf(ErrBadManifest, "forward entry %#x is outside the %d-byte code or not %d-aligned", m.ForwardEntry, m.CodeSize, EntryAlign)
	case m.TrainEntry != NoEntry && !entryOK(m.TrainEntry, m.CodeSize):
		return errorf(ErrBadManifest, "train entry %#x is outside the %d-byte code or not %d-aligned", m.TrainEntry, m.CodeSize, EntryAlign)
	case h.Capabilities&CapTrain != 0 && m.TrainEntry == NoEntry:
		return errorf(ErrBadManifest, "capability train without a train entry")
	case h.Capabilities&CapPersist != 0 && h.Capabilities&CapTrain == 0:
		return errorf(ErrBadManifest, "capability persist without train")
	case m.ScratchSize > MaxBlob:
		return errorf(ErrBadManifest, "scratch size %d exceeds %d", m.ScratchSize, MaxBlob)
	}
	for i, s := range []Shape{m.Input, m.Output, m.State, m.Target} {
		if s.Bytes() < 0 {
			return errorf(ErrBadManifest, "%s shape %v is too large", shapeNames[i], s)
		}
	}
	return nil
}

func entryOK(e, codeSize uint32) bool { return e < codeSize && e%EntryAlign == 0 }
