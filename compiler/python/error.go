package python

import "fmt"

// Error is the only error type Parse returns (match with errors.As). It
// names the file, the position of the offending token, the construct that
// is not accepted and why.
type Error struct {
	File      string // the file name given to Parse
	Pos       Pos    // 1-based line and column (in characters)
	Construct string // short name of the construct, e.g. "while loop"
	Msg       string // the full reason, e.g. "while loops are not supported"
}

// Error formats the error as file:line:col: msg.
func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Pos.Line, e.Pos.Col, e.Msg)
}

// bailout carries an *Error up the recursive descent (see Parse).
type bailout struct{ err *Error }

// failf aborts lexing or parsing with an *Error at pos.
func failf(file string, pos Pos, construct, format string, args ...any) {
	panic(bailout{&Error{File: file, Pos: pos, Construct: construct, Msg: fmt.Sprintf(format, args...)}})
}
