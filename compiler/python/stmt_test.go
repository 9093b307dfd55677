package python

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// validCases are whole files in the subset with their Dump.
var validCases = []struct{ name, src, want string }{
	{"empty", "", ""},
	{"only comments", "# nothing\n\n   # indented comment\n", ""},
	{"no final newline", "import numpy as np\nx = 1", "import numpy as np\nassign x 1\n"},
	{"tuple assignment", "A, B = 1, 2\n(C, D) = E\nF, = G\n",
		"assign (A,B) (tuple 1 2)\nassign (C,D) E\nassign (F) G\n"},
	{"annotations", "def f(x: np.ndarray, y: (3, 4), z) -> np.ndarray:\n    return x\n",
		"def f(x:np.ndarray, y:(tuple 3 4), z) -> np.ndarray\n  return x\n"},
	{"no params trailing comma", "def f():\n    return 1\ndef g(a, b,):\n    return a, b\n",
		"def f()\n  return 1\ndef g(a, b)\n  return (tuple a b)\n"},
	{"one-line def", "def f(x): return x * 2\n", "def f(x)\n  return (* x 2)\n"},
	{"docstrings", "\"\"\"Module.\"\"\"\ndef f(x):\n    '''Function\n    doc.'''\n    y = x\n    return y\n",
		"doc \"\"\"Module.\"\"\"\ndef f(x)\n  doc \"Function\\n    doc.\"\n  assign y x\n  return y\n"},
	{"docstring after comments", "# header\n\n\"doc\"  # trailing\nx = 1\n", "doc \"doc\"\nassign x 1\n"},
	{"pass", "pass\ndef f(x):\n    pass\n    return x\n", "pass\ndef f(x)\n  pass\n  return x\n"},
	{"comments everywhere", "x = 1  # one\n# between\ndef f(a):  # sig\n    # body\n    b = a  # assign\n\n    # before return\n    return b  # done\n# end\n",
		"assign x 1\ndef f(a)\n  assign b a\n  return b\n"},
	{"print statements", "print(\"start\")\ndef f(x):\n    print(f\"x={x}\", end=\"\")\n    return x\nprint(1 if x else 2)\n",
		"ignored print\n  expr (call print \"start\")\ndef f(x)\n  ignored print\n    expr (call print f\"x={x}\" end=\"\")\n  return x\nignored print\n  raw \"print(1 if x else 2)\"\n"},
	{"main reversed", "if \"__main__\" == __name__:\n    main()\n", "ignored __main__\n  expr (call main)\n"},
	{"main one line", "if __name__ == '__main__': print(1); print(2)\n", "ignored __main__\n  raw \"print(1); print(2)\"\n"},
	{"main lenient", "if __name__ == \"__main__\":\n    for i in range(2):\n        x = [j for j in range(i)]\n    else:\n        pass\n    y += 1\n",
		"ignored __main__\n  raw \"for i in range(2):\"\n    raw \"x = [j for j in range(i)]\"\n  raw \"else:\"\n    raw \"pass\"\n  raw \"y += 1\"\n"},
	{"multi-line brackets", "W = np.array([\n    [1, 2],  # row\n\n    [3, 4]\n    ])\nb = (1 +\n     2)\n",
		"assign W (call np.array [[1 2] [3 4]])\nassign b (+ 1 2)\n"},
	{"backslash continuation", "x = 1 + \\\n    2\ndef f(a, \\\n      b):\n    return a \\\n        + b\n",
		"assign x (+ 1 2)\ndef f(a, b)\n  return (+ a b)\n"},
	{"form feed and tabs between tokens", "x\t=\t1\n\fy = 2\n", "assign x 1\nassign y 2\n"},
	{"unicode name", "größe = 1\n", "assign größe 1\n"},
	{"number then keyword in main", "if __name__ == \"__main__\":\n    y = 1if x else 2\n", "ignored __main__\n  raw \"y = 1if x else 2\"\n"},
	{"return tuple in parens", "def f(x):\n    return (x, -x)\n", "def f(x)\n  return (tuple x (- x))\n"},
	{"dedent several levels", "if __name__ == \"__main__\":\n    if a:\n        if b:\n            c = 1\nx = 2\n",
		"ignored __main__\n  raw \"if a:\"\n    raw \"if b:\"\n      assign c 1\nassign x 2\n"},
}

func TestValid(t *testing.T) {
	for _, tc := range validCases {
		t.Run(tc.name, func(t *testing.T) {
			m := mustParse(t, tc.src)
			if got := Dump(m); got != tc.want {
				t.Errorf("Dump:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

// TestValidSamples parses every file in testdata/valid.
func TestValidSamples(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "valid", "*.py"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no samples: %v", err)
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(filepath.Base(f), src); err != nil {
			t.Errorf("%v", err)
		}
	}
}

// TestLineEndings parses every sample with CRLF and with CR line endings:
// the tree, positions included, must be the same as with LF.
func TestLineEndings(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "valid", "*.py"))
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lf, err := Parse("m.py", src)
		if err != nil {
			t.Fatal(err)
		}
		for _, nl := range []string{"\r\n", "\r"} {
			other, err := Parse("m.py", []byte(strings.ReplaceAll(string(src), "\n", nl)))
			if err != nil {
				t.Errorf("%s with %q line endings: %v", f, nl, err)
				continue
			}
			if got, want := positions(other), positions(lf); got != want {
				t.Errorf("%s with %q line endings: positions differ\n%s\nwant\n%s", f, nl, got, want)
			}
			if Dump(other) != Dump(lf) {
				t.Errorf("%s with %q line endings: tree differs:\n%s\nwant\n%s", f, nl, Dump(other), Dump(lf))
			}
		}
	}
	// A CRLF error position.
	_, err := Parse("m.py", []byte("x = 1\r\ny = 2\r\nwhile y:\r\n    pass\r\n"))
	if err == nil || err.Error() != "m.py:3:1: while loops are not supported" {
		t.Errorf("CRLF error = %v", err)
	}
	m := mustParse(t, "def f(x):\r\n    \"\"\"a\r\n    b\"\"\"\r\n    return x\r\n")
	if got := m.Body[0].(*FuncDef).Doc.Value; got != "a\n    b" {
		t.Errorf("CRLF docstring value %q, want LF line endings", got)
	}
}

// positions lists the statement positions of m.
func positions(m *Module) string {
	var b strings.Builder
	var walk func([]Stmt)
	walk = func(body []Stmt) {
		for _, s := range body {
			p := s.Position()
			b.WriteString(strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col) + " ")
			switch s := s.(type) {
			case *FuncDef:
				walk(s.Body)
			case *Ignored:
				walk(s.Body)
			case *RawStmt:
				walk(s.Body)
			case *Assign:
				b.WriteString("=" + strconv.Itoa(s.Value.Position().Line) + ":" + strconv.Itoa(s.Value.Position().Col) + " ")
			}
		}
	}
	walk(m.Body)
	return b.String()
}

// TestBOM: a UTF-8 byte order mark is skipped, as CPython does when it runs
// a file (ast.parse of the decoded text, used by the differential tests,
// would not skip it, so this case is not in validCases).
func TestBOM(t *testing.T) {
	m := mustParse(t, "\uFEFFx = 1\n")
	if got := Dump(m); got != "assign x 1\n" || m.Body[0].Position() != (Pos{1, 1}) {
		t.Errorf("got %q at %v", got, m.Body[0].Position())
	}
}

func TestPositionsColumnsAreCharacters(t *testing.T) {
	m := mustParse(t, "s = \"é\" + x\n")
	bin := m.Body[0].(*Assign).Value.(*Binary)
	if bin.OpPos != (Pos{1, 9}) || bin.Y.Position() != (Pos{1, 11}) {
		t.Errorf("positions after a non-ASCII character: op %v, x %v; want 1:9 and 1:11", bin.OpPos, bin.Y.Position())
	}
	_, err := Parse("m.py", []byte("s = \"é\" | x\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "m.py:1:9:") {
		t.Errorf("error %v, want it at 1:9", err)
	}
}

func TestNumbers(t *testing.T) {
	cases := []struct {
		src   string
		float bool
	}{
		{"0", false}, {"7", false}, {"1_000", false}, {"0x1F", false}, {"0XfE", false}, {"0o17", false},
		{"0b1010", false}, {"00", false}, {"0_0", false}, {"0x_1f", false},
		{"1.", true}, {".5", true}, {"1.5", true}, {"1e3", true}, {"1E-3", true}, {"2.5e+10", true},
		{"1_0.0_1", true}, {"09.5", true}, {"0e0", true}, {"1.e5", true},
	}
	for _, tc := range cases {
		n, ok := parseExpr(t, tc.src).(*Num)
		if !ok || n.Text != tc.src || n.Float != tc.float {
			t.Errorf("%s: got %#v, want Num float=%v", tc.src, n, tc.float)
		}
	}
}

func TestStrings(t *testing.T) {
	cases := []struct{ src, prefix, value string }{
		{`"abc"`, "", "abc"},
		{`'a"b'`, "", `a"b`},
		{`"a\"b\\c"`, "", `a"b\c`},
		{`"t\tn\nx\x41u\u00e9U\U0001F600o\101"`, "", "t\tn\nxAu\u00e9U\U0001F600oA"},
		{`"unknown \d escape"`, "", `unknown \d escape`},
		{`r"\d+\n"`, "r", `\d+\n`},
		{`R'\''`, "r", `\'`},
		{`b"bytes\x41"`, "b", "bytesA"},
		{`Rb"\x41"`, "rb", `\x41`},
		{`f"{x!r:>{w}}"`, "f", "{x!r:>{w}}"},
		{`F'{a["k"]}'`, "f", `{a["k"]}`},
		{`u"unicode"`, "u", "unicode"},
		{`"""tri"ple"""`, "", `tri"ple`},
		{`'''a` + "\n" + `b'''`, "", "a\nb"},
		{`"line\` + "\n" + `cont"`, "", "linecont"},
		{`"a" 'b' """c"""`, "", "abc"},
		{`"a" f'{b}'`, "f", "a{b}"},
		{`""`, "", ""},
		{`''''''`, "", ""},
	}
	for _, tc := range cases {
		s, ok := parseExpr(t, tc.src).(*Str)
		if !ok {
			t.Errorf("%s: not a Str", tc.src)
			continue
		}
		if s.Prefix != tc.prefix || s.Value != tc.value {
			t.Errorf("%s: prefix %q value %q; want %q %q", tc.src, s.Prefix, s.Value, tc.prefix, tc.value)
		}
	}
}

func TestDumpNodes(t *testing.T) {
	m := mustParse(t, "def f(x: int):\n    return f(x, k=1)\n")
	fd := m.Body[0].(*FuncDef)
	call := fd.Body[0].(*Return).Value.(*Call)
	for _, c := range []struct {
		n    Node
		want string
	}{
		{fd.Params[0], "x:int"},
		{call.Keywords[0], "k=1"},
		{call, "(call f x k=1)"},
		{fd.Body[0], "return (call f x k=1)\n"},
	} {
		if got := Dump(c.n); got != c.want {
			t.Errorf("Dump(%T) = %q, want %q", c.n, got, c.want)
		}
	}
	if m.String() != Dump(m) {
		t.Errorf("Module.String differs from Dump")
	}
}
