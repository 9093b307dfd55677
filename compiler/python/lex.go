package python

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits that keep the recursive descent (and its stack) bounded; CPython
// has the same kind of limits (200 nested brackets, 100 indent levels).
const (
	maxBrackets = 200
	maxIndents  = 100
)

// lexer turns source bytes into tokens, including NEWLINE, INDENT and
// DEDENT. It reports problems by panicking with a bailout (see failf).
type lexer struct {
	file      string
	src       []byte
	off       int
	line      int
	lineStart int // byte offset where the current line starts
	indents   []int
	brackets  []token // open brackets, innermost last
	toks      []token
}

// lex returns the tokens of src, ending with tEOF.
func lex(file string, src []byte) []token {
	lx := &lexer{file: file, src: src, line: 1, indents: []int{0}}
	lx.checkEncoding()
	if strings.HasPrefix(string(src), "\uFEFF") {
		lx.off = 3
		lx.lineStart = 3
	}
	lx.run()
	return lx.toks
}

// pos is the position of byte offset off on the current line.
func (lx *lexer) pos(off int) Pos {
	return Pos{Line: lx.line, Col: utf8.RuneCount(lx.src[lx.lineStart:off]) + 1}
}

func (lx *lexer) fail(off int, construct, format string, args ...any) {
	failf(lx.file, lx.pos(off), construct, format, args...)
}

// checkEncoding rejects invalid UTF-8 and NUL bytes up front, giving their
// position.
func (lx *lexer) checkEncoding() {
	for off := 0; off < len(lx.src); {
		r, n := utf8.DecodeRune(lx.src[off:])
		switch {
		case r == utf8.RuneError && n == 1:
			lx.fail(off, "encoding", "source is not valid UTF-8")
		case r == 0:
			lx.fail(off, "encoding", "source contains a NUL byte")
		case r == '\n' || r == '\r' && (off+1 >= len(lx.src) || lx.src[off+1] != '\n'):
			lx.line++ // a \r followed by \n is counted at the \n
			lx.lineStart = off + 1
		}
		off += n
	}
	lx.line, lx.lineStart = 1, 0
}

func (lx *lexer) peek(k int) byte {
	if lx.off+k < len(lx.src) {
		return lx.src[lx.off+k]
	}
	return 0
}

// newlineLen is the length of the line ending at off (\n, \r\n or \r), or 0.
func (lx *lexer) newlineLen(off int) int {
	if off >= len(lx.src) {
		return 0
	}
	switch lx.src[off] {
	case '\n':
		return 1
	case '\r':
		if off+1 < len(lx.src) && lx.src[off+1] == '\n' {
			return 2
		}
		return 1
	}
	return 0
}

// skipNewline consumes the line ending at lx.off and starts a new line.
func (lx *lexer) skipNewline() {
	lx.off += lx.newlineLen(lx.off)
	lx.line++
	lx.lineStart = lx.off
}

func (lx *lexer) emit(kind tokKind, start int, text string) {
	lx.toks = append(lx.toks, token{kind: kind, text: text, pos: lx.pos(start), off: start, end: lx.off})
}

// lastIsLine reports whether the current logical line has tokens already.
func (lx *lexer) lastIsLine() bool {
	if len(lx.toks) == 0 {
		return false
	}
	switch lx.toks[len(lx.toks)-1].kind {
	case tNewline, tIndent, tDedent:
		return false
	}
	return true
}

func (lx *lexer) run() {
	atLineStart := true
	for {
		if atLineStart {
			// A blank or comment-only line is consumed whole, and the next
			// line starts again.
			atLineStart = !lx.indentation()
			if atLineStart {
				continue
			}
		}
		for lx.off < len(lx.src) && (lx.src[lx.off] == ' ' || lx.src[lx.off] == '\t' || lx.src[lx.off] == '\f') {
			lx.off++
		}
		if lx.off >= len(lx.src) {
			break
		}
		c := lx.src[lx.off]
		switch {
		case c == '#':
			for lx.off < len(lx.src) && lx.newlineLen(lx.off) == 0 {
				lx.off++
			}
		case c == '\n' || c == '\r':
			if len(lx.brackets) == 0 && lx.lastIsLine() {
				lx.emit(tNewline, lx.off, "")
			}
			lx.skipNewline()
			atLineStart = len(lx.brackets) == 0
		case c == '\\':
			switch {
			case lx.newlineLen(lx.off+1) > 0:
				lx.off++
				lx.skipNewline()
			case lx.off+1 >= len(lx.src):
				lx.fail(lx.off, "line continuation", "unexpected end of file after line continuation character")
			default:
				lx.fail(lx.off, "line continuation", "unexpected character after line continuation character")
			}
		case c >= '0' && c <= '9' || c == '.' && lx.peek(1) >= '0' && lx.peek(1) <= '9':
			lx.number()
		case c == '"' || c == '\'':
			lx.str(lx.off, "")
		default:
			r, _ := utf8.DecodeRune(lx.src[lx.off:])
			if isIdentStart(r) {
				lx.identOrString()
			} else {
				lx.operator()
			}
		}
	}
	if n := len(lx.brackets); n > 0 {
		b := lx.brackets[n-1]
		failf(lx.file, b.pos, "bracket", "'%s' was never closed", b.text)
	}
	if lx.lastIsLine() {
		lx.emit(tNewline, lx.off, "")
	}
	for len(lx.indents) > 1 {
		lx.indents = lx.indents[:len(lx.indents)-1]
		lx.emit(tDedent, lx.off, "")
	}
	lx.emit(tEOF, lx.off, "")
}

// indentation measures the indentation of a new line and emits INDENT or
// DEDENT tokens. It returns false (having consumed the line) for a blank or
// comment-only line, which does not count for indentation.
func (lx *lexer) indentation() bool {
	start := lx.off
	width := 0
	for lx.off < len(lx.src) {
		switch lx.src[lx.off] {
		case ' ':
			width++
		case '\f':
			width = 0 // as in CPython
		case '\t':
			lx.fail(lx.off, "tab", "tabs are not allowed in indentation; indent with spaces")
		default:
			goto measured
		}
		lx.off++
	}
measured:
	if lx.off >= len(lx.src) {
		return true // end of file: run emits the final tokens
	}
	switch c := lx.src[lx.off]; {
	case c == '#':
		for lx.off < len(lx.src) && lx.newlineLen(lx.off) == 0 {
			lx.off++
		}
		if lx.off < len(lx.src) {
			lx.skipNewline()
		}
		return false
	case c == '\n' || c == '\r':
		lx.skipNewline()
		return false
	}
	top := lx.indents[len(lx.indents)-1]
	switch {
	case width > top:
		if len(lx.indents) > maxIndents {
			lx.fail(lx.off, "indentation", "too many levels of indentation (more than %d)", maxIndents)
		}
		lx.indents = append(lx.indents, width)
		lx.emit(tIndent, start, "")
	case width < top:
		for width < lx.indents[len(lx.indents)-1] {
			lx.indents = lx.indents[:len(lx.indents)-1]
			lx.emit(tDedent, lx.off, "")
		}
		if width != lx.indents[len(lx.indents)-1] {
			lx.fail(lx.off, "indentation", "unindent does not match any outer indentation level")
		}
	}
	return true
}

func isIdentStart(r rune) bool {
	return r == '_' || r < utf8.RuneSelf && ('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') ||
		r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.Is(unicode.Nl, r))
}

func isIdentContinue(r rune) bool {
	return isIdentStart(r) || '0' <= r && r <= '9' ||
		r >= utf8.RuneSelf && (unicode.In(r, unicode.Mn, unicode.Mc, unicode.Nd, unicode.Pc))
}

// identOrString lexes a name, a keyword, or a prefixed string literal.
func (lx *lexer) identOrString() {
	start := lx.off
	for lx.off < len(lx.src) {
		r, n := utf8.DecodeRune(lx.src[lx.off:])
		if !isIdentContinue(r) {
			break
		}
		lx.off += n
	}
	word := string(lx.src[start:lx.off])
	if q := lx.peek(0); (q == '"' || q == '\'') && isStringPrefix(word) {
		lx.str(start, strings.ToLower(word))
		return
	}
	if keywords[word] {
		lx.emit(tKeyword, start, word)
	} else {
		lx.emit(tName, start, word)
	}
}

// operator lexes an operator or delimiter, tracking bracket nesting.
func (lx *lexer) operator() {
	start := lx.off
	rest := lx.src[lx.off:]
	for _, op := range operators {
		if len(rest) >= len(op) && string(rest[:len(op)]) == op {
			lx.off += len(op)
			lx.emit(tOp, start, op)
			lx.bracket(lx.toks[len(lx.toks)-1])
			return
		}
	}
	r, _ := utf8.DecodeRune(rest)
	if r == '!' {
		lx.fail(start, "character", "invalid syntax: '!' is not an operator (use != for not-equal)")
	}
	lx.fail(start, "character", "invalid character %q in source", r)
}

var closing = map[string]string{"(": ")", "[": "]", "{": "}"}

func (lx *lexer) bracket(t token) {
	switch t.text {
	case "(", "[", "{":
		if len(lx.brackets) >= maxBrackets {
			failf(lx.file, t.pos, "bracket", "too many nested brackets (more than %d)", maxBrackets)
		}
		lx.brackets = append(lx.brackets, t)
	case ")", "]", "}":
		n := len(lx.brackets)
		if n == 0 {
			failf(lx.file, t.pos, "bracket", "unmatched '%s'", t.text)
		}
		open := lx.brackets[n-1]
		if closing[open.text] != t.text {
			failf(lx.file, t.pos, "bracket", "closing '%s' does not match opening '%s' at line %d", t.text, open.text, open.pos.Line)
		}
		lx.brackets = lx.brackets[:n-1]
	}
}
