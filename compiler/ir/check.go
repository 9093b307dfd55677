package ir

import "fmt"

// Check verifies a graph's structural invariants, which every pass must
// keep: values in SSA order (each operand defined earlier in the graph),
// unique IDs, shapes of rank at most MaxRank with positive dimensions,
// payloads the size of their shapes, operand counts and shapes that agree
// with each op (elementwise operands all of the result's shape, since the
// builder broadcasts explicitly), and an output that is one of the values.
// RunPasses and RunPassesOutputs run it after every pass.
func (g *Graph) Check() error {
	defined := map[*Value]bool{}
	ids := map[int]bool{}
	for i, v := range g.Values {
		where := fmt.Sprintf("value %d (%%%d %s)", i, v.ID, v.Op)
		if ids[v.ID] {
			return fmt.Errorf("ir check: %s: duplicate id", where)
		}
		ids[v.ID] = true
		if len(v.Shape) > MaxRank {
			return fmt.Errorf("ir check: %s: rank %d exceeds %d", where, len(v.Shape), MaxRank)
		}
		for _, d := range v.Shape {
			if d <= 0 {
				return fmt.Errorf("ir check: %s: shape %s has a dimension that is not positive", where, v.Shape)
			}
		}
		for j, a := range v.Args {
			if a == nil || !defined[a] {
				return fmt.Errorf("ir check: %s: operand %d is not defined before it", where, j)
			}
		}
		if err := checkOp(v); err != nil {
			return fmt.Errorf("ir check: %s: %v", where, err)
		}
		defined[v] = true
	}
	if g.Output != nil && !defined[g.Output] {
		return fmt.Errorf("ir check: the output %%%d is not a value of the graph", g.Output.ID)
	}
	return nil
}

// arity is how many operands each op takes (-1: checked in checkOp).
func arity(o Op) int {
	switch {
	case o == OpInput || o == OpParam || o == OpConst:
		return 0
	case o.IsBinary() || o == OpMatMul:
		return 2
	case o.IsUnary() || o.IsReduce() || o == OpPow || o == OpTranspose || o == OpReshape || o == OpBroadcast || o == OpSlice:
		return 1
	case o == OpWhere || o == OpDense:
		return 3
	}
	return -1
}

func checkOp(v *Value) error {
	if v.Op == opSink {
		return nil // RunPassesOutputs' holder of several results
	}
	n := arity(v.Op)
	if n < 0 {
		return fmt.Errorf("unknown op %d", int(v.Op))
	}
	if len(v.Args) != n {
		return fmt.Errorf("%d operands, want %d", len(v.Args), n)
	}
	switch {
	case v.Op == OpConst || v.Op == OpParam:
		if len(v.Data) != v.Shape.Size() {
			return fmt.Errorf("%d values for shape %s", len(v.Data), v.Shape)
		}
	case v.Op.IsBinary() || v.Op.IsUnary() || v.Op == OpPow:
		for _, a := range v.Args {
			if !a.Shape.Equal(v.Shape) {
				return fmt.Errorf("operand of shape %s for a result of shape %s", a.Shape, v.Shape)
			}
		}
	case v.Op == OpWhere:
		for _, a := range v.Args {
			if !a.Shape.Equal(v.Shape) {
				return fmt.Errorf("operand of shape %s for a result of shape %s", a.Shape, v.Shape)
			}
		}
	case v.Op == OpReshape:
		if v.Args[0].Shape.Size() != v.Shape.Size() {
			return fmt.Errorf("reshape of %s to %s changes the size", v.Args[0].Shape, v.Shape)
		}
	case v.Op == OpTranspose:
		a := v.Args[0].Shape
		if len(a) != len(v.Shape) {
			return fmt.Errorf("transpose of %s to %s", a, v.Shape)
		}
		for i := range a {
			if a[i] != v.Shape[len(a)-1-i] {
				return fmt.Errorf("transpose of %s to %s", a, v.Shape)
			}
		}
	case v.Op == OpSlice:
		if len(v.Index) != len(v.Args[0].Shape) {
			return fmt.Errorf("%d selectors for an operand of rank %d", len(v.Index), len(v.Args[0].Shape))
		}
	case v.Op.IsReduce():
		if !v.AllAxes && (v.Axis < 0 || v.Axis >= len(v.Args[0].Shape)) {
			return fmt.Errorf("axis %d of an operand of rank %d", v.Axis, len(v.Args[0].Shape))
		}
	}
	return nil
}

// checkAfter runs Check after pass p.
func checkAfter(g *Graph, p Pass) error {
	if err := g.Check(); err != nil {
		return fmt.Errorf("after pass %s: %w", p.Name, err)
	}
	return nil
}
