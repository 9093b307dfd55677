package codegen

import (
	"github.com/muscles/referee/compiler/ir"
)

// Slot is one region of the state buffer.
type Slot struct {
	Name      string   // parameter name; "const#<n>" for a constant tensor
	Shape     ir.Shape // the tensor's shape
	Offset    int      // byte offset from the state base (x2), a multiple of 16
	Bytes     int      // 4 × element count
	Trainable bool     // a trainable parameter (train updates it)
	Const     bool     // a constant tensor the code reads (never trainable)
	Init      []float32
}

// align16 rounds n up to a multiple of 16.
func align16(n int) int { return (n + 15) &^ 15 }

// ParamLayout returns the state-buffer layout of the parameters: one slot
// per parameter, in the order given (the Model's param order), each
// starting at a 16-byte aligned offset, row-major float32, with no other
// padding. The state size so far is the end of the last slot rounded up to
// 16. Compile appends the large constant tensors after these slots (see
// Code.State); the parameter offsets never depend on the constants, so the
// sealing step and the referee can use ParamLayout alone to find weights.
func ParamLayout(params []ir.Param) (slots []Slot, size int) {
	for _, p := range params {
		n := 4 * p.Shape.Size()
		slots = append(slots, Slot{Name: p.Name, Shape: append(ir.Shape{}, p.Shape...), Offset: size, Bytes: n, Trainable: p.Trainable, Init: p.Init})
		size = align16(size + n)
	}
	return slots, size
}
