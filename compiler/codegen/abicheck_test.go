package codegen

import (
	"strings"
	"testing"

	A "github.com/muscles/referee/compiler/arm64"
)

// TestCheckABIBases: every load and store form is checked for its base
// register, accepted on one derived from a buffer argument and rejected
// on any other.
func TestCheckABIBases(t *testing.T) {
	mems := []A.Instr{
		{Op: A.LDR, Rd: A.S0}, {Op: A.STR, Rd: A.Q0}, {Op: A.LDR, Rd: A.X9},
		{Op: A.LDRPost, Rd: A.S0, Imm: 4}, {Op: A.STRPost, Rd: A.Q0, Imm: 16},
		{Op: A.LDP, Rd: A.S0, Rt2: A.S1}, {Op: A.STP, Rd: A.Q0, Rt2: A.Q1},
		{Op: A.LD1R, Rd: A.V0}, {Op: A.LD1x4, Rd: A.V8},
	}
	ret := A.Instr{Op: A.RET}
	for _, m := range mems {
		derived := m
		derived.Rn = A.X6
		ok := []A.Instr{{Op: A.ADDImm, Rd: A.X6, Rn: A.X2, Imm: 64}, derived, ret}
		if err := CheckABI(ok); err != nil {
			t.Errorf("%s on a derived base: %v", derived, err)
		}
		bad := m
		bad.Rn = A.X7
		prog := []A.Instr{{Op: A.MOVZ, Rd: A.X7, Imm: 64}, bad, ret}
		if err := CheckABI(prog); err == nil || !strings.Contains(err.Error(), "base x7 is not derived") {
			t.Errorf("%s on a constant base: %v", bad, err)
		}
	}
}
