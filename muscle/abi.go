package muscle

// The muscle ABI, version ABIVersion. FORMAT.md ("The muscle ABI") is the
// normative text; these constants are what the compiler and the referee's
// trampoline use.
const (
	// ABIVersion is the ABI this package describes; a blob's header and
	// manifest carry it and Open accepts only this value.
	ABIVersion = 1

	// Argument registers: each entry is called with the buffer addresses in
	// these general-purpose registers (x0..x4).
	RegInput   = 0 // x0: input tensor, read-only by convention
	RegOutput  = 1 // x1: output tensor
	RegState   = 2 // x2: state (weights), updated by train
	RegScratch = 3 // x3: scratch, undefined contents on entry
	RegTarget  = 4 // x4: target tensor, train only (undefined for forward)

	// BufferAlign is the alignment, in bytes, of every buffer the caller
	// passes (input, output, state, scratch, target).
	BufferAlign = 16
	// CodeAlign is the alignment of the code section when mapped, and
	// EntryAlign that of each entry offset (one A64 instruction).
	CodeAlign  = 4096
	EntryAlign = 4
	// ElementSize is the size of one tensor element (IEEE-754 binary32).
	ElementSize = 4

	// ClobberGPR is the set of general-purpose registers (bit n = xn) a
	// muscle may overwrite: x0..x17. It must not write x18..x30 or SP; x30
	// holds the return address that its single final ret uses.
	ClobberGPR uint32 = 1<<18 - 1
	// ClobberVector is the set of SIMD&FP registers (bit n = vn) a muscle
	// may overwrite: all of v0..v31, whole 128-bit registers.
	ClobberVector uint32 = 0xFFFF_FFFF
	// ClobberFlags: a muscle may change NZCV and the cumulative FPSR bits;
	// FPCR is set by the caller before every call and must not be written.
	ClobberFlags = true

	// InstrRet is the encoding of "ret" (ret x30), the single instruction
	// that ends each entry.
	InstrRet uint32 = 0xD65F03C0
)

// NumArgs is the number of argument registers, x0..x(NumArgs-1).
const NumArgs = 5

// What the caller sets before every call, so that nothing of an earlier
// call (another muscle's, or the referee's) is visible to the muscle:
//
//   - x0..x4 the buffer addresses (RegInput..RegTarget), x30 the return
//     address; every other general-purpose register x5..x29 zero;
//   - v0..v31 zero (whole registers), FPCR the caller's fixed value,
//     FPSR zero, NZCV zero;
//   - ResetSystemRegisters zero: the EL0-readable thread registers and
//     the EL0 stack pointer.
//
// FORMAT.md ("The muscle ABI") states the same; the referee's trampoline
// is generated from these values (referee/sandbox/abi_arm64.h).
var ResetSystemRegisters = []string{"tpidr_el0", "tpidrro_el0", "sp_el0", "fpsr", "nzcv"}

// NoEntry is the manifest's train entry when the muscle has no train entry.
const NoEntry = 0xFFFF_FFFF

// EntryKind names one of a muscle's entry points. The verifier, the
// sandbox and the referee's call path all use these values.
type EntryKind uint8

const (
	// EntryForward computes the output from the input and the state; it
	// may not write the state. x4 is undefined.
	EntryForward EntryKind = iota
	// EntryTrain runs one training step: x4 is the target and the state
	// is updated in place.
	EntryTrain
)

func (k EntryKind) String() string {
	switch k {
	case EntryForward:
		return "forward"
	case EntryTrain:
		return "train"
	}
	return "entry(" + string(rune('0'+k%10)) + ")"
}
