package onnx

import (
	"errors"
	"fmt"
)

// ErrUnsupported is wrapped by every refusal of a well-formed model that
// uses something this package does not accept (an IR version or opset out
// of range, another operator domain, a data type other than FLOAT and
// INT64, external data, a subgraph, a size over the limits, ...).
var ErrUnsupported = errors.New("onnx: unsupported model")

// ErrMalformed is wrapped by every error about bytes that are not a
// well-formed protobuf encoding of an ONNX model (truncated, a bad varint,
// a field of the wrong wire type, ...).
var ErrMalformed = errors.New("onnx: malformed model")

// Limits on what Decode accepts, so that hostile input cannot exhaust
// memory.
const (
	// MaxFileSize is the largest model file accepted, in bytes.
	MaxFileSize = 256 << 20
	// MaxElements bounds the element count of any one tensor (the product
	// of its dims) and of all tensors and list attributes of a model
	// together: as many float32 values as MaxFileSize bytes can hold.
	MaxElements = 64 << 20
	// maxItems bounds the structural items of a model together: nodes,
	// attributes, value names, initializers, value infos, dimensions.
	maxItems = 1 << 20
)

func unsupported(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUnsupported, fmt.Sprintf(format, args...))
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}
