package codegen

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	A "github.com/muscles/referee/compiler/arm64"
	"github.com/muscles/referee/compiler/ir"
	"github.com/muscles/referee/muscle"
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

// kind is the entry's kind, which decides its buffer bases.
func (s entrySpec) kind() muscle.EntryKind {
	if s.train {
		return muscle.EntryTrain
	}
	return muscle.EntryForward
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

// compileEntry generates one entry of spec on the shared state layout:
// it plans the memory (planEntry), emits every kernel into its planned
// destination, then the final copies. The short-lived copies emission
// makes (views materialized for the NEON kernels, and at the end the
// staged updates) go to scratch after the planned regions: those of one
// kernel are released after it, those of the final copies live to the
// end. The output is copied to x1 unless it was computed there; then the
// updates not computed in place are copied into their slots, after first
// staging into scratch every one whose value lives in the state buffer (a
// view of a parameter or a constant), so no copy can clobber a value a
// later copy reads.
//
// A graph with fused dense layers is compiled twice, the second time with
// every unrolled one emitted as its matmul, bias and activation passes
// (denseSplit{true, true}), and the entry that executes fewer
// instructions is kept (the fused one on a tie): which wins depends on
// what the forwarding pass makes of the neighbouring kernels, which the
// per-kernel choice of denseUnrolledBest cannot see.
//
// The kernels are emitted in the graph's order, except that the
// comparisons of inputs, parameters and constants come first
// (comparisonsFirst).
func (st *stateLayout) compileEntry(spec entrySpec) (*entryCode, error) {
	spec.g = comparisonsFirst(spec.g)
	if !hasDense(spec.g) {
		return st.compileEntryWith(spec, false)
	}
	// Each try adds the constant slots it uses to its own copy of the
	// layout; the one kept becomes the layout.
	other := st.clone()
	e, err := st.compileEntryWith(spec, false)
	if err != nil {
		return nil, err
	}
	split, err := other.compileEntryWith(spec, true)
	if err != nil || split.run >= e.run {
		return e, nil
	}
	*st = *other
	return split, nil
}

// clone returns a copy of the layout that can grow on its own.
func (st *stateLayout) clone() *stateLayout {
	return &stateLayout{slots: slices.Clone(st.slots), size: st.size, byName: maps.Clone(st.byName), consts: maps.Clone(st.consts)}
}

// hasDense reports whether g has a fused dense layer.
func hasDense(g *ir.Graph) bool {
	for _, v := range g.Values {
		if v.Op == ir.OpDense {
			return true
		}
	}
	return false
}

// compileEntryWith is compileEntry with the unrolled dense layers split
// into passes or not.
func (st *stateLayout) compileEntryWith(spec entrySpec, splitDense bool) (*entryCode, error) {
	p, err := st.planEntry(spec)
	if err != nil {
		return nil, err
	}
	g := spec.g
	gn := newGen()
	gn.splitDense = splitDense
	gn.bases = basesOf(spec.kind())
	tmp := p.scratch // bump pointer of the short-lived copies
	scratch := p.scratch
	alloc := func(n int) loc {
		l := loc{A.X3, tmp}
		tmp = align16(tmp + 4*n)
		scratch = max(scratch, tmp)
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
	inPlace := p.inPlace
	ops := p.ops
	for _, v := range g.Values {
		dst, ok := p.dst[v]
		if !ok {
			continue
		}
		args := make([]operand, len(v.Args))
		for j, a := range v.Args {
			args[j] = ops[a]
		}
		if w, ok := p.where[v]; ok {
			args = w // a Where on a fused comparison
		}
		gn.resetPool()
		switch {
		case v.Op == ir.OpMatMul:
			gn.matmul(v, args[0], args[1], dst)
		case v.Op == ir.OpDense:
			gn.dense(v, args, dst)
		case v.Op.IsReduce():
			gn.reduce(v, args[0], dst)
		default:
			gn.elementwise(v, args, dst)
		}
		tmp = p.scratch
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
	gn.executed -= forwardEntry(&gn.a, gn.bases)
	scheduleEntry(&gn.a, gn.bases)
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
// value of parameter name, may store straight into the parameter's slot;
// the kernel reads the values vals (effectiveArgs) as the operands args.
func (st *stateLayout) canWriteInPlace(v *ir.Value, i int, vals []*ir.Value, args []operand, name string, lastRead map[string]int) bool {
	lr, read := lastRead[name]
	if !read || lr < i {
		return true
	}
	if lr > i || v.Op == ir.OpMatMul || v.Op == ir.OpDense || v.Op.IsReduce() {
		return false
	}
	slot := loc{A.X2, st.byName[name].Offset}
	for j, a := range vals {
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

// comparisonsFirst returns g with the comparisons that read only inputs,
// parameters and constants (through views) moved, in their order, before
// every other kernel: scalar comparisons (FCMP+FCSEL) and Wheres chain
// through the flags, whose order the scheduler keeps, so a comparison
// emitted late (np.where(x <= 0.25, 1.0, 0.0) after a Where on computed
// values, say) would wait for every earlier one instead of overlapping
// the other kernels' work. The graph itself is left unchanged.
func comparisonsFirst(g *ir.Graph) *ir.Graph {
	leaf := map[*ir.Value]bool{} // inputs, parameters, constants and their views
	var first, cmps, rest []*ir.Value
	for _, v := range g.Values {
		switch {
		case v.Op == ir.OpInput || v.Op == ir.OpParam || v.Op == ir.OpConst,
			isView(v.Op) && leaf[v.Args[0]]:
			leaf[v] = true
			first = append(first, v)
			continue
		}
		ok := v.Op.IsComparison()
		for _, a := range v.Args {
			ok = ok && leaf[a]
		}
		if ok {
			cmps = append(cmps, v)
		} else {
			rest = append(rest, v)
		}
	}
	r := *g
	r.Values = append(append(first, cmps...), rest...)
	return &r
}
