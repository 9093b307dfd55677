package onnx

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"google.golang.org/protobuf/encoding/protowire"
)

// Field numbers, from onnx/onnx.proto.
const (
	// ModelProto
	modelIRVersion   = 1
	modelProducer    = 2
	modelGraph       = 7
	modelOpsetImport = 8

	// OperatorSetIdProto
	opsetDomain  = 1
	opsetVersion = 2

	// GraphProto
	graphNode              = 1
	graphName              = 2
	graphInitializer       = 5
	graphInput             = 11
	graphOutput            = 12
	graphValueInfo         = 13
	graphSparseInitializer = 15

	// NodeProto
	nodeInput     = 1
	nodeOutput    = 2
	nodeName      = 3
	nodeOpType    = 4
	nodeAttribute = 5
	nodeDomain    = 7

	// AttributeProto
	attrName          = 1
	attrF             = 2
	attrI             = 3
	attrS             = 4
	attrT             = 5
	attrG             = 6
	attrFloats        = 7
	attrInts          = 8
	attrStrings       = 9
	attrTensors       = 10
	attrGraphs        = 11
	attrTP            = 14
	attrTypeProtos    = 15
	attrType          = 20
	attrRefAttrName   = 21
	attrSparseTensor  = 22
	attrSparseTensors = 23

	// ValueInfoProto
	valueInfoName = 1
	valueInfoType = 2

	// TypeProto
	typeTensor       = 1
	typeSequence     = 4
	typeMap          = 5
	typeOpaque       = 7
	typeSparseTensor = 8
	typeOptional     = 9

	// TypeProto.Tensor
	tensorTypeElemType = 1
	tensorTypeShape    = 2

	// TensorShapeProto and its Dimension
	shapeDim      = 1
	dimValueField = 1
	dimParamField = 2
)

// The accepted version ranges.
const (
	minIRVersion = 7
	maxIRVersion = 10
	minOpset     = 13
	maxOpset     = 18
)

// ReadFile reads and decodes the ONNX model file at path. Errors other than
// the file's own are those of Decode, prefixed with the path.
func ReadFile(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	tooBig := unsupported("the file is over the %d MiB limit", MaxFileSize>>20)
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > MaxFileSize {
		return nil, fmt.Errorf("%s: %w", path, tooBig)
	}
	// Read at most one byte past the limit, so that a huge file that is not
	// a regular one is refused without being read whole.
	b, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(b) > MaxFileSize {
		return nil, fmt.Errorf("%s: %w", path, tooBig)
	}
	m, err := Decode(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// Decode decodes and validates a serialized ONNX ModelProto. The result
// shares no memory with b. See the package comment for what is accepted.
func Decode(b []byte) (*Model, error) {
	if len(b) > MaxFileSize {
		return nil, unsupported("the model is %d bytes, over the %d MiB limit", len(b), MaxFileSize>>20)
	}
	d := &decoder{}
	return d.model(b)
}

// decoder holds the budgets shared by one model's decoding.
type decoder struct {
	items int64 // structural items decoded so far
	elems int64 // tensor and list-attribute elements decoded so far
}

// item charges n structural items to the budget.
func (d *decoder) item(n int64) error {
	d.items += n
	if d.items > maxItems {
		return unsupported("the model has more than %d nodes, attributes, names and dimensions together", maxItems)
	}
	return nil
}

// elements charges n elements to the budget; what names them for errors.
func (d *decoder) elements(n int64, what string) error {
	if n > MaxElements-d.elems {
		return unsupported("%s: the model's tensors and list attributes hold more than %d Mi elements together", what, MaxElements>>20)
	}
	d.elems += n
	return nil
}

type opsetImport struct {
	domain  string
	version int64
}

func (d *decoder) model(b []byte) (*Model, error) {
	m := &Model{}
	var graph msgBuf
	var imports []opsetImport
	err := eachField(b, "model", func(f field) error {
		var err error
		switch f.num {
		case modelIRVersion:
			m.IRVersion, err = f.int64v("ir_version")
		case modelProducer:
			m.Producer, err = f.str("producer_name")
		case modelGraph:
			var v []byte
			v, err = f.bytes("graph")
			graph.add(v)
		case modelOpsetImport:
			var v []byte
			if v, err = f.bytes("opset_import"); err != nil {
				return err
			}
			if err = d.item(1); err != nil {
				return err
			}
			var imp opsetImport
			imp, err = opset(v)
			imports = append(imports, imp)
		}
		return err
	})
	if err != nil {
		return nil, err
	}

	if m.IRVersion < minIRVersion || m.IRVersion > maxIRVersion {
		return nil, unsupported("model ir_version is %d; only IR versions %d to %d are supported", m.IRVersion, minIRVersion, maxIRVersion)
	}
	others := map[string]int64{}
	found := false
	for _, imp := range imports {
		dom := imp.domain
		if dom == "ai.onnx" {
			dom = ""
		}
		if _, dup := others[dom]; dup || (dom == "" && found) {
			return nil, unsupported("opset_import lists domain %q more than once", imp.domain)
		}
		if dom != "" {
			others[dom] = imp.version
			continue
		}
		found = true
		m.Opset = imp.version
	}
	if !found {
		return nil, unsupported("opset_import has no entry for the default domain (\"\" or \"ai.onnx\")")
	}
	if m.Opset < minOpset || m.Opset > maxOpset {
		return nil, unsupported("the model imports opset %d of the default domain; only opsets %d to %d are supported", m.Opset, minOpset, maxOpset)
	}
	if !graph.set {
		return nil, unsupported("the model has no graph")
	}
	m.Graph, err = d.graph(graph.b, others)
	if err != nil {
		return nil, err
	}
	return m, nil
}

func opset(b []byte) (opsetImport, error) {
	var imp opsetImport
	err := eachField(b, "opset_import", func(f field) error {
		var err error
		switch f.num {
		case opsetDomain:
			imp.domain, err = f.str("domain")
		case opsetVersion:
			imp.version, err = f.int64v("version")
		}
		return err
	})
	return imp, err
}

// graph decodes the main graph; others maps the non-default domains the
// model imports to their versions, for messages.
func (d *decoder) graph(b []byte, others map[string]int64) (*Graph, error) {
	g := &Graph{}
	var inputs []ValueInfo
	nodeIndex := 0
	err := eachField(b, "graph", func(f field) error {
		var err error
		var v []byte
		if name, ok := graphLists[f.num]; ok {
			if v, err = f.bytes(name); err != nil {
				return err
			}
			if err = d.item(1); err != nil {
				return err
			}
		}
		switch f.num {
		case graphName:
			g.Name, err = f.str("name")
		case graphNode:
			var n *Node
			n, err = d.node(v, nodeIndex, others)
			nodeIndex++
			g.Nodes = append(g.Nodes, n)
		case graphInitializer:
			var t *Tensor
			t, err = d.tensor(v, "initializer")
			g.Initializers = append(g.Initializers, t)
		case graphSparseInitializer:
			err = unsupported("sparse initializer %q: sparse tensors are not supported", sparseName(f))
		case graphInput:
			var vi ValueInfo
			vi, err = d.valueInfo(v, "graph input")
			inputs = append(inputs, vi)
		case graphOutput:
			var vi ValueInfo
			vi, err = d.valueInfo(v, "graph output")
			g.Outputs = append(g.Outputs, vi)
		case graphValueInfo:
			var vi ValueInfo
			vi, err = d.valueInfo(v, "value_info")
			g.ValueInfo = append(g.ValueInfo, vi)
		}
		return err
	})
	if err != nil {
		return nil, err
	}

	inits := make(map[string]bool, len(g.Initializers))
	for i, t := range g.Initializers {
		if t.Name == "" {
			return nil, unsupported("initializer #%d has no name", i)
		}
		if inits[t.Name] {
			return nil, unsupported("initializer %q appears more than once", t.Name)
		}
		inits[t.Name] = true
	}
	for _, vi := range inputs {
		if inits[vi.Name] {
			continue // a weight listed among the inputs by an older exporter
		}
		if err := checkIO(vi, "graph input"); err != nil {
			return nil, err
		}
		g.Inputs = append(g.Inputs, vi)
	}
	for _, vi := range g.Outputs {
		if err := checkIO(vi, "graph output"); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// graphLists names GraphProto's repeated message fields that are decoded.
var graphLists = map[protowire.Number]string{
	graphNode:        "node",
	graphInitializer: "initializer",
	graphInput:       "input",
	graphOutput:      "output",
	graphValueInfo:   "value_info",
}

// sparseName is the name of a sparse initializer (that of its values
// tensor), for messages; "" if it cannot be found.
func sparseName(f field) string {
	b, err := f.bytes("sparse_initializer")
	if err != nil {
		return ""
	}
	var name string
	eachField(b, "sparse_initializer", func(f field) error {
		if f.num == 1 { // SparseTensorProto.values
			v, err := f.bytes("values")
			if err != nil {
				return err
			}
			return eachField(v, "values", func(f field) error {
				if f.num == tensorName && f.typ == protowire.BytesType {
					name, _ = f.str("name")
				}
				return nil
			})
		}
		return nil
	})
	return name
}

// checkIO checks a graph input or output: a named FLOAT tensor.
func checkIO(vi ValueInfo, what string) error {
	if vi.Name == "" {
		return unsupported("a %s has no name", what)
	}
	if vi.ElemType != Float {
		return unsupported("%s %q has element type %s; only FLOAT graph inputs and outputs are supported", what, vi.Name, vi.ElemType)
	}
	return nil
}

func (d *decoder) node(b []byte, index int, others map[string]int64) (*Node, error) {
	n := &Node{}
	var attrs [][]byte
	in := fmt.Sprintf("node #%d", index)
	err := eachField(b, in, func(f field) error {
		var err error
		var s string
		switch f.num {
		case nodeInput, nodeOutput:
			if s, err = f.str("input/output"); err != nil {
				return err
			}
			if err = d.item(1); err != nil {
				return err
			}
			if f.num == nodeInput {
				n.Inputs = append(n.Inputs, s)
			} else {
				n.Outputs = append(n.Outputs, s)
			}
		case nodeName:
			n.Name, err = f.str("name")
		case nodeOpType:
			n.OpType, err = f.str("op_type")
		case nodeDomain:
			n.Domain, err = f.str("domain")
		case nodeAttribute:
			var v []byte
			if v, err = f.bytes("attribute"); err != nil {
				return err
			}
			if err = d.item(1); err != nil {
				return err
			}
			attrs = append(attrs, v)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if n.OpType == "" {
		return nil, unsupported("%s (name %q) has no op_type", in, n.Name)
	}
	if n.Domain != "" && n.Domain != "ai.onnx" {
		if v, ok := others[n.Domain]; ok {
			return nil, unsupported("%s is in domain %q (imported at version %d); only the default ONNX domain is supported", n.Desc(), n.Domain, v)
		}
		return nil, unsupported("%s is in domain %q, which the model does not import; only the default ONNX domain is supported", n.Desc(), n.Domain)
	}
	n.Attrs = make(map[string]*Attr, len(attrs))
	for i, ab := range attrs {
		a, err := d.attr(ab, n, i)
		if err != nil {
			return nil, err
		}
		if n.Attrs[a.Name] != nil {
			return nil, unsupported("%s has attribute %q more than once", n.Desc(), a.Name)
		}
		n.Attrs[a.Name] = a
	}
	return n, nil
}

func (d *decoder) attr(b []byte, n *Node, index int) (*Attr, error) {
	a := &Attr{}
	var t msgBuf
	var refusal string // a field this package refuses, by name
	in := fmt.Sprintf("%s attribute #%d", n.Desc(), index)
	err := eachField(b, in, func(f field) error {
		var err error
		switch f.num {
		case attrName:
			a.Name, err = f.str("name")
		case attrType:
			var v int32
			v, err = f.int32v("type")
			a.Type = AttrType(v)
		case attrF:
			a.F, err = f.float32v("f")
		case attrI:
			a.I, err = f.int64v("i")
		case attrS:
			var v []byte
			v, err = f.bytes("s")
			a.S = bytes.Clone(v)
		case attrT:
			var v []byte
			v, err = f.bytes("t")
			t.add(v)
		case attrFloats:
			var c int64
			if c, err = f.countFixed("floats", 4); err != nil {
				return err
			}
			if err = d.elements(c, in); err != nil {
				return err
			}
			a.Floats = f.appendFloats(a.Floats)
		case attrInts:
			var c int64
			if c, err = f.countVarints("ints"); err != nil {
				return err
			}
			if err = d.elements(c, in); err != nil {
				return err
			}
			a.Ints = f.appendVarints(a.Ints)
		case attrStrings:
			var v []byte
			if v, err = f.bytes("strings"); err != nil {
				return err
			}
			if err = d.item(1); err != nil {
				return err
			}
			a.Strings = append(a.Strings, bytes.Clone(v))
		case attrG, attrGraphs:
			refusal = "graph-valued (a subgraph)"
		case attrTensors:
			refusal = "a list of tensors (TENSORS)"
		case attrSparseTensor, attrSparseTensors:
			refusal = "sparse-tensor-valued"
		case attrTP, attrTypeProtos:
			refusal = "type-valued"
		case attrRefAttrName:
			refusal = "a reference to a function attribute (ref_attr_name)"
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if a.Name == "" {
		return nil, unsupported("%s has no name", in)
	}
	in = fmt.Sprintf("%s attribute %q", n.Desc(), a.Name)
	if a.Type == AttrTypeGraph || a.Type == AttrTypeGraphs {
		refusal = "graph-valued (a subgraph)"
	}
	if refusal != "" {
		return nil, unsupported("%s is %s, which is not supported", in, refusal)
	}
	switch a.Type {
	case AttrTypeFloat, AttrTypeInt, AttrTypeString, AttrTypeFloats, AttrTypeInts, AttrTypeStrings:
	case AttrTypeTensor:
		if !t.set {
			return nil, unsupported("%s is of type TENSOR but holds no tensor", in)
		}
	case AttrTypeUndefined:
		return nil, unsupported("%s has no type", in)
	default:
		return nil, unsupported("%s is of type %s, which is not supported", in, a.Type)
	}
	if t.set {
		a.T, err = d.tensor(t.b, in+" tensor")
		if err != nil {
			return nil, err
		}
	}
	return a, nil
}

// valueInfo decodes a ValueInfoProto; what says which list it is in.
func (d *decoder) valueInfo(b []byte, what string) (ValueInfo, error) {
	var vi ValueInfo
	var typ msgBuf
	err := eachField(b, what, func(f field) error {
		var err error
		switch f.num {
		case valueInfoName:
			vi.Name, err = f.str("name")
		case valueInfoType:
			var v []byte
			v, err = f.bytes("type")
			typ.add(v)
		}
		return err
	})
	if err != nil {
		return vi, err
	}
	in := fmt.Sprintf("%s %q", what, vi.Name)
	var tensor msgBuf
	other := "" // the kind of a non-tensor type
	err = eachField(typ.b, in+" type", func(f field) error {
		var err error
		var v []byte
		switch f.num {
		case typeTensor:
			v, err = f.bytes("tensor_type")
			tensor.add(v)
			other = ""
		case typeSequence:
			other = "a sequence"
		case typeMap:
			other = "a map"
		case typeOpaque:
			other = "an opaque value"
		case typeSparseTensor:
			other = "a sparse tensor"
		case typeOptional:
			other = "an optional value"
		}
		return err
	})
	if err != nil {
		return vi, err
	}
	if other != "" {
		if what != "value_info" {
			return vi, unsupported("%s is %s, not a tensor", in, other)
		}
		return vi, nil
	}
	var shape msgBuf
	err = eachField(tensor.b, in+" tensor_type", func(f field) error {
		var err error
		switch f.num {
		case tensorTypeElemType:
			var v int32
			v, err = f.int32v("elem_type")
			vi.ElemType = DataType(v)
		case tensorTypeShape:
			var v []byte
			v, err = f.bytes("shape")
			shape.add(v)
		}
		return err
	})
	if err != nil || !shape.set {
		return vi, err
	}
	vi.Ranked = true
	vi.Dims = []Dim{}
	err = eachField(shape.b, in+" shape", func(f field) error {
		if f.num != shapeDim {
			return nil
		}
		v, err := f.bytes("dim")
		if err != nil {
			return err
		}
		if err := d.item(1); err != nil {
			return err
		}
		dim := Dim{Value: -1}
		err = eachField(v, in+" dim", func(f field) error {
			var err error
			switch f.num {
			case dimValueField:
				dim.Param = ""
				dim.Value, err = f.int64v("dim_value")
				if err == nil && dim.Value < 0 {
					err = unsupported("%s has a negative dimension %d", in, dim.Value)
				}
			case dimParamField:
				dim.Value = -1
				dim.Param, err = f.str("dim_param")
			}
			return err
		})
		vi.Dims = append(vi.Dims, dim)
		return err
	})
	return vi, err
}
