//go:build !(tamago && arm64)

package sandbox

import "errors"

// Call needs EL3 on arm64: on other builds it only reports that.
func (s *Space) Call(e Entry) error {
	return errors.New("sandbox: calls need the referee image (tamago/arm64 at EL3)")
}
