package main

import (
	"errors"

	"github.com/muscles/referee/compiler/codegen"
	"github.com/muscles/referee/compiler/frontend"
	"github.com/muscles/referee/tools/internal/cli"
)

// compiled is a model and its muscle code (forward and train entries).
type compiled struct {
	source []byte
	model  *frontend.Model
	code   *codegen.Muscle
}

// rejectedErr marks compile errors (file:line:col for the front end's) as
// the model's fault: exit status 4.
func rejectedErr(err error) error { return cli.Wrap(exitRejected, err) }

// load reads and traces a model file.
func load(path string) ([]byte, *frontend.Model, error) {
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

// compileFile runs the whole pipeline (codegen.CompileSource) on a model
// file.
func compileFile(path string) (*compiled, error) {
	src, err := cli.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, code, err := codegen.CompileSource(path, src)
	switch {
	case errors.Is(err, codegen.ErrInternal):
		return nil, err
	case err != nil:
		return nil, rejectedErr(err)
	}
	return &compiled{source: src, model: m, code: code}, nil
}
