package codegen

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	A "github.com/muscles/referee/compiler/arm64"
	"github.com/muscles/referee/compiler/ir"
)

// stateLayout is the state buffer shared by every entry of one muscle: the
// parameters (ParamLayout) followed by the large constant tensors that the
// entries read, each added on first use; identical constants (same shape,
// same bits) share one slot.
type stateLayout struct {
	slots  []Slot
	size   int
	byName map[string]Slot
	consts map[string]Slot
}

func newStateLayout(params []ir.Param) *stateLayout {
	slots, size := ParamLayout(params)
	st := &stateLayout{slots: slots, size: size, byName: map[string]Slot{}, consts: map[string]Slot{}}
	for _, s := range slots {
		st.byName[s.Name] = s
	}
	return st
}

// constSlot returns the slot of the constant tensor v, appending it to the
// layout on first use.
func (st *stateLayout) constSlot(v *ir.Value) Slot {
	var key strings.Builder
	key.WriteString(v.Shape.String())
	for _, f := range v.Data {
		key.WriteString(",")
		key.WriteString(strconv.FormatUint(uint64(math.Float32bits(f)), 16))
	}
	if s, ok := st.consts[key.String()]; ok {
		return s
	}
	s := Slot{Name: fmt.Sprintf("const#%d", len(st.consts)), Shape: v.Shape, Offset: st.size,
		Bytes: 4 * v.Shape.Size(), Const: true, Init: v.Data}
	st.slots = append(st.slots, s)
	st.consts[key.String()] = s
	st.size = align16(st.size + s.Bytes)
	return s
}

// entryUpdate is one parameter a train entry writes: the value of the
// graph that becomes the parameter's new contents.
type entryUpdate struct {
	name  string
	value *ir.Value
}

// entrySpec describes one entry to generate.
type entrySpec struct {
	g       *ir.Graph
	bases   map[*ir.Value]A.Reg // the buffer of every OpInput (x0 or x4)
	out     *ir.Value           // the result written at x1
	updates []entryUpdate       // parameters written into their slots (train)
	train   bool                // x4 is a valid base (CheckEntryABI)
}

// entryCode is one generated entry, assembled on its own (every branch
// is PC-relative, so it can be placed anywhere 4-byte aligned).
type entryCode struct {
	bytes   []byte
	instrs  []A.Instr
	listing string
	scratch int // bytes, a multiple of 16
	run     int // instructions executed per call (loops counted by trip count)
	inPlace int // updates computed straight into their state slot
	copied  int // updates computed in scratch and copied at the end
}

// isView reports whether op is an index map that emits no code.
func isView(op ir.Op) bool {
	switch op {
	case ir.OpReshape, ir.OpTranspose, ir.OpBroadcast, ir.OpSlice:
		return true
	}
	return false
}

// root follows views back to the value whose storage they read.
func root(v *ir.Value) *ir.Value {
	for isView(v.Op) {
		v = v.Args[0]
	}
	return v
}

// compileEntry generates one entry of spec on the shared state layout.
//
// Parameter updates (train). The new value of a parameter p may be
// computed straight into p's slot only if nothing reads p's old contents
// afterwards: every kernel that reads p (directly or through a view)
// comes before the update's kernel in the graph order, and neither the
// final copy of the output nor a staged update reads p. The update's own
// kernel may read p only when it is elementwise and reads p with the
// identity index map (each element is loaded before the same element is
// stored). Every other update is computed in scratch; at the end, updates
// whose value lives in the state buffer (a view of a parameter or a
// constant) are first staged into scratch, and only then are all of them
// copied into their slots, so no copy can clobber a value a later copy
// reads.
func (st *stateLayout) compileEntry(spec entrySpec) (*entryCode, error) {
	g := spec.g
	if spec.out == nil {
		return nil, fmt.Errorf("codegen: graph has no output")
	}
	for _, v := range g.Values {
		if v.Op == ir.OpInput {
			if _, ok := spec.bases[v]; !ok {
				return nil, fmt.Errorf("codegen: input %s has no buffer", v.Name)
			}
			continue
		}
		if err := supported(v, st.byName); err != nil {
			return nil, err
		}
	}
	if n := spec.out.Shape.Size(); n > 0 && 4*n >= 1<<24 {
		return nil, fmt.Errorf("codegen: output too large")
	}
	for _, u := range spec.updates {
		s, ok := st.byName[u.name]
		if !ok || !s.Trainable {
			return nil, fmt.Errorf("codegen: update of %s, which is not a trainable parameter", u.name)
		}
		if !s.Shape.Equal(u.value.Shape) {
			return nil, fmt.Errorf("codegen: update of %s has shape %s, want %s", u.name, u.value.Shape, s.Shape)
		}
	}

	// lastRead: the graph index of the last kernel that reads each
	// parameter's slot; len(g.Values) for reads by the final copies.
	end := len(g.Values)
	lastRead := map[string]int{}
	readAt := func(v *ir.Value, i int) {
		if r := root(v); r.Op == ir.OpParam && i >= lastRead[r.Name] {
			lastRead[r.Name] = i
		}
	}
	pos := map[*ir.Value]int{}
	for i, v := range g.Values {
		pos[v] = i
		if isView(v.Op) {
			continue
		}
		for _, a := range v.Args {
			readAt(a, i)
		}
	}
	readAt(spec.out, end)
	updateOf := map[*ir.Value]int{}
	for i, u := range spec.updates {
		if _, ok := pos[u.value]; !ok {
			return nil, fmt.Errorf("codegen: update of %s is not in the graph", u.name)
		}
		r := root(u.value)
		if r.Op == ir.OpParam || r.Op == ir.OpConst || r.Op == ir.OpInput || r == spec.out || isView(u.value.Op) {
			readAt(u.value, end)
			continue
		}
		if _, dup := updateOf[u.value]; !dup {
			updateOf[u.value] = i
		}
	}

	gn := newGen()
	scratch := 0
	alloc := func(n int) loc {
		l := loc{A.X3, scratch}
		scratch = align16(scratch + 4*n)
		return l
	}
	materialize := func(o operand) operand {
		if o.contiguous() {
			return o
		}
		if o.isConst() && o.size() > MaxFoldedConst {
			// A large uniform constant (folded for elementwise
			// kernels) read as memory: a constant slot.
			return operand{shape: o.shape, mem: loc{A.X2, st.constSlot(&ir.Value{Shape: o.shape, Data: o.cons}).Offset}}
		}
		gn.resetPool()
		d := alloc(o.size())
		gn.copyTo(o, d)
		return operand{shape: o.shape, mem: d}
	}
	gn.materialize = materialize
	inPlace := map[int]bool{}
	ops := map[*ir.Value]operand{}
	for i, v := range g.Values {
		switch v.Op {
		case ir.OpInput:
			ops[v] = operand{shape: v.Shape, mem: loc{spec.bases[v], 0}}
			continue
		case ir.OpParam:
			ops[v] = operand{shape: v.Shape, mem: loc{A.X2, st.byName[v.Name].Offset}}
			continue
		case ir.OpConst:
			if v.Shape.Size() <= MaxFoldedConst || uniformData(v.Data) {
				ops[v] = operand{shape: v.Shape, cons: v.Data}
				continue
			}
			ops[v] = operand{shape: v.Shape, mem: loc{A.X2, st.constSlot(v).Offset}}
			continue
		}
		if src, ok := ir.ViewSource(v); ok {
			ops[v] = ops[v.Args[0]].view(v.Shape, src)
			continue
		}
		args := make([]operand, len(v.Args))
		for j, a := range v.Args {
			args[j] = ops[a]
		}
		var dst loc
		if v == spec.out {
			dst = loc{A.X1, 0}
		} else if ui, ok := updateOf[v]; ok && st.canWriteInPlace(v, i, args, spec.updates[ui].name, lastRead) {
			dst = loc{A.X2, st.byName[spec.updates[ui].name].Offset}
			inPlace[ui] = true
		} else {
			dst = alloc(v.Shape.Size())
		}
		gn.resetPool()
		switch {
		case v.Op == ir.OpMatMul:
			gn.matmul(v, args[0], args[1], dst, materialize)
		case v.Op == ir.OpDense:
			gn.dense(v, args, dst, materialize)
		case v.Op.IsReduce():
			gn.reduce(v, args[0], dst)
		default:
			gn.elementwise(v, args, dst)
		}
		ops[v] = operand{shape: v.Shape, mem: dst}
	}
	if out := ops[spec.out]; !(out.contiguous() && out.mem == (loc{A.X1, 0})) {
		gn.resetPool()
		gn.copyTo(out, loc{A.X1, 0})
	}

	// The updates not computed in place: stage those that live in the
	// state buffer, then copy them all.
	type pending struct {
		o    operand
		slot Slot
	}
	var copies []pending
	for ui, u := range spec.updates {
		if inPlace[ui] {
			continue
		}
		s := st.byName[u.name]
		o := ops[u.value]
		if o.contiguous() && o.mem == (loc{A.X2, s.Offset}) {
			continue // unchanged (the loss does not depend on it)
		}
		if !o.isConst() && (!o.contiguous() || o.mem.base == A.X2) {
			o = materialize(o)
			if o.mem.base == A.X2 { // contiguous in the state: stage it anyway
				gn.resetPool()
				d := alloc(o.size())
				gn.copyContig(o.mem, d, o.size())
				o = operand{shape: o.shape, mem: d}
			}
		}
		copies = append(copies, pending{o, s})
	}
	for _, c := range copies {
		gn.resetPool()
		if c.o.isConst() {
			gn.copyTo(c.o, loc{A.X2, c.slot.Offset})
		} else {
			gn.copyContig(c.o.mem, loc{A.X2, c.slot.Offset}, c.o.size())
		}
	}
	gn.emit(A.Instr{Op: A.RET})
	if scratch >= 1<<24 || st.size >= 1<<24 {
		return nil, fmt.Errorf("codegen: buffers larger than 16 MiB are not supported")
	}
	bytes, err := gn.a.Assemble()
	if err != nil {
		return nil, fmt.Errorf("codegen: %w", err)
	}
	instrs := gn.a.Instrs()
	if err := CheckEntryABI(instrs, spec.train); err != nil {
		return nil, err
	}
	return &entryCode{bytes: bytes, instrs: instrs, listing: gn.a.Listing(), scratch: scratch, run: gn.executed,
		inPlace: len(inPlace), copied: len(copies)}, nil
}

// canWriteInPlace reports whether the kernel v (graph index i), the new
// value of parameter name, may store straight into the parameter's slot.
func (st *stateLayout) canWriteInPlace(v *ir.Value, i int, args []operand, name string, lastRead map[string]int) bool {
	lr, read := lastRead[name]
	if !read || lr < i {
		return true
	}
	if lr > i || v.Op == ir.OpMatMul || v.Op == ir.OpDense || v.Op.IsReduce() {
		return false
	}
	slot := loc{A.X2, st.byName[name].Offset}
	for j, a := range v.Args {
		if r := root(a); r.Op != ir.OpParam || r.Name != name {
			continue
		}
		o := args[j]
		if !o.contiguous() || o.mem != slot || o.size() != v.Shape.Size() {
			return false
		}
	}
	return true
}
