package muscle

import "fmt"

// errorf wraps sentinel with a message: "sentinel: message".
func errorf(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{sentinel}, args...)...)
}
