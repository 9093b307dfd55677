package ir

// Fold replaces every op whose operands are all constants by a constant,
// computed with the float32 kernels of the interpreter (so folding never
// changes what Eval returns).
func Fold(g *Graph) {
	for _, v := range g.Values {
		if v.Op == OpInput || v.Op == OpParam || v.Op == OpConst {
			continue
		}
		args := make([][]float32, len(v.Args))
		ok := true
		for i, a := range v.Args {
			if a.Op != OpConst {
				ok = false
				break
			}
			args[i] = a.Data
		}
		if !ok {
			continue
		}
		d, err := kernel(v, args)
		if err != nil {
			continue
		}
		makeConst(v, d)
	}
}

// makeConst turns v, in place, into a constant with payload d.
func makeConst(v *Value, d []float32) {
	*v = Value{ID: v.ID, Op: OpConst, Shape: v.Shape, Data: d}
}
