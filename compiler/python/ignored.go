package python

import "strings"

// Ignored code (the __main__ block, print calls) is parsed leniently: each
// simple statement is parsed as an assignment or expression statement if
// the subset's expression grammar covers it, and otherwise kept as a
// RawStmt whose tokens (balanced brackets, valid literals) and block
// structure have been checked but whose grammar has not.

// compound lists the keywords that start a compound statement (a header
// ending in ':' followed by a block).
var compound = map[string]bool{
	"if": true, "elif": true, "else": true, "for": true, "while": true,
	"with": true, "try": true, "except": true, "finally": true, "def": true,
	"class": true, "async": true,
}

// try runs f, reporting whether it finished without a parse error; on an
// error the parser's position and depth are restored.
func (ps *parser) try(f func()) (ok bool) {
	p, depth := ps.p, ps.depth
	defer func() {
		if r := recover(); r != nil {
			if _, isBailout := r.(bailout); !isBailout {
				panic(r)
			}
			ps.p, ps.depth, ok = p, depth, false
		}
	}()
	f()
	return true
}

// tryExpr parses an expression, or reports false and moves nothing.
func (ps *parser) tryExpr() (e Expr, ok bool) {
	ok = ps.try(func() { e = ps.expr() })
	return e, ok
}

// lenientSuite parses the block after a ':' in ignored code: an indented
// block, or the rest of the line.
func (ps *parser) lenientSuite() []Stmt {
	if ps.cur().kind != tNewline {
		return []Stmt{ps.lenientSimple()}
	}
	ps.next()
	if t := ps.cur(); t.kind != tIndent {
		ps.failAt(t.pos, "indentation", "expected an indented block, found %s", t.describe())
	}
	ps.next()
	var body []Stmt
	for ps.cur().kind != tDedent {
		body = append(body, ps.lenientStmt())
	}
	ps.next()
	return body
}

// lineEnd is the index of the NEWLINE that ends the logical line at ps.p.
func (ps *parser) lineEnd() int {
	i := ps.p
	for ps.toks[i].kind != tNewline && ps.toks[i].kind != tEOF {
		i++
	}
	return i
}

// text is the source of tokens i..j inclusive, with LF line endings.
func (ps *parser) text(i, j int) string {
	t := string(ps.src[ps.toks[i].off:ps.toks[j].end])
	return strings.ReplaceAll(strings.ReplaceAll(t, "\r\n", "\n"), "\r", "\n")
}

// lenientStmt parses one statement of ignored code.
func (ps *parser) lenientStmt() Stmt {
	t := ps.cur()
	if t.kind == tIndent {
		ps.failAt(t.pos, "indentation", "unexpected indent")
	}
	if t.kind == tKeyword && compound[t.text] || t.kind == tOp && t.text == "@" {
		end := ps.lineEnd()
		last := ps.toks[end-1]
		if t.text != "@" && last.kind == tOp && last.text == ":" {
			raw := &RawStmt{Pos: t.pos, Text: ps.text(ps.p, end-1)}
			ps.p = end
			raw.Body = ps.lenientSuite()
			return raw
		}
		raw := &RawStmt{Pos: t.pos, Text: ps.text(ps.p, end-1)}
		ps.p = end + 1
		return raw
	}
	return ps.lenientSimple()
}

// lenientSimple parses a simple statement of ignored code: an Assign or
// ExprStmt when the subset's grammar covers it, else a RawStmt.
func (ps *parser) lenientSimple() Stmt {
	t := ps.cur()
	var s Stmt
	if ps.try(func() { s = ps.looseSimple() }) {
		return s
	}
	end := ps.lineEnd()
	if end == ps.p {
		ps.failAt(t.pos, "syntax", "expected a statement, found %s", t.describe())
	}
	raw := &RawStmt{Pos: t.pos, Text: ps.text(ps.p, end-1)}
	ps.p = end + 1
	return raw
}

// looseSimple parses an assignment or any expression statement.
func (ps *parser) looseSimple() Stmt {
	lhs := ps.exprList()
	if ps.isOp("=") {
		return ps.assign(lhs)
	}
	ps.endStmt()
	return &ExprStmt{Pos: lhs.Position(), X: lhs}
}
