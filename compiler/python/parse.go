package python

import "strings"

// Parse parses one Family Python source file. It returns an *Error (see
// error.go) for anything outside the subset or not valid Python.
func Parse(filename string, src []byte) (mod *Module, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bailout)
			if !ok {
				panic(r)
			}
			mod, err = nil, b.err
		}
	}()
	ps := &parser{file: filename, src: src, toks: lex(filename, src)}
	return ps.module(), nil
}

// parser is a recursive-descent parser over the token slice. Errors panic
// with a bailout, recovered in Parse (and in parser.try for ignored code).
type parser struct {
	file  string
	src   []byte
	toks  []token
	p     int
	depth int
}

// scope says where a statement is: at module level or in a function body.
type scope int

const (
	moduleScope scope = iota
	funcScope
)

func (ps *parser) cur() token { return ps.toks[ps.p] }

func (ps *parser) peekAt(k int) token {
	if ps.p+k < len(ps.toks) {
		return ps.toks[ps.p+k]
	}
	return ps.toks[len(ps.toks)-1]
}

func (ps *parser) next() token {
	t := ps.toks[ps.p]
	if t.kind != tEOF {
		ps.p++
	}
	return t
}

func (ps *parser) isOp(op string) bool {
	t := ps.cur()
	return t.kind == tOp && t.text == op
}

func (ps *parser) isKw(kw string) bool {
	t := ps.cur()
	return t.kind == tKeyword && t.text == kw
}

func (ps *parser) failAt(pos Pos, construct, format string, args ...any) {
	failf(ps.file, pos, construct, format, args...)
}

func (ps *parser) expectOp(op, context string) token {
	if !ps.isOp(op) {
		t := ps.cur()
		ps.failAt(t.pos, "syntax", "expected '%s' %s, found %s", op, context, t.describe())
	}
	return ps.next()
}

// endStmt consumes the NEWLINE that ends a simple statement.
func (ps *parser) endStmt() {
	t := ps.cur()
	switch {
	case t.kind == tNewline:
		ps.next()
	case t.kind == tOp && t.text == ";":
		ps.failAt(t.pos, "semicolon", "several statements on one line (;) are not supported; put each on its own line")
	default:
		ps.failAt(t.pos, "syntax", "unexpected %s at the end of the statement", t.describe())
	}
}

// rejected maps statement keywords outside the subset to the construct
// they start and the reason given.
var rejected = map[string][2]string{
	"while":    {"while loop", "while loops are not supported"},
	"for":      {"for loop", "for loops are not supported"},
	"class":    {"class", "class definitions are not supported"},
	"with":     {"with statement", "with statements are not supported"},
	"try":      {"try statement", "try statements are not supported"},
	"except":   {"try statement", "try statements (except) are not supported"},
	"finally":  {"try statement", "try statements (finally) are not supported"},
	"global":   {"global statement", "global statements are not supported"},
	"nonlocal": {"nonlocal statement", "nonlocal statements are not supported"},
	"del":      {"del statement", "del statements are not supported"},
	"assert":   {"assert statement", "assert statements are not supported"},
	"raise":    {"raise statement", "raise statements are not supported"},
	"break":    {"break statement", "break statements are not supported (there are no loops)"},
	"continue": {"continue statement", "continue statements are not supported (there are no loops)"},
	"async":    {"async", "async functions and statements are not supported"},
	"elif":     {"if statement", "'elif' without a matching if is not supported"},
	"else":     {"if statement", "'else' without a matching if is not supported"},
}

func (ps *parser) module() *Module {
	m := &Module{Pos: Pos{Line: 1, Col: 1}, File: ps.file}
	for first := true; ps.cur().kind != tEOF; first = false {
		if ps.atDocstring() {
			doc := ps.docstring(first)
			if first {
				m.Doc = doc
			}
			continue
		}
		m.Body = append(m.Body, ps.stmt(moduleScope))
	}
	return m
}

// atDocstring reports whether the statement here is only string literals.
func (ps *parser) atDocstring() bool {
	i := ps.p
	for i < len(ps.toks) && ps.toks[i].kind == tString {
		i++
	}
	return i > ps.p && i < len(ps.toks) && ps.toks[i].kind == tNewline
}

// docstring parses a string statement, which must be the first statement
// of its module or function and a plain (not f- or bytes) string.
func (ps *parser) docstring(first bool) *Str {
	t := ps.cur()
	s := ps.strAtom()
	if !first || strings.ContainsAny(s.Prefix, "bf") {
		ps.failAt(t.pos, "string statement", "a string statement is only supported as a docstring (a plain string as the first statement of the module or a function)")
	}
	ps.endStmt()
	return s
}

// stmt parses one statement of the module or of a function body.
func (ps *parser) stmt(sc scope) Stmt {
	t := ps.cur()
	switch t.kind {
	case tIndent:
		ps.failAt(t.pos, "indentation", "unexpected indent")
	case tOp:
		if t.text == "@" {
			ps.failAt(t.pos, "decorator", "decorators are not supported")
		}
	case tKeyword:
		switch t.text {
		case "import":
			if sc == funcScope {
				ps.failAt(t.pos, "import", "imports inside functions are not supported; put `import numpy as np` at the top of the file")
			}
			return ps.importStmt()
		case "from":
			ps.fromImport()
		case "def":
			if sc == funcScope {
				ps.failAt(t.pos, "nested function", "nested function definitions are not supported")
			}
			return ps.funcDef()
		case "if":
			if sc == funcScope {
				ps.failAt(t.pos, "if statement", "if statements are not supported inside functions; use np.where(cond, a, b)")
			}
			return ps.mainBlock()
		case "return":
			if sc == moduleScope {
				ps.failAt(t.pos, "return", "return outside a function")
			}
			return ps.returnStmt()
		case "pass":
			ps.next()
			ps.endStmt()
			return &Pass{Pos: t.pos}
		}
		if r, ok := rejected[t.text]; ok {
			ps.failAt(t.pos, r[0], "%s", r[1])
		}
	}
	return ps.simpleStmt()
}

// dottedName parses NAME(.NAME)* and returns it with its position.
func (ps *parser) dottedName(context string) (string, Pos) {
	t := ps.cur()
	if t.kind != tName {
		ps.failAt(t.pos, "import", "expected a module name %s, found %s", context, t.describe())
	}
	ps.next()
	name := t.text
	for ps.isOp(".") && ps.peekAt(1).kind == tName {
		ps.next()
		name += "." + ps.next().text
	}
	return name, t.pos
}

// importStmt parses `import numpy as np`, the only import accepted.
func (ps *parser) importStmt() Stmt {
	imp := ps.next()
	name, pos := ps.dottedName("after 'import'")
	if name != "numpy" {
		ps.failAt(pos, "import", "import of module %q is not supported (only `import numpy as np`)", name)
	}
	if !ps.isKw("as") {
		ps.failAt(ps.cur().pos, "import", "numpy must be imported as `import numpy as np`")
	}
	ps.next()
	alias := ps.cur()
	if alias.kind != tName || alias.text != "np" {
		ps.failAt(alias.pos, "import", "numpy must be imported as np (`import numpy as np`), not as %s", alias.describe())
	}
	ps.next()
	if ps.isOp(",") {
		ps.failAt(ps.cur().pos, "import", "importing several modules in one statement is not supported (only `import numpy as np`)")
	}
	ps.endStmt()
	return &Import{Pos: imp.pos, Module: name, Alias: "np"}
}

// fromImport rejects `from MODULE import ...`, naming the module.
func (ps *parser) fromImport() {
	from := ps.next()
	dots := ""
	for ps.isOp(".") || ps.isOp("...") {
		dots += ps.next().text
	}
	name := ""
	if ps.cur().kind == tName {
		name, _ = ps.dottedName("after 'from'")
	}
	ps.failAt(from.pos, "from import", "from-imports are not supported (from %s import ...); use `import numpy as np` and write np.NAME", dots+name)
}

// isPrintCall reports whether the statement here is exactly `print(...)`.
func (ps *parser) isPrintCall() bool {
	if t := ps.cur(); t.kind != tName || t.text != "print" || ps.peekAt(1).kind != tOp || ps.peekAt(1).text != "(" {
		return false
	}
	level := 0
	for i := ps.p + 1; i < len(ps.toks); i++ {
		t := ps.toks[i]
		if t.kind == tOp {
			switch t.text {
			case "(", "[", "{":
				level++
			case ")", "]", "}":
				level--
			}
		}
		if level == 0 {
			return i+1 < len(ps.toks) && ps.toks[i+1].kind == tNewline
		}
	}
	return false
}

// simpleStmt parses an assignment or a print call statement.
func (ps *parser) simpleStmt() Stmt {
	start := ps.cur()
	if ps.isPrintCall() {
		return &Ignored{Pos: start.pos, Reason: "print", Body: []Stmt{ps.lenientSimple()}}
	}
	lhs := ps.exprList()
	t := ps.cur()
	switch {
	case t.kind == tOp && t.text == "=":
		return ps.assign(lhs)
	case t.kind == tOp && len(t.text) >= 2 && strings.HasSuffix(t.text, "=") && !isComparison(t.text):
		bin := strings.TrimSuffix(t.text, "=")
		ps.failAt(t.pos, "augmented assignment", "augmented assignment (%s) is not supported; write x = x %s ...", t.text, bin)
	case t.kind == tOp && t.text == ":":
		ps.failAt(t.pos, "annotated assignment", "annotated assignments (x: T = ...) are not supported")
	case t.kind == tOp && t.text == ";":
		ps.endStmt()
	case t.kind == tNewline:
		ps.failAt(start.pos, "expression statement", "expression statements are not supported (only assignments, return, and print(...) calls)")
	}
	ps.failAt(t.pos, "syntax", "unexpected %s in statement", t.describe())
	return nil
}

func isComparison(op string) bool {
	switch op {
	case "==", "!=", "<=", ">=", "<", ">":
		return true
	}
	return false
}

// assign parses the rest of `targets = value`; the targets are parsed.
func (ps *parser) assign(lhs Expr) Stmt {
	targets, tuple := ps.targets(lhs)
	ps.next() // =
	value := ps.exprList()
	if ps.isOp("=") {
		ps.failAt(ps.cur().pos, "chained assignment", "chained assignment (a = b = value) is not supported; assign each name separately")
	}
	ps.endStmt()
	return &Assign{Pos: lhs.Position(), Targets: targets, Tuple: tuple, Value: value}
}

// targets checks an assignment target: a name or a tuple of names.
func (ps *parser) targets(lhs Expr) ([]*Name, bool) {
	switch e := lhs.(type) {
	case *Name:
		return []*Name{e}, false
	case *Tuple:
		if len(e.Elts) == 0 {
			ps.badTarget(e)
		}
		var names []*Name
		for _, elt := range e.Elts {
			n, ok := elt.(*Name)
			if !ok {
				ps.badTarget(elt)
			}
			names = append(names, n)
		}
		return names, true
	}
	ps.badTarget(lhs)
	return nil, false
}

func (ps *parser) badTarget(e Expr) {
	msg := "cannot assign to this expression (only a name or a tuple of names)"
	switch e.(type) {
	case *Attribute:
		msg = "assignment to an attribute is not supported"
	case *Subscript:
		msg = "assignment to a subscript (in-place update) is not supported; build a new array instead"
	case *List:
		msg = "list assignment targets are not supported; use a tuple of names"
	case *Call:
		msg = "cannot assign to a function call"
	}
	ps.failAt(e.Position(), "assignment target", "%s", msg)
}

// returnStmt parses `return value`.
func (ps *parser) returnStmt() Stmt {
	t := ps.next()
	if c := ps.cur(); c.kind == tNewline || c.kind == tOp && c.text == ";" {
		ps.failAt(t.pos, "return", "return without a value is not supported")
	}
	v := ps.exprList()
	ps.endStmt()
	return &Return{Pos: t.pos, Value: v}
}
