package main

import (
	"errors"

	"github.com/muscles/referee/compiler/codegen"
	"github.com/muscles/referee/compiler/frontend"
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

// load reads and traces a model file.
func load(path string) ([]byte, *ir.Model, error) {
	src, err := cli.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	m, err := frontend.Compile(path, src)
	if err != nil {
		return nil, nil, rejectedErr(err)
	}
	return src, m, nil
}

// compileFile runs the pipeline (compiler/pipeline) on a model file up to
// the machine code; build then runs the abi-check on the manifest it
// seals (verifyCode).
func compileFile(path string) (*compiled, error) {
	r, err := runPipeline(path, "assemble")
	if err != nil {
		return nil, err
	}
	return &compiled{source: r.Source, model: r.Model, code: r.Muscle}, nil
}

// runPipeline runs the pipeline on a model file up to stage after ("":
// every stage).
func runPipeline(path, after string) (*pipeline.Result, error) {
	src, err := cli.ReadFile(path)
	if err != nil {
		return nil, err
	}
	r, err := pipeline.Run(path, src, pipeline.Options{}, after)
	switch {
	case errors.Is(err, pipeline.ErrInternal):
		return nil, err
	case err != nil:
		return nil, rejectedErr(err)
	}
	return r, nil
}
