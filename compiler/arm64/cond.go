package arm64

import "fmt"

// Cond is a condition code for B.cond and FCSEL. The zero Cond means "no
// condition"; the named values encode as Cond-1.
type Cond uint8

// Condition codes. NV is deliberately absent: it behaves as AL and the
// compiler never needs it.
const (
	EQ Cond = iota + 1 // equal
	NE                 // not equal
	HS                 // unsigned higher or same (carry set)
	LO                 // unsigned lower (carry clear)
	MI                 // negative
	PL                 // positive or zero
	VS                 // overflow (FP: unordered)
	VC                 // no overflow
	HI                 // unsigned higher
	LS                 // unsigned lower or same
	GE                 // signed greater or equal
	LT                 // signed less than (FP: less than or unordered)
	GT                 // signed greater than
	LE                 // signed less or equal
	AL                 // always
)

var condNames = [...]string{"", "eq", "ne", "hs", "lo", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le", "al"}

func (c Cond) valid() bool { return c >= EQ && c <= AL }

// bits is the 4-bit field value.
func (c Cond) bits() uint32 { return uint32(c - 1) }

// Invert returns the opposite condition (EQ <-> NE, GE <-> LT, ...).
// AL has no opposite and is returned unchanged.
func (c Cond) Invert() Cond {
	if !c.valid() || c == AL {
		return c
	}
	return Cond((c-1)^1) + 1
}

// String returns the lower-case GNU name ("ne", "ge").
func (c Cond) String() string {
	if c.valid() {
		return condNames[c]
	}
	if c == 0 {
		return "<no cond>"
	}
	return fmt.Sprintf("<bad cond %d>", uint8(c))
}
