package python

// Pos is a 1-based source position; Col counts characters (runes), not bytes.
// A node's Pos is where its source text starts, as in CPython's ast (so a
// Binary, Call, Attribute or Subscript starts at its left operand).
type Pos struct {
	Line, Col int
}

// Position returns p. Every node embeds a Pos, so every node has Position.
func (p Pos) Position() Pos { return p }

// Node is any syntax tree node.
type Node interface {
	Position() Pos
}

// Stmt is a statement node.
type Stmt interface {
	Node
	stmtNode()
}

// Expr is an expression node.
type Expr interface {
	Node
	exprNode()
}

// Module is a whole source file.
type Module struct {
	Pos
	File string
	Doc  *Str // module docstring, or nil
	Body []Stmt
}

// Statements.
type (
	// Import is `import numpy as np`, the only import accepted.
	Import struct {
		Pos
		Module string // "numpy"
		Alias  string // "np"
	}

	// Assign is `NAME = value` or `A, B = value` (len(Targets) > 1 only for
	// a tuple target; Value may then be a Tuple or any other expression).
	Assign struct {
		Pos
		Targets []*Name
		Tuple   bool // the target was written as a tuple (even of one name)
		Value   Expr
	}

	// FuncDef is `def Name(Params) -> Returns:` with a body of assignments,
	// pass and ignored print calls, ending in a Return.
	FuncDef struct {
		Pos
		Name    string
		Params  []*Param
		Returns Expr // return annotation, or nil
		Doc     *Str // docstring, or nil
		Body    []Stmt
	}

	// Return is `return value`; value may be a Tuple.
	Return struct {
		Pos
		Value Expr
	}

	// Pass is `pass`.
	Pass struct {
		Pos
	}

	// Ignored is code kept for the record but given no meaning: the
	// `if __name__ == "__main__":` block (Reason "__main__") or a bare
	// print call statement (Reason "print").
	Ignored struct {
		Pos
		Reason string
		Body   []Stmt // ExprStmt, Assign or RawStmt nodes
	}

	// ExprStmt is an expression statement; it appears only inside Ignored.
	ExprStmt struct {
		Pos
		X Expr
	}

	// RawStmt is a statement inside Ignored code that is valid Python token
	// by token but outside the subset; Text is its source (for a compound
	// statement, its header up to the colon) and Body its indented block.
	RawStmt struct {
		Pos
		Text string
		Body []Stmt
	}
)

// Param is a function parameter with an optional annotation expression.
type Param struct {
	Pos
	Name       string
	Annotation Expr // nil if none
}

// Expressions.
type (
	// Name is an identifier.
	Name struct {
		Pos
		Name string
	}

	// Num is an int or float literal; Text is its source spelling.
	Num struct {
		Pos
		Text  string
		Float bool
	}

	// Str is one string literal, or adjacent literals concatenated. Prefix
	// is the first literal's prefix in lower case ("", "r", "b", "f", "rb",
	// ...), with "f" added if a later literal is an f-string; Raw the
	// source spellings joined by a space; Value the text with escapes
	// decoded (for f-strings, the braces are left as written).
	Str struct {
		Pos
		Prefix string
		Raw    string
		Value  string
	}

	// Const is True, False or None.
	Const struct {
		Pos
		Value string
	}

	// Ellipsis is `...`.
	Ellipsis struct {
		Pos
	}

	// Unary is `-X` or `+X`.
	Unary struct {
		Pos
		Op string
		X  Expr
	}

	// Binary is `X Op Y` for + - * / // % @ **. Pos is where X starts,
	// OpPos where the operator is.
	Binary struct {
		Pos
		OpPos Pos
		Op    string
		X, Y  Expr
	}

	// Compare is a single comparison `X Op Y` for < <= > >= == !=.
	Compare struct {
		Pos
		OpPos Pos
		Op    string
		X, Y  Expr
	}

	// Call is `Func(Args..., Keywords...)`.
	Call struct {
		Pos
		Func     Expr
		Args     []Expr
		Keywords []*Keyword
	}

	// Attribute is `X.Name`.
	Attribute struct {
		Pos
		X    Expr
		Name string
	}

	// Subscript is `X[Index]`; Index is an expression, a Slice, or a Tuple
	// of those (for `a[:, 0]`).
	Subscript struct {
		Pos
		X     Expr
		Index Expr
	}

	// Slice is `Lo:Hi:Step` inside a subscript; absent parts are nil.
	Slice struct {
		Pos
		Lo, Hi, Step Expr
	}

	// Tuple is `(a, b)` or `a, b`.
	Tuple struct {
		Pos
		Elts []Expr
	}

	// List is `[a, b]`.
	List struct {
		Pos
		Elts []Expr
	}
)

// Keyword is a keyword argument `Name=Value` in a call.
type Keyword struct {
	Pos
	Name  string
	Value Expr
}

func (*Import) stmtNode()   {}
func (*Assign) stmtNode()   {}
func (*FuncDef) stmtNode()  {}
func (*Return) stmtNode()   {}
func (*Pass) stmtNode()     {}
func (*Ignored) stmtNode()  {}
func (*ExprStmt) stmtNode() {}
func (*RawStmt) stmtNode()  {}

func (*Name) exprNode()      {}
func (*Num) exprNode()       {}
func (*Str) exprNode()       {}
func (*Const) exprNode()     {}
func (*Ellipsis) exprNode()  {}
func (*Unary) exprNode()     {}
func (*Binary) exprNode()    {}
func (*Compare) exprNode()   {}
func (*Call) exprNode()      {}
func (*Attribute) exprNode() {}
func (*Subscript) exprNode() {}
func (*Slice) exprNode()     {}
func (*Tuple) exprNode()     {}
func (*List) exprNode()      {}
