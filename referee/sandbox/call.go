//go:build tamago && arm64

package sandbox

// enter runs the muscle described by f at EL0 and returns when it ends,
// however it ends (call_arm64.s).
//
//go:noescape
func enter(f *frame)

// vectorsAddr is the address of el3Vectors, the EL3 vector table installed
// for the duration of a call (call_arm64.s).
func vectorsAddr() uintptr

func init() {
	if vectorsAddr()%2048 != 0 {
		panic("sandbox: EL3 vector table is not 2 KiB aligned")
	}
}

// Call runs one entry of the muscle at Secure EL0 and returns nil when it
// returned normally, or a *Fault. The muscle's buffers (Input, Target)
// must be filled in before. Nothing is allocated unless the call faults.
func (s *Space) Call(e Entry) error {
	if s.entry[e] == 0 {
		return ErrNoEntry
	}
	s.frame.entry = s.entry[e]
	s.frame.budget = s.budget
	enter(&s.frame)
	code, size := s.CodeRange()
	if f := decode(s.frame.outcome(), code, size); f != nil {
		return f
	}
	return nil
}
