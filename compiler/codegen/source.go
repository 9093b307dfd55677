package codegen

import (
	"errors"
	"fmt"

	"github.com/muscles/referee/compiler/autodiff"
	"github.com/muscles/referee/compiler/frontend"
	"github.com/muscles/referee/compiler/ir"
)

// ErrInternal marks a failure of the compiler itself (an IR pass), as
// opposed to a model outside the supported subset.
var ErrInternal = errors.New("internal compiler error")

// CompileSource is the whole pipeline on one model file's source: trace
// (frontend.Compile), the ir passes, autodiff (with the module's loss if it
// defines one), then code for both entries. name is used in error messages
// (file:line:col). Errors other than ErrInternal ones are the model's.
func CompileSource(name string, src []byte) (*frontend.Model, *Muscle, error) {
	m, err := frontend.Compile(name, src)
	if err != nil {
		return nil, nil, err
	}
	if err := ir.RunPasses(m.Graph, ir.Passes, ""); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrInternal, err)
	}
	tg, err := autodiff.TrainFile(name, src)
	if err != nil {
		return nil, nil, err
	}
	mu, err := CompileMuscle(m, tg)
	if err != nil {
		return nil, nil, err
	}
	return m, mu, nil
}
