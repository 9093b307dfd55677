// Package pyexport writes a model (ir.Model, as a front end traced it) as
// a readable Family Python file that the Family Python front end traces
// back into the same graph, and so compiles to the same code: the
// parameters as module-level constants (np.array literals, or np.load of
// an .npz beside the file), forward and the loss as one statement per
// IR value. musclec import uses it to turn an ONNX model into Python.
package pyexport

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/muscles/referee/compiler/ir"
	"github.com/muscles/referee/compiler/npy"
)

// Options say where the weights go.
type Options struct {
	// NPZ, if set, is the name of the .npz file (beside the Python file)
	// the parameters are loaded from; else they are np.array literals.
	NPZ string
}

// Write renders m. m must be as traced (no IR pass run: a fused op has no
// Family Python form).
func Write(m *ir.Model, opt Options) ([]byte, error) {
	if err := m.Check(); err != nil {
		return nil, err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s, written by musclec import.\nimport numpy as np\n\n", m.File)
	fmt.Fprintf(&b, "INPUT_SHAPE = %s\n", tuple(m.InputShape))
	if m.LearningRate != ir.DefaultLearningRate {
		fmt.Fprintf(&b, "LEARNING_RATE = %s\n", float64Lit(m.LearningRate))
	}
	var frozen []string
	for _, p := range m.Params {
		if !p.Trainable {
			frozen = append(frozen, strconv.Quote(p.Name))
		}
	}
	if len(frozen) > 0 {
		fmt.Fprintf(&b, "FROZEN = (%s,)\n", strings.Join(frozen, ", "))
	}
	b.WriteString("\n")
	for _, p := range m.Params {
		if err := checkName(p.Name); err != nil {
			return nil, err
		}
		if opt.NPZ != "" {
			fmt.Fprintf(&b, "%s = np.load(%q)[%q]\n", p.Name, opt.NPZ, p.Name)
		} else {
			fmt.Fprintf(&b, "%s = %s\n", p.Name, arrayLit(p.Shape, p.Init))
		}
	}
	if err := checkName(m.InputName); err != nil {
		return nil, err
	}
	fmt.Fprintf(&b, "\n\ndef forward(%s):\n", m.InputName)
	if err := body(&b, m.Graph); err != nil {
		return nil, fmt.Errorf("forward: %w", err)
	}
	if m.Loss != nil {
		fmt.Fprintf(&b, "\n\ndef loss(%s, %s):\n", ir.LossY, ir.LossTarget)
		if err := body(&b, m.Loss); err != nil {
			return nil, fmt.Errorf("loss: %w", err)
		}
	}
	return []byte(b.String()), nil
}

// body writes one statement per value of g and the return.
func body(b *strings.Builder, g *ir.Graph) error {
	names := map[*ir.Value]string{}
	// A comparison is written where np.where reads it (the only place
	// Family Python takes one).
	conds := map[*ir.Value]bool{}
	for _, v := range g.Values {
		for i, a := range v.Args {
			if isCompare(a.Op) && (v.Op != ir.OpWhere || i != 0) {
				return fmt.Errorf("a comparison (%%%d) used as a value: Family Python takes comparisons only as np.where's condition", a.ID)
			}
		}
		if v.Op == ir.OpWhere && isCompare(v.Args[0].Op) {
			conds[v.Args[0]] = true
		}
	}
	for _, v := range g.Values {
		if conds[v] {
			names[v] = fmt.Sprintf("%s %s %s", names[v.Args[0]], binaryOps[v.Op], names[v.Args[1]])
			continue
		}
		switch v.Op {
		case ir.OpInput, ir.OpParam:
			names[v] = v.Name
			continue
		case ir.OpBroadcast:
			// The front end broadcasts where NumPy would, as the
			// builder that made this graph did.
			names[v] = names[v.Args[0]]
			continue
		}
		e, err := expr(v, names)
		if err != nil {
			return err
		}
		n := fmt.Sprintf("v%d", v.ID)
		names[v] = n
		fmt.Fprintf(b, "    %s = %s\n", n, e)
	}
	fmt.Fprintf(b, "    return %s\n", names[g.Output])
	return nil
}

var binaryOps = map[ir.Op]string{
	ir.OpAdd: "+", ir.OpSub: "-", ir.OpMul: "*", ir.OpDiv: "/", ir.OpFloorDiv: "//", ir.OpMod: "%",
	ir.OpLess: "<", ir.OpLessEq: "<=", ir.OpGreater: ">", ir.OpGreaterEq: ">=", ir.OpEqual: "==", ir.OpNotEqual: "!=",
}

var unaryFuncs = map[ir.Op]string{
	ir.OpExp: "np.exp", ir.OpLog: "np.log", ir.OpTanh: "np.tanh", ir.OpSqrt: "np.sqrt", ir.OpAbs: "np.abs", ir.OpNeg: "np.negative",
}

var reduceFuncs = map[ir.Op]string{
	ir.OpReduceSum: "np.sum", ir.OpReduceMean: "np.mean", ir.OpReduceMax: "np.max", ir.OpReduceMin: "np.min",
}

func expr(v *ir.Value, names map[*ir.Value]string) (string, error) {
	arg := func(i int) string { return names[v.Args[i]] }
	switch {
	case v.Op == ir.OpConst:
		return arrayLit(v.Shape, v.Data), nil
	case binaryOps[v.Op] != "":
		return fmt.Sprintf("%s %s %s", arg(0), binaryOps[v.Op], arg(1)), nil
	case v.Op == ir.OpMax:
		return fmt.Sprintf("np.maximum(%s, %s)", arg(0), arg(1)), nil
	case v.Op == ir.OpMin:
		return fmt.Sprintf("np.minimum(%s, %s)", arg(0), arg(1)), nil
	case unaryFuncs[v.Op] != "":
		return fmt.Sprintf("%s(%s)", unaryFuncs[v.Op], arg(0)), nil
	case v.Op == ir.OpPow:
		return fmt.Sprintf("%s ** %s", arg(0), float64Lit(v.Exponent)), nil
	case v.Op == ir.OpMatMul:
		return fmt.Sprintf("%s @ %s", arg(0), arg(1)), nil
	case reduceFuncs[v.Op] != "":
		if v.AllAxes {
			if v.KeepDims {
				return fmt.Sprintf("%s(%s, keepdims=True)", reduceFuncs[v.Op], arg(0)), nil
			}
			return fmt.Sprintf("%s(%s)", reduceFuncs[v.Op], arg(0)), nil
		}
		return fmt.Sprintf("%s(%s, axis=%d, keepdims=%s)", reduceFuncs[v.Op], arg(0), v.Axis, pyBool(v.KeepDims)), nil
	case v.Op == ir.OpTranspose:
		return arg(0) + ".T", nil
	case v.Op == ir.OpReshape:
		return fmt.Sprintf("np.reshape(%s, %s)", arg(0), tuple(v.Shape)), nil
	case v.Op == ir.OpWhere:
		return fmt.Sprintf("np.where(%s, %s, %s)", arg(0), arg(1), arg(2)), nil
	case v.Op == ir.OpSlice:
		return arg(0) + "[" + index(v.Index, v.Args[0].Shape) + "]", nil
	}
	return "", fmt.Errorf("%s has no Family Python form (export the model as traced, before the IR passes)", v.Op)
}

func isCompare(o ir.Op) bool { return o >= ir.OpLess && o <= ir.OpNotEqual }

// index renders an OpSlice's selectors as a subscript.
func index(sels []ir.Sel, shape ir.Shape) string {
	var parts []string
	for i, s := range sels {
		if s.Drop {
			parts = append(parts, strconv.Itoa(s.Start))
			continue
		}
		stop := s.Start + s.Len*s.Step
		switch {
		case s.Start == 0 && s.Step == 1 && s.Len == shape[i]:
			parts = append(parts, ":")
		case stop < 0:
			parts = append(parts, fmt.Sprintf("%d::%d", s.Start, s.Step))
		case s.Step == 1:
			parts = append(parts, fmt.Sprintf("%d:%d", s.Start, stop))
		default:
			parts = append(parts, fmt.Sprintf("%d:%d:%d", s.Start, stop, s.Step))
		}
	}
	return strings.Join(parts, ", ")
}

// tuple is a shape as a Python tuple.
func tuple(s ir.Shape) string {
	if len(s) == 1 {
		return fmt.Sprintf("(%d,)", s[0])
	}
	var p []string
	for _, d := range s {
		p = append(p, strconv.Itoa(d))
	}
	return "(" + strings.Join(p, ", ") + ")"
}

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// float64Lit is f exactly, as Python reads it.
func float64Lit(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "np.inf"
	case math.IsInf(f, -1):
		return "-np.inf"
	case math.IsNaN(f):
		return "np.nan"
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eEn") {
		s += ".0"
	}
	return s
}

// arrayLit is a float32 tensor as a literal that Python reads back to the
// same float32 values (each written as the exact double it converts from).
func arrayLit(s ir.Shape, data []float32) string {
	if len(s) == 0 {
		return float64Lit(float64(data[0]))
	}
	var b strings.Builder
	b.WriteString("np.array(")
	nested(&b, s, data)
	b.WriteString(")")
	return b.String()
}

func nested(b *strings.Builder, s ir.Shape, data []float32) {
	b.WriteString("[")
	step := len(data) / s[0]
	for i := 0; i < s[0]; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		if len(s) == 1 {
			b.WriteString(float64Lit(float64(data[i])))
		} else {
			nested(b, s[1:], data[i*step:(i+1)*step])
		}
	}
	b.WriteString("]")
}

// NPZ is the model's parameters as an .npz archive (float32 members named
// after the parameters), for Options.NPZ.
func NPZ(m *ir.Model) ([]byte, error) {
	var members []npy.Member
	for _, p := range m.Params {
		members = append(members, npy.Member{Key: p.Name, Shape: p.Shape, Data: p.Init})
	}
	return npy.EncodeArchive(members)
}
