package codegen

import (
	"slices"

	A "github.com/muscles/referee/compiler/arm64"
)

// The forwarding pass runs on an entry's final instruction list before
// the scheduler. Kernels hand their results to each other through memory:
// one stores a value to scratch (or the output) and the next loads it
// back. In the entry's top level (the code outside every loop, each
// instruction of which runs exactly once per call) and within one
// straight-line block, a floating-point LDR S or Q from a buffer
// ([x0..x4, #off]) that reads exactly the bytes an earlier STR or STP of
// the same register view stored there (to the output or scratch), or an
// earlier load of the same view read (a weight or an input element read
// twice), with no store that may alias those bytes, no write to the
// stored register and none to a buffer base in between, is removed: the
// instructions after it that read the loaded register, up to its next
// write, read the stored register instead (nothing changes when that is
// the loaded register itself, in the same view). It is only done when that
// whole range lies in the block (or the block ends the entry with RET),
// the stored register is not written before the last renamed read, no
// renamed instruction also reads the loaded register as its destination
// (FMLA, BSL), and, for a 4-byte load (which zeroes the vector's upper
// lanes), every renamed read is of the S view (or of lane 0 alone: a DUP
// of element 0, a by-element operand of index 0). An S load of a Q
// value's first four bytes reads the Q register's lane 0 (its S view);
// other lanes are never forwarded. Kernels reuse a result register
// right after the store; when the stored register is written again before
// the load, the value's live range, from the instruction of the block
// that produced it up to that write, is moved into a spare vector
// register (one the entry names nowhere from the producer on, and that
// the pass is not using there) if the producer does not read its own
// destination, and the load's readers read the spare register.
//
// Then a top-level STR or STP to scratch ([x3, #off]) is removed when no
// later instruction may read its bytes before a later top-level store to
// scratch overwrites them: a later load through x3 with an overlapping
// range, any load inside a loop, and any load through another register
// than the buffer bases count as reads. Stores to the output, the state
// or through any other register are kept.
//
// Last, sameConsts (consts_pass.go) removes top-level instructions that
// set a register to the constant it already holds.
//
// Every removed instruction is top-level, so the executed count drops by
// exactly the number removed. Entries with a branch other than a loop's
// back-edge or RET, or that write a buffer base, are left unchanged.

// forwardEntry runs the forwarding and dead-store pass over the program in
// a and returns the number of instructions removed.
func forwardEntry(a *A.Assembler, bases bufferBases) int {
	return a.Rewrite(func(ins []A.Instr, bound []int) []bool {
		inLoop, ok := loopMap(ins, bound, bases)
		if !ok {
			return nil
		}
		labelled := make([]bool, len(ins)+1)
		for _, idx := range bound {
			if idx >= 0 {
				labelled[idx] = true
			}
		}
		drop := make([]bool, len(ins))
		sp := newSpare(ins)
		start := 0
		for i := 0; i < len(ins); i++ {
			last := i+1 == len(ins) || ins[i].IsBranch() || labelled[i+1]
			if !last {
				continue
			}
			top := true
			for k := start; k <= i; k++ {
				top = top && !inLoop[k]
			}
			if top {
				forwardBlock(ins, drop, start, i+1, sp, bases)
			}
			start = i + 1
		}
		deadStores(ins, drop, inLoop, bases)
		sameConsts(ins, drop, inLoop, labelled)
		return drop
	})
}

// loopMap marks the instructions inside a loop: from the label a branch
// jumps back to, to the branch. ok is false if the program writes a buffer
// base or has a branch that is not a back-edge to a bound label or RET.
func loopMap(ins []A.Instr, bound []int, bases bufferBases) (inLoop []bool, ok bool) {
	inLoop = make([]bool, len(ins))
	for j, in := range ins {
		if defs, _ := in.DefUse(); bases.written(defs) {
			return nil, false
		}
		if !in.IsBranch() || in.Op == A.RET {
			continue
		}
		if in.Label == 0 || int(in.Label) > len(bound) {
			return nil, false
		}
		t := bound[in.Label-1]
		if t < 0 || t > j {
			return nil, false
		}
		for k := t; k <= j; k++ {
			inLoop[k] = true
		}
	}
	return inLoop, true
}

// stored is a value known to be in memory: the register that was stored
// to the bytes m, the block's instruction that wrote that register (prod,
// -1 if none) and, once the register has been written again, the first
// instruction that did (clob; -1 while the register still holds it).
type stored struct {
	m          A.MemAccess
	reg        A.Reg
	prod, clob int
}

// regClassOf returns the view of r (S, Q, V, X, ...) with the number
// masked off, so two registers compare equal when they share a view.
func regClassOf(r A.Reg) A.Reg { return r &^ 0xff }

func isFP(r A.Reg) bool { return r.Unit() >= 32 && r.Unit() < A.UnitFlags }

// spare tracks the vector registers the pass may move a stored value
// into: from instruction i on, those the original program names nowhere
// at i or after (lastNamed[F] < i, -1 for never), and that the pass's own
// earlier uses have left (busyTo[F], the last instruction index of its
// use of F; only units the pass has used have an entry).
type spare struct {
	lastNamed map[int]int
	busyTo    map[int]int
}

func newSpare(ins []A.Instr) *spare {
	s := &spare{lastNamed: map[int]int{}, busyTo: map[int]int{}}
	for i, in := range ins {
		for _, r := range []A.Reg{in.Rd, in.Rn, in.Rm, in.Ra, in.Rt2} {
			s.lastNamed[r.Unit()] = i
		}
	}
	return s
}

// extend records that unit u is read up to instruction last: the
// forwarded value's readers now read it there.
func (s *spare) extend(u, last int) {
	if b, used := s.busyTo[u]; used {
		s.busyTo[u] = max(b, last)
		return
	}
	if n, ok := s.lastNamed[u]; !ok || n < last {
		s.lastNamed[u] = last
	}
}

// pick returns a spare unit free from instruction from on, or -1; it
// prefers v16..v31, then v0..v7, then v8..v15.
func (s *spare) pick(from int) int {
	for _, n := range []int{16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
		0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15} {
		u := 32 + n
		named, ok := s.lastNamed[u]
		if ok && named >= from {
			continue
		}
		if b, used := s.busyTo[u]; !used || b < from {
			return u
		}
	}
	return -1
}

// withUnit returns r's view of register unit u (32..63).
func withUnit(r A.Reg, u int) A.Reg { return regClassOf(r) | A.Reg(u-32) }

// forwardBlock forwards stores to loads in the top-level block
// ins[start:end].
func forwardBlock(ins []A.Instr, drop []bool, start, end int, sp *spare, bases bufferBases) {
	endsRet := ins[end-1].Op == A.RET
	var known []stored
	lastDef := map[int]int{}
	for k := start; k < end; k++ {
		if drop[k] {
			continue
		}
		in := ins[k]
		m, isMem := in.Mem()
		fpLoad := isMem && !m.Store && in.Op == A.LDR && bases.has(m.Base) && isFP(in.Rd)
		if fpLoad {
			// The bytes' values still in their registers first, then one
			// to relocate.
			// A 4-byte load of a 16-byte value's first bytes reads its
			// lane 0: the S view of the Q register.
			lane0 := regClassOf(in.Rd) == regClassOf(A.S0)
			same := func(s stored) bool {
				if s.m.Base != m.Base || s.m.Off != m.Off {
					return false
				}
				return s.m.Size == m.Size && regClassOf(s.reg) == regClassOf(in.Rd) ||
					lane0 && s.m.Size == 16 && regClassOf(s.reg) == regClassOf(A.Q0)
			}
			pick := -1
			for i, s := range known {
				if same(s) && (pick < 0 || (known[pick].clob >= 0 && s.clob < 0)) {
					pick = i
				}
			}
			if pick >= 0 {
				s := known[pick]
				if s.clob < 0 && s.reg == in.Rd {
					// The register still holds those bytes, in the
					// view this load would leave them.
					drop[k] = true
				} else if s.clob < 0 {
					if last, ok := renameLoad(ins, drop, k, end, s.reg, endsRet); ok {
						drop[k] = true
						sp.extend(s.reg.Unit(), last)
					}
				} else if f := relocate(ins, drop, k, end, s, sp, endsRet); f >= 0 {
					drop[k] = true
					known = slices.DeleteFunc(known, func(o stored) bool { return o.reg.Unit() == f })
					known = append(known, stored{s.m, withUnit(s.reg, f), s.prod, -1})
				}
			}
			if drop[k] {
				continue
			}
		}
		defs, _ := in.DefUse()
		known = slices.DeleteFunc(known, func(s stored) bool {
			return (isMem && m.Store && mayAlias(bases, s.m, m)) || slices.Contains(defs, s.m.Base.Unit())
		})
		for i := range known {
			if s := &known[i]; s.clob < 0 && slices.Contains(defs, s.reg.Unit()) {
				s.clob = k
			}
		}
		for _, u := range defs {
			lastDef[u] = k
		}
		if fpLoad && !slices.Contains(defs, m.Base.Unit()) {
			// What a load put in its register is known too: a later load
			// of the same bytes reads that register instead.
			known = append(known, stored{m, in.Rd, k, -1})
			continue
		}
		if !isMem || !m.Store || (m.Base != A.X1 && m.Base != A.X3) {
			continue
		}
		prod := func(r A.Reg) int {
			if p, ok := lastDef[r.Unit()]; ok {
				return p
			}
			return -1
		}
		switch in.Op {
		case A.STR:
			if isFP(in.Rd) {
				known = append(known, stored{m, in.Rd, prod(in.Rd), -1})
			}
		case A.STP:
			if isFP(in.Rd) && isFP(in.Rt2) {
				half := m.Size / 2
				known = append(known,
					stored{A.MemAccess{Base: m.Base, Off: m.Off, Size: half, Store: true}, in.Rd, prod(in.Rd), -1},
					stored{A.MemAccess{Base: m.Base, Off: m.Off + half, Size: half, Store: true}, in.Rt2, prod(in.Rt2), -1})
			}
		}
	}
}

// relocate forwards the stored value s, whose register was written again
// at s.clob, to the load ins[k]: it moves the value's live range, from its
// producer s.prod up to s.clob, into a spare register F and renames the
// load's readers to F. It returns F's unit, or -1 with nothing changed.
func relocate(ins []A.Instr, drop []bool, k, end int, s stored, sp *spare, endsRet bool) int {
	u := s.reg.Unit()
	if s.prod < 0 || s.clob < 0 || s.clob > k {
		return -1
	}
	if _, isSpare := sp.busyTo[u]; isSpare {
		return -1
	}
	f := sp.pick(s.prod)
	if f < 0 {
		return -1
	}
	p := ins[s.prod]
	if p.Rd.Unit() != u {
		return -1
	}
	np := p
	np.Rd = withUnit(p.Rd, f)
	pd, pu := p.DefUse()
	nd, nu := np.DefUse()
	if slices.Contains(nd, u) || !slices.Equal(pu, nu) || len(pd) != len(nd) {
		return -1 // the producer reads its destination, or writes u twice
	}
	saved := map[int]A.Instr{s.prod: p}
	edits := map[int]A.Instr{s.prod: np}
	for j := s.prod + 1; j <= s.clob; j++ {
		if drop[j] {
			continue
		}
		_, uses := ins[j].DefUse()
		if !slices.Contains(uses, u) {
			continue
		}
		r, _ := renameReads(ins[j], u, withUnit(s.reg, f), false)
		if _, ru := r.DefUse(); slices.Contains(ru, u) {
			return -1
		}
		saved[j], edits[j] = ins[j], r
	}
	for j, r := range edits {
		ins[j] = r
	}
	last, ok := renameLoad(ins, drop, k, end, withUnit(s.reg, f), endsRet)
	if !ok {
		for j, r := range saved {
			ins[j] = r
		}
		return -1
	}
	sp.busyTo[f] = max(last, k, s.clob)
	return f
}

// renameLoad rewrites the reads of the register the load ins[k] writes,
// from k+1 up to that register's next write, to read src instead, and
// reports whether it did, with the index of the last rewritten read (k if
// none); on false nothing is changed.
func renameLoad(ins []A.Instr, drop []bool, k, end int, src A.Reg, endsRet bool) (int, bool) {
	dst := ins[k].Rd
	u, su := dst.Unit(), src.Unit()
	scalar := regClassOf(dst) == regClassOf(A.S0)
	edits := map[int]A.Instr{}
	clobbered, ended := false, false
	last := k
	for j := k + 1; j < end && !ended; j++ {
		if drop[j] {
			continue
		}
		in := ins[j]
		defs, uses := in.DefUse()
		if slices.Contains(uses, u) {
			if clobbered {
				return 0, false
			}
			r, ok := renameReads(in, u, src, scalar)
			if !ok {
				return 0, false
			}
			if _, ru := r.DefUse(); slices.Contains(ru, u) {
				return 0, false // the destination is read too (FMLA, BSL)
			}
			edits[j] = r
			last = j
		}
		ended = slices.Contains(defs, u)
		if slices.Contains(defs, su) {
			clobbered = true
		}
	}
	if !ended && !endsRet {
		return 0, false
	}
	for j, r := range edits {
		ins[j] = r
	}
	return last, true
}

// renameReads returns in with its source operands that name unit u
// renamed to src's number, keeping each operand's view; ok is false when
// scalar is set and such an operand is not an S register.
func renameReads(in A.Instr, u int, src A.Reg, scalar bool) (A.Instr, bool) {
	ok := true
	ren := func(r *A.Reg, lane0 bool) {
		if r.Unit() != u {
			return
		}
		if scalar && regClassOf(*r) != regClassOf(A.S0) && !lane0 {
			ok = false
		}
		*r = regClassOf(*r) | A.Reg(src.Num())
	}
	// Lane 0 of a vector register is its S view: a DUP of element 0
	// reads only it, and so does a by-element operand of index 0.
	ren(&in.Rn, in.Op == A.DUPElem && in.Index == 0)
	ren(&in.Rm, in.Op == A.VFMLAElem && in.Index == 0 || in.Op == A.VFMULElem && in.Index == 0)
	ren(&in.Ra, false)
	if m, isMem := in.Mem(); isMem && m.Store {
		ren(&in.Rd, false)
		ren(&in.Rt2, false)
	}
	return in, ok
}

// deadStores marks for dropping the top-level stores to scratch that no
// later instruction may read, scanning backwards.
func deadStores(ins []A.Instr, drop []bool, inLoop []bool, bases bufferBases) {
	readAll := false
	read := map[int64]bool{} // scratch bytes a later load may read
	for j := len(ins) - 1; j >= 0; j-- {
		if drop[j] {
			continue
		}
		in := ins[j]
		m, isMem := in.Mem()
		if !isMem {
			continue
		}
		if !m.Store {
			switch {
			case inLoop[j] || !bases.has(m.Base):
				readAll = true
			case m.Base == A.X3:
				for b := m.Off; b < m.Off+m.Size; b++ {
					read[b] = true
				}
			}
			continue
		}
		if readAll || inLoop[j] || m.Base != A.X3 || (in.Op != A.STR && in.Op != A.STP) {
			continue
		}
		dead := true
		for b := m.Off; b < m.Off+m.Size && dead; b++ {
			dead = !read[b]
		}
		drop[j] = dead
		// It overwrites its bytes: a store before it to the same bytes,
		// with no load of them in between, is dead too.
		for b := m.Off; b < m.Off+m.Size; b++ {
			read[b] = false
		}
	}
}
