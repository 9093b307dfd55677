package npy

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"strings"
)

// Encode writes one little-endian float32 array in C order as a .npy file
// (format version 1.0, the header padded so the data starts at a multiple
// of 64 bytes, as NumPy writes it).
func Encode(shape []int, data []float32) []byte {
	header := fmt.Sprintf("{'descr': '<f4', 'fortran_order': False, 'shape': %s, }", shapeString(shape))
	// magic (6) + version (2) + length (2) + header + padding + "\n"
	pad := (64 - (len(Magic)+4+len(header)+1)%64) % 64
	header += strings.Repeat(" ", pad) + "\n"
	b := []byte(Magic + "\x01\x00")
	b = binary.LittleEndian.AppendUint16(b, uint16(len(header)))
	b = append(b, header...)
	for _, f := range data {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(f))
	}
	return b
}

// Member is one array of an archive EncodeArchive writes.
type Member struct {
	Key   string
	Shape []int
	Data  []float32
}

// EncodeArchive writes arrays as an .npz archive (stored members named
// KEY.npy, in the order given).
func EncodeArchive(members []Member) ([]byte, error) {
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for _, m := range members {
		w, err := z.CreateHeader(&zip.FileHeader{Name: m.Key + ".npy", Method: zip.Store})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(Encode(m.Shape, m.Data)); err != nil {
			return nil, err
		}
	}
	if err := z.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
