package main

import (
	"errors"
	"os"

	"github.com/muscles/referee/compiler/codegen"
	"github.com/muscles/referee/compiler/frontend"
	"github.com/muscles/referee/compiler/ir"
	"github.com/muscles/referee/compiler/python"
)

// compiled is a model and its forward code.
type compiled struct {
	source []byte
	model  *frontend.Model
	code   *codegen.Code
}

// load reads and traces a model file.
func load(path string) ([]byte, *frontend.Model, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, &exitError{exitFile, err}
	}
	m, err := frontend.Compile(path, src)
	if err != nil {
		var perr *python.Error
		if errors.As(err, &perr) {
			return nil, nil, &exitError{exitRejected, err}
		}
		return nil, nil, err
	}
	return src, m, nil
}

// compileFile runs the whole pipeline for the forward entry.
func compileFile(path string) (*compiled, error) {
	src, m, err := load(path)
	if err != nil {
		return nil, err
	}
	if err := ir.RunPasses(m.Graph, ir.Passes, ""); err != nil {
		return nil, err
	}
	code, err := codegen.Compile(m.Graph, m.Params)
	if err != nil {
		return nil, &exitError{exitRejected, err}
	}
	return &compiled{source: src, model: m, code: code}, nil
}
