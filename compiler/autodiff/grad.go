package autodiff

import (
	"github.com/muscles/referee/compiler/ir"
)

// gradients appends to b.g the reverse-mode derivative of loss (a scalar)
// with respect to each value of wrt and returns them by value; a value the
// loss does not depend on (or only through piecewise-constant ops) has no
// entry. Only the values that depend on wrt are differentiated, so no
// gradient is built for the input, the target or constants.
func gradients(b builder, loss *ir.Value, wrt []*ir.Value) map[*ir.Value]*ir.Value {
	forward := append([]*ir.Value{}, b.g.Values...) // the sweep ignores what it adds
	need := map[*ir.Value]bool{}
	for _, w := range wrt {
		need[w] = true
	}
	for _, v := range forward {
		for _, a := range v.Args {
			if need[a] {
				need[v] = true
			}
		}
	}
	adj := map[*ir.Value]*ir.Value{loss: b.scalar(1)}
	for i := len(forward) - 1; i >= 0; i-- {
		v := forward[i]
		gv := adj[v]
		if gv == nil {
			continue
		}
		for k, a := range v.Args {
			if !need[a] {
				continue
			}
			c := rule(b, v, k, gv)
			if c == nil {
				continue
			}
			if !c.Shape.Equal(a.Shape) {
				failf("autodiff: gradient of %s operand %d has shape %s, want %s", v.Op, k, c.Shape, a.Shape)
			}
			if old := adj[a]; old != nil {
				c = b.add(old, c)
			}
			adj[a] = c
		}
	}
	out := map[*ir.Value]*ir.Value{}
	for _, w := range wrt {
		if gw := adj[w]; gw != nil {
			out[w] = gw
		}
	}
	return out
}
