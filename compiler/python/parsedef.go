package python

import "strings"

// funcDef parses `def NAME(params) [-> annotation]:` and its body.
func (ps *parser) funcDef() Stmt {
	def := ps.next()
	name := ps.cur()
	if name.kind != tName {
		ps.failAt(name.pos, "def", "expected a function name after 'def', found %s", name.describe())
	}
	ps.next()
	fd := &FuncDef{Pos: def.pos, Name: name.text}
	ps.expectOp("(", "after the function name")
	fd.Params = ps.params()
	ps.expectOp(")", "to close the parameter list")
	if ps.isOp("->") {
		ps.next()
		fd.Returns = ps.expr()
	}
	ps.expectOp(":", "after the function signature")
	ps.funcBody(fd)
	return fd
}

// params parses a parameter list: plain names with optional annotations.
func (ps *parser) params() []*Param {
	var params []*Param
	seen := map[string]bool{}
	for !ps.isOp(")") {
		t := ps.cur()
		switch {
		case t.kind == tOp && t.text == "*":
			if n := ps.peekAt(1); n.kind == tOp && (n.text == "," || n.text == ")") {
				ps.failAt(t.pos, "parameter", "keyword-only parameters (a bare * in the parameter list) are not supported")
			}
			ps.failAt(t.pos, "parameter", "*args parameters are not supported")
		case t.kind == tOp && t.text == "**":
			ps.failAt(t.pos, "parameter", "**kwargs parameters are not supported")
		case t.kind == tOp && t.text == "/":
			ps.failAt(t.pos, "parameter", "positional-only parameters (/ in the parameter list) are not supported")
		case t.kind != tName:
			ps.failAt(t.pos, "parameter", "expected a parameter name, found %s", t.describe())
		}
		ps.next()
		if seen[t.text] {
			ps.failAt(t.pos, "parameter", "duplicate parameter %q", t.text)
		}
		seen[t.text] = true
		p := &Param{Pos: t.pos, Name: t.text}
		if ps.isOp(":") {
			ps.next()
			p.Annotation = ps.expr()
		}
		if ps.isOp("=") {
			ps.failAt(ps.cur().pos, "default value", "default parameter values are not supported (parameter %q)", t.text)
		}
		params = append(params, p)
		if !ps.isOp(",") {
			break
		}
		ps.next()
	}
	return params
}

// funcBody parses the body of fd: an optional docstring, then assignments,
// pass and print calls, ending with a return statement.
func (ps *parser) funcBody(fd *FuncDef) {
	if ps.cur().kind != tNewline {
		fd.Body = []Stmt{ps.stmt(funcScope)} // def f(x): return x
	} else {
		ps.next()
		if t := ps.cur(); t.kind != tIndent {
			ps.failAt(t.pos, "def", "expected an indented block after the definition of %q", fd.Name)
		}
		ps.next()
		for first := true; ps.cur().kind != tDedent; first = false {
			if n := len(fd.Body); n > 0 {
				if _, ok := fd.Body[n-1].(*Return); ok {
					ps.failAt(ps.cur().pos, "statement after return", "statements after return are not supported (return must be the last statement of %q)", fd.Name)
				}
			}
			if ps.atDocstring() {
				fd.Doc = ps.docstring(first)
				continue
			}
			fd.Body = append(fd.Body, ps.stmt(funcScope))
		}
		ps.next()
	}
	if n := len(fd.Body); n > 0 {
		if _, ok := fd.Body[n-1].(*Return); ok {
			return
		}
	}
	ps.failAt(fd.Pos, "def", "function %q must end with a return statement", fd.Name)
}

// mainBlock parses `if __name__ == "__main__":` and keeps its body, parsed
// leniently, as an Ignored node. Any other if statement is rejected.
func (ps *parser) mainBlock() Stmt {
	ifTok := ps.next()
	cond, ok := ps.tryExpr()
	if !ok || !isMainTest(cond) || !ps.isOp(":") {
		ps.failAt(ifTok.pos, "if statement", "if statements are not supported (only `if __name__ == \"__main__\":`); use np.where(cond, a, b) for conditional values")
	}
	ps.next()
	body := ps.lenientSuite()
	if t := ps.cur(); t.kind == tKeyword && (t.text == "elif" || t.text == "else") {
		ps.failAt(t.pos, "if statement", "'%s' after the __main__ block is not supported", t.text)
	}
	return &Ignored{Pos: ifTok.pos, Reason: "__main__", Body: body}
}

// isMainTest reports whether e is `__name__ == "__main__"` (either way round).
func isMainTest(e Expr) bool {
	c, ok := e.(*Compare)
	if !ok || c.Op != "==" {
		return false
	}
	isName := func(e Expr) bool {
		n, ok := e.(*Name)
		return ok && n.Name == "__name__"
	}
	isMain := func(e Expr) bool {
		s, ok := e.(*Str)
		return ok && s.Value == "__main__" && !strings.ContainsAny(s.Prefix, "bf")
	}
	return isName(c.X) && isMain(c.Y) || isMain(c.X) && isName(c.Y)
}
