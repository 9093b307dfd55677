package codegen

import (
	"fmt"
	"sort"

	A "github.com/muscles/referee/compiler/arm64"
	"github.com/muscles/referee/compiler/ir"
)

// entryPlan is the memory plan of one entry, computed from the graph
// alone before any code is emitted (planEntry); emission (compileEntry)
// only consumes it.
type entryPlan struct {
	// ops is where every value of the graph is: inputs at their base,
	// parameters and large constants in their state slots, small
	// constants folded, views as index maps over their source, and every
	// kernel's result at its destination.
	ops map[*ir.Value]operand
	// dst is the destination of every value that gets a kernel.
	dst map[*ir.Value]loc
	// inPlace marks the updates (by index in entrySpec.updates) computed
	// straight into their parameter's slot.
	inPlace map[int]bool
	// scratch is the size of the planned scratch regions (bytes, a
	// multiple of 16). Emission puts its short-lived copies (materialized
	// views, staged updates) after it.
	scratch int
	// regions are the scratch regions of the kernels' results, with the
	// graph indices between which each one is live.
	regions []planRegion
	// where holds the operands of every Where that selects on its
	// comparison directly (fusedComparisons): the comparison's two, read
	// through the condition's view, then the two alternatives. Those
	// comparisons get no kernel (no dst, no ops entry).
	where map[*ir.Value][]operand
}

// planRegion is the scratch region of one value: bytes [off, off+size)
// at x3, written by the kernel at graph index from and last read by the
// kernel at index to (len(g.Values) for a read by the final copies).
type planRegion struct {
	v         *ir.Value
	off, size int
	from, to  int
}

// scratchAlloc is a first-fit allocator of 16-byte aligned regions.
type scratchAlloc struct {
	free [][2]int // [off, end), sorted, disjoint, not adjacent
	top  int
}

func (a *scratchAlloc) alloc(size int) int {
	for i, f := range a.free {
		if f[1]-f[0] >= size {
			off := f[0]
			if f[1]-f[0] == size {
				a.free = append(a.free[:i], a.free[i+1:]...)
			} else {
				a.free[i][0] += size
			}
			return off
		}
	}
	off := a.top
	a.top += size
	return off
}

func (a *scratchAlloc) release(off, size int) {
	a.free = append(a.free, [2]int{off, off + size})
	sort.Slice(a.free, func(i, j int) bool { return a.free[i][0] < a.free[j][0] })
	merged := a.free[:1]
	for _, f := range a.free[1:] {
		if last := &merged[len(merged)-1]; last[1] == f[0] {
			last[1] = f[1]
		} else {
			merged = append(merged, f)
		}
	}
	a.free = merged
	if last := a.free[len(a.free)-1]; last[1] == a.top {
		a.top = last[0]
		a.free = a.free[:len(a.free)-1]
	}
}

// planEntry checks spec and computes its memory plan.
//
// Scratch reuse. A kernel's result in scratch is live from its kernel to
// the last kernel that reads it (directly or through a view); the result
// of the entry and every update's value are read by the final copies, so
// what they read stays live to the end. A region is released after its
// last reader's destination has been allocated, so no kernel's result
// overlaps its operands.
//
// Parameter updates (train). The new value of a parameter p may be
// computed straight into p's slot only if nothing reads p's old contents
// afterwards: every kernel that reads p (directly or through a view)
// comes before the update's kernel in the graph order, and neither the
// final copy of the output nor a staged update reads p. The update's own
// kernel may read p only when it is elementwise and reads p with the
// identity index map (each element is loaded before the same element is
// stored). Every other update is computed in scratch and copied at the
// end (compileEntry).
func (st *stateLayout) planEntry(spec entrySpec) (*entryPlan, error) {
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
	// lastUse: the same for each kernel's result.
	end := len(g.Values)
	lastRead := map[string]int{}
	lastUse := map[*ir.Value]int{}
	readAt := func(v *ir.Value, i int) {
		r := root(v)
		if r.Op == ir.OpParam && i >= lastRead[r.Name] {
			lastRead[r.Name] = i
		}
		if i > lastUse[r] {
			lastUse[r] = i
		}
	}
	fused := fusedComparisons(spec)
	pos := map[*ir.Value]int{}
	for i, v := range g.Values {
		pos[v] = i
		if isView(v.Op) {
			continue
		}
		for _, a := range effectiveArgs(v, fused) {
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
		// Read by the copy at the end unless computed in place; keeping
		// it live is harmless when it is computed in place (then it has
		// no scratch region).
		readAt(u.value, end)
	}

	p := &entryPlan{ops: map[*ir.Value]operand{}, dst: map[*ir.Value]loc{}, inPlace: map[int]bool{},
		where: map[*ir.Value][]operand{}}
	conds := map[*ir.Value][]operand{} // a fused comparison or a view of one: its two operands
	var sa scratchAlloc
	region := map[*ir.Value]int{}  // index in p.regions
	dying := map[int][]*ir.Value{} // graph index -> results whose last reader it is
	for i, v := range g.Values {
		switch v.Op {
		case ir.OpInput:
			p.ops[v] = operand{shape: v.Shape, mem: loc{spec.bases[v], 0}}
			continue
		case ir.OpParam:
			p.ops[v] = operand{shape: v.Shape, mem: loc{A.X2, st.byName[v.Name].Offset}}
			continue
		case ir.OpConst:
			if v.Shape.Size() <= MaxFoldedConst || uniformData(v.Data) {
				p.ops[v] = operand{shape: v.Shape, cons: v.Data}
				continue
			}
			p.ops[v] = operand{shape: v.Shape, mem: loc{A.X2, st.constSlot(v).Offset}}
			continue
		}
		if src, ok := ir.ViewSource(v); ok {
			if c, ok := conds[v.Args[0]]; ok {
				conds[v] = []operand{c[0].view(v.Shape, src), c[1].view(v.Shape, src)}
				continue
			}
			p.ops[v] = p.ops[v.Args[0]].view(v.Shape, src)
			continue
		}
		if fused[v] {
			conds[v] = []operand{p.ops[v.Args[0]], p.ops[v.Args[1]]}
			continue
		}
		args := make([]operand, len(v.Args))
		for j, a := range v.Args {
			args[j] = p.ops[a]
		}
		if c, ok := conds[v.Args[0]]; ok && v.Op == ir.OpWhere {
			args = []operand{c[0], c[1], args[1], args[2]}
			p.where[v] = args
		}
		var dst loc
		if v == spec.out {
			dst = loc{A.X1, 0}
		} else if ui, ok := updateOf[v]; ok && st.canWriteInPlace(v, i, effectiveArgs(v, fused), args, spec.updates[ui].name, lastRead) {
			dst = loc{A.X2, st.byName[spec.updates[ui].name].Offset}
			p.inPlace[ui] = true
		} else {
			size := align16(4 * v.Shape.Size())
			dst = loc{A.X3, sa.alloc(size)}
			last := max(lastUse[v], i)
			region[v] = len(p.regions)
			p.regions = append(p.regions, planRegion{v: v, off: dst.off, size: size, from: i, to: last})
			dying[last] = append(dying[last], v)
		}
		p.dst[v] = dst
		p.ops[v] = operand{shape: v.Shape, mem: dst}
		for _, d := range dying[i] {
			r := p.regions[region[d]]
			if r.size > 0 {
				sa.release(r.off, r.size)
			}
		}
		if sa.top > p.scratch {
			p.scratch = sa.top
		}
	}
	if p.scratch >= 1<<24 || st.size >= 1<<24 {
		return nil, fmt.Errorf("codegen: buffers larger than 16 MiB are not supported")
	}
	return p, nil
}

// fusedComparisons returns the comparisons of spec's graph that get no
// kernel of their own: those whose every reader, directly or through
// views, is a Where that reads it as its condition. Each such Where
// selects on the comparison's operands instead of testing a
// materialized 1.0/0.0 (elementwise). A comparison, or a view of one,
// that is the entry's output or an update's value is read by the final
// copies and keeps its kernel.
func fusedComparisons(spec entrySpec) map[*ir.Value]bool {
	final := map[*ir.Value]bool{spec.out: true}
	for _, u := range spec.updates {
		final[u.value] = true
	}
	readers := map[*ir.Value][]*ir.Value{}
	for _, v := range spec.g.Values {
		for _, a := range v.Args {
			readers[a] = append(readers[a], v)
		}
	}
	// onlyConds reports whether every reader of v is a Where's condition
	// or a view that only Where conditions read.
	var onlyConds func(v *ir.Value) bool
	onlyConds = func(v *ir.Value) bool {
		if final[v] {
			return false
		}
		for _, r := range readers[v] {
			switch {
			case isView(r.Op):
				if !onlyConds(r) {
					return false
				}
			case r.Op == ir.OpWhere:
				if r.Args[0] != v || r.Args[1] == v || r.Args[2] == v {
					return false
				}
			default:
				return false
			}
		}
		return true
	}
	fused := map[*ir.Value]bool{}
	for _, v := range spec.g.Values {
		if v.Op.IsComparison() && len(readers[v]) > 0 && onlyConds(v) {
			fused[v] = true
		}
	}
	return fused
}

// effectiveArgs returns the values v's kernel reads: its arguments, except
// that a Where on a fused comparison reads the comparison's two
// arguments in place of its condition.
func effectiveArgs(v *ir.Value, fused map[*ir.Value]bool) []*ir.Value {
	if v.Op != ir.OpWhere || !fused[root(v.Args[0])] {
		return v.Args
	}
	c := root(v.Args[0])
	return []*ir.Value{c.Args[0], c.Args[1], v.Args[1], v.Args[2]}
}
