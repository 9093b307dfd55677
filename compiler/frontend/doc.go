// Package frontend turns a parsed Family Python module into the
// language-neutral model (ir.Model): the IR graph of its forward function,
// its parameters, and its def loss(y, target), if it has one, as a loss
// graph of its own (loss.go; LossOf traces one from a file of its own).
//
// Compile parses the file (package python), evaluates the module-level
// constants at compile time in float64 as NumPy would (consts.go, values.go),
// finds `def forward(x)`, and traces its body into an ir.Graph (trace.go,
// ops.go, calls.go): local names bind to compile-time constants or to graph
// values, operations on constants only are folded on the spot, and every
// module-level float constant (int ones stay constants) that forward reads
// becomes an ir Param, trainable unless named in FROZEN. Small helper
// functions defined in the module are inlined at their call sites.
//
// np.load reads weight files at compile time, relative to the model file's
// directory (load.go; package npy decodes them): the arrays are constants
// like np.array's, and Model.Sources lists every file read with its BLAKE3.
//
// The input shape is INPUT_SHAPE when the module defines it, else a shape
// annotation on forward's parameter (def forward(x: (2, 3))); otherwise it
// is inferred as 1-D from the first matrix product that fixes it (x @ W
// with W of shape (4,) or (4, m) makes x (4,)); tracing then starts over
// with that shape. Anything outside the subset is a *python.Error with
// file:line:col, the construct and the reason (errors.go).
package frontend
