package ir

// DCE removes values that the output does not depend on, keeping the
// input and the parameters (they are the model's interface), and numbers
// the remaining values 0, 1, ... in order.
func DCE(g *Graph) {
	live := map[*Value]bool{}
	if g.Output != nil {
		live[g.Output] = true
	}
	for i := len(g.Values) - 1; i >= 0; i-- {
		v := g.Values[i]
		if v.Op == OpInput || v.Op == OpParam {
			live[v] = true
		}
		if live[v] {
			for _, a := range v.Args {
				live[a] = true
			}
		}
	}
	kept := g.Values[:0]
	for _, v := range g.Values {
		if live[v] {
			kept = append(kept, v)
		}
	}
	clear(g.Values[len(kept):])
	g.Values = kept
	g.renumber()
}
