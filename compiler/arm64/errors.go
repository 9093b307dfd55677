package arm64

import "fmt"

// Error reports an instruction that cannot be encoded. Operand names the
// offending field ("Rd", "Rn", "Imm", "Label", ...) or is empty when the
// instruction as a whole is at fault.
type Error struct {
	Instr   Instr
	Operand string
	Reason  string
}

func (e *Error) Error() string {
	if e.Operand == "" {
		return fmt.Sprintf("arm64: %s: %s", e.Instr, e.Reason)
	}
	return fmt.Sprintf("arm64: %s: operand %s: %s", e.Instr, e.Operand, e.Reason)
}
