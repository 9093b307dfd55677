package pipeline

import (
	"fmt"
	"strings"

	"github.com/muscles/referee/compiler/frontend"
	"github.com/muscles/referee/compiler/ir"
	"github.com/muscles/referee/compiler/python"
)

// The Family Python front end (compiler/python, compiler/frontend).
func init() {
	frontEnds[".py"] = frontEnd{
		name: "Family Python",
		parse: func(r *Result) (any, error) {
			return python.Parse(r.Path, r.Source)
		},
		trace: func(r *Result) (*ir.Model, error) {
			m, err := frontend.CompileModule(r.parsed.(*python.Module))
			if err != nil {
				return nil, err
			}
			return m, applyOptions(m, r.Options)
		},
		show: func(parsed any) string {
			mod := parsed.(*python.Module)
			var defs []string
			for _, s := range mod.Body {
				if f, ok := s.(*python.FuncDef); ok {
					defs = append(defs, fmt.Sprintf("def %s (line %d)", f.Name, f.Pos.Line))
				}
			}
			return fmt.Sprintf("%s: Family Python, %d top-level statements; %s\n", mod.File, len(mod.Body), strings.Join(defs, ", "))
		},
	}
}
