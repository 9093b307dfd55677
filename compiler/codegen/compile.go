package codegen

import (
	"encoding/binary"
	"fmt"
	"math"

	A "github.com/muscles/referee/compiler/arm64"
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
func Compile(g *ir.Graph, params []ir.Param) (code *Code, err error) {
	if g.Output == nil {
		return nil, fmt.Errorf("codegen: graph has no output")
	}
	inputs := g.Inputs()
	if len(inputs) > 1 {
		return nil, fmt.Errorf("codegen: graph has %d inputs, want at most one", len(inputs))
	}
	st := newStateLayout(params)
	bases := map[*ir.Value]A.Reg{}
	inSize := 0
	if len(inputs) == 1 {
		bases[inputs[0]] = A.X0
		inSize = 4 * inputs[0].Shape.Size()
	}
	e, err := st.compileEntry(entrySpec{g: g, bases: bases, out: g.Output})
	if err != nil {
		return nil, err
	}
	return &Code{
		Bytes: e.bytes, State: st.slots, StateSize: st.size, ScratchSize: e.scratch,
		OutputSize: 4 * g.Output.Shape.Size(), InputSize: inSize,
		Instrs: e.instrs, Listing: e.listing,
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
	case ir.OpDense:
		return denseOK(v)
	}
	return elementwiseOK(v)
}
