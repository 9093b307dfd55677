package python

import "strings"

// maxDepth bounds expression nesting so that deeply nested input gives an
// error instead of exhausting the stack.
const maxDepth = 400

func (ps *parser) enter(t token) {
	ps.depth++
	if ps.depth > maxDepth {
		ps.failAt(t.pos, "nesting", "expression is nested too deeply (more than %d levels)", maxDepth)
	}
}

func (ps *parser) leave() { ps.depth-- }

// startsExpr reports whether the current token can start an expression
// (including constructs that are then rejected with a specific message).
func (ps *parser) startsExpr() bool {
	t := ps.cur()
	switch t.kind {
	case tName, tNumber, tString:
		return true
	case tKeyword:
		switch t.text {
		case "True", "False", "None", "lambda", "not", "await", "yield":
			return true
		}
	case tOp:
		switch t.text {
		case "(", "[", "{", "-", "+", "~", "...", "*", "**":
			return true
		}
	}
	return false
}

// exprList parses `expr (, expr)* [,]`, giving a Tuple if there is a comma.
func (ps *parser) exprList() Expr {
	first := ps.expr()
	if !ps.isOp(",") {
		return first
	}
	elts := []Expr{first}
	for ps.isOp(",") {
		ps.next()
		if !ps.startsExpr() {
			break
		}
		elts = append(elts, ps.expr())
	}
	return &Tuple{Pos: first.Position(), Elts: elts}
}

// expr parses one expression and rejects what may follow it at this level
// (conditional expressions, :=).
func (ps *parser) expr() Expr {
	t := ps.cur()
	ps.enter(t)
	defer ps.leave()
	e := ps.orTest()
	switch c := ps.cur(); {
	case c.kind == tKeyword && c.text == "if":
		ps.failAt(c.pos, "conditional expression", "conditional expressions (a if cond else b) are not supported; use np.where(cond, a, b)")
	case c.kind == tOp && c.text == ":=":
		ps.failAt(c.pos, "assignment expression", "assignment expressions (:=) are not supported")
	}
	return e
}

// orTest rejects the boolean operators around a comparison.
func (ps *parser) orTest() Expr {
	e := ps.comparison()
	if c := ps.cur(); c.kind == tKeyword && (c.text == "and" || c.text == "or") {
		ps.failAt(c.pos, "boolean operator", "boolean operator '%s' is not supported; use np.logical_%s", c.text, c.text)
	}
	return e
}

// compOp returns the comparison operator here, rejecting in/is/not in.
func (ps *parser) compOp() (token, bool) {
	t := ps.cur()
	switch {
	case t.kind == tOp && isComparison(t.text):
		return t, true
	case t.kind == tKeyword && t.text == "in",
		t.kind == tKeyword && t.text == "not" && ps.peekAt(1).kind == tKeyword && ps.peekAt(1).text == "in":
		ps.failAt(t.pos, "membership test", "membership tests (in, not in) are not supported")
	case t.kind == tKeyword && t.text == "is":
		ps.failAt(t.pos, "identity comparison", "identity comparisons (is, is not) are not supported; use ==")
	}
	return t, false
}

// comparison parses a single comparison; chains are rejected.
func (ps *parser) comparison() Expr {
	x := ps.bitwise()
	op, ok := ps.compOp()
	if !ok {
		return x
	}
	ps.next()
	y := ps.bitwise()
	if c, ok := ps.compOp(); ok {
		ps.failAt(c.pos, "chained comparison", "chained comparisons (a %s b %s c) are not supported; compare two values at a time", op.text, c.text)
	}
	return &Compare{Pos: x.Position(), OpPos: op.pos, Op: op.text, X: x, Y: y}
}

var bitwiseHint = map[string]string{
	"&": "; use np.logical_and", "|": "; use np.logical_or", "^": "; use np.logical_xor",
	"<<": "", ">>": "",
}

// bitwise parses an arithmetic expression and rejects bitwise operators.
func (ps *parser) bitwise() Expr {
	x := ps.arith()
	if t := ps.cur(); t.kind == tOp {
		if hint, ok := bitwiseHint[t.text]; ok {
			ps.failAt(t.pos, "bitwise operator", "bitwise operator '%s' is not supported%s", t.text, hint)
		}
	}
	return x
}

// binaryLoop parses left-associative binary operators from ops over operands.
func (ps *parser) binaryLoop(operand func() Expr, ops ...string) Expr {
	x := operand()
	for {
		t := ps.cur()
		if t.kind != tOp || !contains(ops, t.text) {
			return x
		}
		ps.next()
		y := operand()
		x = &Binary{Pos: x.Position(), OpPos: t.pos, Op: t.text, X: x, Y: y}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (ps *parser) arith() Expr { return ps.binaryLoop(ps.term, "+", "-") }

func (ps *parser) term() Expr { return ps.binaryLoop(ps.factor, "*", "/", "//", "%", "@") }

// factor parses unary + and - (binding looser than ** on their right).
func (ps *parser) factor() Expr {
	t := ps.cur()
	if t.kind == tOp && (t.text == "-" || t.text == "+") {
		ps.enter(t)
		defer ps.leave()
		ps.next()
		return &Unary{Pos: t.pos, Op: t.text, X: ps.factor()}
	}
	if t.kind == tOp && t.text == "~" {
		ps.failAt(t.pos, "bitwise operator", "bitwise not (~) is not supported; use np.logical_not")
	}
	return ps.power()
}

// power parses `primary [** factor]`, which is right-associative.
func (ps *parser) power() Expr {
	x := ps.primary()
	if t := ps.cur(); t.kind == tOp && t.text == "**" {
		ps.enter(t)
		defer ps.leave()
		ps.next()
		y := ps.factor()
		return &Binary{Pos: x.Position(), OpPos: t.pos, Op: "**", X: x, Y: y}
	}
	return x
}

// primary parses an atom followed by attributes, calls and subscripts.
func (ps *parser) primary() Expr {
	x := ps.atom()
	for {
		t := ps.cur()
		if t.kind != tOp {
			return x
		}
		switch t.text {
		case ".":
			ps.next()
			name := ps.cur()
			if name.kind != tName {
				ps.failAt(name.pos, "attribute", "expected an attribute name after '.', found %s", name.describe())
			}
			ps.next()
			x = &Attribute{Pos: x.Position(), X: x, Name: name.text}
		case "(":
			x = ps.call(x)
		case "[":
			x = ps.subscript(x)
		default:
			return x
		}
	}
}

// keywordExprs are the messages for keywords that start an expression
// outside the subset.
var keywordExprs = map[string][2]string{
	"lambda": {"lambda", "lambda expressions are not supported; define a function with def"},
	"not":    {"boolean operator", "boolean operator 'not' is not supported; use np.logical_not"},
	"yield":  {"yield", "yield (generators) is not supported"},
	"await":  {"await", "await (async code) is not supported"},
}

// atom parses names, literals, parenthesised expressions, tuples, lists.
func (ps *parser) atom() Expr {
	t := ps.cur()
	switch t.kind {
	case tName:
		ps.next()
		return &Name{Pos: t.pos, Name: t.text}
	case tNumber:
		ps.next()
		lower := strings.ToLower(t.text)
		isFloat := !strings.HasPrefix(lower, "0x") && !strings.HasPrefix(lower, "0o") &&
			!strings.HasPrefix(lower, "0b") && strings.ContainsAny(lower, ".e")
		return &Num{Pos: t.pos, Text: t.text, Float: isFloat}
	case tString:
		return ps.strAtom()
	case tKeyword:
		switch t.text {
		case "True", "False", "None":
			ps.next()
			return &Const{Pos: t.pos, Value: t.text}
		}
		if r, ok := keywordExprs[t.text]; ok {
			ps.failAt(t.pos, r[0], "%s", r[1])
		}
	case tOp:
		switch t.text {
		case "(":
			return ps.parenAtom()
		case "[":
			return ps.listAtom()
		case "...":
			ps.next()
			return &Ellipsis{Pos: t.pos}
		case "{":
			ps.failAt(t.pos, "dict or set", "dict and set displays ({...}) are not supported")
		case "*":
			ps.failAt(t.pos, "star expression", "star expressions (*x) are not supported")
		case "**":
			ps.failAt(t.pos, "star expression", "dictionary unpacking (**x) is not supported")
		}
	}
	ps.failAt(t.pos, "syntax", "expected an expression, found %s", t.describe())
	return nil
}

// strAtom parses one or more adjacent string literals.
func (ps *parser) strAtom() *Str {
	first := ps.cur()
	s := &Str{Pos: first.pos}
	var raws, values []string
	for i := 0; ps.cur().kind == tString; i++ {
		t := ps.next()
		prefix, value, problem := decodeString(t.text)
		if problem != "" {
			ps.failAt(t.pos, "string literal", "invalid string literal: %s", problem)
		}
		if i == 0 {
			s.Prefix = prefix
		} else if strings.Contains(prefix, "b") != strings.Contains(s.Prefix, "b") {
			ps.failAt(t.pos, "string literal", "cannot mix bytes and non-bytes string literals")
		}
		if strings.Contains(prefix, "f") && !strings.Contains(s.Prefix, "f") {
			s.Prefix += "f"
		}
		raws = append(raws, strings.ReplaceAll(strings.ReplaceAll(t.text, "\r\n", "\n"), "\r", "\n"))
		values = append(values, value)
	}
	s.Raw = strings.Join(raws, " ")
	s.Value = strings.Join(values, "")
	return s
}

// rejectComprehension rejects a `for` after the first element of a display.
func (ps *parser) rejectComprehension(what string) {
	if t := ps.cur(); t.kind == tKeyword && (t.text == "for" || t.text == "async") {
		ps.failAt(t.pos, "comprehension", "%s are not supported", what)
	}
}

// parenAtom parses `()`, `(expr)` or a tuple `(a, b)`.
func (ps *parser) parenAtom() Expr {
	open := ps.next()
	if ps.isOp(")") {
		ps.next()
		return &Tuple{Pos: open.pos}
	}
	first := ps.expr()
	ps.rejectComprehension("generator expressions")
	if ps.isOp(")") {
		ps.next()
		return first
	}
	elts := []Expr{first}
	for ps.isOp(",") {
		ps.next()
		if ps.isOp(")") {
			break
		}
		elts = append(elts, ps.expr())
	}
	ps.expectOp(")", "or ',' in the tuple")
	return &Tuple{Pos: open.pos, Elts: elts}
}

// listAtom parses a list display `[a, b, ...]`.
func (ps *parser) listAtom() Expr {
	open := ps.next()
	l := &List{Pos: open.pos}
	for !ps.isOp("]") {
		l.Elts = append(l.Elts, ps.expr())
		if len(l.Elts) == 1 {
			ps.rejectComprehension("list comprehensions")
		}
		if !ps.isOp(",") {
			break
		}
		ps.next()
	}
	ps.expectOp("]", "or ',' in the list")
	return l
}

// call parses the argument list of a call to fn.
func (ps *parser) call(fn Expr) Expr {
	ps.next() // (
	c := &Call{Pos: fn.Position(), Func: fn}
	seen := map[string]bool{}
	for !ps.isOp(")") {
		t := ps.cur()
		switch {
		case t.kind == tOp && t.text == "*":
			ps.failAt(t.pos, "star argument", "star arguments (*args) in calls are not supported")
		case t.kind == tOp && t.text == "**":
			ps.failAt(t.pos, "star argument", "keyword argument unpacking (**kwargs) in calls is not supported")
		case t.kind == tName && ps.peekAt(1).kind == tOp && ps.peekAt(1).text == "=":
			ps.next()
			ps.next()
			if seen[t.text] {
				ps.failAt(t.pos, "keyword argument", "keyword argument %q repeated", t.text)
			}
			seen[t.text] = true
			c.Keywords = append(c.Keywords, &Keyword{Pos: t.pos, Name: t.text, Value: ps.expr()})
		default:
			if len(c.Keywords) > 0 {
				ps.failAt(t.pos, "call", "positional argument follows keyword argument")
			}
			c.Args = append(c.Args, ps.expr())
			ps.rejectComprehension("generator expressions")
		}
		if !ps.isOp(",") {
			break
		}
		ps.next()
	}
	ps.expectOp(")", "or ',' in the call")
	return c
}

// subscript parses `[index]` after x; several items make a Tuple index.
func (ps *parser) subscript(x Expr) Expr {
	open := ps.next()
	first := ps.sliceItem()
	index := first
	if ps.isOp(",") {
		tup := &Tuple{Pos: first.Position(), Elts: []Expr{first}}
		for ps.isOp(",") {
			ps.next()
			if ps.isOp("]") {
				break
			}
			tup.Elts = append(tup.Elts, ps.sliceItem())
		}
		index = tup
	}
	if !ps.isOp("]") {
		t := ps.cur()
		ps.failAt(t.pos, "syntax", "expected ']' or ',' in the subscript opened at %d:%d, found %s", open.pos.Line, open.pos.Col, t.describe())
	}
	ps.next()
	return &Subscript{Pos: x.Position(), X: x, Index: index}
}

// sliceItem parses an index expression or a slice `lo:hi:step`.
func (ps *parser) sliceItem() Expr {
	start := ps.cur()
	var lo Expr
	if !ps.isOp(":") {
		lo = ps.expr()
		if !ps.isOp(":") {
			return lo
		}
	}
	ps.next()
	sl := &Slice{Pos: start.pos, Lo: lo}
	ends := func() bool { return ps.isOp(":") || ps.isOp(",") || ps.isOp("]") }
	if !ends() {
		sl.Hi = ps.expr()
	}
	if ps.isOp(":") {
		ps.next()
		if !ps.isOp(",") && !ps.isOp("]") {
			sl.Step = ps.expr()
		}
	}
	return sl
}
