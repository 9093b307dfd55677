package bench

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/muscles/referee/compiler/autodiff"
	"github.com/muscles/referee/compiler/codegen"
	"github.com/muscles/referee/compiler/ir"
)

// EmitC returns a plain C translation unit with the model's forward pass:
//
//	void forward(const float *restrict x, float *restrict y, const float *restrict state)
//
// x is the input and y the output (row-major float32, as for the muscle);
// the parameters are read from state at the offsets of
// codegen.ParamLayout(params); constant tensors are static const arrays.
// g is the forward graph after the ir passes (what the muscle's forward
// entry is compiled from). Every kernel is the plain loop nest a C
// programmer would write with fixed trip counts; MatMul is written in
// i-p-j order (row of A broadcast against rows of B), which gcc can
// vectorise without reassociating any sum. Math functions call libm.
func EmitC(g *ir.Graph, params []ir.Param) (string, error) {
	var head, body strings.Builder
	head.WriteString("#include <math.h>\n\n")
	if err := emitForward(&head, &body, g, params); err != nil {
		return "", err
	}
	return head.String() + body.String(), nil
}

// EmitCTrain returns a plain C translation unit with both the forward
// pass (as EmitC) and the model's train step:
//
//	void train(const float *restrict x, const float *restrict target, float *restrict y, float *restrict state)
//
// which does what the muscle's train entry does: it reads the input x and
// the target, writes the forward output y (computed with the parameters
// before the update) and replaces every trainable parameter in state by
// p - lr*dloss/dp, in place; frozen parameters and the rest of the state
// are not written. It is the same kernels as EmitC's, applied to tg.Graph
// (autodiff's train graph after the ir passes, what the muscle's train
// entry is compiled from), so the loss and the learning rate are the
// model's. An update whose last kernel is elementwise and after which
// nothing reads the old parameter is computed straight into its state
// slot; the others are computed into a local array and copied into the
// state at the end.
func EmitCTrain(g *ir.Graph, params []ir.Param, tg *autodiff.TrainGraph) (string, error) {
	if tg == nil || tg.Graph == nil || tg.Y == nil || tg.Input == nil || tg.Target == nil {
		return "", fmt.Errorf("bench: incomplete train graph")
	}
	var head, body strings.Builder
	head.WriteString("#include <math.h>\n\n")
	if err := emitForward(&head, &body, g, params); err != nil {
		return "", err
	}
	inputs := map[*ir.Value]string{}
	for _, v := range tg.Graph.Inputs() {
		switch {
		case v == tg.Input || v.Name == tg.Input.Name:
			inputs[v] = "x"
		case v == tg.Target || v.Name == tg.Target.Name:
			inputs[v] = "target"
		default:
			return "", fmt.Errorf("bench: train graph input %s is neither the model input nor the target", v.Name)
		}
	}
	f := cFunc{prefix: "t", g: tg.Graph, y: tg.Y, inputs: inputs, updates: tg.Updates}
	body.WriteString("\n__attribute__((noinline))\nvoid train(const float *restrict x, const float *restrict target, float *restrict y, float *restrict state)\n{\n")
	if err := f.emit(&head, &body, params); err != nil {
		return "", err
	}
	body.WriteString("}\n")
	return head.String() + body.String(), nil
}

func emitForward(head, body *strings.Builder, g *ir.Graph, params []ir.Param) error {
	if g == nil || g.Output == nil {
		return fmt.Errorf("bench: graph has no output")
	}
	inputs := map[*ir.Value]string{}
	for _, v := range g.Inputs() {
		inputs[v] = "x"
	}
	f := cFunc{prefix: "", g: g, y: g.Output, inputs: inputs}
	body.WriteString("\n__attribute__((noinline))\nvoid forward(const float *restrict x, float *restrict y, const float *restrict state)\n{\n")
	if err := f.emit(head, body, params); err != nil {
		return err
	}
	body.WriteString("}\n")
	return nil
}

// cFunc is one graph as the body of one C function.
type cFunc struct {
	prefix  string // of the names of its constant arrays
	g       *ir.Graph
	y       *ir.Value            // written to y
	inputs  map[*ir.Value]string // the OpInput values' C names
	updates []autodiff.Update    // written back into state
}

// emit writes the constant arrays to head and the kernels to body.
func (f cFunc) emit(head, body *strings.Builder, params []ir.Param) error {
	slots, _ := codegen.ParamLayout(params)
	off := map[string]int{}
	for _, s := range slots {
		off[s.Name] = s.Offset / 4
	}
	g := f.g
	// root is the value whose storage v uses (reshapes are aliases).
	root := func(v *ir.Value) *ir.Value {
		for v.Op == ir.OpReshape && v != f.y {
			v = v.Args[0]
		}
		return v
	}
	pos := map[*ir.Value]int{}
	for i, v := range g.Values {
		pos[v] = i
	}
	// The updates computed in place: the value is an elementwise kernel
	// (it reads the parameter, if at all, at the index it writes) and no
	// later value reads the parameter.
	inPlace := map[*ir.Value]int{}
	for _, u := range f.updates {
		v := u.Value
		o, ok := off[u.Name]
		if !ok {
			return fmt.Errorf("bench: updated parameter %s is not in the parameter list", u.Name)
		}
		if v == f.y || !(v.Op.IsBinary() || v.Op.IsUnary() || v.Op == ir.OpPow) || !v.Shape.Equal(u.Param.Shape) {
			continue
		}
		if _, dup := inPlace[v]; dup {
			delete(inPlace, v)
			continue
		}
		later := false
		for _, w := range g.Values[pos[v]+1:] {
			for _, a := range w.Args {
				later = later || root(a) == u.Param
			}
		}
		if !later {
			inPlace[v] = o
		}
	}
	name := map[*ir.Value]string{}
	for _, v := range g.Values {
		n := v.Shape.Size()
		out := fmt.Sprintf("v%d", v.ID)
		if v == f.y {
			out = "y"
		}
		switch v.Op {
		case ir.OpInput:
			in, ok := f.inputs[v]
			if !ok {
				return fmt.Errorf("bench: unexpected graph input %s", v.Name)
			}
			name[v] = in
		case ir.OpParam:
			o, ok := off[v.Name]
			if !ok {
				return fmt.Errorf("bench: parameter %s is not in the parameter list", v.Name)
			}
			name[v] = fmt.Sprintf("(state + %d)", o)
		case ir.OpConst:
			c := fmt.Sprintf("%sc%d", f.prefix, v.ID)
			fmt.Fprintf(head, "static const float %s[%d] = {", c, n)
			for i, x := range v.Data {
				if i > 0 {
					head.WriteString(", ")
				}
				head.WriteString(cFloat(x))
			}
			head.WriteString("};\n")
			name[v] = c
		case ir.OpReshape:
			if v != f.y {
				name[v] = name[v.Args[0]] // same data: an alias, no code
				continue
			}
			fmt.Fprintf(body, "\tfor (int i = 0; i < %d; i++) y[i] = %s[i];\n", n, name[v.Args[0]])
			name[v] = out
		default:
			if o, ok := inPlace[v]; ok {
				out = fmt.Sprintf("(state + %d)", o)
			} else if v != f.y {
				fmt.Fprintf(body, "\tfloat %s[%d];\n", out, n)
			}
			name[v] = out
			if err := emitKernel(body, v, out, name); err != nil {
				return err
			}
		}
		if v == f.y && name[v] != "y" {
			fmt.Fprintf(body, "\tfor (int i = 0; i < %d; i++) y[i] = %s[i];\n", n, name[v])
		}
	}
	for _, u := range f.updates {
		o := off[u.Name]
		src := name[u.Value]
		if src == "" {
			return fmt.Errorf("bench: update of %s is not computed by the graph", u.Name)
		}
		if src == fmt.Sprintf("(state + %d)", o) {
			continue // in place, or unchanged
		}
		fmt.Fprintf(body, "\tfor (int i = 0; i < %d; i++) state[%d + i] = %s[i];\n", u.Param.Shape.Size(), o, src)
	}
	return nil
}

// cFloat prints f as an exact C float literal.
func cFloat(f float32) string {
	switch {
	case math.IsNaN(float64(f)):
		return "NAN"
	case math.IsInf(float64(f), 1):
		return "INFINITY"
	case math.IsInf(float64(f), -1):
		return "-INFINITY"
	}
	return strconv.FormatFloat(float64(f), 'x', -1, 32) + "f"
}

var binExpr = map[ir.Op]string{
	ir.OpAdd: "a + b", ir.OpSub: "a - b", ir.OpMul: "a * b", ir.OpDiv: "a / b",
	ir.OpFloorDiv: "floorf(a / b)",
	ir.OpMod:      "(b == 0.0f ? NAN : (fmodf(a, b) != 0.0f && (fmodf(a, b) < 0.0f) != (b < 0.0f) ? fmodf(a, b) + b : fmodf(a, b)))",
	ir.OpMax:      "(a != a || a > b ? a : b)", ir.OpMin: "(a != a || a < b ? a : b)",
	ir.OpLess: "(a < b ? 1.0f : 0.0f)", ir.OpLessEq: "(a <= b ? 1.0f : 0.0f)",
	ir.OpGreater: "(a > b ? 1.0f : 0.0f)", ir.OpGreaterEq: "(a >= b ? 1.0f : 0.0f)",
	ir.OpEqual: "(a == b ? 1.0f : 0.0f)", ir.OpNotEqual: "(a != b ? 1.0f : 0.0f)",
}

var unExpr = map[ir.Op]string{
	ir.OpNeg: "-a", ir.OpExp: "expf(a)", ir.OpLog: "logf(a)", ir.OpTanh: "tanhf(a)",
	ir.OpSqrt: "sqrtf(a)", ir.OpAbs: "fabsf(a)",
}

// subst replaces the operand names a and b in a C expression template.
func subst(tmpl, a, b string) string {
	var s strings.Builder
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		word := (i == 0 || !isWord(tmpl[i-1])) && (i+1 == len(tmpl) || !isWord(tmpl[i+1]))
		switch {
		case c == 'a' && word:
			s.WriteString(a)
		case c == 'b' && word:
			s.WriteString(b)
		default:
			s.WriteByte(c)
		}
	}
	return s.String()
}

func isWord(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func strides(s ir.Shape) []int {
	st := make([]int, len(s))
	m := 1
	for i := len(s) - 1; i >= 0; i-- {
		st[i] = m
		m *= s[i]
	}
	return st
}

// loops opens one for loop per axis of s (i0, i1, ...) and returns the
// closing text and the row-major flat index expression.
func loops(b *strings.Builder, s ir.Shape) (closing, flat string) {
	st := strides(s)
	var terms []string
	for i, d := range s {
		fmt.Fprintf(b, "\t%sfor (int i%d = 0; i%d < %d; i%d++)\n", strings.Repeat("\t", i), i, i, d, i)
		terms = append(terms, fmt.Sprintf("i%d*%d", i, st[i]))
	}
	if len(terms) == 0 {
		return "", "0"
	}
	return "", strings.Join(terms, " + ")
}

func emitKernel(b *strings.Builder, v *ir.Value, out string, name map[*ir.Value]string) error {
	n := v.Shape.Size()
	arg := func(i int) string { return name[v.Args[i]] }
	switch {
	case v.Op == ir.OpDense:
		// The plain C spells the fused layer out: matmul, bias, activation.
		mm := &ir.Value{ID: v.ID, Op: ir.OpMatMul, Args: v.Args[:2], Shape: v.Shape}
		if err := emitKernel(b, mm, out, name); err != nil {
			return err
		}
		t := out + "[i] + " + arg(2) + "[i]"
		act := map[ir.Act]string{
			ir.ActNone:      t,
			ir.ActReluZeroX: subst(binExpr[ir.OpMax], "0.0f", "("+t+")"),
			ir.ActReluXZero: subst(binExpr[ir.OpMax], "("+t+")", "0.0f"),
			ir.ActTanh:      "tanhf(" + t + ")",
		}[v.Act]
		fmt.Fprintf(b, "\tfor (int i = 0; i < %d; i++) %s[i] = %s;\n", n, out, act)
	case v.Op.IsBinary():
		e := subst(binExpr[v.Op], arg(0)+"[i]", arg(1)+"[i]")
		fmt.Fprintf(b, "\tfor (int i = 0; i < %d; i++) %s[i] = %s;\n", n, out, e)
	case v.Op.IsUnary():
		e := subst(unExpr[v.Op], arg(0)+"[i]", "")
		fmt.Fprintf(b, "\tfor (int i = 0; i < %d; i++) %s[i] = %s;\n", n, out, e)
	case v.Op == ir.OpPow:
		a := arg(0) + "[i]"
		var e string
		switch v.Exponent {
		case 1:
			e = a
		case 2:
			e = a + " * " + a
		case 3:
			e = a + " * " + a + " * " + a
		case 0.5:
			e = "sqrtf(" + a + ")"
		case -1:
			e = "1.0f / " + a
		default:
			e = fmt.Sprintf("powf(%s, %sf)", a, strconv.FormatFloat(v.Exponent, 'g', -1, 32))
		}
		fmt.Fprintf(b, "\tfor (int i = 0; i < %d; i++) %s[i] = %s;\n", n, out, e)
	case v.Op == ir.OpWhere:
		fmt.Fprintf(b, "\tfor (int i = 0; i < %d; i++) %s[i] = %s[i] != 0.0f ? %s[i] : %s[i];\n", n, out, arg(0), arg(1), arg(2))
	case v.Op == ir.OpMatMul:
		as, bs := v.Args[0].Shape, v.Args[1].Shape
		k, nn, m := 1, as[len(as)-1], 1
		if len(as) == 2 {
			k = as[0]
		}
		if len(bs) == 2 {
			m = bs[1]
		}
		fmt.Fprintf(b, "\tfor (int i = 0; i < %d; i++) {\n", k)
		fmt.Fprintf(b, "\t\tfor (int j = 0; j < %d; j++) %s[i*%d + j] = 0.0f;\n", m, out, m)
		fmt.Fprintf(b, "\t\tfor (int p = 0; p < %d; p++) {\n\t\t\tfloat av = %s[i*%d + p];\n", nn, arg(0), nn)
		fmt.Fprintf(b, "\t\t\tfor (int j = 0; j < %d; j++) %s[i*%d + j] += av * %s[p*%d + j];\n\t\t}\n\t}\n", m, out, m, arg(1), m)
	case v.Op.IsReduce():
		outer, nn, inner := v.ReduceGeometry()
		in := arg(0)
		x := fmt.Sprintf("%s[(o*%d + j)*%d + i]", in, nn, inner)
		fmt.Fprintf(b, "\tfor (int o = 0; o < %d; o++)\n\t\tfor (int i = 0; i < %d; i++) {\n", outer, inner)
		switch v.Op {
		case ir.OpReduceMax, ir.OpReduceMin:
			fmt.Fprintf(b, "\t\t\tfloat acc = %s[o*%d*%d + i];\n", in, nn, inner)
			e := subst(binExpr[ir.OpMax], "acc", x)
			if v.Op == ir.OpReduceMin {
				e = subst(binExpr[ir.OpMin], "acc", x)
			}
			fmt.Fprintf(b, "\t\t\tfor (int j = 1; j < %d; j++) acc = %s;\n", nn, e)
		default:
			fmt.Fprintf(b, "\t\t\tfloat acc = 0.0f;\n\t\t\tfor (int j = 0; j < %d; j++) acc += %s;\n", nn, x)
			if v.Op == ir.OpReduceMean {
				fmt.Fprintf(b, "\t\t\tacc = acc / %d.0f;\n", nn)
			}
		}
		fmt.Fprintf(b, "\t\t\t%s[o*%d + i] = acc;\n\t\t}\n", out, inner)
	case v.Op == ir.OpTranspose, v.Op == ir.OpBroadcast, v.Op == ir.OpSlice:
		in := v.Args[0].Shape
		st := strides(in)
		_, flat := loops(b, v.Shape)
		var src []string
		switch v.Op {
		case ir.OpTranspose:
			for i := range v.Shape {
				src = append(src, fmt.Sprintf("i%d*%d", i, st[len(st)-1-i]))
			}
		case ir.OpBroadcast:
			o := len(v.Shape) - len(in)
			for i := range in {
				if in[i] != 1 {
					src = append(src, fmt.Sprintf("i%d*%d", o+i, st[i]))
				}
			}
		case ir.OpSlice:
			k := 0
			for i, s := range v.Index {
				if s.Drop {
					src = append(src, strconv.Itoa(s.Start*st[i]))
					continue
				}
				src = append(src, fmt.Sprintf("(%d + i%d*%d)*%d", s.Start, k, s.Step, st[i]))
				k++
			}
		}
		if len(src) == 0 {
			src = []string{"0"}
		}
		fmt.Fprintf(b, "\t%s%s[%s] = %s[%s];\n", strings.Repeat("\t", len(v.Shape)), out, flat, arg(0), strings.Join(src, " + "))
	default:
		return fmt.Errorf("bench: no C kernel for %s", v.Op)
	}
	return nil
}
