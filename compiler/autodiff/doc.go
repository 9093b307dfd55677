// Package autodiff builds the training graph of a model: forward, loss,
// reverse-mode gradients and the SGD update, all in the ops of package ir,
// so that the reference interpreter (and later the code generator) runs it
// unchanged.
//
// Train (train.go) copies the forward graph of an ir.Model, as the front
// end produced it, into a new ir.Graph with two inputs, the model input and
// the target (a second OpInput, named "target" unless the model input
// already has that name), appends the loss (the mean squared error
// np.mean((y - target) ** 2), or the model's own loss graph, ir.Model.Loss,
// copied in by loss.go),
// differentiates the loss with respect to every trainable parameter
// (grad.go drives the backward sweep, rules.go holds one rule per op) and
// appends p_new = p - lr * grad for each. The ir passes (fold, simplify,
// fold2, dce) then run over the whole graph, keeping every result live.
//
// The results of the training graph are the forward output y (computed
// with the parameters before the update) and the updated value of every
// trainable parameter; frozen parameters are read but never written.
// Step (step.go) runs one training step on the interpreter.
//
// Subgradients, where the function has a kink:
//   - np.maximum(a, b) sends the gradient to a where a >= b and to b
//     elsewhere, so a tie goes to the first operand; np.minimum(a, b)
//     likewise with a <= b (np.clip is a maximum then a minimum);
//   - np.max / np.min reductions share the gradient equally among the
//     elements equal to the result;
//   - np.abs has derivative 0 at 0; comparisons, //, and the mask of
//     np.where have derivative 0.
package autodiff
