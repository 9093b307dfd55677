package python

// tokKind is the kind of a lexical token.
type tokKind int

const (
	tEOF tokKind = iota
	tNewline
	tIndent
	tDedent
	tName
	tKeyword
	tNumber
	tString
	tOp
)

// token is one lexical token. For tNumber and tString, text is the exact
// source spelling (with prefix and quotes); for tOp the operator.
type token struct {
	kind     tokKind
	text     string
	pos      Pos
	off, end int // byte offsets of the token in the source
}

// keywords are Python 3's reserved words (soft keywords such as match and
// case are ordinary names).
var keywords = map[string]bool{
	"False": true, "None": true, "True": true, "and": true, "as": true,
	"assert": true, "async": true, "await": true, "break": true,
	"class": true, "continue": true, "def": true, "del": true, "elif": true,
	"else": true, "except": true, "finally": true, "for": true, "from": true,
	"global": true, "if": true, "import": true, "in": true, "is": true,
	"lambda": true, "nonlocal": true, "not": true, "or": true, "pass": true,
	"raise": true, "return": true, "try": true, "while": true, "with": true,
	"yield": true,
}

// operators lists Python's operator and delimiter tokens, longest first so
// that the lexer can take the first match.
var operators = []string{
	"**=", "//=", ">>=", "<<=", "...",
	"->", ":=", "==", "!=", "<=", ">=", "**", "//", "<<", ">>",
	"+=", "-=", "*=", "/=", "%=", "@=", "&=", "|=", "^=",
	"+", "-", "*", "/", "%", "@", "<", ">", "=", "&", "|", "^", "~",
	"(", ")", "[", "]", "{", "}", ",", ":", ";", ".",
}

// describe names a token for error messages.
func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "end of file"
	case tNewline:
		return "end of line"
	case tIndent:
		return "indent"
	case tDedent:
		return "dedent"
	case tName:
		return "name '" + t.text + "'"
	case tKeyword:
		return "keyword '" + t.text + "'"
	case tNumber:
		return "number " + t.text
	case tString:
		return "string literal"
	}
	return "'" + t.text + "'"
}
