package muscle

// Policy is the caller's version policy: the lowest acceptable version per
// muscle name. Open also applies the key record's minimum versions; the
// higher of the two wins. The zero Policy accepts every version.
type Policy struct {
	MinVersion map[string]uint64
}

// Min is the policy's lowest acceptable version of name.
func (p *Policy) Min(name string) uint64 {
	if p == nil {
		return 0
	}
	return p.MinVersion[name]
}

// Raise records that version v of name was accepted, so that an older one is
// refused from now on (no downgrade within a boot).
func (p *Policy) Raise(name string, v uint64) {
	if p.MinVersion == nil {
		p.MinVersion = map[string]uint64{}
	}
	if v > p.MinVersion[name] {
		p.MinVersion[name] = v
	}
}
