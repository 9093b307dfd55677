package arm64

// MovConst returns the shortest MOVZ/MOVK sequence that sets the X
// register rd to v: one MOVZ for the lowest non-zero halfword (or for 0),
// then one MOVK for each further non-zero halfword. It is used to build
// constants and absolute addresses.
func MovConst(rd Reg, v uint64) []Instr {
	var out []Instr
	for shift := uint8(0); shift < 64; shift += 16 {
		h := int64(v >> shift & 0xffff)
		if h == 0 {
			continue
		}
		op := MOVK
		if len(out) == 0 {
			op = MOVZ
		}
		out = append(out, Instr{Op: op, Rd: rd, Imm: h, Shift: shift})
	}
	if len(out) == 0 {
		out = append(out, Instr{Op: MOVZ, Rd: rd})
	}
	return out
}
