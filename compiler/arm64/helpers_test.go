package arm64

import (
	"encoding/binary"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/arch/arm64/arm64asm"
)

// disasm decodes one word with the independent decoder from
// golang.org/x/arch and returns its GNU syntax.
func disasm(w uint32) (string, error) {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], w)
	inst, err := arm64asm.Decode(b[:])
	if err != nil {
		return "", err
	}
	return arm64asm.GNUSyntax(inst), nil
}

func mustEncode(t *testing.T, in Instr) uint32 {
	t.Helper()
	w, err := Encode(in)
	if err != nil {
		t.Fatalf("Encode(%s): %v", in, err)
	}
	return w
}

var (
	reImm    = regexp.MustCompile(`#(-?(?:0x[0-9a-f]+|[0-9]+(?:\.[0-9]+)?(?:e[-+]?[0-9]+)?))`)
	reTarget = regexp.MustCompile(`\.([-+])(0x[0-9a-f]+|[0-9]+)`)
	reHS     = regexp.MustCompile(`\bhs\b`)
	reLO     = regexp.MustCompile(`\blo\b`)
)

// normalize makes two spellings of the same GNU text comparable: lower
// case, no blanks, every immediate as a canonical number (hex, decimal and
// exponent forms agree), branch targets as signed decimal offsets, and the
// condition synonyms hs/lo as cs/cc.
func normalize(s string) string {
	s = strings.ToLower(s)
	s = reHS.ReplaceAllString(s, "cs")
	s = reLO.ReplaceAllString(s, "cc")
	s = strings.Join(strings.Fields(s), "")
	s = reImm.ReplaceAllStringFunc(s, func(m string) string {
		lit := m[1:]
		neg := strings.HasPrefix(lit, "-")
		lit = strings.TrimPrefix(lit, "-")
		var f float64
		if strings.HasPrefix(lit, "0x") {
			u, err := strconv.ParseUint(lit[2:], 16, 64)
			if err != nil {
				return m
			}
			f = float64(u)
		} else {
			var err error
			if f, err = strconv.ParseFloat(lit, 64); err != nil {
				return m
			}
		}
		if neg {
			f = -f
		}
		return "#" + strconv.FormatFloat(f, 'g', -1, 64)
	})
	s = reTarget.ReplaceAllStringFunc(s, func(m string) string {
		sub := reTarget.FindStringSubmatch(m)
		u, err := strconv.ParseUint(strings.TrimPrefix(sub[2], "0x"), map[bool]int{true: 16, false: 10}[strings.HasPrefix(sub[2], "0x")], 64)
		if err != nil {
			return m
		}
		v := int64(u)
		if sub[1] == "-" {
			v = -v
		}
		return fmt.Sprintf(".%+d", v)
	})
	return s
}

// preferredText is in.String() rewritten to the preferred disassembly where
// the architecture defines an alias that a disassembler prints instead.
func preferredText(in Instr) string {
	switch {
	case in.Op == MOVZ && !(in.Imm == 0 && in.Shift != 0):
		return fmt.Sprintf("mov %s, #%#x", in.Rd, uint64(in.Imm)<<in.Shift)
	case in.Op == ADDImm && in.Imm == 0 && in.Shift == 0 && (in.Rd == SP || in.Rn == SP):
		return fmt.Sprintf("mov %s, %s", in.Rd, in.Rn)
	case in.Op == SUBSImm && in.Rd == XZR:
		return Instr{Op: CMPImm, Rn: in.Rn, Imm: in.Imm, Shift: in.Shift}.String()
	case in.Op == VORR && in.Rn == in.Rm:
		return Instr{Op: VMOV, Rd: in.Rd, Rn: in.Rn}.String()
	}
	return in.String()
}
