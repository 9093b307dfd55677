package onnx

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
)

// TensorProto field numbers, from onnx/onnx.proto.
const (
	tensorDims         = 1
	tensorDataType     = 2
	tensorSegment      = 3
	tensorFloatData    = 4
	tensorInt32Data    = 5
	tensorStringData   = 6
	tensorInt64Data    = 7
	tensorName         = 8
	tensorRawData      = 9
	tensorDoubleData   = 10
	tensorUint64Data   = 11
	tensorExternalData = 13
	tensorDataLocation = 14

	dataLocationDefault  = 0
	dataLocationExternal = 1
)

// typedFields names TensorProto's typed data fields, by field number.
var typedFields = [...]string{
	tensorFloatData:  "float_data",
	tensorInt32Data:  "int32_data",
	tensorStringData: "string_data",
	tensorInt64Data:  "int64_data",
	tensorDoubleData: "double_data",
	tensorUint64Data: "uint64_data",
}

// tensor decodes and validates a TensorProto. kind says what it is
// ("initializer", or a node's attribute) for errors.
//
// It reads b twice: first the metadata (name, type, dims, where the data
// is and how many elements it holds, without decoding them), which is
// checked before anything is allocated for the data; then the data.
func (d *decoder) tensor(b []byte, kind string) (*Tensor, error) {
	t := &Tensor{}
	var (
		dataType  int32
		raw       []byte
		hasRaw    bool
		counts    [len(typedFields)]int64 // element counts of the typed data fields
		present   [len(typedFields)]bool  // which typed data fields occur
		location  int32
		external  bool
		segmented bool
	)
	err := eachField(b, kind, func(f field) error {
		var err error
		var c int64
		switch f.num {
		case tensorDims:
			if c, err = f.countVarints("dims"); err != nil {
				return err
			}
			if err = d.item(c); err != nil {
				return err
			}
			t.Dims = f.appendVarints(t.Dims)
		case tensorDataType:
			dataType, err = f.int32v("data_type")
		case tensorSegment:
			segmented = true
		case tensorFloatData:
			c, err = f.countFixed("float_data", 4)
		case tensorInt32Data:
			c, err = f.countVarints("int32_data")
		case tensorInt64Data:
			c, err = f.countVarints("int64_data")
		case tensorUint64Data:
			c, err = f.countVarints("uint64_data")
		case tensorDoubleData:
			c, err = f.countFixed("double_data", 8)
		case tensorStringData:
			_, err = f.bytes("string_data")
			c = 1
		case tensorName:
			t.Name, err = f.str("name")
		case tensorRawData:
			raw, err = f.bytes("raw_data")
			hasRaw = true
		case tensorExternalData:
			external = true
		case tensorDataLocation:
			location, err = f.int32v("data_location")
		}
		if int(f.num) < len(typedFields) && typedFields[f.num] != "" && err == nil {
			counts[f.num] += c
			present[f.num] = true
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	t.Type = DataType(dataType)
	what := fmt.Sprintf("%s %q", kind, t.Name)

	if external || location == dataLocationExternal {
		return nil, unsupported("%s keeps its data in an external file (data_location EXTERNAL); only data embedded in the model is supported", what)
	}
	if location != dataLocationDefault {
		return nil, unsupported("%s has an unknown data_location %d", what, location)
	}
	if segmented {
		return nil, unsupported("%s is a segment of a larger tensor; segmented tensors are not supported", what)
	}
	var elemSize int
	var dataField int
	switch t.Type {
	case Float:
		elemSize, dataField = 4, tensorFloatData
	case Int64:
		elemSize, dataField = 8, tensorInt64Data
	default:
		return nil, unsupported("%s has data type %s; only FLOAT tensors (and INT64 ones for shapes and indices) are supported", what, t.Type)
	}

	// The product of the dims, bounded; the product of the non-zero ones
	// is bounded too, so that strides computed from the dims of an empty
	// tensor cannot overflow either.
	want, nonzero := int64(1), int64(1)
	for _, dim := range t.Dims {
		if dim < 0 {
			return nil, unsupported("%s has a negative dimension in dims %v", what, t.Dims)
		}
		if dim == 0 {
			want = 0
			continue
		}
		if nonzero > MaxElements/dim {
			return nil, unsupported("%s has dims %v, over the limit of %d Mi elements", what, t.Dims, MaxElements>>20)
		}
		nonzero *= dim
	}
	if want != 0 {
		want = nonzero
	}

	var typed []string
	for num, ok := range present {
		if !ok {
			continue
		}
		if num != dataField {
			return nil, unsupported("%s is of type %s but carries %s", what, t.Type, typedFields[num])
		}
		typed = append(typed, typedFields[num])
	}
	var got int64
	switch {
	case hasRaw && len(typed) > 0:
		return nil, unsupported("%s carries both raw_data and %s", what, strings.Join(typed, ", "))
	case hasRaw:
		if len(raw)%elemSize != 0 {
			return nil, unsupported("%s has %d bytes of raw_data, not a whole number of %d-byte %s elements", what, len(raw), elemSize, t.Type)
		}
		got = int64(len(raw) / elemSize)
	default:
		got = counts[dataField]
	}
	if got != want {
		return nil, unsupported("%s holds %d elements but its dims %v call for %d", what, got, t.Dims, want)
	}
	if err := d.elements(want, what); err != nil {
		return nil, err
	}

	// The data, now that its size is known to be sound.
	switch {
	case t.Type == Float && hasRaw:
		t.Floats = make([]float32, want)
		for i := range t.Floats {
			t.Floats[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
	case t.Type == Int64 && hasRaw:
		t.Int64s = make([]int64, want)
		for i := range t.Int64s {
			t.Int64s[i] = int64(binary.LittleEndian.Uint64(raw[8*i:]))
		}
	case t.Type == Float:
		t.Floats = make([]float32, 0, want)
		err = eachField(b, what, func(f field) error {
			if f.num == tensorFloatData {
				t.Floats = f.appendFloats(t.Floats)
			}
			return nil
		})
	default:
		t.Int64s = make([]int64, 0, want)
		err = eachField(b, what, func(f field) error {
			if f.num == tensorInt64Data {
				t.Int64s = f.appendVarints(t.Int64s)
			}
			return nil
		})
	}
	if err != nil {
		return nil, err
	}
	return t, nil
}
