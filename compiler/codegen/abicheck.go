package codegen

import (
	"fmt"

	A "github.com/muscles/referee/compiler/arm64"
	"github.com/muscles/referee/muscle"
)

// CheckABI scans a program for breaches of the muscle ABI that can be
// seen statically: a write to a general-purpose register outside the ABI's
// clobber set (muscle.ClobberGPR: x0..x17) or to SP, a use of SP, a load or
// store whose base register is not one of the buffer arguments
// (muscle.RegInput..RegTarget: x0..x4) or an address derived from them by
// ADD/SUB immediate (or ADD of a shifted register to a derived base), a
// forward branch, or a RET anywhere but as the single last instruction.
// Every Op of the arm64 package is A64/AdvSIMD data processing, a branch,
// or a load/store, so no system instruction can appear.
func CheckABI(prog []A.Instr) error {
	return checkABI(prog, argRegs(muscle.EntryTrain))
}

// argRegs are the buffer arguments an entry of kind k may base accesses
// on (muscle/abi.go): every argument register, but the target's only for
// train.
func argRegs(k muscle.EntryKind) []A.Reg {
	var regs []A.Reg
	for _, r := range []int{muscle.RegInput, muscle.RegOutput, muscle.RegState, muscle.RegScratch, muscle.RegTarget} {
		if r != muscle.RegTarget || k == muscle.EntryTrain {
			regs = append(regs, A.XReg(r))
		}
	}
	return regs
}

// clobbers reports whether the ABI lets a muscle write general-purpose
// register r.
func clobbers(r A.Reg) bool { return muscle.ClobberGPR&(1<<r.Num()) != 0 }

// CheckEntryABI is CheckABI for one entry of a muscle: the forward entry
// may base its loads and stores on the input, output, state and scratch
// registers only (x0..x3; the target's, x4, is undefined for forward); the
// train entry (train true) also on the target's.
func CheckEntryABI(prog []A.Instr, train bool) error {
	k := muscle.EntryForward
	if train {
		k = muscle.EntryTrain
	}
	return checkABI(prog, argRegs(k))
}

func checkABI(prog []A.Instr, bases []A.Reg) error {
	derived := map[A.Reg]bool{}
	for _, r := range bases {
		derived[r] = true
	}
	xOf := func(r A.Reg) A.Reg { return A.XReg(int(r.Num())) }
	isGPR := func(r A.Reg) bool {
		return r != 0 && (r == A.XReg(int(r.Num())) || r == A.WReg(int(r.Num())))
	}
	for i, in := range prog {
		bad := func(format string, args ...any) error {
			return fmt.Errorf("codegen: ABI check: instruction %d (%s): %s", i, in, fmt.Sprintf(format, args...))
		}
		for _, r := range []A.Reg{in.Rd, in.Rn, in.Rm, in.Ra, in.Rt2} {
			if r == A.SP {
				return bad("uses SP")
			}
		}
		if in.Op == A.RET {
			if i != len(prog)-1 {
				return bad("ret before the end")
			}
			continue
		}
		if i == len(prog)-1 {
			return bad("the program does not end in ret")
		}
		switch in.Op {
		case A.B, A.BCond, A.CBZ, A.CBNZ:
			if in.Label == 0 || in.Imm > 0 {
				return bad("only backward loop branches are emitted")
			}
			continue
		}
		if _, mem := in.Mem(); mem {
			if !derived[in.Rn] {
				return bad("base %s is not derived from %s", in.Rn, baseNames(bases))
			}
			if in.Op == A.LDR && isGPR(in.Rd) {
				if !clobbers(in.Rd) {
					return bad("loads into %s", in.Rd)
				}
				delete(derived, xOf(in.Rd))
			}
			continue
		}
		// Data processing: the destination, if a general-purpose register.
		if !isGPR(in.Rd) {
			continue
		}
		if !clobbers(in.Rd) {
			return bad("writes %s (outside the ABI's clobber set, muscle.ClobberGPR)", in.Rd)
		}
		d := xOf(in.Rd)
		switch in.Op {
		case A.ADDImm, A.SUBImm, A.ADDShift:
			if derived[in.Rn] {
				derived[d] = true
				continue
			}
		}
		delete(derived, d)
	}
	if len(prog) == 0 {
		return fmt.Errorf("codegen: ABI check: empty program")
	}
	return nil
}

func baseNames(bases []A.Reg) string {
	s := ""
	for i, r := range bases {
		if i > 0 {
			s += ", "
		}
		s += r.String()
	}
	return s
}
