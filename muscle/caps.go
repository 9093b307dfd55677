package muscle

import (
	"fmt"
	"strings"
)

// Capabilities is the capability bit set in a blob's header and, in the key
// record, the set a publisher may grant.
type Capabilities uint32

// The capability bits. A blob may set only defined bits, and only those its
// publisher may grant.
const (
	// CapForward: the referee may run the muscle's forward entry.
	CapForward Capabilities = 1 << 0
	// CapTrain: the referee may run the muscle's train entry (which updates
	// the state buffer).
	CapTrain Capabilities = 1 << 1
	// CapPersist: trained state may be kept across runs (across calls and
	// reloads) instead of being reset to the sealed initial state.
	CapPersist Capabilities = 1 << 2

	// CapAll is every defined bit.
	CapAll = CapForward | CapTrain | CapPersist
)

var capNames = []struct {
	bit  Capabilities
	name string
}{
	{CapForward, "forward"},
	{CapTrain, "train"},
	{CapPersist, "persist"},
}

// String lists the bits by name, comma-separated ("forward,train"), with any
// undefined bits in hex; "none" for the empty set.
func (c Capabilities) String() string {
	if c == 0 {
		return "none"
	}
	var parts []string
	for _, n := range capNames {
		if c&n.bit != 0 {
			parts = append(parts, n.name)
		}
	}
	if rest := c &^ CapAll; rest != 0 {
		parts = append(parts, fmt.Sprintf("%#x", uint32(rest)))
	}
	return strings.Join(parts, ",")
}

// Names returns the names of the defined bits that are set.
func (c Capabilities) Names() []string {
	names := []string{}
	for _, n := range capNames {
		if c&n.bit != 0 {
			names = append(names, n.name)
		}
	}
	return names
}

// ParseCapabilities parses a comma-separated list of capability names
// ("forward,train,persist"); "none" or "" is the empty set and "all" every
// defined bit.
func ParseCapabilities(s string) (Capabilities, error) {
	var c Capabilities
	s = strings.TrimSpace(s)
	if s == "" || s == "none" {
		return 0, nil
	}
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "all" {
			c |= CapAll
			continue
		}
		found := false
		for _, n := range capNames {
			if n.name == f {
				c |= n.bit
				found = true
			}
		}
		if !found {
			return 0, fmt.Errorf("%w: unknown capability %q (want forward, train, persist, all or none)", ErrInvalidInput, f)
		}
	}
	return c, nil
}
