package python

import (
	"strings"
	"testing"
)

// tokString renders tokens compactly: names and literals as written,
// operators quoted, and NEWLINE/INDENT/DEDENT/EOF as N, >, <, $.
func tokString(toks []token) string {
	var parts []string
	for _, t := range toks {
		switch t.kind {
		case tNewline:
			parts = append(parts, "N")
		case tIndent:
			parts = append(parts, ">")
		case tDedent:
			parts = append(parts, "<")
		case tEOF:
			parts = append(parts, "$")
		case tOp:
			parts = append(parts, "'"+t.text+"'")
		default:
			parts = append(parts, t.text)
		}
	}
	return strings.Join(parts, " ")
}

func lexOK(t *testing.T, src string) []token {
	t.Helper()
	var toks []token
	err := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = r.(bailout).err
			}
		}()
		toks = lex("t.py", []byte(src))
		return nil
	}()
	if err != nil {
		t.Fatalf("lex %q: %v", src, err)
	}
	return toks
}

func TestLexTokens(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"empty", "", "$"},
		{"blank lines", "\n\n  \n# c\n", "$"},
		{"simple", "x = 1\n", "x '=' 1 N $"},
		{"no final newline", "x = 1", "x '=' 1 N $"},
		{"indent dedent", "def f(x):\n    y = x\n    return y\nz = 1\n",
			"def f '(' x ')' ':' N > y '=' x N return y N < z '=' 1 N $"},
		{"double dedent at eof", "if a:\n  if b:\n    c\n",
			"if a ':' N > if b ':' N > c N < < $"},
		{"double dedent mid file", "if a:\n  if b:\n    c\nd\n",
			"if a ':' N > if b ':' N > c N < < d N $"},
		{"comment lines do not indent", "if a:\n        # deep comment\n  b\n# shallow\n  c\n",
			"if a ':' N > b N c N < $"},
		{"brackets join lines", "x = (1,\n2,\n    3)\ny\n", "x '=' '(' 1 ',' 2 ',' 3 ')' N y N $"},
		{"backslash joins lines", "x = 1 + \\\n  2\n", "x '=' 1 '+' 2 N $"},
		{"operators longest first", "a**=b//=c>>=d<<=e...f->g:=h==i!=j<=k>=l**m//n<<o>>p@q@=r",
			"a '**=' b '//=' c '>>=' d '<<=' e '...' f '->' g ':=' h '==' i '!=' j '<=' k '>=' l '**' m '//' n '<<' o '>>' p '@' q '@=' r N $"},
		{"attribute vs float", "x.T + 1.5 + x.y1", "x '.' T '+' 1.5 '+' x '.' y1 N $"},
		{"prefixed strings", `r'a' b"b" f'{c}' rb'd' BR"e" Fr'f' u'g' rx'h'`,
			`r'a' b"b" f'{c}' rb'd' BR"e" Fr'f' u'g' rx 'h' N $`},
		{"keywords", "not and or lambda match case", "not and or lambda match case N $"},
		{"crlf", "a\r\n  b\r\nc\r\n", "a N > b N < c N $"},
		{"cr", "a\r  b\rc", "a N > b N < c N $"},
		{"number then keyword", "1if x else 2", "1 if x else 2 N $"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tokString(lexOK(t, tc.src)); got != tc.want {
				t.Errorf("tokens\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestLexKinds(t *testing.T) {
	toks := lexOK(t, "def f(): return 'x'\n")
	kinds := []tokKind{tKeyword, tName, tOp, tOp, tOp, tKeyword, tString, tNewline, tEOF}
	if len(toks) != len(kinds) {
		t.Fatalf("got %d tokens, want %d: %s", len(toks), len(kinds), tokString(toks))
	}
	for i, k := range kinds {
		if toks[i].kind != k {
			t.Errorf("token %d (%s) kind %d, want %d", i, toks[i].text, toks[i].kind, k)
		}
	}
}

func TestLexPositions(t *testing.T) {
	toks := lexOK(t, "x = '''a\nb''' + y\n  # c\nz")
	want := []struct {
		text string
		pos  Pos
	}{{"x", Pos{1, 1}}, {"=", Pos{1, 3}}, {"'''a\nb'''", Pos{1, 5}}, {"+", Pos{2, 6}}, {"y", Pos{2, 8}}, {"", Pos{2, 9}}, {"z", Pos{4, 1}}}
	for i, w := range want {
		if toks[i].text != w.text || toks[i].pos != w.pos {
			t.Errorf("token %d = %q at %v, want %q at %v", i, toks[i].text, toks[i].pos, w.text, w.pos)
		}
	}
}
