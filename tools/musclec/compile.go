package main

import (
	"errors"
	"flag"
	"io"
	"math"
	"strings"

	"github.com/muscles/referee/compiler/codegen"
	"github.com/muscles/referee/compiler/ir"
	"github.com/muscles/referee/compiler/pipeline"
	"github.com/muscles/referee/tools/internal/cli"
)

// compiled is a model and its muscle code (forward and train entries).
type compiled struct {
	source []byte
	model  *ir.Model
	code   *codegen.Muscle
}

// rejectedErr marks compile errors (file:line:col for the front end's) as
// the model's fault: exit status 4.
func rejectedErr(err error) error { return cli.Wrap(exitRejected, err) }

// compileFile runs the pipeline (compiler/pipeline) on a model file up to
// the machine code; build then runs the abi-check on the manifest it
// seals (verifyCode).
func compileFile(path string, opt pipeline.Options) (*compiled, error) {
	r, err := runPipeline(path, opt, "assemble")
	if err != nil {
		return nil, err
	}
	return &compiled{source: r.Source, model: r.Model, code: r.Muscle}, nil
}

// runPipeline runs the pipeline on a model file up to stage after ("":
// every stage).
func runPipeline(path string, opt pipeline.Options, after string) (*pipeline.Result, error) {
	src, err := cli.ReadFile(path)
	if err != nil {
		return nil, err
	}
	r, err := pipeline.Run(path, src, opt, after)
	switch {
	case errors.Is(err, pipeline.ErrInternal):
		return nil, err
	case err != nil:
		return nil, rejectedErr(err)
	}
	return r, nil
}

// modelArgs are the flags that say what a model file does not (an ONNX
// file's batch, loss, frozen parameters, learning rate; they override a
// Family Python file's own).
type modelArgs struct {
	fs     *flag.FlagSet
	batch  *int
	loss   *string
	frozen *string
	lr     *float64
}

// modelFlags adds the model flags to fs.
func modelFlags(fs *flag.FlagSet) *modelArgs {
	return &modelArgs{fs: fs,
		batch:  fs.Int("batch", 0, "fix a symbolic batch dimension (ONNX) to `N` (default 1)"),
		loss:   fs.String("loss", "", "training loss: mse, cross-entropy (of probabilities), or a Family Python `FILE` defining def loss(y, target) (default: the model's own, else mse)"),
		frozen: fs.String("frozen", "", "parameters not trained, comma-separated `NAMES`"),
		lr:     fs.Float64("learning-rate", 0, "SGD step (default: the model's LEARNING_RATE, else 0.01)"),
	}
}

// parse parses the command line (one model file) and the model flags.
func (m *modelArgs) parse(stdout io.Writer, args []string) (string, pipeline.Options, error) {
	path, err := parseModel(m.fs, stdout, args)
	if err != nil {
		return "", pipeline.Options{}, err
	}
	opt := pipeline.Options{Batch: *m.batch, Loss: *m.loss, LearningRate: *m.lr}
	if *m.batch < 0 {
		return "", opt, cli.Fail(exitUsage, "--batch %d: want a positive size", *m.batch)
	}
	if *m.lr < 0 || math.IsNaN(*m.lr) || math.IsInf(*m.lr, 0) {
		return "", opt, cli.Fail(exitUsage, "--learning-rate %g: want a positive number", *m.lr)
	}
	if *m.frozen != "" {
		opt.Frozen = strings.Split(*m.frozen, ",")
	}
	return path, opt, nil
}
