package ir

// Act is the activation an OpDense applies to matmul + bias.
type Act int

// The activations. Relu keeps the argument order of the np.maximum it
// replaces, because max(0, x) and max(x, 0) differ on -0 and NaN in the
// interpreter (see binary).
const (
	ActNone      Act = iota
	ActReluZeroX     // np.maximum(0, x)
	ActReluXZero     // np.maximum(x, 0)
	ActTanh          // np.tanh(x)
)

var actNames = [...]string{ActNone: "none", ActReluZeroX: "max(0,x)", ActReluXZero: "max(x,0)", ActTanh: "tanh"}

func (a Act) String() string {
	if a >= 0 && int(a) < len(actNames) {
		return actNames[a]
	}
	return "act?"
}

// IsRelu reports whether a is either form of relu.
func (a Act) IsRelu() bool { return a == ActReluZeroX || a == ActReluXZero }

// Fuse rewrites act(matmul(a, W) + bias) into one OpDense value with Args
// {a, W, bias} and Act act, where act is none, relu (np.maximum(0, ·) or
// np.maximum(·, 0)) or tanh, and bias has the matmul's shape (the builder
// has already broadcast a scalar or a vector bias to it). The matmul and
// the sum are fused only if nothing else uses them (the graph's output
// and, under RunPassesOutputs, every result count as uses); when the sum
// has another user, the activation stays a separate op reading an
// OpDense with ActNone. The rewritten value keeps its place and identity
// (its users are unchanged); the matmul and the sum become dead, for DCE.
//
// The interpreter's kernel for OpDense computes exactly what the unfused
// ops did, in the same order (the matmul's sums, then + bias, then the
// activation), so Fuse never changes what Eval returns.
func Fuse(g *Graph) {
	uses := liveUses(g)
	consumed := map[*Value]bool{}
	// Activations first, so that a sum they read is not claimed as a bare
	// matmul + bias.
	for _, v := range g.Values {
		if uses[v] == 0 && v != g.Output {
			continue
		}
		s, act := activationOf(v)
		if s == nil || uses[s] != 1 || consumed[s] {
			continue
		}
		if mm, bias := matchBiasAdd(s, uses); mm != nil {
			consumed[s] = true
			makeDense(v, mm, bias, act)
		}
	}
	for _, v := range g.Values {
		if (uses[v] == 0 && v != g.Output) || consumed[v] {
			continue
		}
		if mm, bias := matchBiasAdd(v, uses); mm != nil {
			makeDense(v, mm, bias, ActNone)
		}
	}
}

// liveUses counts, for every value, the operands of live values (those
// the output depends on) that are that value; the output counts as one
// more use.
func liveUses(g *Graph) map[*Value]int {
	live := map[*Value]bool{}
	uses := map[*Value]int{}
	if g.Output != nil {
		live[g.Output] = true
		uses[g.Output]++
	}
	for i := len(g.Values) - 1; i >= 0; i-- {
		v := g.Values[i]
		if !live[v] {
			continue
		}
		for _, a := range v.Args {
			live[a] = true
			uses[a]++
		}
	}
	return uses
}

// activationOf returns the operand of v and the activation v applies to
// it, or nil if v is not an activation Fuse knows.
func activationOf(v *Value) (*Value, Act) {
	switch v.Op {
	case OpTanh:
		return v.Args[0], ActTanh
	case OpMax:
		a, b := v.Args[0], v.Args[1]
		switch {
		case isConstAll(a, 0) && b.Shape.Equal(v.Shape):
			return b, ActReluZeroX
		case isConstAll(b, 0) && a.Shape.Equal(v.Shape):
			return a, ActReluXZero
		}
	}
	return nil, ActNone
}

// matchBiasAdd matches s = matmul(a, W) + bias (either operand order)
// where the matmul has no other use, a non-empty contracted axis and the
// shape of s; it returns the matmul and the bias.
func matchBiasAdd(s *Value, uses map[*Value]int) (mm, bias *Value) {
	if s.Op != OpAdd {
		return nil, nil
	}
	for k := range 2 {
		m, b := s.Args[k], s.Args[1-k]
		if m.Op != OpMatMul || uses[m] != 1 || !m.Shape.Equal(s.Shape) || !b.Shape.Equal(s.Shape) {
			continue
		}
		as := m.Args[0].Shape
		if as[len(as)-1] == 0 {
			continue
		}
		return m, b
	}
	return nil, nil
}

// makeDense turns v, in place, into act(mm + bias).
func makeDense(v, mm, bias *Value, act Act) {
	*v = Value{ID: v.ID, Op: OpDense, Args: []*Value{mm.Args[0], mm.Args[1], bias}, Shape: v.Shape, Act: act}
}

// dense is OpDense's kernel: the matmul kernel, then + bias, then the
// activation, each rounded as the unfused ops round it.
func dense[T float](v *Value, args [][]T, out []T) {
	matmul(v, args[0], args[1], out)
	bias := args[2]
	for i, s := range out {
		x := binary(OpAdd, s, bias[i])
		switch v.Act {
		case ActReluZeroX:
			x = binary(OpMax, 0, x)
		case ActReluXZero:
			x = binary(OpMax, x, 0)
		case ActTanh:
			x = unary(OpTanh, x)
		}
		out[i] = x
	}
}
