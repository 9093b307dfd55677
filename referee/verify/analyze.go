package verify

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/muscles/referee/muscle"
)

// The abstract value of an X register.
type vkind uint8

const (
	vUnknown vkind = iota // anything
	vConst                // exactly c
	vBuf                  // buffer id plus a byte offset in [lo, hi]
	vSym                  // (loop effect analysis) the value of register id at the loop head, plus [lo, hi]
)

type val struct {
	k      vkind
	id     uint8
	c      uint64
	lo, hi int64
}

// offLimit bounds tracked offsets; anything beyond becomes unknown, which
// keeps the interval arithmetic free of overflow.
const offLimit = 1 << 48

var unknown = val{}

func konst(c uint64) val { return val{k: vConst, c: c} }

func inLimit(x int64) bool { return x >= -offLimit && x <= offLimit }

// shift adds [dlo, dhi] to a pointer-like value.
func (v val) shift(dlo, dhi int64) val {
	switch v.k {
	case vConst:
		if dlo == dhi {
			return konst(v.c + uint64(dlo))
		}
		return unknown
	case vBuf, vSym:
		if !inLimit(dlo) || !inLimit(dhi) || !inLimit(v.lo+dlo) || !inLimit(v.hi+dhi) {
			return unknown
		}
		v.lo += dlo
		v.hi += dhi
		return v
	}
	return unknown
}

func (v val) exact() bool { return v.lo == v.hi }

func join(a, b val) val {
	if a.k != b.k || a.id != b.id {
		return unknown
	}
	switch a.k {
	case vConst:
		if a.c == b.c {
			return a
		}
		return unknown
	case vBuf, vSym:
		return val{k: a.k, id: a.id, lo: min(a.lo, b.lo), hi: max(a.hi, b.hi)}
	}
	return unknown
}

// add is the sum of two values (ADD shifted register).
func add(a, b val) val {
	if a.k == vConst && b.k == vConst {
		return konst(a.c + b.c)
	}
	if a.k == vConst {
		a, b = b, a
	}
	if b.k == vConst && (a.k == vBuf || a.k == vSym) && int64(b.c) >= -offLimit && int64(b.c) <= offLimit {
		return a.shift(int64(b.c), int64(b.c))
	}
	return unknown
}

func (v val) String() string {
	switch v.k {
	case vConst:
		return fmt.Sprintf("%#x", v.c)
	case vBuf:
		if v.exact() {
			return fmt.Sprintf("%s%+d", Buffer(v.id), v.lo)
		}
		return fmt.Sprintf("%s+[%d,%d]", Buffer(v.id), v.lo, v.hi)
	case vSym:
		return fmt.Sprintf("x%d@head+[%d,%d]", v.id, v.lo, v.hi)
	}
	return "unknown"
}

// state is the abstract value of x0..x30 (index 31 is unused: SP/XZR are
// handled per form).
type state [32]val

// loop is a counted loop: its body runs from head to end-2, end-1 is
// "subs xC, xC, #1" and end is "b.ne head" (instruction indices).
type loop struct {
	head, end int
	ctr       int
}

// maxDepth bounds loop nesting (the analysis re-runs a loop body twice per
// level).
const maxDepth = 4

type verifier struct {
	prog   []inst
	lo, hi int // the entry's region, instruction indices [lo, hi)
	kind   Kind
	bufs   Buffers
	starts []int  // every entry's first instruction, sorted
	count  uint64 // instructions one call of the entry executes (after run)
	loops  []loop
	byHead map[int][]loop // loops by head index
	heads  []uint64       // bit i-lo: some loop starts at instruction i
}

// fail is a rejection at instruction i: the reason, the rule (whose fixed
// clause Error prints) and the detail (for Explain only).
func (v *verifier) fail(i int, reason error, r rule, format string, args ...any) *Error {
	return &Error{Reason: reason, Offset: 4 * i, Word: v.prog[i].word, rule: r, Detail: fmt.Sprintf(format, args...)}
}

func (v *verifier) run() (err error) {
	if err := v.scan(); err != nil {
		return err
	}
	var s state
	for r := range s {
		s[r] = unknown
	}
	// Each buffer's address is in its argument register (Buffer numbers
	// them so); the target's only for train, x4 is undefined for forward.
	for b := range Buffer(numBuffers) {
		if b != Target || v.kind == Train {
			s[b] = val{k: vBuf, id: uint8(b)}
		}
	}
	_, v.count, err = v.exec(v.lo, v.hi, s, true, 0)
	return err
}

// clobbers reports whether the ABI lets a muscle write Xr (r < 31).
func clobbers(r int) bool { return muscle.ClobberGPR&(1<<r) != 0 }

// clobberNames lists muscle.ClobberGPR as register ranges ("x0..x17").
func clobberNames() string {
	s := ""
	for r := 0; r < 31; r++ {
		if !clobbers(r) {
			continue
		}
		hi := r
		for hi+1 < 31 && clobbers(hi+1) {
			hi++
		}
		if s != "" {
			s += ", "
		}
		s += fmt.Sprintf("x%d", r)
		if hi > r {
			s += fmt.Sprintf("..x%d", hi)
		}
		r = hi
	}
	return s
}

// addSat and mulSat are instruction-count arithmetic: it saturates at
// 2^64-1 instead of wrapping.
func addSat(a, b uint64) uint64 {
	if a+b < a {
		return math.MaxUint64
	}
	return a + b
}

func mulSat(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	if hi != 0 {
		return math.MaxUint64
	}
	return lo
}

// regionOf returns the index of the entry region holding instruction i.
func (v *verifier) regionOf(i int) int {
	r := 0
	for k, s := range v.starts {
		if s <= i {
			r = k
		}
	}
	return r
}

// scan checks the control flow of the region: the only branch is a
// backward b.ne right after "subs xC, xC, #1" and inside the region, loops
// nest properly, and the region ends in its only ret.
func (v *verifier) scan() error {
	n := len(v.prog)
	for i := v.lo; i < v.hi; i++ {
		in := v.prog[i]
		switch in.f().class {
		case cRet:
			if i != v.hi-1 {
				return v.fail(i, ErrRet, rRetEarly, "ret before the end of the entry's region (an entry has exactly one ret, its last instruction)")
			}
		case cB:
			return v.fail(i, ErrBranch, rBranchB, "unconditional branch (only counted-loop back-edges b.ne are accepted)")
		case cCB:
			return v.fail(i, ErrBranch, rBranchCB, "compare-and-branch (only counted-loop back-edges b.ne are accepted)")
		case cBCond:
			t := i + int(in.imm/4)
			switch {
			case t < 0 || t >= n:
				return v.fail(i, ErrBranch, rBranchOutside, "branch target %+d is outside the code", in.imm)
			case t < v.lo || t >= v.hi:
				return v.fail(i, ErrBranch, rBranchOther, "branch target %#x is in another entry's region", 4*t)
			case in.imm >= 0:
				return v.fail(i, ErrBranch, rBranchForward, "forward branch (or branch to itself) to %#x: only backward loop branches are accepted", 4*t)
			case in.cond != 1:
				return v.fail(i, ErrBranch, rBranchCond, "b.%s: only b.ne closes a counted loop", condNames[in.cond])
			}
			p := v.prog[i-1]
			if t > i-1 || p.f().class != cSubsImm || p.rd != p.rn || p.rd == 31 || p.imm != 1 || p.sh != 0 {
				return v.fail(i, ErrLoop, rNoCounter, "back-edge is not preceded by \"subs xC, xC, #1\" inside the loop (not a counted loop)")
			}
			if !clobbers(int(p.rd)) {
				return v.fail(i-1, ErrRegister, rCounterReg, "loop counter x%d is outside the ABI's clobber registers", p.rd)
			}
			v.loops = append(v.loops, loop{head: t, end: i, ctr: int(p.rd)})
		}
	}
	last := v.prog[v.hi-1]
	if last.f().class != cRet {
		return v.fail(v.hi-1, ErrRet, rNoRet, "the entry's region does not end in ret")
	}
	// Proper nesting, in one pass over the loops in order of their ends:
	// the loops on the stack that start at or after the new loop's head
	// are inside it; the one left on top must end before that head.
	var stack []loop
	for _, l := range v.loops {
		for len(stack) > 0 && stack[len(stack)-1].head >= l.head {
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 && stack[len(stack)-1].end >= l.head {
			o := stack[len(stack)-1]
			return v.fail(l.end, ErrBranch, rOverlap, "loop %#x..%#x overlaps loop %#x..%#x without nesting", 4*l.head, 4*l.end, 4*o.head, 4*o.end)
		}
		stack = append(stack, l)
	}
	v.byHead = make(map[int][]loop, len(v.loops))
	v.heads = make([]uint64, (v.hi-v.lo+63)/64)
	for _, l := range v.loops {
		v.byHead[l.head] = append(v.byHead[l.head], l)
		v.heads[(l.head-v.lo)/64] |= 1 << ((l.head - v.lo) % 64)
	}
	return nil
}

// loopAt returns the outermost loop that starts at i and ends before end.
func (v *verifier) loopAt(i, end int) (loop, bool) {
	var best loop
	found := false
	if v.heads[(i-v.lo)/64]&(1<<((i-v.lo)%64)) == 0 {
		return best, false
	}
	for _, l := range v.byHead[i] {
		if l.end < end && (!found || l.end > best.end) {
			best, found = l, true
		}
	}
	return best, found
}

// exec interprets instructions [a, b) from s and returns the state after
// them and how many instructions they execute (exact when check is set:
// every loop's trip count is then a constant). check enables the memory
// checks (off while computing a loop body's symbolic effect, where the
// bases are symbolic).
func (v *verifier) exec(a, b int, s state, check bool, depth int) (state, uint64, error) {
	var count uint64
	for i := a; i < b; {
		if l, ok := v.loopAt(i, b); ok {
			var err error
			var n uint64
			s, n, err = v.loop(l, s, check, depth)
			if err != nil {
				return s, count, err
			}
			count = addSat(count, n)
			i = l.end + 1
			continue
		}
		if err := v.step(i, &s, check); err != nil {
			return s, count, err
		}
		count = addSat(count, 1)
		i++
	}
	return s, count, nil
}

// written is the set of X registers that instructions [a, b) may write.
func (v *verifier) written(a, b int) uint32 {
	var m uint32
	for i := a; i < b; i++ {
		in := v.prog[i]
		switch in.f().class {
		case cMovZ, cMovK, cAddImm, cSubImm, cSubsImm, cAddShift, cFPToW:
			m |= 1 << in.rd
		case cLdStUImm:
			if in.f().load && in.f().size == 8 {
				m |= 1 << in.rd
			}
		case cLdStPost:
			m |= 1 << in.rn
		}
	}
	return m &^ (1 << 31)
}

// loop interprets one counted loop entered with state e.
//
// Pass 1 runs the body once on symbolic values (register r = its value at
// the head of an iteration, plus an offset) to find each register's effect
// per iteration: unchanged, advanced by a constant k (an induction
// variable), or set to something independent of the iteration. Pass 2 runs
// the body, with the memory checks, on a state that covers every
// iteration: an induction variable with start value E spans
// E + [min(0, k(n-1)), max(0, k(n-1))]; other registers the join of their
// value before the loop and their value after the body. After the loop an
// induction variable is exactly E + k·n and the counter is 0.
//
// It also returns the loop's instruction count: n times the body's count
// plus the subs and the b.ne.
func (v *verifier) loop(l loop, e state, check bool, depth int) (state, uint64, error) {
	if depth >= maxDepth {
		return e, 0, v.fail(l.end, ErrLoop, rDepth, "loops nested deeper than %d", maxDepth)
	}
	c := l.ctr
	cnt := e[c]
	if cnt.k != vConst {
		if !check {
			// Symbolic pass of an enclosing loop: the counter may be set
			// outside that loop. Havoc what this loop writes; the
			// enclosing loop's checked pass decides.
			w := v.written(l.head, l.end+1)
			for r := range 31 {
				if w&(1<<r) != 0 {
					e[r] = unknown
				}
			}
			return e, 0, nil
		}
		return e, 0, v.fail(l.end, ErrLoop, rTripNotConst, "loop counter x%d is %s at the loop head %#x, not a constant set before the loop (trip count not fixed)", c, cnt, 4*l.head)
	}
	if cnt.c == 0 {
		return e, 0, v.fail(l.end, ErrLoop, rTripZero, "loop counter x%d is 0 at the loop head: the loop would run 2^64 times", c)
	}
	n := cnt.c

	// Pass 1: symbolic effect of one iteration.
	var sym state
	for r := range 31 {
		sym[r] = val{k: vSym, id: uint8(r)}
	}
	p, _, err := v.exec(l.head, l.end-1, sym, false, depth+1)
	if err != nil {
		return e, 0, err
	}
	if q := p[c]; q.k != vSym || q.id != uint8(c) || q.lo != 0 || q.hi != 0 {
		return e, 0, v.fail(l.end-1, ErrLoop, rWritesCounter, "the loop body writes its counter x%d", c)
	}

	// The head state covering every iteration.
	var h state
	var stride [31]int64 // the induction variables' steps (0: not one)
	for r := range 31 {
		q := p[r]
		switch {
		case r == c:
			h[r] = unknown // n..1 during the body; never a valid base
		case q.k == vSym && int(q.id) == r && q.exact():
			k := q.lo
			if k == 0 {
				h[r] = e[r]
				break
			}
			stride[r] = k
			h[r] = e[r].span(k, n)
		case q.k == vSym:
			// Set from another register's head value: sound only if that
			// register is loop-invariant.
			src := p[q.id]
			if src.k == vSym && src.id == q.id && src.lo == 0 && src.hi == 0 && int(q.id) != c {
				h[r] = join(e[r], e[q.id].shift(q.lo, q.hi))
			} else {
				h[r] = unknown
			}
		default:
			h[r] = join(e[r], q)
		}
	}

	// Pass 2: the body under the covering state, checked.
	out, body, err := v.exec(l.head, l.end-1, h, check, depth+1)
	if err != nil {
		return e, 0, err
	}
	for r, k := range stride {
		if k != 0 {
			out[r] = e[r].advance(k, n)
		}
	}
	out[c] = konst(0)
	return out, mulSat(n, addSat(body, 2)), nil
}

// span is the range of an induction variable starting at v and advanced
// by k per iteration over iterations 0..n-1.
func (v val) span(k int64, n uint64) val {
	if v.k != vBuf && v.k != vSym || n > 1<<32 || k < -1<<24 || k > 1<<24 {
		return unknown
	}
	d := k * int64(n-1)
	return v.shift(min(0, d), max(0, d))
}

// advance is the value of an induction variable after all n iterations.
func (v val) advance(k int64, n uint64) val {
	if v.k != vBuf && v.k != vSym || n > 1<<32 || k < -1<<24 || k > 1<<24 {
		return unknown
	}
	d := k * int64(n)
	return v.shift(d, d)
}

// writeX checks that instruction i may write Xr (r = 31 is XZR or SP,
// decided by the caller).
func (v *verifier) writeX(i, r int) error {
	if r <= 30 && !clobbers(r) {
		return v.fail(i, ErrRegister, rWriteReserved, "writes x%d (only %s may be written; x29 is the frame pointer, x30 the return address)", r, clobberNames())
	}
	return nil
}

// access checks a load or store of size bytes at base register rn + off.
func (v *verifier) access(i int, s *state, rn int, off int64, size int, store, check bool) error {
	if rn == 31 {
		return v.fail(i, ErrRegister, rSPBase, "uses SP as a base (the stack is not a muscle buffer)")
	}
	if !check {
		return nil
	}
	b := s[rn]
	if b.k != vBuf {
		return v.fail(i, ErrMemory, rBaseUnknown, "base x%d is %s, not an address known to point into a buffer", rn, b)
	}
	buf := Buffer(b.id)
	lo, hi := b.lo+off, b.hi+off+int64(size)
	if lo < 0 || uint64(hi) > v.bufs.size(buf) {
		return v.fail(i, ErrMemory, rOutside, "x%d = %s: %d-byte access at %s offset [%d, %d) is outside the %d-byte %s buffer",
			rn, b, size, buf, lo, hi, v.bufs.size(buf), buf)
	}
	if store {
		switch {
		case buf == Input || buf == Target:
			return v.fail(i, ErrReadOnly, rReadOnly, "stores into the %s buffer, which is read-only", buf)
		case buf == State && v.kind == Forward:
			return v.fail(i, ErrReadOnly, rForwardState, "the forward entry stores into the state buffer, which only train may update")
		}
	}
	return nil
}

// step interprets one instruction that is not part of a loop's back-edge.
func (v *verifier) step(i int, s *state, check bool) error {
	in := &v.prog[i]
	rd, rn, rm, imm := int(in.rd), int(in.rn), int(in.rm), int64(in.imm)
	get := func(r int) val { // r = 31 reads XZR here
		if r == 31 {
			return konst(0)
		}
		return s[r]
	}
	set := func(r int, x val) error {
		if r == 31 {
			return nil
		}
		if err := v.writeX(i, r); err != nil {
			return err
		}
		s[r] = x
		return nil
	}
	switch in.f().class {
	case cMovZ:
		return set(rd, konst(uint64(imm)<<in.sh))
	case cMovK:
		x := unknown
		if rd != 31 && s[rd].k == vConst {
			x = konst(s[rd].c&^(0xffff<<in.sh) | uint64(imm)<<in.sh)
		}
		return set(rd, x)
	case cAddImm, cSubImm:
		if rd == 31 {
			return v.fail(i, ErrRegister, rWriteSP, "writes SP")
		}
		if rn == 31 {
			return v.fail(i, ErrRegister, rReadSP, "reads SP")
		}
		d := imm << in.sh
		if in.f().class == cSubImm {
			d = -d
		}
		return set(rd, s[rn].shift(d, d))
	case cSubsImm:
		if rn == 31 {
			return v.fail(i, ErrRegister, rReadSP, "reads SP")
		}
		d := -(imm << in.sh)
		return set(rd, s[rn].shift(d, d))
	case cAddShift:
		m := get(rm)
		if m.k == vConst {
			m = konst(m.c << in.sh)
		} else if in.sh != 0 {
			m = unknown
		}
		return set(rd, add(get(rn), m))
	case cRet:
		return nil
	case cB, cBCond, cCB:
		// scan admits only loop back-edges, which exec never steps on.
		return v.fail(i, ErrBranch, rBranchStep, "branch outside a counted loop")
	case cLdStUImm:
		if err := v.access(i, s, rn, imm, in.f().size, !in.f().load, check); err != nil {
			return err
		}
		if in.f().load && in.f().size == 8 {
			return set(rd, unknown)
		}
		return nil
	case cLdStPost:
		if err := v.access(i, s, rn, 0, in.f().size, !in.f().load, check); err != nil {
			return err
		}
		if err := v.writeX(i, rn); err != nil {
			return err
		}
		s[rn] = s[rn].shift(imm, imm)
		return nil
	case cLdStPair:
		return v.access(i, s, rn, imm, 2*in.f().size, !in.f().load, check)
	case cLdVec:
		return v.access(i, s, rn, 0, in.f().size, false, check)
	case cFPToW:
		return set(rd, unknown)
	case cWToFP, cDupGen, cFP:
		return nil
	}
	return v.fail(i, ErrForm, rUnhandled, "unhandled form %s", in.f().name)
}

var condNames = [16]string{"eq", "ne", "hs", "lo", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le", "al", "nv"}
