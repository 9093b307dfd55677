package arm64

import "fmt"

// Reg names one architectural register together with the view the
// instruction takes of it (X, W, S, Q or V). The zero Reg is "no register";
// an unused operand field is left zero.
type Reg uint16

// regClass is the register file and width a Reg refers to.
type regClass uint8

const (
	classNone regClass = iota
	classX             // X0-X30
	classXZR           // the 64-bit zero register (encoding 31)
	classSP            // the stack pointer (encoding 31)
	classW             // W0-W30
	classWZR           // the 32-bit zero register (encoding 31)
	classS             // S0-S31, single-precision scalar
	classQ             // Q0-Q31, 128-bit scalar (loads and stores)
	classV             // V0-V31, AdvSIMD vector; the arrangement comes from the Op
	numClasses
)

func mkReg(c regClass, n int) Reg { return Reg(c)<<8 | Reg(n) }

func (r Reg) class() regClass { return regClass(r >> 8) }

// Num is the 5-bit register number used in the encoding.
func (r Reg) Num() uint32 { return uint32(r & 0x1f) }

// valid reports whether r is one of the registers defined by this package.
func (r Reg) valid() bool {
	n := r & 0xff
	switch r.class() {
	case classX, classW:
		return n <= 30
	case classXZR, classSP, classWZR:
		return n == 31
	case classS, classQ, classV:
		return n <= 31
	}
	return false
}

// String returns the GNU name of the register ("x3", "sp", "wzr", "s7",
// "q0", "v31"). Vector registers are printed without an arrangement.
func (r Reg) String() string {
	if r == 0 {
		return "<none>"
	}
	if !r.valid() {
		return fmt.Sprintf("<bad register %#x>", uint16(r))
	}
	n := r.Num()
	switch r.class() {
	case classX:
		return fmt.Sprintf("x%d", n)
	case classXZR:
		return "xzr"
	case classSP:
		return "sp"
	case classW:
		return fmt.Sprintf("w%d", n)
	case classWZR:
		return "wzr"
	case classS:
		return fmt.Sprintf("s%d", n)
	case classQ:
		return fmt.Sprintf("q%d", n)
	default: // classV
		return fmt.Sprintf("v%d", n)
	}
}

// classSet is a set of register classes an operand may take.
type classSet uint16

func setOf(cs ...regClass) classSet {
	var s classSet
	for _, c := range cs {
		s |= 1 << c
	}
	return s
}

func (s classSet) has(c regClass) bool { return s&(1<<c) != 0 }

var (
	setXorZR = setOf(classX, classXZR)
	setXorSP = setOf(classX, classSP)
	setWorZR = setOf(classW, classWZR)
	setS     = setOf(classS)
	setQ     = setOf(classQ)
	setV     = setOf(classV)
	setSQ    = setOf(classS, classQ)
	setLdSt  = setOf(classS, classQ, classX, classXZR)
)

var classNames = [numClasses]string{
	classX:   "X register",
	classXZR: "XZR",
	classSP:  "SP",
	classW:   "W register",
	classWZR: "WZR",
	classS:   "S register",
	classQ:   "Q register",
	classV:   "V register",
}

// String describes the set for error messages, e.g. "X register or SP".
func (s classSet) String() string {
	out := ""
	for c := classX; c < numClasses; c++ {
		if !s.has(c) {
			continue
		}
		if out != "" {
			out += " or "
		}
		out += classNames[c]
	}
	return out
}

// The zero and stack-pointer registers. Which one an encoding of 31 means
// depends on the operand; Encode rejects the wrong one.
const (
	XZR Reg = Reg(classXZR)<<8 | 31
	SP  Reg = Reg(classSP)<<8 | 31
	WZR Reg = Reg(classWZR)<<8 | 31
)

// General-purpose, FP and vector registers.
const (
	X0  Reg = Reg(classX)<<8 | 0
	X1  Reg = Reg(classX)<<8 | 1
	X2  Reg = Reg(classX)<<8 | 2
	X3  Reg = Reg(classX)<<8 | 3
	X4  Reg = Reg(classX)<<8 | 4
	X5  Reg = Reg(classX)<<8 | 5
	X6  Reg = Reg(classX)<<8 | 6
	X7  Reg = Reg(classX)<<8 | 7
	X8  Reg = Reg(classX)<<8 | 8
	X9  Reg = Reg(classX)<<8 | 9
	X10 Reg = Reg(classX)<<8 | 10
	X11 Reg = Reg(classX)<<8 | 11
	X12 Reg = Reg(classX)<<8 | 12
	X13 Reg = Reg(classX)<<8 | 13
	X14 Reg = Reg(classX)<<8 | 14
	X15 Reg = Reg(classX)<<8 | 15
	X16 Reg = Reg(classX)<<8 | 16
	X17 Reg = Reg(classX)<<8 | 17
	X18 Reg = Reg(classX)<<8 | 18
	X19 Reg = Reg(classX)<<8 | 19
	X20 Reg = Reg(classX)<<8 | 20
	X21 Reg = Reg(classX)<<8 | 21
	X22 Reg = Reg(classX)<<8 | 22
	X23 Reg = Reg(classX)<<8 | 23
	X24 Reg = Reg(classX)<<8 | 24
	X25 Reg = Reg(classX)<<8 | 25
	X26 Reg = Reg(classX)<<8 | 26
	X27 Reg = Reg(classX)<<8 | 27
	X28 Reg = Reg(classX)<<8 | 28
	X29 Reg = Reg(classX)<<8 | 29
	X30 Reg = Reg(classX)<<8 | 30
	W0  Reg = Reg(classW)<<8 | 0
	W1  Reg = Reg(classW)<<8 | 1
	W2  Reg = Reg(classW)<<8 | 2
	W3  Reg = Reg(classW)<<8 | 3
	W4  Reg = Reg(classW)<<8 | 4
	W5  Reg = Reg(classW)<<8 | 5
	W6  Reg = Reg(classW)<<8 | 6
	W7  Reg = Reg(classW)<<8 | 7
	W8  Reg = Reg(classW)<<8 | 8
	W9  Reg = Reg(classW)<<8 | 9
	W10 Reg = Reg(classW)<<8 | 10
	W11 Reg = Reg(classW)<<8 | 11
	W12 Reg = Reg(classW)<<8 | 12
	W13 Reg = Reg(classW)<<8 | 13
	W14 Reg = Reg(classW)<<8 | 14
	W15 Reg = Reg(classW)<<8 | 15
	W16 Reg = Reg(classW)<<8 | 16
	W17 Reg = Reg(classW)<<8 | 17
	W18 Reg = Reg(classW)<<8 | 18
	W19 Reg = Reg(classW)<<8 | 19
	W20 Reg = Reg(classW)<<8 | 20
	W21 Reg = Reg(classW)<<8 | 21
	W22 Reg = Reg(classW)<<8 | 22
	W23 Reg = Reg(classW)<<8 | 23
	W24 Reg = Reg(classW)<<8 | 24
	W25 Reg = Reg(classW)<<8 | 25
	W26 Reg = Reg(classW)<<8 | 26
	W27 Reg = Reg(classW)<<8 | 27
	W28 Reg = Reg(classW)<<8 | 28
	W29 Reg = Reg(classW)<<8 | 29
	W30 Reg = Reg(classW)<<8 | 30
	S0  Reg = Reg(classS)<<8 | 0
	S1  Reg = Reg(classS)<<8 | 1
	S2  Reg = Reg(classS)<<8 | 2
	S3  Reg = Reg(classS)<<8 | 3
	S4  Reg = Reg(classS)<<8 | 4
	S5  Reg = Reg(classS)<<8 | 5
	S6  Reg = Reg(classS)<<8 | 6
	S7  Reg = Reg(classS)<<8 | 7
	S8  Reg = Reg(classS)<<8 | 8
	S9  Reg = Reg(classS)<<8 | 9
	S10 Reg = Reg(classS)<<8 | 10
	S11 Reg = Reg(classS)<<8 | 11
	S12 Reg = Reg(classS)<<8 | 12
	S13 Reg = Reg(classS)<<8 | 13
	S14 Reg = Reg(classS)<<8 | 14
	S15 Reg = Reg(classS)<<8 | 15
	S16 Reg = Reg(classS)<<8 | 16
	S17 Reg = Reg(classS)<<8 | 17
	S18 Reg = Reg(classS)<<8 | 18
	S19 Reg = Reg(classS)<<8 | 19
	S20 Reg = Reg(classS)<<8 | 20
	S21 Reg = Reg(classS)<<8 | 21
	S22 Reg = Reg(classS)<<8 | 22
	S23 Reg = Reg(classS)<<8 | 23
	S24 Reg = Reg(classS)<<8 | 24
	S25 Reg = Reg(classS)<<8 | 25
	S26 Reg = Reg(classS)<<8 | 26
	S27 Reg = Reg(classS)<<8 | 27
	S28 Reg = Reg(classS)<<8 | 28
	S29 Reg = Reg(classS)<<8 | 29
	S30 Reg = Reg(classS)<<8 | 30
	S31 Reg = Reg(classS)<<8 | 31
	Q0  Reg = Reg(classQ)<<8 | 0
	Q1  Reg = Reg(classQ)<<8 | 1
	Q2  Reg = Reg(classQ)<<8 | 2
	Q3  Reg = Reg(classQ)<<8 | 3
	Q4  Reg = Reg(classQ)<<8 | 4
	Q5  Reg = Reg(classQ)<<8 | 5
	Q6  Reg = Reg(classQ)<<8 | 6
	Q7  Reg = Reg(classQ)<<8 | 7
	Q8  Reg = Reg(classQ)<<8 | 8
	Q9  Reg = Reg(classQ)<<8 | 9
	Q10 Reg = Reg(classQ)<<8 | 10
	Q11 Reg = Reg(classQ)<<8 | 11
	Q12 Reg = Reg(classQ)<<8 | 12
	Q13 Reg = Reg(classQ)<<8 | 13
	Q14 Reg = Reg(classQ)<<8 | 14
	Q15 Reg = Reg(classQ)<<8 | 15
	Q16 Reg = Reg(classQ)<<8 | 16
	Q17 Reg = Reg(classQ)<<8 | 17
	Q18 Reg = Reg(classQ)<<8 | 18
	Q19 Reg = Reg(classQ)<<8 | 19
	Q20 Reg = Reg(classQ)<<8 | 20
	Q21 Reg = Reg(classQ)<<8 | 21
	Q22 Reg = Reg(classQ)<<8 | 22
	Q23 Reg = Reg(classQ)<<8 | 23
	Q24 Reg = Reg(classQ)<<8 | 24
	Q25 Reg = Reg(classQ)<<8 | 25
	Q26 Reg = Reg(classQ)<<8 | 26
	Q27 Reg = Reg(classQ)<<8 | 27
	Q28 Reg = Reg(classQ)<<8 | 28
	Q29 Reg = Reg(classQ)<<8 | 29
	Q30 Reg = Reg(classQ)<<8 | 30
	Q31 Reg = Reg(classQ)<<8 | 31
	V0  Reg = Reg(classV)<<8 | 0
	V1  Reg = Reg(classV)<<8 | 1
	V2  Reg = Reg(classV)<<8 | 2
	V3  Reg = Reg(classV)<<8 | 3
	V4  Reg = Reg(classV)<<8 | 4
	V5  Reg = Reg(classV)<<8 | 5
	V6  Reg = Reg(classV)<<8 | 6
	V7  Reg = Reg(classV)<<8 | 7
	V8  Reg = Reg(classV)<<8 | 8
	V9  Reg = Reg(classV)<<8 | 9
	V10 Reg = Reg(classV)<<8 | 10
	V11 Reg = Reg(classV)<<8 | 11
	V12 Reg = Reg(classV)<<8 | 12
	V13 Reg = Reg(classV)<<8 | 13
	V14 Reg = Reg(classV)<<8 | 14
	V15 Reg = Reg(classV)<<8 | 15
	V16 Reg = Reg(classV)<<8 | 16
	V17 Reg = Reg(classV)<<8 | 17
	V18 Reg = Reg(classV)<<8 | 18
	V19 Reg = Reg(classV)<<8 | 19
	V20 Reg = Reg(classV)<<8 | 20
	V21 Reg = Reg(classV)<<8 | 21
	V22 Reg = Reg(classV)<<8 | 22
	V23 Reg = Reg(classV)<<8 | 23
	V24 Reg = Reg(classV)<<8 | 24
	V25 Reg = Reg(classV)<<8 | 25
	V26 Reg = Reg(classV)<<8 | 26
	V27 Reg = Reg(classV)<<8 | 27
	V28 Reg = Reg(classV)<<8 | 28
	V29 Reg = Reg(classV)<<8 | 29
	V30 Reg = Reg(classV)<<8 | 30
	V31 Reg = Reg(classV)<<8 | 31
)

func regN(c regClass, n int) Reg {
	if n < 0 || n > 31 {
		return 0 // rejected by Encode as a missing operand
	}
	return mkReg(c, n)
}

// XReg returns Xn for n in 0..30 (31 gives an invalid register: use XZR or
// SP explicitly). The other *Reg helpers work the same way for their file;
// for S, Q and V registers n may be 0..31.
func XReg(n int) Reg { return regN(classX, n) }

// WReg returns Wn for n in 0..30.
func WReg(n int) Reg { return regN(classW, n) }

// SReg returns Sn for n in 0..31.
func SReg(n int) Reg { return regN(classS, n) }

// QReg returns Qn for n in 0..31.
func QReg(n int) Reg { return regN(classQ, n) }

// VReg returns Vn for n in 0..31.
func VReg(n int) Reg { return regN(classV, n) }
