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

// Call needs EL3 on arm64: on other builds it clears the buffers as on
// the referee, then reports (and counts, in Faults) that calls need the
// referee.
func (s *Space) Call(e Entry) error {
	s.clearBuffers(e, 1)
	s.Faults++
	return errNoEL3
}

// trampolineAddrs: no trampoline off the referee.
func trampolineAddrs() (vectors, zeros, scr uint64) { return 0, 0, 0 }

var errNoEL3 = errors.New("sandbox: calls need the referee image (tamago/arm64 at EL3)")

// Batch checks its arguments and clears the buffers as on the referee,
// then reports that calls need it.
func (s *Space) Batch(e Entry, k int) error {
	if err := s.batchCheck(e, k); err != nil {
		return s.counted(e, k, err)
	}
	s.clearBuffers(e, batchRows(e, k))
	s.batchFrame(e, k)
	return s.counted(e, k, errNoEL3)
}

// syncCode has no caches to maintain off the referee.
func syncCode(addr, size uint64) {}
