package onnx

import (
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// pb builds protobuf messages by hand, for encodings and hostile inputs
// that onnx.helper does not make.
type pb []byte

func (p pb) varint(num int, x uint64) pb {
	p = protowire.AppendTag(p, protowire.Number(num), protowire.VarintType)
	return protowire.AppendVarint(p, x)
}

func (p pb) int(num int, x int64) pb { return p.varint(num, uint64(x)) }

func (p pb) bytes(num int, b []byte) pb {
	p = protowire.AppendTag(p, protowire.Number(num), protowire.BytesType)
	return protowire.AppendBytes(p, b)
}

func (p pb) str(num int, s string) pb { return p.bytes(num, []byte(s)) }

func (p pb) float(num int, x float32) pb {
	p = protowire.AppendTag(p, protowire.Number(num), protowire.Fixed32Type)
	return protowire.AppendFixed32(p, math.Float32bits(x))
}

func packedVarints(xs ...int64) []byte {
	var b []byte
	for _, x := range xs {
		b = protowire.AppendVarint(b, uint64(x))
	}
	return b
}

func packedFloats(xs ...float32) []byte {
	var b []byte
	for _, x := range xs {
		b = protowire.AppendFixed32(b, math.Float32bits(x))
	}
	return b
}

func rawFloats(xs ...float32) []byte {
	b := make([]byte, 4*len(xs))
	for i, x := range xs {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

// valueInfo is a ValueInfoProto of a tensor with the given dims (an int64
// for a fixed one, a string for a symbolic one).
func valueInfo(name string, elem DataType, dims ...any) pb {
	var shape pb
	for _, d := range dims {
		switch d := d.(type) {
		case int:
			shape = shape.bytes(shapeDim, pb(nil).int(dimValueField, int64(d)))
		case string:
			shape = shape.bytes(shapeDim, pb(nil).str(dimParamField, d))
		}
	}
	tt := pb(nil).int(tensorTypeElemType, int64(elem)).bytes(tensorTypeShape, shape)
	return pb(nil).str(valueInfoName, name).bytes(valueInfoType, pb(nil).bytes(typeTensor, tt))
}

func node(op, name string, inputs, outputs []string, attrs ...pb) pb {
	var n pb
	for _, in := range inputs {
		n = n.str(nodeInput, in)
	}
	for _, out := range outputs {
		n = n.str(nodeOutput, out)
	}
	n = n.str(nodeName, name).str(nodeOpType, op)
	for _, a := range attrs {
		n = n.bytes(nodeAttribute, a)
	}
	return n
}

// floatTensor is a FLOAT TensorProto with raw_data.
func floatTensor(name string, dims []int64, data ...float32) pb {
	t := pb(nil)
	for _, d := range dims {
		t = t.int(tensorDims, d)
	}
	return t.int(tensorDataType, int64(Float)).str(tensorName, name).bytes(tensorRawData, rawFloats(data...))
}

// reluGraph is y = Relu(x) on [1, 4], with extra fields appended.
func reluGraph(extra ...pb) pb {
	g := pb(nil).bytes(graphNode, node("Relu", "/Relu", []string{"x"}, []string{"y"})).str(graphName, "g")
	for _, e := range extra {
		g = append(g, e...)
	}
	return g.bytes(graphInput, valueInfo("x", Float, 1, 4)).bytes(graphOutput, valueInfo("y", Float, 1, 4))
}

func opsetID(domain string, version int64) pb {
	return pb(nil).str(opsetDomain, domain).int(opsetVersion, version)
}

// model is a ModelProto of IR version 8 importing opset 13 of "" unless
// opsets are given.
func model(graph pb, opsets ...pb) []byte {
	m := pb(nil).int(modelIRVersion, 8).str(modelProducer, "test").bytes(modelGraph, graph)
	if len(opsets) == 0 {
		opsets = []pb{opsetID("", 13)}
	}
	for _, o := range opsets {
		m = m.bytes(modelOpsetImport, o)
	}
	return m
}

// handBuiltSeeds are fuzz seeds that exercise the encodings the fixtures do
// not.
func handBuiltSeeds() [][]byte {
	return [][]byte{model(encodingsGraph())}
}

// encodingsGraph uses packed attribute lists, unpacked float_data, packed
// dims, raw INT64 data and unknown fields of every wire type.
func encodingsGraph() pb {
	ints := pb(nil).str(attrName, "perm").int(attrType, int64(AttrTypeInts)).bytes(attrInts, packedVarints(1, 0, -1))
	floats := pb(nil).str(attrName, "scales").int(attrType, int64(AttrTypeFloats)).bytes(attrFloats, packedFloats(0.5, 2))
	unpackedInts := pb(nil).str(attrName, "pads").int(attrType, int64(AttrTypeInts)).int(attrInts, 3).int(attrInts, 4)
	strs := pb(nil).str(attrName, "names").int(attrType, int64(AttrTypeStrings)).str(attrStrings, "a").str(attrStrings, "bc")
	s := pb(nil).str(attrName, "mode").int(attrType, int64(AttrTypeString)).str(attrS, "constant")

	unpacked := pb(nil).bytes(tensorDims, packedVarints(2, 1)).int(tensorDataType, int64(Float)).str(tensorName, "w").
		float(tensorFloatData, 1.5).float(tensorFloatData, -2)
	i64 := make([]byte, 16)
	binary.LittleEndian.PutUint64(i64, 7)
	binary.LittleEndian.PutUint64(i64[8:], uint64(0xffff_ffff_ffff_fffe)) // -2
	rawInt := pb(nil).int(tensorDims, 2).int(tensorDataType, int64(Int64)).str(tensorName, "shape").bytes(tensorRawData, i64)

	// Unknown fields: a varint, a fixed64, a fixed32, bytes and a group.
	unknown := pb(nil).varint(1000, 5)
	unknown = protowire.AppendTag(unknown, 1001, protowire.Fixed64Type)
	unknown = protowire.AppendFixed64(unknown, 1)
	unknown = protowire.AppendTag(unknown, 1002, protowire.Fixed32Type)
	unknown = protowire.AppendFixed32(unknown, 1)
	unknown = unknown.str(1003, "x")
	unknown = protowire.AppendTag(unknown, 1004, protowire.StartGroupType)
	unknown = pb(unknown).varint(1, 1)
	unknown = protowire.AppendTag(unknown, 1004, protowire.EndGroupType)

	n := node("Transpose", "/T", []string{"x"}, []string{"t"}, ints, floats, unpackedInts, strs, s)
	n = append(n, unknown...)
	return pb(nil).bytes(graphNode, n).
		bytes(graphNode, node("Reshape", "/R", []string{"t", "shape"}, []string{"y"}).str(nodeDomain, "ai.onnx")).
		bytes(graphInitializer, append(unpacked, unknown...)).
		bytes(graphInitializer, rawInt).
		bytes(graphInput, valueInfo("x", Float, "n", 4)).
		bytes(graphOutput, append(valueInfo("y", Float), unknown...)).
		bytes(99, unknown)
}

func TestEncodings(t *testing.T) {
	b := append(model(encodingsGraph()), pb(nil).str(1000, "unknown model field")...)
	m, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, m)
	tr := m.Graph.Nodes[0]
	if v, err := tr.AttrInts("perm", nil); err != nil || !reflect.DeepEqual(v, []int64{1, 0, -1}) {
		t.Errorf("perm %v %v", v, err)
	}
	if v := tr.Attrs["scales"]; v.Type != AttrTypeFloats || !reflect.DeepEqual(v.Floats, []float32{0.5, 2}) {
		t.Errorf("scales %+v", v)
	}
	if v, err := tr.AttrInts("pads", nil); err != nil || !reflect.DeepEqual(v, []int64{3, 4}) {
		t.Errorf("pads %v %v", v, err)
	}
	if v := tr.Attrs["names"]; !reflect.DeepEqual(v.Strings, [][]byte{[]byte("a"), []byte("bc")}) {
		t.Errorf("names %+v", v)
	}
	if v, err := tr.AttrString("mode", ""); err != nil || v != "constant" {
		t.Errorf("mode %q %v", v, err)
	}
	if r := m.Graph.Nodes[1]; r.Domain != "ai.onnx" {
		t.Errorf("Reshape domain %q", r.Domain)
	}
	w := m.Graph.Initializers[0]
	if !reflect.DeepEqual(w.Dims, []int64{2, 1}) || !reflect.DeepEqual(w.Floats, []float32{1.5, -2}) {
		t.Errorf("w %+v", w)
	}
	if s := m.Graph.Initializers[1]; !reflect.DeepEqual(s.Int64s, []int64{7, -2}) {
		t.Errorf("shape %+v", s)
	}
	if out := m.Graph.Outputs[0]; !out.Ranked || out.Dims == nil || len(out.Dims) != 0 {
		t.Errorf("scalar output %+v", out)
	}
	if in := m.Graph.Inputs[0]; in.Dims[0] != (Dim{Value: -1, Param: "n"}) || in.Dims[0].String() != "n" {
		t.Errorf("input %+v", in)
	}

	// The decoded model shares no memory with the input.
	for i := range b {
		b[i] = 0
	}
	if tr.Name != "/T" || string(tr.Attrs["mode"].S) != "constant" || string(tr.Attrs["names"].Strings[1]) != "bc" {
		t.Errorf("decoded model aliases its input")
	}
}

func TestMergedFields(t *testing.T) {
	// Two occurrences of the graph field merge: nodes of both, last name.
	g1 := pb(nil).bytes(graphNode, node("Relu", "/A", []string{"x"}, []string{"a"})).str(graphName, "first")
	g2 := pb(nil).bytes(graphNode, node("Relu", "/B", []string{"a"}, []string{"y"})).str(graphName, "second").
		bytes(graphInput, valueInfo("x", Float, 4)).bytes(graphOutput, valueInfo("y", Float, 4))
	m := pb(nil).int(modelIRVersion, 9).bytes(modelGraph, g1).bytes(modelOpsetImport, opsetID("ai.onnx", 18)).bytes(modelGraph, g2)
	got, err := Decode(m)
	if err != nil {
		t.Fatal(err)
	}
	if got.Graph.Name != "second" || len(got.Graph.Nodes) != 2 || got.Graph.Nodes[1].Name != "/B" || got.Opset != 18 || got.IRVersion != 9 {
		t.Errorf("merged model %+v %+v", got, got.Graph)
	}

	// A dimension with both dim_value and dim_param: the last one wins.
	both := pb(nil).int(dimValueField, 3).str(dimParamField, "n")
	shape := pb(nil).bytes(shapeDim, both).bytes(shapeDim, pb(nil).str(dimParamField, "n").int(dimValueField, 5)).bytes(shapeDim, nil)
	tt := pb(nil).int(tensorTypeElemType, int64(Float)).bytes(tensorTypeShape, shape)
	vi := pb(nil).str(valueInfoName, "x").bytes(valueInfoType, pb(nil).bytes(typeTensor, tt))
	g := pb(nil).bytes(graphNode, node("Relu", "", []string{"x"}, []string{"y"})).bytes(graphInput, vi).
		bytes(graphOutput, pb(nil).str(valueInfoName, "y").bytes(valueInfoType, pb(nil).bytes(typeTensor, pb(nil).int(tensorTypeElemType, int64(Float)))))
	got, err = Decode(model(g))
	if err != nil {
		t.Fatal(err)
	}
	want := []Dim{{Value: -1, Param: "n"}, {Value: 5}, {Value: -1}}
	if d := got.Graph.Inputs[0].Dims; !reflect.DeepEqual(d, want) || d[2].String() != "?" {
		t.Errorf("dims %+v, want %+v", d, want)
	}
	if out := got.Graph.Outputs[0]; out.Ranked || out.Dims != nil {
		t.Errorf("unranked output %+v", out)
	}
	checkInvariants(t, got)
}

func TestOpsets(t *testing.T) {
	ok := func(name string, b []byte, opset int64) {
		t.Helper()
		m, err := Decode(b)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return
		}
		if m.Opset != opset {
			t.Errorf("%s: opset %d, want %d", name, m.Opset, opset)
		}
	}
	ok("default domain as ai.onnx", model(reluGraph(), opsetID("ai.onnx", 15)), 15)
	ok("an unused ai.onnx.ml import", model(reluGraph(), opsetID("ai.onnx.ml", 3), opsetID("", 18)), 18)
	for _, ir := range []int64{7, 10} {
		b := model(reluGraph())
		b[1] = byte(ir) // the ir_version varint
		ok("ir_version edge", b, 13)
	}
}

func TestRefusals(t *testing.T) {
	unknownDomain := node("Gelu", "/Gelu", []string{"x"}, []string{"y"}).str(nodeDomain, "org.pytorch.aten")
	customGraph := pb(nil).bytes(graphNode, unknownDomain).
		bytes(graphInput, valueInfo("x", Float, 1, 4)).bytes(graphOutput, valueInfo("y", Float, 1, 4))
	withNode := func(n pb) []byte {
		return model(pb(nil).bytes(graphNode, n).
			bytes(graphInput, valueInfo("x", Float, 1, 4)).bytes(graphOutput, valueInfo("y", Float, 1, 4)))
	}
	withInit := func(t pb) []byte { return model(reluGraph(pb(nil).bytes(graphInitializer, t))) }
	attrNode := func(attrs ...pb) []byte {
		return withNode(node("Relu", "/Relu", []string{"x"}, []string{"y"}, attrs...))
	}
	intAttr := pb(nil).str(attrName, "axis").int(attrType, int64(AttrTypeInt)).int(attrI, 1)
	tensorsAttr := pb(nil).str(attrName, "ts").int(attrType, int64(AttrTypeTensors)).bytes(attrTensors, floatTensor("", nil, 1))

	for _, tc := range []struct {
		name string
		b    []byte
		sent error
		want []string
	}{
		{"no default opset", model(reluGraph(), opsetID("com.microsoft", 1)), ErrUnsupported, []string{"no entry for the default domain"}},
		{"default opset twice", model(reluGraph(), opsetID("", 13), opsetID("ai.onnx", 13)), ErrUnsupported, []string{`domain "ai.onnx" more than once`}},
		{"unimported domain", model(customGraph), ErrUnsupported, []string{`node "/Gelu" (Gelu)`, `"org.pytorch.aten"`, "does not import"}},
		{"imported domain", model(customGraph, opsetID("", 13), opsetID("org.pytorch.aten", 1)), ErrUnsupported, []string{`node "/Gelu" (Gelu)`, `"org.pytorch.aten" (imported at version 1)`}},
		{"no ir_version", pb(nil).bytes(modelGraph, reluGraph()).bytes(modelOpsetImport, opsetID("", 13)), ErrUnsupported, []string{"ir_version is 0"}},
		{"ir_version 11", append(pb(nil).int(modelIRVersion, 11), model(reluGraph())[2:]...), ErrUnsupported, []string{"ir_version is 11"}},
		{"no graph", pb(nil).int(modelIRVersion, 8).bytes(modelOpsetImport, opsetID("", 13)), ErrUnsupported, []string{"no graph"}},
		{"no op_type", withNode(pb(nil).str(nodeName, "/x")), ErrUnsupported, []string{"node #0", `"/x"`, "no op_type"}},

		{"count mismatch", withInit(floatTensor("w", []int64{2, 3}, 1, 2, 3, 4, 5)), ErrUnsupported, []string{`initializer "w"`, "holds 5 elements", "[2 3]", "call for 6"}},
		{"raw length", withInit(pb(nil).int(tensorDims, 2).int(tensorDataType, int64(Float)).str(tensorName, "w").bytes(tensorRawData, make([]byte, 7))), ErrUnsupported, []string{`initializer "w"`, "7 bytes of raw_data", "4-byte FLOAT"}},
		{"int64 raw length", withInit(pb(nil).int(tensorDims, 1).int(tensorDataType, int64(Int64)).str(tensorName, "s").bytes(tensorRawData, make([]byte, 4))), ErrUnsupported, []string{`initializer "s"`, "8-byte INT64"}},
		{"dims overflow", withInit(floatTensor("big", []int64{1 << 40, 1 << 40, 1 << 40})), ErrUnsupported, []string{`initializer "big"`, "over the limit"}},
		{"dims over the limit", withInit(floatTensor("big", []int64{1 << 13, 1<<13 + 1})), ErrUnsupported, []string{`initializer "big"`, "64 Mi elements"}},
		{"zero dim then huge", withInit(floatTensor("z", []int64{0, 1 << 62, 1 << 62})), ErrUnsupported, []string{`initializer "z"`, "over the limit"}},
		{"negative dim", withInit(floatTensor("neg", []int64{-1})), ErrUnsupported, []string{`initializer "neg"`, "negative"}},
		{"raw and float_data", withInit(append(floatTensor("w", []int64{1}, 1), pb(nil).bytes(tensorFloatData, packedFloats(1))...)), ErrUnsupported, []string{`initializer "w"`, "both raw_data and float_data"}},
		{"wrong typed field", withInit(pb(nil).int(tensorDims, 1).int(tensorDataType, int64(Float)).str(tensorName, "w").int(tensorInt64Data, 1)), ErrUnsupported, []string{`initializer "w"`, "FLOAT but carries int64_data"}},
		{"no data", withInit(pb(nil).int(tensorDims, 3).int(tensorDataType, int64(Float)).str(tensorName, "w")), ErrUnsupported, []string{"holds 0 elements"}},
		{"no data type", withInit(pb(nil).int(tensorDims, 1).str(tensorName, "w")), ErrUnsupported, []string{`initializer "w"`, "UNDEFINED"}},
		{"segment", withInit(append(floatTensor("w", nil, 1), pb(nil).bytes(tensorSegment, nil)...)), ErrUnsupported, []string{`initializer "w"`, "segment"}},
		{"external data only", withInit(append(floatTensor("w", nil, 1), pb(nil).bytes(tensorExternalData, pb(nil).str(1, "location").str(2, "w.bin"))...)), ErrUnsupported, []string{`initializer "w"`, "external"}},
		{"data location 2", withInit(append(floatTensor("w", nil, 1), pb(nil).int(tensorDataLocation, 2)...)), ErrUnsupported, []string{`initializer "w"`, "data_location 2"}},
		{"unnamed initializer", withInit(floatTensor("", nil, 1)), ErrUnsupported, []string{"initializer #0 has no name"}},
		{"initializer twice", model(reluGraph(pb(nil).bytes(graphInitializer, floatTensor("w", nil, 1)).bytes(graphInitializer, floatTensor("w", nil, 2)))), ErrUnsupported, []string{`initializer "w" appears more than once`}},

		{"int64 output", model(pb(nil).bytes(graphNode, node("Relu", "/Relu", []string{"x"}, []string{"y"})).
			bytes(graphInput, valueInfo("x", Float, 4)).bytes(graphOutput, valueInfo("y", Int64, 4))), ErrUnsupported, []string{`graph output "y"`, "INT64"}},
		{"untyped input", model(pb(nil).bytes(graphNode, node("Relu", "/Relu", []string{"x"}, []string{"y"})).
			bytes(graphInput, pb(nil).str(valueInfoName, "x")).bytes(graphOutput, valueInfo("y", Float, 4))), ErrUnsupported, []string{`graph input "x"`, "UNDEFINED"}},
		{"sequence input", model(pb(nil).bytes(graphNode, node("Relu", "/Relu", []string{"x"}, []string{"y"})).
			bytes(graphInput, pb(nil).str(valueInfoName, "x").bytes(valueInfoType, pb(nil).bytes(typeSequence, nil))).
			bytes(graphOutput, valueInfo("y", Float, 4))), ErrUnsupported, []string{`graph input "x"`, "a sequence"}},
		{"negative input dim", model(pb(nil).bytes(graphNode, node("Relu", "/Relu", []string{"x"}, []string{"y"})).
			bytes(graphInput, valueInfo("x", Float, -3)).bytes(graphOutput, valueInfo("y", Float, 4))), ErrUnsupported, []string{`graph input "x"`, "negative dimension -3"}},

		{"attribute twice", attrNode(intAttr, intAttr), ErrUnsupported, []string{`node "/Relu" (Relu)`, `attribute "axis" more than once`}},
		{"attribute without type", attrNode(pb(nil).str(attrName, "axis").int(attrI, 1)), ErrUnsupported, []string{`attribute "axis" has no type`}},
		{"attribute without name", attrNode(pb(nil).int(attrType, int64(AttrTypeInt))), ErrUnsupported, []string{`node "/Relu" (Relu) attribute #0 has no name`}},
		{"tensor attribute without tensor", attrNode(pb(nil).str(attrName, "value").int(attrType, int64(AttrTypeTensor))), ErrUnsupported, []string{`attribute "value"`, "holds no tensor"}},
		{"tensors attribute", attrNode(tensorsAttr), ErrUnsupported, []string{`attribute "ts"`, "TENSORS"}},
		{"graph attribute by type", attrNode(pb(nil).str(attrName, "body").int(attrType, int64(AttrTypeGraph))), ErrUnsupported, []string{`attribute "body"`, "graph-valued"}},
		{"sparse tensor attribute", attrNode(pb(nil).str(attrName, "sp").int(attrType, int64(AttrTypeSparseTensor)).bytes(attrSparseTensor, nil)), ErrUnsupported, []string{`attribute "sp"`, "sparse"}},
		{"ref_attr_name", attrNode(intAttr.str(attrRefAttrName, "a")), ErrUnsupported, []string{`attribute "axis"`, "ref_attr_name"}},
		{"unnamed constant tensor", attrNode(pb(nil).str(attrName, "value").int(attrType, int64(AttrTypeTensor)).
			bytes(attrT, pb(nil).int(tensorDataType, int64(Int32)).int(tensorInt32Data, 1))), ErrUnsupported, []string{`node "/Relu" (Relu) attribute "value" tensor ""`, "INT32"}},

		{"wire type of ir_version", append(pb(nil).str(modelIRVersion, "8"), model(reluGraph())[2:]...), ErrMalformed, []string{"ir_version", "wire type 2"}},
		{"wire type of float_data", withInit(pb(nil).int(tensorDataType, int64(Float)).int(tensorFloatData, 1)), ErrMalformed, []string{"float_data", "wire type 0"}},
		{"packed float_data length", withInit(pb(nil).int(tensorDataType, int64(Float)).bytes(tensorFloatData, make([]byte, 5))), ErrMalformed, []string{"float_data", "5 bytes"}},
		{"packed ints truncated varint", attrNode(pb(nil).str(attrName, "a").int(attrType, int64(AttrTypeInts)).bytes(attrInts, []byte{0x80})), ErrMalformed, []string{"ints"}},
		{"field number 0", []byte{0x00, 0x01}, ErrMalformed, []string{"bad field tag"}},
		{"end group alone", protowire.AppendTag(nil, 5, protowire.EndGroupType), ErrMalformed, []string{"field 5"}},
		{"truncated length", []byte{0x3a, 0x05, 0x01}, ErrMalformed, []string{"field 7"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Decode(tc.b)
			if err == nil {
				t.Fatalf("decoded %+v", m)
			}
			if !errors.Is(err, tc.sent) {
				t.Fatalf("error %q does not wrap %v", err, tc.sent)
			}
			for _, s := range tc.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}

func TestBudgets(t *testing.T) {
	d := &decoder{elems: MaxElements - 3}
	if err := d.elements(3, "x"); err != nil {
		t.Fatal(err)
	}
	if err := d.elements(1, `initializer "w"`); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), `initializer "w"`) {
		t.Errorf("over the element budget: %v", err)
	}
	d = &decoder{items: maxItems}
	if err := d.item(1); !errors.Is(err, ErrUnsupported) {
		t.Errorf("over the item budget: %v", err)
	}

	// Two tensors that fit the per-tensor limit but not the total one.
	d = &decoder{elems: MaxElements - 5}
	if _, err := d.tensor(floatTensor("w", []int64{6}, 1, 2, 3, 4, 5, 6), "initializer"); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "together") {
		t.Errorf("tensor over the total budget: %v", err)
	}

	// A packed dims list that is too long is refused before it is stored.
	d = &decoder{items: maxItems - 2}
	if _, err := d.tensor(pb(nil).bytes(tensorDims, packedVarints(1, 1, 1)), "initializer"); !errors.Is(err, ErrUnsupported) {
		t.Errorf("dims over the item budget: %v", err)
	}
}

func TestFileSize(t *testing.T) {
	big := make([]byte, MaxFileSize+1)
	if _, err := Decode(big); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "256 MiB") {
		t.Errorf("Decode of a big input: %v", err)
	}
	p := filepath.Join(t.TempDir(), "big.onnx")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	// A sparse file: sized without writing it.
	if err := f.Truncate(MaxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := ReadFile(p); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), p) {
		t.Errorf("ReadFile of a big file: %v", err)
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "missing.onnx")); err == nil || errors.Is(err, ErrUnsupported) || errors.Is(err, ErrMalformed) {
		t.Errorf("ReadFile of a missing file: %v", err)
	}
}
