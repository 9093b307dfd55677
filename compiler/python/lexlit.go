package python

import (
	"strings"
	"unicode/utf8"
)

// isStringPrefix reports whether word is a valid Python 3 string prefix.
func isStringPrefix(word string) bool {
	switch strings.ToLower(word) {
	case "r", "u", "b", "f", "br", "rb", "fr", "rf":
		return true
	}
	return false
}

// str lexes a string literal whose prefix starts at start and whose opening
// quote is at lx.off. F-strings are lexed like other strings: their
// replacement fields are not parsed.
func (lx *lexer) str(start int, prefix string) {
	startLine, startLineStart := lx.line, lx.lineStart
	failAtStart := func(msg string) {
		lx.line, lx.lineStart = startLine, startLineStart
		lx.fail(start, "string literal", "%s", msg)
	}
	q := lx.src[lx.off]
	triple := lx.peek(1) == q && lx.peek(2) == q
	if triple {
		lx.off += 3
	} else {
		lx.off++
	}
	bytesLit := strings.Contains(prefix, "b")
	for {
		if lx.off >= len(lx.src) {
			if triple {
				failAtStart("unterminated triple-quoted string literal")
			}
			failAtStart("unterminated string literal")
		}
		c := lx.src[lx.off]
		switch {
		case c == '\\':
			lx.off++
			if lx.newlineLen(lx.off) > 0 {
				lx.skipNewline()
			} else if lx.off < len(lx.src) {
				_, n := utf8.DecodeRune(lx.src[lx.off:])
				lx.off += n
			}
			continue
		case c == '\n' || c == '\r':
			if !triple {
				failAtStart("unterminated string literal (a newline inside a single-quoted string)")
			}
			lx.skipNewline()
			continue
		case c == q:
			if !triple {
				lx.off++
				lx.emitString(start, startLine, startLineStart)
				return
			}
			if lx.peek(1) == q && lx.peek(2) == q {
				lx.off += 3
				lx.emitString(start, startLine, startLineStart)
				return
			}
		case c >= utf8.RuneSelf && bytesLit:
			lx.fail(lx.off, "string literal", "bytes literals can only contain ASCII characters")
		}
		lx.off++
	}
}

// emitString emits a string token that may span lines; its position is
// where it starts.
func (lx *lexer) emitString(start, line, lineStart int) {
	pos := Pos{Line: line, Col: utf8.RuneCount(lx.src[lineStart:start]) + 1}
	lx.toks = append(lx.toks, token{kind: tString, text: string(lx.src[start:lx.off]), pos: pos, off: start, end: lx.off})
}

func isDigit(c byte, base int) bool {
	switch base {
	case 2:
		return c == '0' || c == '1'
	case 8:
		return '0' <= c && c <= '7'
	case 16:
		return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
	}
	return '0' <= c && c <= '9'
}

// digits consumes digits of base with single underscores between them
// (and, after a base prefix, before the first); it returns how many digits.
func (lx *lexer) digits(start, base int, leadingUnderscore bool) int {
	n := 0
	for lx.off < len(lx.src) {
		c := lx.src[lx.off]
		if c == '_' && (n > 0 || leadingUnderscore) && isDigit(lx.peek(1), base) {
			lx.off++
			continue
		}
		if c == '_' {
			lx.fail(start, "number literal", "invalid number literal %q: '_' must separate digits", lx.src[start:lx.off+1])
		}
		if !isDigit(c, base) {
			break
		}
		lx.off++
		n++
	}
	return n
}

// number lexes an int or float literal (decimal, or 0x/0o/0b integers).
func (lx *lexer) number() {
	start := lx.off
	isFloat := false // only for the leading-zero rule
	if lx.peek(0) == '0' && strings.ContainsRune("xXoObB", rune(lx.peek(1))) {
		base := map[byte]int{'x': 16, 'o': 8, 'b': 2}[lx.peek(1)|0x20]
		lx.off += 2
		if lx.digits(start, base, true) == 0 {
			lx.fail(start, "number literal", "invalid number literal %q: no digits after the base prefix", lx.src[start:lx.off])
		}
	} else {
		intDigits := lx.digits(start, 10, false)
		if lx.peek(0) == '.' {
			isFloat = true
			lx.off++
			lx.digits(start, 10, false)
		}
		if c := lx.peek(0); (c == 'e' || c == 'E') && !lx.keywordFollows() {
			isFloat = true
			lx.off++
			if c := lx.peek(0); c == '+' || c == '-' {
				lx.off++
			}
			if lx.digits(start, 10, false) == 0 {
				lx.fail(start, "number literal", "invalid float literal %q: the exponent has no digits", lx.src[start:lx.off])
			}
		}
		text := strings.ReplaceAll(string(lx.src[start:lx.off]), "_", "")
		if !isFloat && intDigits > 1 && text[0] == '0' && strings.Trim(text, "0") != "" {
			lx.fail(start, "number literal", "leading zeros in decimal integer literals are not permitted (%s)", lx.src[start:lx.off])
		}
	}
	if c := lx.peek(0); c == 'j' || c == 'J' {
		lx.fail(start, "complex literal", "complex (imaginary) literals are not supported")
	}
	if lx.off < len(lx.src) {
		if r, _ := utf8.DecodeRune(lx.src[lx.off:]); isIdentContinue(r) && !lx.keywordFollows() {
			lx.fail(start, "number literal", "invalid number literal: %q is followed by %q", lx.src[start:lx.off], r)
		}
	}
	lx.emit(tNumber, start, string(lx.src[start:lx.off]))
}

// keywordFollows reports whether one of the keywords CPython accepts right
// after a number (as in `1if x else 2`) starts at lx.off.
func (lx *lexer) keywordFollows() bool {
	end := lx.off
	for end < len(lx.src) {
		r, n := utf8.DecodeRune(lx.src[end:])
		if !isIdentContinue(r) {
			break
		}
		end += n
	}
	switch string(lx.src[lx.off:end]) {
	case "and", "else", "for", "if", "in", "is", "not", "or":
		return true
	}
	return false
}
