package pipeline

import (
	"fmt"
	"strings"

	"github.com/muscles/referee/compiler/ir"
	"github.com/muscles/referee/compiler/onnx"
	"github.com/muscles/referee/compiler/onnxfront"
)

// The ONNX front end (compiler/onnx decodes, compiler/onnxfront lowers).
func init() {
	frontEnds[".onnx"] = frontEnd{
		name: "ONNX",
		parse: func(r *Result) (any, error) {
			m, err := onnx.Decode(r.Source)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", r.Path, err)
			}
			return m, nil
		},
		trace: func(r *Result) (*ir.Model, error) {
			m, err := onnxfront.Lower(r.parsed.(*onnx.Model), r.Path, onnxfront.Options{Batch: r.Options.Batch})
			if err != nil {
				return nil, fmt.Errorf("%s: %w", r.Path, err)
			}
			return m, applyOptions(m, r.Options)
		},
		show: func(parsed any) string {
			m := parsed.(*onnx.Model)
			var b strings.Builder
			fmt.Fprintf(&b, "// ONNX ir_version %d, opset %d, producer %q, %d initializers\n", m.IRVersion, m.Opset, m.Producer, len(m.Graph.Initializers))
			for _, in := range m.Graph.Inputs {
				fmt.Fprintf(&b, "input %s %v\n", in.Name, in.Dims)
			}
			for _, n := range m.Graph.Nodes {
				fmt.Fprintf(&b, "%s(%s) -> %s\n", n.OpType, strings.Join(n.Inputs, ", "), strings.Join(n.Outputs, ", "))
			}
			for _, o := range m.Graph.Outputs {
				fmt.Fprintf(&b, "output %s %v\n", o.Name, o.Dims)
			}
			return b.String()
		},
	}
}
