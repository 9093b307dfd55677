package onnx

import (
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// field is one field of a protobuf message: its number, wire type and
// encoded value (without the tag).
type field struct {
	num protowire.Number
	typ protowire.Type
	val []byte
	in  string // the message it is in, for errors
}

// eachField calls fn on each field of msg in order. Fields fn does not know
// are simply not looked at: protowire.ConsumeFieldValue finds the extent of
// every field, known or not, so unknown fields (groups included) are
// skipped safely.
func eachField(msg []byte, in string, fn func(f field) error) error {
	for len(msg) > 0 {
		num, typ, n := protowire.ConsumeTag(msg)
		if n < 0 {
			return malformed("%s: bad field tag: %v", in, protowire.ParseError(n))
		}
		m := protowire.ConsumeFieldValue(num, typ, msg[n:])
		if m < 0 {
			return malformed("%s: field %d: %v", in, num, protowire.ParseError(m))
		}
		if err := fn(field{num: num, typ: typ, val: msg[n : n+m], in: in}); err != nil {
			return err
		}
		msg = msg[n+m:]
	}
	return nil
}

func (f field) wrongType(name string) error {
	return malformed("%s: field %s (%d) has wire type %d", f.in, name, f.num, f.typ)
}

// varint decodes a varint-typed scalar field.
func (f field) varint(name string) (uint64, error) {
	if f.typ != protowire.VarintType {
		return 0, f.wrongType(name)
	}
	v, _ := protowire.ConsumeVarint(f.val)
	return v, nil
}

// int64v decodes an int64 field.
func (f field) int64v(name string) (int64, error) {
	v, err := f.varint(name)
	return int64(v), err
}

// int32v decodes an int32 or enum field (encoded sign-extended to 64 bits).
func (f field) int32v(name string) (int32, error) {
	v, err := f.varint(name)
	return int32(v), err
}

// bytes decodes a length-delimited field (string, bytes or message). The
// result aliases the input.
func (f field) bytes(name string) ([]byte, error) {
	if f.typ != protowire.BytesType {
		return nil, f.wrongType(name)
	}
	v, _ := protowire.ConsumeBytes(f.val)
	return v, nil
}

// str decodes a string field into a fresh string.
func (f field) str(name string) (string, error) {
	b, err := f.bytes(name)
	return string(b), err
}

// float32v decodes a float field.
func (f field) float32v(name string) (float32, error) {
	if f.typ != protowire.Fixed32Type {
		return 0, f.wrongType(name)
	}
	v, _ := protowire.ConsumeFixed32(f.val)
	return math.Float32frombits(v), nil
}

// countVarints counts the elements of one occurrence of a repeated varint
// field, packed or not, checking the encoding.
func (f field) countVarints(name string) (int64, error) {
	switch f.typ {
	case protowire.VarintType:
		return 1, nil
	case protowire.BytesType:
		b, _ := protowire.ConsumeBytes(f.val)
		var n int64
		for len(b) > 0 {
			_, m := protowire.ConsumeVarint(b)
			if m < 0 {
				return 0, malformed("%s: packed field %s (%d): %v", f.in, name, f.num, protowire.ParseError(m))
			}
			b = b[m:]
			n++
		}
		return n, nil
	}
	return 0, f.wrongType(name)
}

// appendVarints appends the elements of one occurrence of a repeated
// varint field, packed or not; countVarints must have accepted it.
func (f field) appendVarints(dst []int64) []int64 {
	if f.typ == protowire.VarintType {
		v, _ := protowire.ConsumeVarint(f.val)
		return append(dst, int64(v))
	}
	b, _ := protowire.ConsumeBytes(f.val)
	for len(b) > 0 {
		v, m := protowire.ConsumeVarint(b)
		dst = append(dst, int64(v))
		b = b[m:]
	}
	return dst
}

// countFixed counts the elements of one occurrence of a repeated fixed32
// (size 4) or fixed64 (size 8) field, packed or not.
func (f field) countFixed(name string, size int) (int64, error) {
	want := protowire.Fixed32Type
	if size == 8 {
		want = protowire.Fixed64Type
	}
	switch f.typ {
	case want:
		return 1, nil
	case protowire.BytesType:
		b, _ := protowire.ConsumeBytes(f.val)
		if len(b)%size != 0 {
			return 0, malformed("%s: packed field %s (%d) is %d bytes, not a multiple of %d", f.in, name, f.num, len(b), size)
		}
		return int64(len(b) / size), nil
	}
	return 0, f.wrongType(name)
}

// appendFloats appends the elements of one occurrence of a repeated float
// field, packed or not; countFixed(_, 4) must have accepted it.
func (f field) appendFloats(dst []float32) []float32 {
	if f.typ == protowire.Fixed32Type {
		v, _ := protowire.ConsumeFixed32(f.val)
		return append(dst, math.Float32frombits(v))
	}
	b, _ := protowire.ConsumeBytes(f.val)
	for len(b) >= 4 {
		v, m := protowire.ConsumeFixed32(b)
		dst = append(dst, math.Float32frombits(v))
		b = b[m:]
	}
	return dst
}

// msgBuf accumulates the occurrences of a non-repeated message field:
// protobuf merges them, which is the same as decoding their concatenation.
type msgBuf struct {
	b     []byte
	set   bool
	owned bool
}

func (m *msgBuf) add(v []byte) {
	switch {
	case !m.set:
		m.b, m.set = v, true
	case !m.owned:
		m.b = append(append(make([]byte, 0, 2*(len(m.b)+len(v))), m.b...), v...)
		m.owned = true
	default:
		m.b = append(m.b, v...)
	}
}
