package codegen

import (
	"fmt"
	"math/rand/v2"
	"testing"

	A "github.com/muscles/referee/compiler/arm64"
	"github.com/muscles/referee/compiler/autodiff"
	"github.com/muscles/referee/compiler/frontend"
	"github.com/muscles/referee/compiler/ir"
	"github.com/muscles/referee/compiler/randmodel"
)

// planSpecs returns the entry specs CompileMuscle builds for m and tg,
// on a fresh state layout.
func planSpecs(t *testing.T, m *ir.Model, tg *autodiff.TrainGraph) (*stateLayout, []entrySpec) {
	t.Helper()
	st := newStateLayout(m.Params)
	fb := map[*ir.Value]A.Reg{}
	if in := m.Graph.Inputs(); len(in) == 1 {
		fb[in[0]] = A.X0
	}
	specs := []entrySpec{{g: m.Graph, bases: fb, out: m.Graph.Output}}
	if tg != nil {
		tb := map[*ir.Value]A.Reg{}
		for _, v := range tg.Graph.Inputs() {
			if v == tg.Input || v.Name == tg.Input.Name {
				tb[v] = A.X0
			} else {
				tb[v] = A.X4
			}
		}
		var ups []entryUpdate
		for _, u := range tg.Updates {
			ups = append(ups, entryUpdate{name: u.Name, value: u.Value})
		}
		specs = append(specs, entrySpec{g: tg.Graph, bases: tb, out: tg.Y, updates: ups, train: true})
	}
	return st, specs
}

// checkPlan asserts the plan's invariants: no two scratch regions that
// are live at the same time overlap; every region lies within the
// planned scratch; every value a kernel or a final copy reads is live
// then; in-place updates go to their parameter's slot.
func checkPlan(t *testing.T, name string, st *stateLayout, spec entrySpec, p *entryPlan) {
	t.Helper()
	end := len(spec.g.Values)
	reg := map[*ir.Value]planRegion{}
	for i, a := range p.regions {
		reg[a.v] = a
		if a.off%16 != 0 || a.off < 0 || a.off+a.size > p.scratch {
			t.Errorf("%s: %%%d at [%d, %d) outside the scratch of %d bytes or unaligned", name, a.v.ID, a.off, a.off+a.size, p.scratch)
		}
		for _, b := range p.regions[i+1:] {
			live := a.from <= b.to && b.from <= a.to
			overlap := a.off < b.off+b.size && b.off < a.off+a.size
			if live && overlap && a.size > 0 && b.size > 0 {
				t.Errorf("%s: %%%d [%d, %d) live %d..%d overlaps %%%d [%d, %d) live %d..%d",
					name, a.v.ID, a.off, a.off+a.size, a.from, a.to, b.v.ID, b.off, b.off+b.size, b.from, b.to)
			}
		}
	}
	readBy := func(v *ir.Value, i int) {
		if r, ok := reg[root(v)]; ok && r.to < i {
			t.Errorf("%s: %%%d is read at %d but its region is released after %d", name, root(v).ID, i, r.to)
		}
	}
	for i, v := range spec.g.Values {
		if _, ok := p.dst[v]; !ok {
			continue
		}
		for _, a := range v.Args {
			readBy(a, i)
		}
	}
	readBy(spec.out, end)
	for ui, u := range spec.updates {
		if p.inPlace[ui] {
			if d := p.dst[u.value]; d != (loc{A.X2, st.byName[u.name].Offset}) {
				t.Errorf("%s: update of %s in place but its destination is %v", name, u.name, d)
			}
			continue
		}
		readBy(u.value, end)
	}
}

func planAll(t *testing.T, name string, m *ir.Model, tg *autodiff.TrainGraph) []*entryPlan {
	t.Helper()
	st, specs := planSpecs(t, m, tg)
	var ps []*entryPlan
	for i, spec := range specs {
		p, err := st.planEntry(spec)
		if err != nil {
			t.Fatalf("%s: plan: %v", name, err)
		}
		checkPlan(t, fmt.Sprintf("%s/entry%d", name, i), st, spec, p)
		ps = append(ps, p)
	}
	return ps
}

// TestPlanModels checks the plan invariants on both entries of every test
// model.
func TestPlanModels(t *testing.T) {
	for _, path := range modelFiles {
		m, tg := loadTrain(t, path)
		planAll(t, path, m, tg)
	}
}

// TestPlanRandomModels checks the plan invariants on randomised models.
func TestPlanRandomModels(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 1))
	for i := range 60 {
		src, _, _ := randmodel.Generate(rng)
		name := fmt.Sprintf("rand%d.py", i)
		m, err := frontend.Compile(name, []byte(src))
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, src)
		}
		if err := ir.RunPasses(m.Graph, ir.Passes, ""); err != nil {
			t.Fatal(err)
		}
		tm, err := frontend.Compile(name, []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		tg, err := autodiff.Train(tm)
		if err != nil {
			t.Fatalf("%s: autodiff: %v", name, err)
		}
		planAll(t, name, m, tg)
	}
}

// TestPlanReuse: in a chain of four elementwise ops, each intermediate
// result is dead once the next one is computed, so two regions suffice.
func TestPlanReuse(t *testing.T) {
	g := ir.New()
	x := g.Input("x", ir.Shape{64})
	v := x
	for _, op := range []ir.Op{ir.OpExp, ir.OpNeg, ir.OpExp, ir.OpNeg} {
		v = must(g.Unary(op, v))
	}
	g.Output = v
	st := newStateLayout(nil)
	p, err := st.planEntry(entrySpec{g: g, bases: map[*ir.Value]A.Reg{x: A.X0}, out: v})
	if err != nil {
		t.Fatal(err)
	}
	checkPlan(t, "chain", st, entrySpec{g: g, out: v}, p)
	if len(p.regions) != 3 || p.scratch != 2*256 {
		t.Errorf("%d regions in %d scratch bytes, want 3 in 512", len(p.regions), p.scratch)
	}
	if p.regions[2].off != p.regions[0].off {
		t.Errorf("third result at %d, want the first one's region %d", p.regions[2].off, p.regions[0].off)
	}
}

// TestPlanInPlace: the plan of the hazard model computes exactly the
// update of B in place (see TestTrainUpdateHazards).
func TestPlanInPlace(t *testing.T) {
	m, tg := hazardMuscle(t)
	ps := planAll(t, "hazard", m, tg)
	if n := len(ps[1].inPlace); n != 1 {
		t.Errorf("%d updates planned in place, want 1", n)
	}
}
