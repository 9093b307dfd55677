package python

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// decodeString splits a string token (as lexed, with prefix and quotes)
// into its lower-case prefix and its value. Escapes are decoded as Python
// does, except that \N{name} is kept as written; f-string replacement
// fields are kept as written. A non-empty problem describes a bad escape.
func decodeString(raw string) (prefix, value, problem string) {
	i := strings.IndexAny(raw, `'"`)
	prefix = strings.ToLower(raw[:i])
	rest := raw[i:]
	n := 1
	if len(rest) >= 6 && rest[0] == rest[1] && rest[1] == rest[2] {
		n = 3
	}
	body := rest[n : len(rest)-n]
	body = strings.ReplaceAll(body, "\r\n", "\n")
	body = strings.ReplaceAll(body, "\r", "\n")
	if strings.Contains(prefix, "r") {
		return prefix, body, ""
	}
	isBytes := strings.Contains(prefix, "b")
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' || i+1 >= len(body) {
			b.WriteByte(c)
			continue
		}
		i++
		switch e := body[i]; e {
		case '\n':
		case '\\', '\'', '"':
			b.WriteByte(e)
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte('\v')
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i
			for j < len(body) && j < i+3 && body[j] >= '0' && body[j] <= '7' {
				j++
			}
			v, _ := strconv.ParseUint(body[i:j], 8, 16)
			writeCode(&b, rune(v), isBytes)
			i = j - 1
		case 'x', 'u', 'U':
			width := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			if e != 'x' && isBytes {
				b.WriteString(body[i-1 : i+1])
				continue
			}
			if i+1+width > len(body) {
				return prefix, "", "truncated \\" + string(e) + " escape"
			}
			v, err := strconv.ParseUint(body[i+1:i+1+width], 16, 32)
			if err != nil {
				return prefix, "", "truncated \\" + string(e) + " escape"
			}
			if v > utf8.MaxRune {
				return prefix, "", "illegal Unicode character in \\U escape"
			}
			writeCode(&b, rune(v), isBytes)
			i += width
		default:
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	return prefix, b.String(), ""
}

// writeCode writes code point v: as a byte in a bytes literal, else UTF-8.
func writeCode(b *strings.Builder, v rune, isBytes bool) {
	if isBytes {
		b.WriteByte(byte(v))
		return
	}
	b.WriteRune(v)
}
