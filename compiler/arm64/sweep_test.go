package arm64

import (
	"math"
	"math/rand"
	"testing"
)

// Register pools for generating valid operands.
var (
	poolX, poolW, poolS, poolQ, poolV   []Reg
	poolXZR, poolXSP, poolWZR, poolLdSt []Reg
)

func init() {
	for i := 0; i <= 31; i++ {
		if i <= 30 {
			poolX = append(poolX, XReg(i))
			poolW = append(poolW, WReg(i))
		}
		poolS = append(poolS, SReg(i))
		poolQ = append(poolQ, QReg(i))
		poolV = append(poolV, VReg(i))
	}
	poolXZR = append(append([]Reg{}, poolX...), XZR)
	poolXSP = append(append([]Reg{}, poolX...), SP)
	poolWZR = append(append([]Reg{}, poolW...), WZR)
	poolLdSt = append(append(append([]Reg{}, poolS...), poolQ...), poolXZR...)
}

// sweepGen draws random valid instances of one op. Immediates come from
// the edges of their range half of the time.
type sweepGen struct{ r *rand.Rand }

func (g sweepGen) reg(pool []Reg) Reg { return pool[g.r.Intn(len(pool))] }

// in returns lo..hi, favouring lo, hi, 0 and +-1.
func (g sweepGen) in(lo, hi int64) int64 {
	if g.r.Intn(2) == 0 {
		edges := []int64{lo, hi, lo + 1, hi - 1}
		if lo <= 0 && hi >= 0 {
			edges = append(edges, 0)
		}
		return edges[g.r.Intn(len(edges))]
	}
	return lo + g.r.Int63n(hi-lo+1)
}

func (g sweepGen) cond() Cond { return Cond(1 + g.r.Intn(int(AL))) }

func (g sweepGen) instance(op Op) Instr {
	in := Instr{Op: op}
	switch opTable[op].form {
	case formMovWide:
		in.Rd, in.Imm, in.Shift = g.reg(poolXZR), g.in(0, 0xffff), uint8(16*g.r.Intn(4))
	case formAddSubImm:
		in.Rd, in.Rn, in.Imm, in.Shift = g.reg(poolXSP), g.reg(poolXSP), g.in(0, 4095), uint8(12*g.r.Intn(2))
	case formSubsImm:
		in.Rd, in.Rn, in.Imm, in.Shift = g.reg(poolXZR), g.reg(poolXSP), g.in(0, 4095), uint8(12*g.r.Intn(2))
	case formCmpImm:
		in.Rn, in.Imm, in.Shift = g.reg(poolXSP), g.in(0, 4095), uint8(12*g.r.Intn(2))
	case formAddShift:
		in.Rd, in.Rn, in.Rm, in.Shift = g.reg(poolXZR), g.reg(poolXZR), g.reg(poolXZR), uint8(g.in(0, 63))
	case formB:
		in.Imm = 4 * g.in(-1<<25, 1<<25-1)
	case formBCond:
		in.Cond, in.Imm = g.cond(), 4*g.in(-1<<18, 1<<18-1)
	case formCB:
		in.Rd, in.Imm = g.reg(poolXZR), 4*g.in(-1<<18, 1<<18-1)
	case formRet:
		if g.r.Intn(2) == 0 {
			in.Rn = X30
		}
	case formLdStUImm:
		in.Rd, in.Rn = g.reg(poolLdSt), g.reg(poolXSP)
		scale := map[regClass]int64{classS: 4, classQ: 16, classX: 8, classXZR: 8}[in.Rd.class()]
		in.Imm = scale * g.in(0, 4095)
	case formLdStPost:
		in.Rd, in.Rn, in.Imm = g.reg(append(append([]Reg{}, poolS...), poolQ...)), g.reg(poolXSP), g.in(-256, 255)
	case formLdStPair:
		pool, scale := poolS, int64(4)
		if g.r.Intn(2) == 0 {
			pool, scale = poolQ, 16
		}
		in.Rd, in.Rt2, in.Rn, in.Imm = g.reg(pool), g.reg(pool), g.reg(poolXSP), scale*g.in(-64, 63)
		for op == LDP && in.Rt2 == in.Rd {
			in.Rt2 = g.reg(pool)
		}
	case formLD1R:
		in.Rd, in.Rn = g.reg(poolV), g.reg(poolXSP)
	case formLD1x4:
		in.Rd, in.Rn = VReg(int(g.in(0, 28))), g.reg(poolXSP)
	case formFP1:
		in.Rd, in.Rn = g.reg(poolS), g.reg(poolS)
	case formFMovImm:
		in.Rd, in.FImm = g.reg(poolS), math.Float32frombits(expandImm8(uint32(g.r.Intn(256))))
	case formFPToW:
		in.Rd, in.Rn = g.reg(poolWZR), g.reg(poolS)
	case formWToFP:
		in.Rd, in.Rn = g.reg(poolS), g.reg(poolWZR)
	case formFP2:
		in.Rd, in.Rn, in.Rm = g.reg(poolS), g.reg(poolS), g.reg(poolS)
	case formFP3:
		in.Rd, in.Rn, in.Rm, in.Ra = g.reg(poolS), g.reg(poolS), g.reg(poolS), g.reg(poolS)
	case formFCmp:
		in.Rn, in.Rm = g.reg(poolS), g.reg(poolS)
	case formFCmpZero:
		in.Rn = g.reg(poolS)
	case formFCSel:
		in.Rd, in.Rn, in.Rm, in.Cond = g.reg(poolS), g.reg(poolS), g.reg(poolS), g.cond()
	case formV3:
		in.Rd, in.Rn, in.Rm = g.reg(poolV), g.reg(poolV), g.reg(poolV)
	case formV2, formV2Zero, formVMov:
		in.Rd, in.Rn = g.reg(poolV), g.reg(poolV)
	case formVElem:
		in.Rd, in.Rn, in.Rm, in.Index = g.reg(poolV), g.reg(poolV), g.reg(poolV), uint8(g.r.Intn(4))
	case formSElem:
		in.Rd, in.Rn, in.Rm, in.Index = g.reg(poolS), g.reg(poolS), g.reg(poolV), uint8(g.r.Intn(4))
	case formVReduce:
		in.Rd, in.Rn = g.reg(poolS), g.reg(poolV)
	case formDupElem:
		in.Rd, in.Rn, in.Index = g.reg(poolV), g.reg(poolV), uint8(g.r.Intn(4))
	case formDupGen:
		in.Rd, in.Rn = g.reg(poolV), g.reg(poolWZR)
	case formMoviZero:
		in.Rd = g.reg(poolV)
	}
	return in
}

// sweepInstances returns n random valid instances of every op, from a
// fixed seed so failures reproduce.
func sweepInstances(n int) []Instr {
	g := sweepGen{rand.New(rand.NewSource(1))}
	var out []Instr
	for _, op := range Ops() {
		for i := 0; i < n; i++ {
			out = append(out, g.instance(op))
		}
	}
	return out
}

// TestSweepDecodes encodes many random valid instances of every form
// (all register numbers, all conditions, range edges) and checks that the
// independent decoder reads back exactly the operands String prints.
func TestSweepDecodes(t *testing.T) {
	fails := 0
	for _, in := range sweepInstances(300) {
		w, err := Encode(in)
		if err != nil {
			t.Errorf("Encode(%s): %v", in, err)
			fails++
		} else if got, err := disasm(w); err != nil {
			t.Errorf("%s: %#08x does not decode: %v", in, w, err)
			fails++
		} else if normalize(got) != normalize(preferredText(in)) {
			t.Errorf("%s: %#08x decodes as %q, want %q", in, w, got, preferredText(in))
			fails++
		}
		if fails > 20 {
			t.Fatal("too many failures")
		}
	}
}
