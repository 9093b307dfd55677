package codegen

import (
	"encoding/binary"
	"fmt"
	"math"

	A "github.com/muscles/referee/compiler/arm64"
	"github.com/muscles/referee/compiler/frontend"
	"github.com/muscles/referee/compiler/ir"
)

// MaxFoldedConst is the largest constant tensor (in elements) folded into
// the code; larger constants go to the state buffer after the parameters.
const MaxFoldedConst = 16

// Code is a compiled forward entry.
type Code struct {
	Bytes       []byte    // the machine code, little-endian A64 words
	Entry       int       // byte offset of the forward entry (0)
	State       []Slot    // state layout: the parameters, then constant tensors
	StateSize   int       // bytes, a multiple of 16
	ScratchSize int       // bytes, a multiple of 16
	OutputSize  int       // bytes of the output tensor
	InputSize   int       // bytes of the input tensor
	Instrs      []A.Instr // the emitted program (labels unresolved)
	Listing     string    // disassembly with labels
}

// InitialState returns the state buffer as the code expects it on entry:
// every slot's initial data, row-major float32, little-endian, zero
// padding between slots.
func (c *Code) InitialState() []byte {
	buf := make([]byte, c.StateSize)
	for _, s := range c.State {
		for i, f := range s.Init {
			binary.LittleEndian.PutUint32(buf[s.Offset+4*i:], math.Float32bits(f))
		}
	}
	return buf
}

// Compile generates the forward entry for g (after the ir passes) with
// the state layout ParamLayout(params) followed by g's large constants.
// It returns an error naming the first op it does not support.
func Compile(g *ir.Graph, params []frontend.Param) (code *Code, err error) {
	if g.Output == nil {
		return nil, fmt.Errorf("codegen: graph has no output")
	}
	slots, stateSize := ParamLayout(params)
	byName := map[string]Slot{}
	for _, s := range slots {
		byName[s.Name] = s
	}
	inputs := g.Inputs()
	if len(inputs) > 1 {
		return nil, fmt.Errorf("codegen: graph has %d inputs, want at most one", len(inputs))
	}
	for _, v := range g.Values {
		if err := supported(v, byName); err != nil {
			return nil, err
		}
	}

	gn := newGen()
	scratch := 0
	alloc := func(n int) loc {
		l := loc{A.X3, scratch}
		scratch = align16(scratch + 4*n)
		return l
	}
	if g.Output.Shape.Size() > 0 && 4*g.Output.Shape.Size() >= 1<<24 {
		return nil, fmt.Errorf("codegen: output too large")
	}
	materialize := func(o operand) operand {
		if o.contiguous() {
			return o
		}
		gn.resetPool()
		d := alloc(o.size())
		gn.copyTo(o, d)
		return operand{shape: o.shape, mem: d}
	}
	ops := map[*ir.Value]operand{}
	for _, v := range g.Values {
		switch v.Op {
		case ir.OpInput:
			ops[v] = operand{shape: v.Shape, mem: loc{A.X0, 0}}
			continue
		case ir.OpParam:
			ops[v] = operand{shape: v.Shape, mem: loc{A.X2, byName[v.Name].Offset}}
			continue
		case ir.OpConst:
			if v.Shape.Size() <= MaxFoldedConst {
				ops[v] = operand{shape: v.Shape, cons: v.Data}
				continue
			}
			s := Slot{Name: fmt.Sprintf("const#%d", v.ID), Shape: v.Shape, Offset: stateSize, Bytes: 4 * v.Shape.Size(), Const: true, Init: v.Data}
			slots = append(slots, s)
			stateSize = align16(stateSize + s.Bytes)
			ops[v] = operand{shape: v.Shape, mem: loc{A.X2, s.Offset}}
			continue
		}
		if src, ok := viewMap(v); ok {
			ops[v] = ops[v.Args[0]].view(v.Shape, src)
			continue
		}
		args := make([]operand, len(v.Args))
		for i, a := range v.Args {
			args[i] = ops[a]
		}
		var dst loc
		if v == g.Output {
			dst = loc{A.X1, 0}
		} else {
			dst = alloc(v.Shape.Size())
		}
		gn.resetPool()
		switch {
		case v.Op == ir.OpMatMul:
			gn.matmul(v, args[0], args[1], dst, materialize)
		case v.Op.IsReduce():
			gn.reduce(v, args[0], dst)
		default:
			gn.elementwise(v, args, dst)
		}
		ops[v] = operand{shape: v.Shape, mem: dst}
	}
	if out := ops[g.Output]; !(out.contiguous() && out.mem == (loc{A.X1, 0})) {
		gn.resetPool()
		gn.copyTo(out, loc{A.X1, 0})
	}
	gn.emit(A.Instr{Op: A.RET})
	if scratch >= 1<<24 || stateSize >= 1<<24 {
		return nil, fmt.Errorf("codegen: buffers larger than 16 MiB are not supported")
	}
	bytes, err := gn.a.Assemble()
	if err != nil {
		return nil, fmt.Errorf("codegen: %w", err)
	}
	instrs := gn.a.Instrs()
	if err := CheckABI(instrs); err != nil {
		return nil, err
	}
	inSize := 0
	if len(inputs) == 1 {
		inSize = 4 * inputs[0].Shape.Size()
	}
	return &Code{
		Bytes: bytes, State: slots, StateSize: stateSize, ScratchSize: scratch,
		OutputSize: 4 * g.Output.Shape.Size(), InputSize: inSize,
		Instrs: instrs, Listing: gn.a.Listing(),
	}, nil
}

// supported checks, before any code is emitted, that v can be compiled.
func supported(v *ir.Value, params map[string]Slot) error {
	switch v.Op {
	case ir.OpInput, ir.OpConst, ir.OpReshape, ir.OpTranspose, ir.OpBroadcast, ir.OpSlice,
		ir.OpMatMul, ir.OpReduceSum, ir.OpReduceMean, ir.OpReduceMax, ir.OpReduceMin:
		return nil
	case ir.OpParam:
		if s, ok := params[v.Name]; !ok || !s.Shape.Equal(v.Shape) {
			return fmt.Errorf("codegen: parameter %s %s is not in the parameter list with that shape", v.Name, v.Shape)
		}
		return nil
	}
	return elementwiseOK(v)
}
