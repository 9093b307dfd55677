package codegen

import (
	"math"

	A "github.com/muscles/referee/compiler/arm64"
)

// Kernels build the constants they need (zero for relu, 1.0 and 2.0 for
// derivatives, the learning rate) in fixed registers, each kernel anew.
// sameConsts, part of the forwarding pass (forwardEntry), removes a
// top-level instruction that sets a register to the value it provably
// already holds: MOVZ (with the MOVKs right after it, as a group), FMOV
// of an immediate or from a general register, DUP from a general
// register, MOVI #0 and register moves, tracked as 64-bit general and
// 128-bit vector values from the entry's start. Knowledge is dropped at
// every label (a loop's head) and for every register any other
// instruction writes, so only straight-line facts are used; the
// executed count drops by exactly the number removed.

// vecVal is a vector register's 128 bits, as four 32-bit lanes.
type vecVal [4]uint32

// constKnown is what is known about register values at one point.
type constKnown struct {
	gpr map[int]uint64
	vec map[int]vecVal
}

// gprOf returns the value r reads (the zero registers included).
func (k *constKnown) gprOf(r A.Reg) (uint64, bool) {
	if r == A.XZR || r == A.WZR {
		return 0, true
	}
	v, ok := k.gpr[r.Unit()]
	if ok && r.Unit() < 31 && r == A.WReg(int(r.Num())) {
		v &= math.MaxUint32
	}
	return v, ok
}

// constResult is the value in.Rd holds after in, when in is one of the
// constant-building instructions and its inputs are known.
func (k *constKnown) constResult(in A.Instr) (gpr uint64, vec vecVal, isVec, ok bool) {
	switch in.Op {
	case A.MOVZ:
		return uint64(in.Imm) << in.Shift, vecVal{}, false, true
	case A.MOVK:
		prev, known := k.gprOf(in.Rd)
		mask := uint64(0xffff) << in.Shift
		return prev&^mask | uint64(in.Imm)<<in.Shift, vecVal{}, false, known
	case A.FMOVImm:
		return 0, vecVal{math.Float32bits(in.FImm)}, true, true
	case A.FMOVFromW:
		w, known := k.gprOf(in.Rn)
		return 0, vecVal{uint32(w)}, true, known
	case A.DUPGen:
		w, known := k.gprOf(in.Rn)
		return 0, vecVal{uint32(w), uint32(w), uint32(w), uint32(w)}, true, known
	case A.MOVIZero:
		return 0, vecVal{}, true, true
	case A.VMOV:
		v, known := k.vec[in.Rn.Unit()]
		return 0, v, true, known
	case A.FMOV:
		v, known := k.vec[in.Rn.Unit()]
		return 0, vecVal{v[0]}, true, known
	}
	return 0, vecVal{}, false, false
}

// holds reports whether in's destination already holds what in would put
// there.
func (k *constKnown) holds(in A.Instr, gpr uint64, vec vecVal, isVec bool) bool {
	if isVec {
		cur, ok := k.vec[in.Rd.Unit()]
		return ok && cur == vec
	}
	cur, ok := k.gpr[in.Rd.Unit()]
	return ok && cur == gpr
}

// apply records the effect of in on what is known.
func (k *constKnown) apply(in A.Instr) {
	gpr, vec, isVec, ok := k.constResult(in)
	defs, _ := in.DefUse()
	for _, u := range defs {
		delete(k.gpr, u)
		delete(k.vec, u)
	}
	if !ok || in.Rd.Unit() < 0 {
		return
	}
	if isVec {
		k.vec[in.Rd.Unit()] = vec
	} else {
		k.gpr[in.Rd.Unit()] = gpr
	}
}

// sameConsts marks for dropping the top-level instructions that set a
// register to the value it already holds (see above); labelled[i] says
// that instruction i is a branch target.
func sameConsts(ins []A.Instr, drop, inLoop, labelled []bool) {
	k := &constKnown{gpr: map[int]uint64{}, vec: map[int]vecVal{}}
	reset := func() { clear(k.gpr); clear(k.vec) }
	for i := 0; i < len(ins); i++ {
		if labelled[i] {
			reset()
		}
		if drop[i] {
			continue
		}
		in := ins[i]
		if inLoop[i] || in.IsBranch() {
			k.apply(in)
			continue
		}
		if in.Op == A.MOVZ {
			// The group MOVZ, MOVK... of one register, evaluated whole:
			// the value it leaves, and the index after it.
			v, j := uint64(in.Imm)<<in.Shift, i+1
			for ; j < len(ins) && !labelled[j] && !inLoop[j] && !drop[j] && ins[j].Op == A.MOVK && ins[j].Rd == in.Rd; j++ {
				v = v&^(uint64(0xffff)<<ins[j].Shift) | uint64(ins[j].Imm)<<ins[j].Shift
			}
			cur, known := k.gpr[in.Rd.Unit()]
			for g := i; g < j; g++ {
				if known && cur == v {
					drop[g] = true
				} else {
					k.apply(ins[g])
				}
			}
			i = j - 1
			continue
		}
		if gpr, vec, isVec, ok := k.constResult(in); ok && k.holds(in, gpr, vec, isVec) {
			drop[i] = true
			continue
		}
		k.apply(in)
	}
}
