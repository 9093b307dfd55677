// Package arm64 encodes the small, closed set of AArch64 instructions that
// the muscle compiler emits: 64-bit integer moves, adds, compares and
// branches; S, Q and X loads and stores; single-precision scalar FP; and
// AdvSIMD single-precision arithmetic on .4s vectors.
//
// Instructions are data (Instr, with one Op per encoding form, see
// instr.go); Encode turns one into its 32-bit word after validating every
// operand, and Assembler lays out a program with labels and returns the
// little-endian code bytes. Instr.String prints GNU assembler syntax.
// Instr.DefUse and Instr.Mem describe the registers (by unit, flags
// included) and the memory an instruction reads and writes, for the
// compiler's scheduler; Assembler.Reorder lets it permute a program.
//
// The set is kept explicit and small because the referee's verifier accepts
// only these forms; adding a form means adding an Op, its table entry, an
// encoder case and tests that decode it with an independent disassembler.
package arm64
