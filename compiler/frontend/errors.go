package frontend

import (
	"fmt"

	"github.com/muscles/referee/compiler/ir"
	"github.com/muscles/referee/compiler/python"
)

// bailout carries a *python.Error up the tracer; Compile recovers it.
type bailout struct{ err *python.Error }

// inferred restarts tracing once the input's shape has been inferred.
type inferred struct{ shape ir.Shape }

func (t *tracer) fail(pos python.Pos, construct, format string, args ...any) {
	panic(bailout{&python.Error{File: t.file, Pos: pos, Construct: construct, Msg: fmt.Sprintf(format, args...)}})
}

// check turns a builder error into a positioned error: "construct: err".
func (t *tracer) check(pos python.Pos, construct string, err error) {
	if err != nil {
		t.fail(pos, construct, "%s: %v", construct, err)
	}
}
