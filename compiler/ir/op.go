package ir

// Op is a Value's operation.
type Op int

// The operations. Elementwise binary ops take operands of one shape (the
// builder broadcasts first); comparisons produce 0/1 masks.
const (
	OpInput Op = iota // the model input; Name
	OpParam           // a named parameter; Name, Data (initial), Trainable
	OpConst           // a constant; Data

	OpAdd
	OpSub
	OpMul
	OpDiv
	OpFloorDiv // Python //, floor of the quotient
	OpMod      // Python %, the sign of the divisor
	OpMax      // np.maximum
	OpMin      // np.minimum
	OpLess
	OpLessEq
	OpGreater
	OpGreaterEq
	OpEqual
	OpNotEqual

	OpNeg
	OpExp
	OpLog
	OpTanh
	OpSqrt
	OpAbs
	OpPow // Args[0] ** Exponent

	OpMatMul    // np.dot/np.matmul/@ on ranks 1 and 2
	OpReduceSum // over Axis, or all axes if AllAxes; KeepDims
	OpReduceMean
	OpReduceMax
	OpReduceMin
	OpTranspose // reverses the axes (.T)
	OpReshape   // same data, new Shape
	OpBroadcast // NumPy broadcast of Args[0] to Shape
	OpWhere     // Args[0] != 0 ? Args[1] : Args[2]
	OpSlice     // static indexing; Index

	OpDense // Act(Args[0] @ Args[1] + Args[2]); Act (see fuse.go)
)

var opNames = [...]string{
	OpInput: "input", OpParam: "param", OpConst: "const",
	OpAdd: "add", OpSub: "sub", OpMul: "mul", OpDiv: "div",
	OpFloorDiv: "floordiv", OpMod: "mod", OpMax: "max", OpMin: "min",
	OpLess: "lt", OpLessEq: "le", OpGreater: "gt", OpGreaterEq: "ge",
	OpEqual: "eq", OpNotEqual: "ne",
	OpNeg: "neg", OpExp: "exp", OpLog: "log", OpTanh: "tanh",
	OpSqrt: "sqrt", OpAbs: "abs", OpPow: "pow",
	OpMatMul: "matmul", OpReduceSum: "sum", OpReduceMean: "mean",
	OpReduceMax: "reducemax", OpReduceMin: "reducemin",
	OpTranspose: "transpose", OpReshape: "reshape", OpBroadcast: "broadcast",
	OpWhere: "where", OpSlice: "slice",
	OpDense: "dense",
}

func (o Op) String() string {
	if o >= 0 && int(o) < len(opNames) && opNames[o] != "" {
		return opNames[o]
	}
	return "op?"
}

// IsBinary reports whether o is an elementwise binary op.
func (o Op) IsBinary() bool { return o >= OpAdd && o <= OpNotEqual }

// IsComparison reports whether o is a comparison: its result is 1.0
// where it holds, +0.0 elsewhere.
func (o Op) IsComparison() bool { return o >= OpLess && o <= OpNotEqual }

// IsUnary reports whether o is an elementwise unary op with no attribute.
func (o Op) IsUnary() bool { return o >= OpNeg && o <= OpAbs }

// IsReduce reports whether o is a reduction.
func (o Op) IsReduce() bool { return o >= OpReduceSum && o <= OpReduceMin }
