// Package codegen is the compiler's back end: it turns a forward ir.Graph
// (after the ir passes) into AArch64 machine code that follows the muscle
// ABI (muscle/FORMAT.md): x0 = input, x1 = output, x2 = state, x3 =
// scratch; only x0..x17 and v0..v31 are written; no stack, no calls, no
// system instructions; one final ret. Instructions are built with the
// closed set of forms of package arm64 and assembled by its Assembler.
//
// Memory plan. The input is read at x0 and the output written at x1
// (row-major float32). The parameters live in the state buffer at x2 in
// the Model's parameter order, each 16-byte aligned (ParamLayout).
// Constant tensors of at most MaxFoldedConst elements, and uniform ones
// (one value everywhere, such as a broadcast learning rate) of any size,
// are folded into the code (FMOV immediate, or MOVZ/MOVK into w9 then
// FMOV; DUP for a vector); other constant tensors are appended to the
// state buffer after the parameters as non-trainable slots (Slot.Const) —
// the ABI has no constant pool — and Code.InitialState builds the whole
// buffer. A folded uniform constant that a kernel must read from memory
// (a MatMul operand) gets a slot too. Every other computed value
// gets a 16-byte aligned region of the scratch buffer at x3
// (Code.ScratchSize), except the graph's output, which is computed in
// place at x1, and the train updates computed in their slots. Reshape,
// Transpose, Broadcast and Slice emit no code: they are index maps that
// the consuming kernel reads through. The plan of an entry (plan.go,
// planEntry) is made from the graph alone before any code is emitted:
// every value's location, the in-place updates, and the scratch regions,
// reused once their last reader (a kernel, or the final copies of the
// output and the updates) is past; emission only adds short-lived copies
// after the planned regions (views materialized for kernels that need
// contiguous operands, staged updates).
//
// Kernels. Code grows with the graph, not with the weights: every kernel
// whose work grows with a dimension beyond a small bound is a loop with a
// fixed trip count (SUBS/B.NE on x11; x16 counts the rows of a loop
// around loops). Elementwise ops use NEON (.4s) when the op has a vector
// form and the operands are contiguous (uniform constants are DUPed, a
// broadcast scalar is loaded once and DUPed, or multiplied by element;
// unrolled, a chunk may read four consecutive elements of a view):
// unrolled chunks of four below vecLoopChunks chunks, else a loop of
// vecUnroll chunks an iteration with post-incremented pointers; a scalar
// loop for 64+ contiguous elements without a vector form, and fully
// unrolled scalar code otherwise. MatMul and Dense (all 1-D/2-D
// combinations) are unrolled scalar FMUL/FMADD (a Dense with columns in
// blocks of four: FMLA by element; a MatMul whose left operand reads rows
// in fours, such as h.T: four rows of a result column by element; either
// when that executes fewer) when the
// contracted and column dimensions are below loopDim and there are at
// most unrollMACs multiply-adds, and otherwise a NEON loop (LD1R + FMLA over blocks of 32
// columns, four rows an iteration by element where the shapes allow, rows
// of 16 or 32 columns by four-register LD1s two loads ahead, laid out for
// the in-order A53, and a block with a 1..3-column tail four rows an
// iteration too, the tail by the scalar FMLA by element (rowBlockTail);
// a MatMul's rows are a loop too, and so are a Dense's when its
// bias rows are evenly spaced); a right operand that is a transposed view
// (x @ W.T) is read in place by dot products (transposed.go). Copies
// loop too (copy.go). Reductions are unrolled. Activations are branch-free: max/min by FMAX/FMIN,
// comparisons by FCMP+FCSEL (scalar) or FCMxx+AND (vector), Where by
// FCSEL or FCMEQ+BSL; a Where on a comparison that nothing else reads
// selects on it directly, by its FCMP+FCSEL or FCMxx+BSL (against #0.0
// for a zero operand), and the comparison gets no kernel (plan.go,
// fusedComparisons). Kernels are emitted in the graph's order, but
// comparisons of inputs, parameters and constants first: FCMP+FCSEL
// chains through the flags, in an order the scheduler keeps. The only branches are loop back-edges, so the
// instruction count depends on the shapes alone; the same graph always
// gives the same bytes. Unrolled scalar kernels take four register sets
// in turn, one per output element (unrolledSets), so the scheduler can
// overlap neighbouring elements; an entry with fused dense layers is
// compiled a second time with them split into passes, and the one that
// executes fewer instructions is kept.
//
// Forwarding (forward_pass.go). Before scheduling, in each entry's
// top-level code (outside every loop), a load that reads back what an
// earlier store of the block wrote to scratch or the output, or what an
// earlier load of the block read, is removed and its readers read that
// register (moved into a spare vector register when it is reused before
// the load); scratch stores nothing can read any more are removed, and so
// are instructions that rebuild a constant a register already holds
// (consts_pass.go); the executed count drops by the number removed.
//
// Scheduling (schedule.go). Before assembly each entry's straight-line
// blocks (between labels and branches) are reordered for the in-order
// dual-issue Cortex-A53, keeping every register, flag and memory
// dependency; loop counter setups and the SUBS before each back-edge stay
// in place and no instruction is added or removed, so the executed count
// is unchanged.
//
// Approximations (mathfn.go), maximum errors measured by TestApproximations
// over a dense sweep against float64 math:
//
//	exp   x in [-87.3, 88.37]: max relative error 7.4e-08 (clamped outside)
//	log   x in [1.2e-38, 3.4e38]: max error 9.6e-08 (absolute; relative where |log x| > 1),
//	      relative 2.1e-07 where |log x| >= 0.01; +inf, ±0, negative and NaN exact
//	tanh  x in [-20, 20]: max absolute error 1.1e-07
//
// sqrt is FSQRT; pow takes integral exponents in -64..64 by
// square-and-multiply (a division for negative ones), half-integral ones
// the same way on FSQRT(x).
//
// Not supported (Compile names the op in its error): FloorDiv, Mod, pow
// with other exponents (1.25, say).
//
// Muscles (muscle.go, entry.go). CompileMuscle generates both entries of
// a muscle into one code section: forward (from the model's graph) at
// offset 0, then train (from autodiff's train graph), each ending in its
// own ret. Both share one state layout: ParamLayout, then the large
// constants of either entry (identical ones share a slot). The train
// entry reads the input at x0 and the target at x4, writes y (the forward
// output before the update) at x1 and overwrites each trainable parameter
// in place. An update is computed straight into its slot only when no
// later kernel, and no final copy, reads the old parameter (its own
// kernel may, if elementwise with the identity index map); otherwise it is
// computed in scratch and copied at the end, after staging into scratch
// every update whose value still lives in the state buffer. Frozen
// parameters and constant slots are never written.
//
// CheckABI scans the emitted program for register writes outside x0..x17,
// SP, loads/stores not based on x0..x4-derived registers and misplaced
// rets; Compile runs it on every program. Package run executes code under
// qemu-aarch64 (or natively on arm64) through a trampoline that also
// checks x18..x28, SP and d8..d15 at run time.
package codegen
