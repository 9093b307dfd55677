package frontend

import (
	"github.com/muscles/referee/compiler/ir"
	"github.com/muscles/referee/compiler/python"
)

// intRule says whether a result on constants keeps NumPy's int dtype.
type intRule func(args []val) bool

func isIntAll(args []val) bool {
	for _, a := range args {
		if a.k != kConst || !a.t.isInt {
			return false
		}
	}
	return true
}

func isIntNever([]val) bool { return false }

// tensorArg checks that v is an array or number.
func (t *tracer) tensorArg(pos python.Pos, construct string, v val) val {
	switch v.k {
	case kConst, kTraced:
		return v
	case kPending:
		t.fail(pos, construct, "cannot infer the shape of input %s from %s; add INPUT_SHAPE = (...) to the module", t.inputName, construct)
	case kSeq:
		t.fail(pos, construct, "%s: a list or tuple operand must be wrapped in np.array", construct)
	case kArchive:
		t.fail(pos, construct, "%s: %s is an .npz archive, not an array: index it by key, e.g. np.load(%q)[%q]", construct, v.f.path, v.f.path, firstKey(v.f.npz))
	}
	t.fail(pos, construct, "%s: expected an array or a number, got a %s", construct, v.describe())
	return val{}
}

// apply builds an operation. If every operand is a compile-time constant,
// it is built on a scratch graph and computed now in float64 (as NumPy
// computes it); otherwise constants become ir Consts and the operation is
// added to the forward graph.
func (t *tracer) apply(pos python.Pos, construct string, args []val, isInt intRule, build func(*ir.Graph, []*ir.Value) (*ir.Value, error)) val {
	allConst := true
	for i, a := range args {
		args[i] = t.tensorArg(pos, construct, a)
		if a.k != kConst {
			allConst = false
		}
	}
	if allConst {
		sg := ir.New()
		seeds := map[*ir.Value][]float64{}
		vs := make([]*ir.Value, len(args))
		for i, a := range args {
			vs[i] = sg.Input("", a.t.shape)
			seeds[vs[i]] = a.t.data
		}
		r, err := build(sg, vs)
		t.check(pos, construct, err)
		d, err := ir.Eval64(sg, seeds, r)
		t.check(pos, construct, err)
		return constVal(r.Shape, d, isInt(args))
	}
	vs := make([]*ir.Value, len(args))
	for i, a := range args {
		if a.k == kConst {
			vs[i] = t.g.Const(a.t.shape, toFloat32(a.t.data))
		} else {
			vs[i] = a.v
		}
	}
	r, err := build(t.g, vs)
	t.check(pos, construct, err)
	return val{k: kTraced, v: r}
}
