package ir

import "fmt"

// Pass is a named transformation of a Graph.
type Pass struct {
	Name string
	Run  func(*Graph)
}

// Passes is the default pipeline, run in this order.
var Passes = []Pass{
	{"fold", Fold},
	{"simplify", Simplify},
	{"fold2", Fold},
	{"fuse", Fuse},
	{"dce", DCE},
}

// RunPasses runs passes in order on g, checking the graph (Check) after
// each. If after is not empty, it stops after the pass of that name and
// reports an error if there is none.
func RunPasses(g *Graph, passes []Pass, after string) error {
	for _, p := range passes {
		p.Run(g)
		if err := checkAfter(g, p); err != nil {
			return err
		}
		if p.Name == after {
			return nil
		}
	}
	if after != "" {
		return fmt.Errorf("ir: no pass named %q", after)
	}
	return nil
}

// replaceUses rewrites every operand (and the output) through repl,
// following chains. Values keep their order.
func (g *Graph) replaceUses(repl map[*Value]*Value) {
	for _, v := range g.Values {
		resolveArgs(v, repl)
	}
	if g.Output != nil {
		g.Output = resolve(g.Output, repl)
	}
}

// resolve follows v through repl to its final replacement.
func resolve(v *Value, repl map[*Value]*Value) *Value {
	for {
		r, ok := repl[v]
		if !ok {
			return v
		}
		v = r
	}
}

// resolveArgs rewrites v's operands through repl.
func resolveArgs(v *Value, repl map[*Value]*Value) {
	for i, a := range v.Args {
		v.Args[i] = resolve(a, repl)
	}
}
