package frontend

import (
	"github.com/muscles/referee/compiler/ir"
)

// kind says what a traced expression evaluated to.
type kind int

const (
	kConst   kind = iota // a compile-time tensor (NumPy array or Python number)
	kTraced              // a value of the forward graph
	kSeq                 // a tuple or list of values
	kStr                 // a string
	kBool                // True or False
	kNone                // None
	kPending             // the input, before its shape is known
	kArchive             // an .npz archive np.load opened (index it by key)
)

// tensor is a compile-time array in float64, row-major; isInt tracks
// NumPy's integer dtype (ints are never parameters).
type tensor struct {
	shape ir.Shape
	data  []float64
	isInt bool
}

// val is the result of evaluating an expression.
type val struct {
	k    kind
	t    *tensor   // kConst
	v    *ir.Value // kTraced
	elts []val     // kSeq
	s    string    // kStr
	b    bool      // kBool
	f    *dataFile // kArchive
}

func constVal(shape ir.Shape, data []float64, isInt bool) val {
	return val{k: kConst, t: &tensor{shape: shape, data: data, isInt: isInt}}
}

func scalarVal(f float64, isInt bool) val { return constVal(ir.Shape{}, []float64{f}, isInt) }

// shape returns the shape of a tensor-like value.
func (v val) shape() ir.Shape {
	if v.k == kTraced {
		return v.v.Shape
	}
	return v.t.shape
}

func (v val) describe() string {
	switch v.k {
	case kConst, kTraced:
		return "array of shape " + v.shape().String()
	case kSeq:
		return "tuple or list"
	case kStr:
		return "string"
	case kBool:
		return "bool"
	case kNone:
		return "None"
	case kArchive:
		return ".npz archive"
	}
	return "the input"
}

func toFloat32(d []float64) []float32 {
	out := make([]float32, len(d))
	for i, x := range d {
		out[i] = float32(x)
	}
	return out
}
