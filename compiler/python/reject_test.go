package python

import (
	"errors"
	"strings"
	"testing"
)

// rejectCase is a source outside the subset. want is "line:col: " followed
// by a substring of the message; pyValid says whether CPython's parser
// accepts the source (checked by TestRejectDifferential).
type rejectCase struct {
	name      string
	src       string
	want      string
	construct string
	pyValid   bool
}

const npImport = "import numpy as np\n"

var rejectCases = []rejectCase{
	// Statements outside the subset.
	{"while", npImport + "while True:\n    pass\n", "2:1: while loops are not supported", "while loop", true},
	{"while in def", "def f(x):\n    while x:\n        x = x - 1\n    return x\n", "2:5: while loops are not supported", "while loop", true},
	{"for", "for i in range(3):\n    pass\n", "1:1: for loops are not supported", "for loop", true},
	{"for in def", "def f(x):\n    for i in x:\n        pass\n    return x\n", "2:5: for loops are not supported", "for loop", true},
	{"class", "class Net:\n    pass\n", "1:1: class definitions are not supported", "class", true},
	{"with", "with open('f') as f:\n    pass\n", "1:1: with statements are not supported", "with statement", true},
	{"try", "try:\n    x = 1\nexcept Exception:\n    pass\n", "1:1: try statements are not supported", "try statement", true},
	{"global", "def f(x):\n    global W\n    return x\n", "2:5: global statements are not supported", "global statement", true},
	{"nonlocal", "def f(x):\n    nonlocal W\n    return x\n", "2:5: nonlocal statements are not supported", "nonlocal statement", true},
	{"del", "x = 1\ndel x\n", "2:1: del statements are not supported", "del statement", true},
	{"yield statement", "def f(x):\n    yield x\n    return x\n", "2:5: yield (generators) is not supported", "yield", true},
	{"yield expression", "def f(x):\n    y = yield x\n    return y\n", "2:9: yield (generators) is not supported", "yield", true},
	{"async def", "async def f(x):\n    return x\n", "1:1: async functions and statements are not supported", "async", true},
	{"await", "def f(x):\n    return await x\n", "2:12: await (async code) is not supported", "await", true},
	{"assert", "assert 1 == 1\n", "1:1: assert statements are not supported", "assert statement", true},
	{"raise", "def f(x):\n    raise ValueError(x)\n", "2:5: raise statements are not supported", "raise statement", true},
	{"break", "break\n", "1:1: break statements are not supported", "break statement", true},
	{"continue", "continue\n", "1:1: continue statements are not supported", "continue statement", true},
	{"decorator", "@jit\ndef f(x):\n    return x\n", "1:1: decorators are not supported", "decorator", true},
	{"nested def", "def f(x):\n    def g(y):\n        return y\n    return g(x)\n", "2:5: nested function definitions are not supported", "nested function", true},
	{"if in def", "def f(x):\n    if x > 0:\n        x = 1\n    return x\n", "2:5: if statements are not supported inside functions; use np.where", "if statement", true},
	{"module if", "DEBUG = 1\nif DEBUG:\n    x = 1\n", "2:1: if statements are not supported (only `if __name__ == \"__main__\":`)", "if statement", true},
	{"module if boolean", "if a and b:\n    pass\n", "1:1: if statements are not supported", "if statement", true},
	{"main if else", "if __name__ == \"__main__\":\n    pass\nelse:\n    pass\n", "3:1: 'else' after the __main__ block is not supported", "if statement", true},
	{"main not equal", "if __name__ != \"__main__\":\n    pass\n", "1:1: if statements are not supported", "if statement", true},
	{"return outside", "return 1\n", "1:1: return outside a function", "return", true},
	{"bare return", "def f(x):\n    return\n", "2:5: return without a value is not supported", "return", true},
	{"after return", "def f(x):\n    return x\n    y = 1\n", "3:5: statements after return are not supported", "statement after return", true},
	{"missing return", "def f(x):\n    y = x\n", "1:1: function \"f\" must end with a return statement", "def", true},
	{"pass only", "def f(x):\n    pass\n", "1:1: function \"f\" must end with a return statement", "def", true},
	{"expression statement", npImport + "np.random.seed(0)\n", "2:1: expression statements are not supported", "expression statement", true},
	{"name statement", "def f(x):\n    x\n    return x\n", "2:5: expression statements are not supported", "expression statement", true},
	{"ellipsis statement", "...\n", "1:1: expression statements are not supported", "expression statement", true},
	{"late string", "x = 1\n\"not a docstring\"\n", "2:1: a string statement is only supported as a docstring", "string statement", true},
	{"late docstring", "def f(x):\n    y = x\n    \"doc\"\n    return y\n", "3:5: a string statement is only supported as a docstring", "string statement", true},
	{"f-string docstring", "f\"doc\"\n", "1:1: a string statement is only supported as a docstring", "string statement", true},
	{"semicolon", "x = 1; y = 2\n", "1:6: several statements on one line (;) are not supported", "semicolon", true},
	{"match", "match x:\n    case 1:\n        pass\n", "1:7: unexpected name 'x' in statement", "syntax", true},

	// Imports.
	{"from import", "from numpy import dot\n", "1:1: from-imports are not supported (from numpy import ...)", "from import", true},
	{"from dotted import", "from numpy.linalg import norm\n", "1:1: from-imports are not supported (from numpy.linalg import ...)", "from import", true},
	{"relative import", "from . import x\n", "1:1: from-imports are not supported (from . import ...)", "from import", true},
	{"import os", "import os\n", "1:8: import of module \"os\" is not supported (only `import numpy as np`)", "import", true},
	{"import dotted", "import numpy.linalg as la\n", "1:8: import of module \"numpy.linalg\" is not supported", "import", true},
	{"import without alias", "import numpy\n", "1:13: numpy must be imported as `import numpy as np`", "import", true},
	{"import other alias", "import numpy as npy\n", "1:17: numpy must be imported as np (`import numpy as np`), not as name 'npy'", "import", true},
	{"import several", "import numpy as np, os\n", "1:19: importing several modules in one statement is not supported", "import", true},
	{"import in def", "def f(x):\n    import numpy as np\n    return x\n", "2:5: imports inside functions are not supported", "import", true},

	// Parameters.
	{"default", "def f(x, y=1):\n    return x\n", "1:11: default parameter values are not supported (parameter \"y\")", "default value", true},
	{"annotated default", "def f(x: int = 1):\n    return x\n", "1:14: default parameter values are not supported", "default value", true},
	{"star args", "def f(*args):\n    return args\n", "1:7: *args parameters are not supported", "parameter", true},
	{"kwargs", "def f(x, **kw):\n    return x\n", "1:10: **kwargs parameters are not supported", "parameter", true},
	{"bare star", "def f(x, *, y):\n    return x\n", "1:10: keyword-only parameters (a bare * in the parameter list) are not supported", "parameter", true},
	{"slash", "def f(x, /, y):\n    return x\n", "1:10: positional-only parameters (/ in the parameter list) are not supported", "parameter", true},
	{"duplicate param", "def f(x, x):\n    return x\n", "1:10: duplicate parameter \"x\"", "parameter", true},

	// Assignments.
	{"augmented +=", "x = 1\nx += 1\n", "2:3: augmented assignment (+=) is not supported; write x = x + ...", "augmented assignment", true},
	{"augmented -=", "def f(x):\n    x -= 1\n    return x\n", "2:7: augmented assignment (-=) is not supported", "augmented assignment", true},
	{"augmented **=", "x = 2\nx **= 2\n", "2:3: augmented assignment (**=) is not supported", "augmented assignment", true},
	{"augmented //=", "x = 2\nx //= 2\n", "2:3: augmented assignment (//=) is not supported", "augmented assignment", true},
	{"augmented @=", "x = 2\nx @= x\n", "2:3: augmented assignment (@=) is not supported", "augmented assignment", true},
	{"augmented |=", "x = 2\nx |= 1\n", "2:3: augmented assignment (|=) is not supported", "augmented assignment", true},
	{"augmented >>=", "x = 2\nx >>= 1\n", "2:3: augmented assignment (>>=) is not supported", "augmented assignment", true},
	{"annotated assignment", "x: int = 3\n", "1:2: annotated assignments (x: T = ...) are not supported", "annotated assignment", true},
	{"chained assignment", "a = b = 1\n", "1:7: chained assignment (a = b = value) is not supported", "chained assignment", true},
	{"subscript target", "a = [1]\na[0] = 2\n", "2:1: assignment to a subscript (in-place update) is not supported", "assignment target", true},
	{"attribute target", "np.x = 2\n", "1:1: assignment to an attribute is not supported", "assignment target", true},
	{"list target", "[a, b] = 1, 2\n", "1:1: list assignment targets are not supported", "assignment target", true},
	{"tuple with subscript", "a, b[0] = 1, 2\n", "1:4: assignment to a subscript", "assignment target", true},
	{"starred target", "a, *b = 1, 2, 3\n", "1:4: star expressions (*x) are not supported", "star expression", true},
	{"call target", "f() = 1\n", "1:1: cannot assign to a function call", "assignment target", false},
	{"walrus", "def f(x):\n    y = (z := x)\n    return y\n", "2:12: assignment expressions (:=) are not supported", "assignment expression", true},

	// Expressions outside the subset.
	{"lambda", "f = lambda x: x\n", "1:5: lambda expressions are not supported; define a function with def", "lambda", true},
	{"conditional", "def f(x):\n    return x if x > 0 else 0\n", "2:14: conditional expressions (a if cond else b) are not supported; use np.where(cond, a, b)", "conditional expression", true},
	{"and", "def f(a, b):\n    return a > 0 and b > 0\n", "2:18: boolean operator 'and' is not supported; use np.logical_and", "boolean operator", true},
	{"or", "x = a or b\n", "1:7: boolean operator 'or' is not supported; use np.logical_or", "boolean operator", true},
	{"not", "x = not a\n", "1:5: boolean operator 'not' is not supported; use np.logical_not", "boolean operator", true},
	{"chained comparison", "x = 0 < a < 1\n", "1:11: chained comparisons (a < b < c) are not supported", "chained comparison", true},
	{"chained equality", "x = a == b == c\n", "1:12: chained comparisons (a == b == c) are not supported", "chained comparison", true},
	{"in", "x = a in b\n", "1:7: membership tests (in, not in) are not supported", "membership test", true},
	{"not in", "x = a not in b\n", "1:7: membership tests (in, not in) are not supported", "membership test", true},
	{"is", "x = a is None\n", "1:7: identity comparisons (is, is not) are not supported", "identity comparison", true},
	{"bitwise or", "x = a | b\n", "1:7: bitwise operator '|' is not supported; use np.logical_or", "bitwise operator", true},
	{"bitwise and", "x = a & b\n", "1:7: bitwise operator '&' is not supported; use np.logical_and", "bitwise operator", true},
	{"bitwise xor", "x = a ^ b\n", "1:7: bitwise operator '^' is not supported; use np.logical_xor", "bitwise operator", true},
	{"shift left", "x = a << 2\n", "1:7: bitwise operator '<<' is not supported", "bitwise operator", true},
	{"shift right", "x = a + 1 >> 2\n", "1:11: bitwise operator '>>' is not supported", "bitwise operator", true},
	{"invert", "x = ~a\n", "1:5: bitwise not (~) is not supported; use np.logical_not", "bitwise operator", true},
	{"list comprehension", "x = [i for i in range(3)]\n", "1:8: list comprehensions are not supported", "comprehension", true},
	{"generator in call", "x = sum(i for i in y)\n", "1:11: generator expressions are not supported", "comprehension", true},
	{"generator in parens", "x = (i for i in y)\n", "1:8: generator expressions are not supported", "comprehension", true},
	{"dict", "x = {\"a\": 1}\n", "1:5: dict and set displays ({...}) are not supported", "dict or set", true},
	{"set", "x = {1, 2}\n", "1:5: dict and set displays ({...}) are not supported", "dict or set", true},
	{"star in list", "x = [*a, 1]\n", "1:6: star expressions (*x) are not supported", "star expression", true},
	{"star argument", "x = f(*a)\n", "1:7: star arguments (*args) in calls are not supported", "star argument", true},
	{"kwargs argument", "x = f(**a)\n", "1:7: keyword argument unpacking (**kwargs) in calls is not supported", "star argument", true},
	{"keyword repeated", "x = f(a=1, a=2)\n", "1:12: keyword argument \"a\" repeated", "keyword argument", true},
	{"positional after keyword", "x = f(a=1, 2)\n", "1:12: positional argument follows keyword argument", "call", false},
	{"deep unary", "x = " + strings.Repeat("-", maxDepth+10) + "1\n", "expression is nested too deeply", "nesting", true},

	// Lexical errors.
	{"tab indent", "def f(x):\n\treturn x\n", "2:1: tabs are not allowed in indentation; indent with spaces", "tab", true},
	{"tab after spaces", "def f(x):\n  \treturn x\n", "2:3: tabs are not allowed in indentation", "tab", true},
	{"complex", "x = 1j\n", "1:5: complex (imaginary) literals are not supported", "complex literal", true},
	{"complex float", "x = 1.5e3J\n", "1:5: complex (imaginary) literals are not supported", "complex literal", true},
	{"leading zero", "x = 01\n", "1:5: leading zeros in decimal integer literals are not permitted", "number literal", false},
	{"double underscore", "x = 1__0\n", "1:5: invalid number literal \"1_\": '_' must separate digits", "number literal", false},
	{"trailing underscore", "x = 1_\n", "1:5: invalid number literal \"1_\": '_' must separate digits", "number literal", false},
	{"empty exponent", "x = 1e\n", "1:5: invalid float literal \"1e\": the exponent has no digits", "number literal", false},
	{"empty hex", "x = 0x\n", "1:5: invalid number literal \"0x\": no digits after the base prefix", "number literal", false},
	{"number then name", "x = 1abc\n", "1:5: invalid number literal", "number literal", false},
	{"unterminated string", "x = 'abc\n", "1:5: unterminated string literal", "string literal", false},
	{"unterminated triple", "x = \"\"\"abc\n\ndef\n", "1:5: unterminated triple-quoted string literal", "string literal", false},
	{"bytes non-ascii", "x = b'caf\u00e9'\n", "1:10: bytes literals can only contain ASCII characters", "string literal", false},
	{"truncated hex escape", "x = '\\x4'\n", "1:5: invalid string literal: truncated \\x escape", "string literal", false},
	{"mixed bytes", "x = b'a' 'b'\n", "1:10: cannot mix bytes and non-bytes string literals", "string literal", false},
	{"never closed", "x = f(1,\n      2\n", "1:6: '(' was never closed", "bracket", false},
	{"unmatched close", "x = 1)\n", "1:6: unmatched ')'", "bracket", false},
	{"mismatched close", "x = [1, 2)\n", "1:10: closing ')' does not match opening '['", "bracket", false},
	{"too many brackets", "x = " + strings.Repeat("(", maxBrackets+1) + "1" + strings.Repeat(")", maxBrackets+1) + "\n", "too many nested brackets", "bracket", false},
	{"unexpected indent", "x = 1\n    y = 2\n", "2:1: unexpected indent", "indentation", false},
	{"bad unindent", "def f(x):\n        y = x\n    return y\n", "3:5: unindent does not match any outer indentation level", "indentation", false},
	{"no block", "def f(x):\nreturn x\n", "2:1: expected an indented block after the definition of \"f\"", "def", false},
	{"invalid character", "x = $\n", "1:5: invalid character '$' in source", "character", false},
	{"bang", "x = a ! b\n", "1:7: invalid syntax: '!' is not an operator", "character", false},
	{"backslash junk", "x = 1 \\ 2\n", "1:7: unexpected character after line continuation character", "line continuation", false},
	{"backslash at eof", "x = 1 \\", "1:7: unexpected end of file after line continuation", "line continuation", false},
	{"invalid utf8", "x = 1\ny = '\xff'\n", "2:6: source is not valid UTF-8", "encoding", false},
	{"nul byte", "x = 1\x00\n", "1:6: source contains a NUL byte", "encoding", false},
	{"missing operand", "x = 1 +\n", "1:8: expected an expression, found end of line", "syntax", false},
	{"missing comma", "x = f(a b)\n", "1:9: expected ')' or ',' in the call, found name 'b'", "syntax", false},
	{"keyword as name", "x = import\n", "1:5: expected an expression, found keyword 'import'", "syntax", false},
	{"empty subscript", "x = a[]\n", "1:7: expected an expression, found ']'", "syntax", false},
	{"attribute keyword", "x = a.if\n", "1:7: expected an attribute name after '.', found keyword 'if'", "attribute", false},
	{"print then junk", "print(1) + \n", "1:12: expected an expression, found end of line", "syntax", false},
	{"main block no indent", "if __name__ == \"__main__\":\nx = 1\n", "2:1: expected an indented block", "indentation", false},
	{"main block unexpected indent", "if __name__ == \"__main__\":\n    x = 1\n        y = 2\n", "3:1: unexpected indent", "indentation", false},
}

func TestReject(t *testing.T) {
	for _, tc := range rejectCases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Parse("model.py", []byte(tc.src))
			if err == nil {
				t.Fatalf("Parse accepted %q:\n%s", tc.src, Dump(m))
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T) is not a *python.Error", err, err)
			}
			got := err.Error()
			if !strings.HasPrefix(got, "model.py:") || !strings.Contains(got, tc.want) {
				t.Errorf("error %q; want it to contain %q", got, tc.want)
			}
			if pe.Construct != tc.construct {
				t.Errorf("construct %q; want %q (error %q)", pe.Construct, tc.construct, got)
			}
			if pe.File != "model.py" || pe.Pos.Line < 1 || pe.Pos.Col < 1 {
				t.Errorf("bad error location %+v", pe)
			}
		})
	}
}
