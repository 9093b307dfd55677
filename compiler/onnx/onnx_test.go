package onnx

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var goodFixtures = []string{"mlp", "matmul_add", "ops", "reshape_chain", "float_data"}

func load(t testing.TB, name string) *Model {
	t.Helper()
	m, err := ReadFile(filepath.Join("testdata", name+".onnx"))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	checkInvariants(t, m)
	return m
}

func opTypes(g *Graph) []string {
	var ops []string
	for _, n := range g.Nodes {
		ops = append(ops, n.OpType)
	}
	return ops
}

func initializer(t *testing.T, g *Graph, name string) *Tensor {
	t.Helper()
	for _, in := range g.Initializers {
		if in.Name == name {
			return in
		}
	}
	t.Fatalf("no initializer %q", name)
	return nil
}

// fixtureWeight is make_fixtures.py's weights(): ((k+offset)%13 - 6) / 8.
func fixtureWeight(k, offset int) float32 {
	return float32((k+offset)%13-6) / 8
}

func checkWeights(t *testing.T, g *Graph, name string, dims []int64, offset int) {
	t.Helper()
	w := initializer(t, g, name)
	if w.Type != Float || !reflect.DeepEqual(w.Dims, dims) {
		t.Fatalf("%s: %s %v, want FLOAT %v", name, w.Type, w.Dims, dims)
	}
	if int64(len(w.Floats)) != w.NumElements() || w.Int64s != nil {
		t.Fatalf("%s: %d floats, %d int64s for dims %v", name, len(w.Floats), len(w.Int64s), w.Dims)
	}
	for k, v := range w.Floats {
		if want := fixtureWeight(k, offset); v != want {
			t.Fatalf("%s[%d] = %v, want %v", name, k, v, want)
		}
	}
}

func wantAttrInt(t *testing.T, n *Node, name string, want int64) {
	t.Helper()
	v, err := n.AttrInt(name, -12345)
	if err != nil || v != want {
		t.Errorf("%s: %s = %d, %v; want %d", n.Desc(), name, v, err, want)
	}
}

func TestMLP(t *testing.T) {
	m := load(t, "mlp")
	if m.IRVersion != 7 || m.Opset != 13 || m.Producer != "pytorch" {
		t.Errorf("model header: ir %d opset %d producer %q", m.IRVersion, m.Opset, m.Producer)
	}
	g := m.Graph
	if g.Name != "torch_jit" {
		t.Errorf("graph name %q", g.Name)
	}
	if got, want := opTypes(g), []string{"Gemm", "Relu", "Gemm", "Softmax"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("ops %v, want %v", got, want)
	}
	fc1 := g.Nodes[0]
	if fc1.Name != "/fc1/Gemm" || fc1.Domain != "" ||
		!reflect.DeepEqual(fc1.Inputs, []string{"input", "fc1.weight", "fc1.bias"}) ||
		!reflect.DeepEqual(fc1.Outputs, []string{"/fc1/Gemm_output_0"}) {
		t.Errorf("fc1 node: %+v", fc1)
	}
	for _, n := range []*Node{g.Nodes[0], g.Nodes[2]} {
		wantAttrInt(t, n, "transB", 1)
		if v, err := n.AttrInt("transA", 0); err != nil || v != 0 || n.Attrs["transA"] != nil {
			t.Errorf("%s: transA = %d, %v; want the default 0", n.Desc(), v, err) // absent
		}
		for _, name := range []string{"alpha", "beta"} {
			if v, err := n.AttrFloat(name, 0); err != nil || v != 1 {
				t.Errorf("%s: %s = %v, %v", n.Desc(), name, v, err)
			}
		}
	}
	if len(g.Nodes[1].Attrs) != 0 || g.Nodes[1].Attrs == nil {
		t.Errorf("Relu attrs %v", g.Nodes[1].Attrs)
	}
	wantAttrInt(t, g.Nodes[3], "axis", 1)
	if a := g.Nodes[3].Attrs["axis"]; a.Type != AttrTypeInt || a.Name != "axis" {
		t.Errorf("Softmax axis attr %+v", a)
	}

	if len(g.Initializers) != 4 {
		t.Fatalf("%d initializers", len(g.Initializers))
	}
	checkWeights(t, g, "fc1.weight", []int64{8, 4}, 0)
	checkWeights(t, g, "fc1.bias", []int64{8}, 1)
	checkWeights(t, g, "fc2.weight", []int64{3, 8}, 2)
	checkWeights(t, g, "fc2.bias", []int64{3}, 3)
	if w := initializer(t, g, "fc1.weight"); w.Floats[0] != -0.75 || w.Floats[6] != 0 || w.Floats[31] != -0.125 {
		t.Errorf("fc1.weight values %v", w.Floats)
	}

	wantIn := []ValueInfo{{Name: "input", ElemType: Float, Ranked: true, Dims: []Dim{{Value: -1, Param: "batch"}, {Value: 4}}}}
	if !reflect.DeepEqual(g.Inputs, wantIn) {
		t.Errorf("inputs %+v, want %+v", g.Inputs, wantIn)
	}
	if !g.Inputs[0].Dims[0].Symbolic() || g.Inputs[0].Dims[1].Symbolic() {
		t.Errorf("Symbolic() wrong for %v", g.Inputs[0].Dims)
	}
	wantOut := []ValueInfo{{Name: "output", ElemType: Float, Ranked: true, Dims: []Dim{{Value: -1, Param: "batch"}, {Value: 3}}}}
	if !reflect.DeepEqual(g.Outputs, wantOut) {
		t.Errorf("outputs %+v, want %+v", g.Outputs, wantOut)
	}
}

func TestMatMulAdd(t *testing.T) {
	m := load(t, "matmul_add")
	if m.IRVersion != 8 || m.Opset != 14 {
		t.Errorf("ir %d opset %d", m.IRVersion, m.Opset)
	}
	g := m.Graph
	if got, want := opTypes(g), []string{"MatMul", "Add"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("ops %v, want %v", got, want)
	}
	// W and b are listed among the file's graph inputs too; they are not
	// inputs of the model.
	wantIn := []ValueInfo{{Name: "x", ElemType: Float, Ranked: true, Dims: []Dim{{Value: 1}, {Value: 2}, {Value: 3}}}}
	if !reflect.DeepEqual(g.Inputs, wantIn) {
		t.Errorf("inputs %+v, want %+v", g.Inputs, wantIn)
	}
	checkWeights(t, g, "W", []int64{3, 4}, 0)
	checkWeights(t, g, "b", []int64{4}, 5)
	if w := initializer(t, g, "W"); w.Floats[1*4+2] != fixtureWeight(6, 0) || w.Floats[11] != 0.625 {
		t.Errorf("W values %v", w.Floats)
	}
	if len(g.ValueInfo) != 1 || g.ValueInfo[0].Name != "/MatMul_output_0" || len(g.ValueInfo[0].Dims) != 3 {
		t.Errorf("value_info %+v", g.ValueInfo)
	}
	if d := g.Outputs[0].Dims; len(d) != 3 || d[2].Value != 4 {
		t.Errorf("output dims %v", d)
	}
}

func TestOps(t *testing.T) {
	m := load(t, "ops")
	g := m.Graph
	want := []string{"Flatten", "LeakyRelu", "Clip", "Sigmoid", "Tanh", "Sub", "Constant", "Mul", "Div", "LogSoftmax", "Identity"}
	if got := opTypes(g); !reflect.DeepEqual(got, want) {
		t.Fatalf("ops %v, want %v", got, want)
	}
	wantAttrInt(t, g.Nodes[0], "axis", 1)
	if v, err := g.Nodes[1].AttrFloat("alpha", 0.01); err != nil || v != float32(0.1) {
		t.Errorf("LeakyRelu alpha %v, %v", v, err)
	}
	clip := g.Nodes[2]
	if !reflect.DeepEqual(clip.Inputs, []string{"/LeakyRelu_output_0", "clip_min", "clip_max"}) || len(clip.Attrs) != 0 {
		t.Errorf("Clip %+v", clip)
	}
	for name, v := range map[string]float32{"clip_min": -1.5, "clip_max": 1.5} {
		c := initializer(t, g, name)
		if len(c.Dims) != 0 || !reflect.DeepEqual(c.Floats, []float32{v}) || c.NumElements() != 1 {
			t.Errorf("%s: dims %v floats %v", name, c.Dims, c.Floats)
		}
	}
	checkWeights(t, g, "bias", []int64{12}, 7)
	denom := initializer(t, g, "denom")
	if !reflect.DeepEqual(denom.Dims, []int64{1, 12}) || denom.Floats[11] != 2 {
		t.Errorf("denom %v %v", denom.Dims, denom.Floats)
	}
	c := g.Nodes[6]
	ct, err := c.AttrTensor("value")
	if err != nil || ct == nil {
		t.Fatalf("Constant value: %v, %v", ct, err)
	}
	if ct.Type != Float || len(ct.Dims) != 0 || !reflect.DeepEqual(ct.Floats, []float32{0.5}) {
		t.Errorf("Constant value %+v", ct)
	}
	if !reflect.DeepEqual(c.Inputs, []string(nil)) || !reflect.DeepEqual(c.Outputs, []string{"/Constant_output_0"}) {
		t.Errorf("Constant io %v %v", c.Inputs, c.Outputs)
	}
	wantAttrInt(t, g.Nodes[9], "axis", 1)
	if g.Nodes[10].Name != "/Identity" || g.Nodes[10].Outputs[0] != "y" {
		t.Errorf("Identity %+v", g.Nodes[10])
	}
	if d := g.Outputs[0].Dims; len(d) != 2 || d[0].Value != 2 || d[1].Value != 12 {
		t.Errorf("output dims %v", d)
	}
}

func TestReshapeChain(t *testing.T) {
	m := load(t, "reshape_chain")
	g := m.Graph
	want := []string{"Shape", "Constant", "Gather", "Constant", "Unsqueeze", "Constant", "Concat", "Reshape"}
	if got := opTypes(g); !reflect.DeepEqual(got, want) {
		t.Fatalf("ops %v, want %v", got, want)
	}
	consts := map[int]struct {
		dims []int64
		data []int64
	}{
		1: {nil, []int64{0}},
		3: {[]int64{1}, []int64{0}},
		5: {[]int64{1}, []int64{-1}},
	}
	for i, w := range consts {
		ct, err := g.Nodes[i].AttrTensor("value")
		if err != nil || ct == nil {
			t.Fatalf("%s: %v", g.Nodes[i].Desc(), err)
		}
		if ct.Type != Int64 || !reflect.DeepEqual(ct.Dims, w.dims) || !reflect.DeepEqual(ct.Int64s, w.data) || ct.Floats != nil {
			t.Errorf("%s: %s %v %v, want INT64 %v %v", g.Nodes[i].Desc(), ct.Type, ct.Dims, ct.Int64s, w.dims, w.data)
		}
	}
	wantAttrInt(t, g.Nodes[2], "axis", 0)
	wantAttrInt(t, g.Nodes[6], "axis", 0)
	if un := g.Nodes[4]; !reflect.DeepEqual(un.Inputs, []string{"/Gather_output_0", "onnx::Unsqueeze_3"}) || len(un.Attrs) != 0 {
		t.Errorf("Unsqueeze %+v", un)
	}
	if r := g.Nodes[7]; !reflect.DeepEqual(r.Inputs, []string{"input", "/Concat_output_0"}) {
		t.Errorf("Reshape inputs %v", r.Inputs)
	}
	if len(g.Initializers) != 0 {
		t.Errorf("initializers %v", g.Initializers)
	}
	if d := g.Inputs[0].Dims; len(d) != 3 || d[0].Param != "batch" || d[0].Value != -1 || d[2].Value != 3 {
		t.Errorf("input dims %v", d)
	}
	if d := g.Outputs[0].Dims; len(d) != 2 || d[0].String() != "batch" || d[1].String() != "6" {
		t.Errorf("output dims %v", d)
	}
}

func TestFloatData(t *testing.T) {
	m := load(t, "float_data")
	if m.Opset != 17 || m.Producer != "onnx.helper" || m.Graph.Name != "main" {
		t.Errorf("model %d %q %q", m.Opset, m.Producer, m.Graph.Name)
	}
	g := m.Graph
	b := initializer(t, g, "b")
	if b.Type != Float || !reflect.DeepEqual(b.Dims, []int64{3}) || !reflect.DeepEqual(b.Floats, []float32{0.25, -0.5, 1.75}) {
		t.Errorf("b %+v", b)
	}
	s := initializer(t, g, "shape")
	if s.Type != Int64 || !reflect.DeepEqual(s.Dims, []int64{2}) || !reflect.DeepEqual(s.Int64s, []int64{3, 1}) {
		t.Errorf("shape %+v", s)
	}
}

func TestBadFixtures(t *testing.T) {
	for _, tc := range []struct {
		name string
		want []string // substrings of the message
	}{
		{"bad_external_data", []string{`initializer "w"`, "external"}},
		{"bad_opset12", []string{"opset 12", "13 to 18"}},
		{"bad_opset19", []string{"opset 19", "13 to 18"}},
		{"bad_ir6", []string{"ir_version is 6", "7 to 10"}},
		{"bad_domain", []string{`node "/FusedGelu" (FusedGelu)`, `domain "com.microsoft"`}},
		{"bad_double_init", []string{`initializer "w_double"`, "DOUBLE"}},
		{"bad_int32_init", []string{`initializer "w_int32"`, "INT32"}},
		{"bad_float16_init", []string{`initializer "w_half"`, "FLOAT16"}},
		{"bad_sparse_init", []string{`sparse initializer "w_values"`}},
		{"bad_graph_attr", []string{`node "/If" (If)`, `attribute "else_branch"`, "graph-valued"}},
		{"bad_constant_double", []string{`node "/Constant_double" (Constant)`, `attribute "value"`, `"cval"`, "DOUBLE"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ReadFile(filepath.Join("testdata", tc.name+".onnx"))
			if err == nil {
				t.Fatalf("decoded: %+v", m)
			}
			if !errors.Is(err, ErrUnsupported) || errors.Is(err, ErrMalformed) {
				t.Fatalf("error %q does not wrap ErrUnsupported alone", err)
			}
			for _, s := range tc.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
			if !strings.HasPrefix(err.Error(), filepath.Join("testdata", tc.name+".onnx")+": ") {
				t.Errorf("error %q does not start with the path", err)
			}
		})
	}
}

// Every prefix of a good fixture either decodes (and is then sound) or is
// refused cleanly.
func TestTruncation(t *testing.T) {
	for _, name := range goodFixtures {
		b, err := os.ReadFile(filepath.Join("testdata", name+".onnx"))
		if err != nil {
			t.Fatal(err)
		}
		var ok, malformed, unsupported int
		for n := 0; n < len(b); n++ {
			m, err := Decode(b[:n])
			switch {
			case err == nil:
				ok++
				checkInvariants(t, m)
			case errors.Is(err, ErrMalformed):
				malformed++
			case errors.Is(err, ErrUnsupported):
				unsupported++
			default:
				t.Fatalf("%s[:%d]: error %v wraps neither sentinel", name, n, err)
			}
		}
		if malformed == 0 || unsupported == 0 {
			t.Errorf("%s: %d prefixes decoded, %d malformed, %d unsupported", name, ok, malformed, unsupported)
		}
	}
}

func TestAccessorErrors(t *testing.T) {
	g := load(t, "mlp").Graph
	gemm := g.Nodes[0]
	if _, err := gemm.AttrFloat("transB", 0); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), `attribute "transB" is INT, want FLOAT`) {
		t.Errorf("AttrFloat(transB): %v", err)
	}
	if _, err := gemm.AttrInt("alpha", 0); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), `node "/fc1/Gemm" (Gemm)`) {
		t.Errorf("AttrInt(alpha): %v", err)
	}
	if _, err := gemm.AttrInts("transB", nil); err == nil {
		t.Error("AttrInts(transB): no error")
	}
	if _, err := gemm.AttrTensor("alpha"); err == nil {
		t.Error("AttrTensor(alpha): no error")
	}
	if v, err := gemm.AttrInts("perm", []int64{1, 0}); err != nil || !reflect.DeepEqual(v, []int64{1, 0}) {
		t.Errorf("AttrInts default: %v %v", v, err)
	}
	if v, err := gemm.AttrTensor("value"); err != nil || v != nil {
		t.Errorf("AttrTensor absent: %v %v", v, err)
	}
	if v, err := gemm.AttrString("mode", "constant"); err != nil || v != "constant" {
		t.Errorf("AttrString default: %v %v", v, err)
	}
}

func TestDataTypeNames(t *testing.T) {
	for dt, want := range map[DataType]string{Float: "FLOAT", Int64: "INT64", Double: "DOUBLE", Int32: "INT32", Float16: "FLOAT16", BFloat16: "BFLOAT16", Int2: "INT2", 99: "DataType(99)"} {
		if dt.String() != want {
			t.Errorf("%d: %q, want %q", int(dt), dt.String(), want)
		}
	}
	if AttrTypeInts.String() != "INTS" || AttrTypeGraph.String() != "GRAPH" || AttrType(-1).String() != "AttrType(-1)" {
		t.Error("AttrType names")
	}
}

// checkInvariants checks what every decoded model satisfies.
func checkInvariants(t testing.TB, m *Model) {
	t.Helper()
	if m.IRVersion < 7 || m.IRVersion > 10 || m.Opset < 13 || m.Opset > 18 || m.Graph == nil {
		t.Fatalf("model header out of range: ir %d opset %d graph %v", m.IRVersion, m.Opset, m.Graph != nil)
	}
	checkTensor := func(what string, x *Tensor) {
		if x == nil {
			t.Fatalf("%s: nil tensor", what)
		}
		n := int64(1)
		for _, d := range x.Dims {
			if d < 0 {
				t.Fatalf("%s %q: dims %v", what, x.Name, x.Dims)
			}
			n *= d
		}
		if n > MaxElements || n != x.NumElements() {
			t.Fatalf("%s %q: dims %v", what, x.Name, x.Dims)
		}
		switch x.Type {
		case Float:
			if int64(len(x.Floats)) != n || x.Int64s != nil {
				t.Fatalf("%s %q: %d floats, %d int64s for dims %v", what, x.Name, len(x.Floats), len(x.Int64s), x.Dims)
			}
		case Int64:
			if int64(len(x.Int64s)) != n || x.Floats != nil {
				t.Fatalf("%s %q: %d int64s, %d floats for dims %v", what, x.Name, len(x.Int64s), len(x.Floats), x.Dims)
			}
		default:
			t.Fatalf("%s %q: type %s", what, x.Name, x.Type)
		}
	}
	g := m.Graph
	inits := map[string]bool{}
	for _, x := range g.Initializers {
		checkTensor("initializer", x)
		if x.Name == "" || inits[x.Name] {
			t.Fatalf("initializer name %q empty or repeated", x.Name)
		}
		inits[x.Name] = true
	}
	for _, n := range g.Nodes {
		if n == nil || n.OpType == "" || (n.Domain != "" && n.Domain != "ai.onnx") || n.Attrs == nil {
			t.Fatalf("bad node %+v", n)
		}
		for name, a := range n.Attrs {
			if a.Name != name {
				t.Fatalf("%s: attribute %q keyed %q", n.Desc(), a.Name, name)
			}
			switch a.Type {
			case AttrTypeTensor:
				checkTensor(n.Desc()+" attribute", a.T)
			case AttrTypeFloat, AttrTypeInt, AttrTypeString, AttrTypeFloats, AttrTypeInts, AttrTypeStrings:
			default:
				t.Fatalf("%s: attribute %q of type %s", n.Desc(), name, a.Type)
			}
		}
	}
	for _, vis := range [][]ValueInfo{g.Inputs, g.Outputs} {
		for _, vi := range vis {
			if vi.ElemType != Float || vi.Name == "" {
				t.Fatalf("graph input/output %+v", vi)
			}
		}
	}
	for _, vi := range g.Inputs {
		if inits[vi.Name] {
			t.Fatalf("input %q is an initializer", vi.Name)
		}
	}
	for _, vis := range [][]ValueInfo{g.Inputs, g.Outputs, g.ValueInfo} {
		for _, vi := range vis {
			if vi.Ranked != (vi.Dims != nil) {
				t.Fatalf("%q: Ranked %v, dims %v", vi.Name, vi.Ranked, vi.Dims)
			}
			for _, d := range vi.Dims {
				if (d.Param != "" && d.Value != -1) || d.Value < -1 {
					t.Fatalf("%q: dim %+v", vi.Name, d)
				}
			}
		}
	}
}
