package onnx

import (
	"fmt"
	"strconv"
)

// Model is a decoded ModelProto.
type Model struct {
	// IRVersion is the ONNX IR version the file declares (7 to 10).
	IRVersion int64
	// Opset is the version of the default operator set ("" or "ai.onnx")
	// the model imports (13 to 18).
	Opset int64
	// Producer is the producer_name, e.g. "pytorch"; it may be empty.
	Producer string
	// Graph is the model's main graph; never nil in a decoded model.
	Graph *Graph
}

// Graph is a decoded GraphProto.
type Graph struct {
	// Name is the graph's name; it may be empty.
	Name string
	// Nodes are the graph's nodes in file order (ONNX requires that order
	// to be topological).
	Nodes []*Node
	// Initializers are the graph's constant tensors (weights), in file
	// order. Each has a non-empty name, distinct from the others.
	Initializers []*Tensor
	// Inputs are the graph's real inputs: the declared inputs less those
	// that are also initializers. Each has ElemType Float.
	Inputs []ValueInfo
	// Outputs are the graph's outputs. Each has ElemType Float.
	Outputs []ValueInfo
	// ValueInfo holds the shape and type annotations the file gives for
	// intermediate values (value_info); they are informative only and may
	// be of any element type. A non-tensor value has ElemType Undefined.
	ValueInfo []ValueInfo
}

// Node is a decoded NodeProto: one operator application.
type Node struct {
	// Name is the node's name; it may be empty.
	Name string
	// OpType is the operator, e.g. "Gemm"; never empty.
	OpType string
	// Domain is the operator's domain as written in the file: "" or
	// "ai.onnx", which both mean the default ONNX domain.
	Domain string
	// Inputs and Outputs name the node's values. An empty name stands for
	// an optional input or output that is left out.
	Inputs, Outputs []string
	// Attrs maps each attribute's name to it; never nil.
	Attrs map[string]*Attr
}

// Attr is a decoded AttributeProto. Type says which of the value fields
// holds the attribute's value.
type Attr struct {
	Name string
	Type AttrType
	// F is the value of a FLOAT attribute.
	F float32
	// I is the value of an INT attribute.
	I int64
	// S is the value of a STRING attribute (bytes, UTF-8 by convention).
	S []byte
	// T is the value of a TENSOR attribute, e.g. Constant's value.
	T *Tensor
	// Floats is the value of a FLOATS attribute.
	Floats []float32
	// Ints is the value of an INTS attribute.
	Ints []int64
	// Strings is the value of a STRINGS attribute.
	Strings [][]byte
}

// Tensor is a decoded TensorProto with its data embedded.
type Tensor struct {
	// Name is the tensor's name; it may be empty for a tensor attribute.
	Name string
	// Dims is the shape, outermost first; empty for a scalar. Every entry
	// is >= 0 and their product is the element count.
	Dims []int64
	// Type is Float or Int64.
	Type DataType
	// Floats holds the data of a Float tensor, row-major, with exactly
	// NumElements entries; nil for an Int64 tensor.
	Floats []float32
	// Int64s holds the data of an Int64 tensor, row-major, with exactly
	// NumElements entries; nil for a Float tensor.
	Int64s []int64
}

// NumElements is the product of t's dims (1 for a scalar).
func (t *Tensor) NumElements() int64 {
	n := int64(1)
	for _, d := range t.Dims {
		n *= d
	}
	return n
}

// ValueInfo is a decoded ValueInfoProto: a value's name, element type and
// shape.
type ValueInfo struct {
	Name string
	// ElemType is the tensor's element type; Undefined when the file gives
	// none or the value is not a tensor (only possible in Graph.ValueInfo).
	ElemType DataType
	// Ranked is true when the file gives a shape. Dims is then the shape
	// (empty for a scalar); otherwise the rank is unknown and Dims is nil.
	Ranked bool
	Dims   []Dim
}

// Dim is one dimension of a ValueInfo's shape.
type Dim struct {
	// Value is the dimension's size when it is fixed. It is -1 when the
	// dimension is symbolic or unknown.
	Value int64
	// Param is the name of a symbolic dimension, e.g. "batch"; empty for a
	// fixed or unknown dimension.
	Param string
}

// Symbolic reports whether d is a named symbolic dimension.
func (d Dim) Symbolic() bool { return d.Param != "" }

// String formats d as its size, its name, or "?" when unknown.
func (d Dim) String() string {
	switch {
	case d.Param != "":
		return d.Param
	case d.Value < 0:
		return "?"
	}
	return strconv.FormatInt(d.Value, 10)
}

// DataType is an ONNX tensor element type (TensorProto.DataType).
type DataType int32

// The ONNX data types. Only Float and Int64 tensors are accepted by Decode;
// the others exist to name what is refused.
const (
	Undefined      DataType = 0
	Float          DataType = 1
	Uint8          DataType = 2
	Int8           DataType = 3
	Uint16         DataType = 4
	Int16          DataType = 5
	Int32          DataType = 6
	Int64          DataType = 7
	String         DataType = 8
	Bool           DataType = 9
	Float16        DataType = 10
	Double         DataType = 11
	Uint32         DataType = 12
	Uint64         DataType = 13
	Complex64      DataType = 14
	Complex128     DataType = 15
	BFloat16       DataType = 16
	Float8E4M3FN   DataType = 17
	Float8E4M3FNUZ DataType = 18
	Float8E5M2     DataType = 19
	Float8E5M2FNUZ DataType = 20
	Uint4          DataType = 21
	Int4           DataType = 22
	Float4E2M1     DataType = 23
	Float8E8M0     DataType = 24
	Uint2          DataType = 25
	Int2           DataType = 26
)

var dataTypeNames = [...]string{
	"UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32",
	"INT64", "STRING", "BOOL", "FLOAT16", "DOUBLE", "UINT32", "UINT64",
	"COMPLEX64", "COMPLEX128", "BFLOAT16", "FLOAT8E4M3FN", "FLOAT8E4M3FNUZ",
	"FLOAT8E5M2", "FLOAT8E5M2FNUZ", "UINT4", "INT4", "FLOAT4E2M1",
	"FLOAT8E8M0", "UINT2", "INT2",
}

// String is the type's name as onnx.proto spells it, e.g. "DOUBLE".
func (t DataType) String() string {
	if t >= 0 && int(t) < len(dataTypeNames) {
		return dataTypeNames[t]
	}
	return fmt.Sprintf("DataType(%d)", int32(t))
}

// AttrType is an attribute's type (AttributeProto.AttributeType).
type AttrType int32

// The attribute types. Decode accepts only FLOAT, INT, STRING, TENSOR,
// FLOATS, INTS and STRINGS.
const (
	AttrTypeUndefined     AttrType = 0
	AttrTypeFloat         AttrType = 1
	AttrTypeInt           AttrType = 2
	AttrTypeString        AttrType = 3
	AttrTypeTensor        AttrType = 4
	AttrTypeGraph         AttrType = 5
	AttrTypeFloats        AttrType = 6
	AttrTypeInts          AttrType = 7
	AttrTypeStrings       AttrType = 8
	AttrTypeTensors       AttrType = 9
	AttrTypeGraphs        AttrType = 10
	AttrTypeSparseTensor  AttrType = 11
	AttrTypeSparseTensors AttrType = 12
	AttrTypeTypeProto     AttrType = 13
	AttrTypeTypeProtos    AttrType = 14
)

var attrTypeNames = [...]string{
	"UNDEFINED", "FLOAT", "INT", "STRING", "TENSOR", "GRAPH", "FLOATS",
	"INTS", "STRINGS", "TENSORS", "GRAPHS", "SPARSE_TENSOR",
	"SPARSE_TENSORS", "TYPE_PROTO", "TYPE_PROTOS",
}

// String is the type's name as onnx.proto spells it, e.g. "INTS".
func (t AttrType) String() string {
	if t >= 0 && int(t) < len(attrTypeNames) {
		return attrTypeNames[t]
	}
	return fmt.Sprintf("AttrType(%d)", int32(t))
}

// Desc describes n for messages: its name (or "(unnamed)") and op type.
func (n *Node) Desc() string {
	name := n.Name
	if name == "" {
		name = "(unnamed)"
	}
	return fmt.Sprintf("node %q (%s)", name, n.OpType)
}

// attr returns the attribute called name if n has it, checking its type.
func (n *Node) attr(name string, want AttrType) (*Attr, error) {
	a := n.Attrs[name]
	if a == nil {
		return nil, nil
	}
	if a.Type != want {
		return nil, unsupported("%s: attribute %q is %s, want %s", n.Desc(), name, a.Type, want)
	}
	return a, nil
}

// AttrInt returns the INT attribute called name, or def when n has no such
// attribute. An attribute of another type is an error wrapping
// ErrUnsupported.
func (n *Node) AttrInt(name string, def int64) (int64, error) {
	a, err := n.attr(name, AttrTypeInt)
	if a == nil {
		return def, err
	}
	return a.I, nil
}

// AttrFloat returns the FLOAT attribute called name, or def when n has no
// such attribute. An attribute of another type is an error wrapping
// ErrUnsupported.
func (n *Node) AttrFloat(name string, def float32) (float32, error) {
	a, err := n.attr(name, AttrTypeFloat)
	if a == nil {
		return def, err
	}
	return a.F, nil
}

// AttrInts returns the INTS attribute called name, or def when n has no
// such attribute. An attribute of another type is an error wrapping
// ErrUnsupported.
func (n *Node) AttrInts(name string, def []int64) ([]int64, error) {
	a, err := n.attr(name, AttrTypeInts)
	if a == nil {
		return def, err
	}
	return a.Ints, nil
}

// AttrString returns the STRING attribute called name as a string, or def
// when n has no such attribute. An attribute of another type is an error
// wrapping ErrUnsupported.
func (n *Node) AttrString(name string, def string) (string, error) {
	a, err := n.attr(name, AttrTypeString)
	if a == nil {
		return def, err
	}
	return string(a.S), nil
}

// AttrTensor returns the TENSOR attribute called name, or nil when n has no
// such attribute. An attribute of another type is an error wrapping
// ErrUnsupported.
func (n *Node) AttrTensor(name string) (*Tensor, error) {
	a, err := n.attr(name, AttrTypeTensor)
	if a == nil {
		return nil, err
	}
	return a.T, nil
}
