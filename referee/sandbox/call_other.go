//go:build !(tamago && arm64)

package sandbox

import "errors"

// hostArena is where a host build pretends every arena lies: host heap
// addresses do not fit the 39-bit regime, and off the referee the tables
// are only built and walked, never used, so New works (and the loader and
// console can be tested on the host).
const hostArena = 0x4812_3000

func init() {
	addressOf = func([]byte) uint64 { return hostArena }
}

// Call needs EL3 on arm64: on other builds it only reports that.
func (s *Space) Call(e Entry) error {
	s.clearBuffers(e)
	return errors.New("sandbox: calls need the referee image (tamago/arm64 at EL3)")
}

// syncCode has no caches to maintain off the referee.
func syncCode(addr, size uint64) {}
