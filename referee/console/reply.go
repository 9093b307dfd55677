package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/muscles/referee/referee/sandbox"
	"github.com/muscles/referee/referee/served"
)

// cmdError is a failed command: a message and a short machine-readable
// code (the "code" of the JSON reply).
type cmdError struct{ code, msg string }

func (e *cmdError) Error() string { return e.msg }

func fail(code, format string, a ...any) error { return &cmdError{code, fmt.Sprintf(format, a...)} }

// errorCode is the JSON code of any command error.
func errorCode(err error) string {
	var ce *cmdError
	var f *sandbox.Fault
	var c *served.CapabilityError
	switch {
	case errors.As(err, &ce):
		return ce.code
	case errors.As(err, &f):
		return f.Kind.Code()
	case errors.Is(err, sandbox.ErrBatchRegisters):
		return "register-fault"
	case errors.As(err, &c):
		return "capability"
	}
	return "error"
}

// replyError prints a failed command's error, prefixed with the command
// unless cmd is empty: one JSON line in JSON mode.
func (s *Shell) replyError(cmd string, err error) {
	if s.json {
		b, _ := json.Marshal(struct {
			Error string `json:"error"`
			Code  string `json:"code"`
		}{err.Error(), errorCode(err)})
		fmt.Fprintf(s.Out, "%s\n", b)
		return
	}
	if cmd == "" {
		fmt.Fprintf(s.Out, "error: %v\n", err)
		return
	}
	fmt.Fprintf(s.Out, "error: %s: %v\n", cmd, err)
}

func (s *Shell) replyJSON(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fail("error", "cannot encode the reply: %v", err)
	}
	fmt.Fprintf(s.Out, "%s\n", b)
	return nil
}

func poweroffStatus(args []string) (int, error) {
	switch {
	case len(args) == 0:
		return 0, nil
	case len(args) > 1:
		return 0, fail("usage", "usage: poweroff [N]")
	}
	n, err := strconv.Atoi(args[0])
	if err != nil || n < 0 || n > 255 {
		return 0, fail("usage", "exit status %q is not 0-255", args[0])
	}
	return n, nil
}

func formatFloats(v []float32) string {
	b := []byte{'['}
	for i, x := range v {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = strconv.AppendFloat(b, float64(x), 'g', -1, 32)
	}
	return string(append(b, ']'))
}

// jsonFloats encodes float32 values as JSON numbers in their shortest
// round-trip form; NaN and infinities, which JSON cannot carry, as null.
type jsonFloats []float32

func (v jsonFloats) MarshalJSON() ([]byte, error) {
	b := []byte{'['}
	for i, x := range v {
		if i > 0 {
			b = append(b, ',')
		}
		if f := float64(x); math.IsNaN(f) || math.IsInf(f, 0) {
			b = append(b, "null"...)
		} else {
			b = strconv.AppendFloat(b, f, 'g', -1, 32)
		}
	}
	return append(b, ']'), nil
}
