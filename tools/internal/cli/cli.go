// Package cli holds what the project's command-line tools (muscle,
// musclec) share: errors that carry an exit status, and reading files and
// a publisher's key files with the statuses both tools document.
package cli

import (
	"fmt"
	"os"

	"github.com/muscles/referee/muscle"
)

// The exit statuses both tools use (each tool's help text says what they
// mean for it; musclec adds its own above these).
const (
	OK       = 0 // success
	Failure  = 1 // an unexpected failure
	Usage    = 2 // bad command line
	File     = 3 // a file could not be read or written, or exists already
	Rejected = 4 // an input was rejected
)

// ExitError is an error with the exit status it ends the command with.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// Wrap gives err the exit status code.
func Wrap(code int, err error) error { return &ExitError{Code: code, Err: err} }

// Fail is an error with exit status code.
func Fail(code int, format string, args ...any) error {
	return Wrap(code, fmt.Errorf(format, args...))
}

// Reject marks err (about what, a file or an input) as status Rejected.
func Reject(what string, err error) error {
	return Wrap(Rejected, fmt.Errorf("%s: %w", what, err))
}

// ReadFile reads a file; a failure has status File.
func ReadFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, Wrap(File, err)
	}
	return b, nil
}

// ReadPublisherKeys reads a publisher's sealing and signing key files (as
// muscle keygen writes them), wiping the file contents once parsed.
func ReadPublisherKeys(sealingPath, signingPath string) (*muscle.SealingKey, *muscle.SigningKey, error) {
	b, err := ReadFile(sealingPath)
	if err != nil {
		return nil, nil, err
	}
	sk, err := muscle.ParseSealingKey(b)
	clear(b)
	if err != nil {
		return nil, nil, Reject(sealingPath, err)
	}
	if b, err = ReadFile(signingPath); err != nil {
		return nil, nil, err
	}
	sg, err := muscle.ParseSigningKey(b)
	clear(b)
	if err != nil {
		return nil, nil, Reject(signingPath, err)
	}
	return sk, sg, nil
}
