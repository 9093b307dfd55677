// Package ir is the compiler's middle: a static-shape float32 tensor IR.
//
// A Graph holds Values in SSA order (every operand is defined before its
// users). Each Value has an Op, operand Values and a static Shape (rank 0
// to 3); constants carry a row-major []float32 payload, parameters a name,
// an initial value and a trainable flag. The builder methods (build.go)
// infer shapes when a node is built, following NumPy's rules, and insert an
// explicit Broadcast wherever NumPy would broadcast, so elementwise nodes
// always see operands of one shape. Shape errors read like NumPy's, e.g.
// "shapes (3,) and (4,) not aligned".
//
// Passes (pass.go) are a named list run in order: constant folding
// (fold.go), algebraic simplification (simplify.go), fusion of
// matmul + bias + activation into one dense op (fuse.go) and dead-code
// elimination (dce.go). Graph.String (dump.go) prints the graph, so a
// caller can show the IR after any pass. Graphs with several results (the
// training step) run through RunPassesOutputs and EvalOutputs (multi.go);
// package autodiff builds them.
//
// Eval (eval.go) is a reference interpreter. It computes in float32: every
// arithmetic result is rounded to float32, and exp, log, tanh, sqrt and pow
// are computed in float64 by package math and then rounded to float32. The
// same kernels (kernel.go) also run in float64 (Eval64), which the front
// end uses to fold module-level constants the way NumPy does.
package ir
