package codegen

import (
	A "github.com/muscles/referee/compiler/arm64"
	"github.com/muscles/referee/muscle"
)

// bufferBases is the set of an entry's buffer base registers (argRegs of
// its kind), by register unit: x0..x3 for forward, x0..x4 for train. The
// passes after emission (forwarding, scheduling) treat accesses through
// two different members as distinct buffers and rely on the generated
// code never writing one; a register outside the set may point anywhere.
// In a forward entry x4 is not a buffer, so a kernel may use it as a loop
// base (rowBlockLoop).
type bufferBases uint32

// basesOf returns the buffer bases of an entry of kind k.
func basesOf(k muscle.EntryKind) bufferBases {
	var s bufferBases
	for _, r := range argRegs(k) {
		s |= 1 << r.Unit()
	}
	return s
}

// has reports whether r is an X register of the set.
func (s bufferBases) has(r A.Reg) bool {
	return r == A.XReg(int(r.Num())) && s&(1<<r.Unit()) != 0
}

// written reports whether a register unit of defs is in the set.
func (s bufferBases) written(defs []int) bool {
	for _, u := range defs {
		if u < 32 && s&(1<<u) != 0 {
			return true
		}
	}
	return false
}
