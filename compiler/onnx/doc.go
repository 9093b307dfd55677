// Package onnx decodes ONNX model files (a serialized ModelProto) into plain
// Go values: the first stage of the compiler's ONNX front end. It only
// decodes and validates; lowering the decoded graph into the compiler's IR
// is another package's work.
//
// The protobuf wire format is read directly with
// google.golang.org/protobuf/encoding/protowire; no generated code is used.
// Only the parts of onnx.proto that a feed-forward inference graph needs are
// decoded (see Model, Graph, Node, Attr, Tensor, ValueInfo); every other
// field is skipped.
//
// What is accepted:
//
//   - IR version 7 to 10, importing the default operator set ("" or
//     "ai.onnx") at a version from 13 to 18. Imports of other domains are
//     tolerated as long as no node uses them.
//   - Nodes of the default domain only. Their op types are not checked here:
//     that is for the lowering to do.
//   - Attributes of type FLOAT, INT, STRING, TENSOR, FLOATS, INTS and STRINGS.
//     Graph-valued attributes (If, Loop, Scan bodies) are refused.
//   - Tensors (initializers and tensor attributes such as Constant's value)
//     of data type FLOAT or INT64 whose data is embedded in the file, as
//     little-endian raw_data or as float_data / int64_data, packed or not,
//     with exactly as many elements as their dims call for. External data,
//     segmented tensors and sparse initializers are refused.
//   - Graph inputs and outputs of element type FLOAT, with a shape whose
//     dimensions may be fixed or symbolic. Graph inputs that are also
//     initializers (older exporters list weights among the inputs) are
//     dropped from Graph.Inputs.
//
// Sizes are bounded so that hostile input cannot exhaust memory: a file of
// at most MaxFileSize bytes, at most MaxElements tensor elements in one
// tensor and in the whole model, and a bounded number of structural items
// (nodes, attributes, names, dimensions).
//
// Every refusal is an error naming the offending node (name and op type),
// tensor or field and saying why. Refusals of well-formed files wrap
// ErrUnsupported; bytes that are not a well-formed protobuf encoding of a
// model wrap ErrMalformed. Test with errors.Is.
package onnx
