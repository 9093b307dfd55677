package python

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// forwardSrc is the reference single-layer model.
const forwardSrc = `import numpy as np
W = np.array([0.5, -0.25, 0.75, -1.0])
b = 0.1
def forward(inputs):
    output = np.dot(inputs, W) + b
    return np.maximum(0, output)
if __name__ == "__main__":
    print(f"result: {forward(np.array([1.0, -1.0, 0.5, -0.5]))}")
`

const forwardDump = `import numpy as np
assign W (call np.array [0.5 (- 0.25) 0.75 (- 1.0)])
assign b 0.1
def forward(inputs)
  assign output (+ (call np.dot inputs W) b)
  return (call np.maximum 0 output)
ignored __main__
  expr (call print f"result: {forward(np.array([1.0, -1.0, 0.5, -0.5]))}")
`

func mustParse(t *testing.T, src string) *Module {
	t.Helper()
	m, err := Parse("model.py", []byte(src))
	if err != nil {
		t.Fatalf("Parse: %v\nsource:\n%s", err, src)
	}
	return m
}

func TestForwardShape(t *testing.T) {
	file, err := os.ReadFile(filepath.Join("testdata", "valid", "forward.py"))
	if err != nil {
		t.Fatal(err)
	}
	if string(file) != forwardSrc {
		t.Fatalf("testdata/valid/forward.py differs from forwardSrc")
	}
	m := mustParse(t, forwardSrc)
	if got := Dump(m); got != forwardDump {
		t.Errorf("Dump:\n%s\nwant:\n%s", got, forwardDump)
	}
	if len(m.Body) != 5 || m.Doc != nil {
		t.Fatalf("module has %d statements (doc %v), want 5 and no doc", len(m.Body), m.Doc)
	}
	if imp, ok := m.Body[0].(*Import); !ok || imp.Module != "numpy" || imp.Alias != "np" || imp.Pos != (Pos{1, 1}) {
		t.Errorf("statement 0 = %#v, want import numpy as np at 1:1", m.Body[0])
	}

	w, ok := m.Body[1].(*Assign)
	if !ok || len(w.Targets) != 1 || w.Targets[0].Name != "W" || w.Pos != (Pos{2, 1}) {
		t.Fatalf("statement 1 = %#v, want W = ...", m.Body[1])
	}
	call, ok := w.Value.(*Call)
	if !ok || ExprString(call.Func) != "np.array" || len(call.Args) != 1 || call.Pos != (Pos{2, 5}) {
		t.Fatalf("W's value = %s, want np.array(list) at 2:5", ExprString(w.Value))
	}
	list, ok := call.Args[0].(*List)
	if !ok || len(list.Elts) != 4 || list.Pos != (Pos{2, 14}) {
		t.Fatalf("np.array's argument = %s, want a list of 4 at 2:14", ExprString(call.Args[0]))
	}
	if neg, ok := list.Elts[1].(*Unary); !ok || neg.Op != "-" || neg.Pos != (Pos{2, 20}) {
		t.Errorf("element 1 = %#v, want unary minus at 2:20", list.Elts[1])
	} else if n, ok := neg.X.(*Num); !ok || n.Text != "0.25" || !n.Float || n.Pos != (Pos{2, 21}) {
		t.Errorf("element 1's operand = %#v, want float 0.25 at 2:21", neg.X)
	}

	b, ok := m.Body[2].(*Assign)
	if !ok || b.Targets[0].Name != "b" {
		t.Fatalf("statement 2 = %#v, want b = 0.1", m.Body[2])
	}
	if n, ok := b.Value.(*Num); !ok || n.Text != "0.1" || !n.Float || n.Pos != (Pos{3, 5}) {
		t.Errorf("b's value = %#v, want float 0.1 at 3:5", b.Value)
	}

	fd, ok := m.Body[3].(*FuncDef)
	if !ok || fd.Name != "forward" || len(fd.Params) != 1 || fd.Params[0].Name != "inputs" ||
		fd.Params[0].Annotation != nil || fd.Returns != nil || fd.Doc != nil || len(fd.Body) != 2 || fd.Pos != (Pos{4, 1}) {
		t.Fatalf("statement 3 = %#v, want def forward(inputs) with 2 statements", m.Body[3])
	}
	if fd.Params[0].Pos != (Pos{4, 13}) {
		t.Errorf("parameter at %v, want 4:13", fd.Params[0].Pos)
	}
	out, ok := fd.Body[0].(*Assign)
	if !ok || out.Targets[0].Name != "output" || out.Pos != (Pos{5, 5}) {
		t.Fatalf("body 0 = %#v, want output = ... at 5:5", fd.Body[0])
	}
	sum, ok := out.Value.(*Binary)
	if !ok || sum.Op != "+" || sum.Pos != (Pos{5, 14}) || sum.OpPos != (Pos{5, 32}) {
		t.Fatalf("output's value = %#v, want + at 5:14 (operator 5:32)", out.Value)
	}
	dot, ok := sum.X.(*Call)
	if !ok || len(dot.Args) != 2 || len(dot.Keywords) != 0 {
		t.Fatalf("left of + = %s, want np.dot(inputs, W)", ExprString(sum.X))
	}
	if attr, ok := dot.Func.(*Attribute); !ok || attr.Name != "dot" || ExprString(attr.X) != "np" {
		t.Errorf("callee = %#v, want np.dot", dot.Func)
	}
	if n, ok := sum.Y.(*Name); !ok || n.Name != "b" || n.Pos != (Pos{5, 34}) {
		t.Errorf("right of + = %#v, want b at 5:34", sum.Y)
	}
	ret, ok := fd.Body[1].(*Return)
	if !ok || ret.Pos != (Pos{6, 5}) || ExprString(ret.Value) != "(call np.maximum 0 output)" {
		t.Fatalf("body 1 = %#v, want return np.maximum(0, output) at 6:5", fd.Body[1])
	}
	if n, ok := ret.Value.(*Call).Args[0].(*Num); !ok || n.Float || n.Text != "0" {
		t.Errorf("np.maximum's first argument = %#v, want int 0", ret.Value.(*Call).Args[0])
	}

	ig, ok := m.Body[4].(*Ignored)
	if !ok || ig.Reason != "__main__" || ig.Pos != (Pos{7, 1}) || len(ig.Body) != 1 {
		t.Fatalf("statement 4 = %#v, want ignored __main__ block at 7:1", m.Body[4])
	}
	es, ok := ig.Body[0].(*ExprStmt)
	if !ok || es.Pos != (Pos{8, 5}) {
		t.Fatalf("main body = %#v, want a print expression statement at 8:5", ig.Body[0])
	}
	pc, ok := es.X.(*Call)
	if !ok || ExprString(pc.Func) != "print" || len(pc.Args) != 1 {
		t.Fatalf("main statement = %s, want print(...)", ExprString(es.X))
	}
	if s, ok := pc.Args[0].(*Str); !ok || s.Prefix != "f" || !strings.HasPrefix(s.Value, "result: {forward(") || s.Pos != (Pos{8, 11}) {
		t.Errorf("print argument = %#v, want an f-string at 8:11", pc.Args[0])
	}
}

// parseExpr parses `x = src` and returns the value.
func parseExpr(t *testing.T, src string) Expr {
	t.Helper()
	m := mustParse(t, "x = "+src+"\n")
	return m.Body[0].(*Assign).Value
}

// exprCases are expressions (the value of `x = ...`) and their Dump.
var exprCases = []struct{ src, want string }{
	// Precedence and associativity.
	{"-x**2", "(- (** x 2))"},
	{"a @ b + c * d", "(+ (@ a b) (* c d))"},
	{"1 / (1 + np.exp(-x))", "(/ 1 (+ 1 (call np.exp (- x))))"},
	{"e / np.sum(e, axis=-1, keepdims=True)", "(/ e (call np.sum e axis=(- 1) keepdims=True))"},
	{"a ** b ** c", "(** a (** b c))"},
	{"2 ** -1", "(** 2 (- 1))"},
	{"-2 ** -x ** 2", "(- (** 2 (- (** x 2))))"},
	{"a - b - c", "(- (- a b) c)"},
	{"a / b * c // d % e @ f", "(@ (% (// (* (/ a b) c) d) e) f)"},
	{"-a * b", "(* (- a) b)"},
	{"- - +x", "(- (- (+ x)))"},
	{"a + b * c ** d", "(+ a (* b (** c d)))"},
	{"(a + b) * c", "(* (+ a b) c)"},
	{"a < b + 1", "(< a (+ b 1))"},
	{"a + 1 <= b * 2", "(<= (+ a 1) (* b 2))"},
	{"a == b", "(== a b)"},
	{"a != b", "(!= a b)"},
	{"a > -1", "(> a (- 1))"},
	{"a >= b", "(>= a b)"},
	{"x.T @ y", "(@ x.T y)"},
	{"np.linalg.norm(x, ord=2)", "(call np.linalg.norm x ord=2)"},
	{"f(x)[0].T", "(index (call f x) 0).T"},
	{"x.sum(axis=0).reshape(1, -1)", "(call (call x.sum axis=0).reshape 1 (- 1))"},
	{"f()", "(call f)"},
	{"f(a,)", "(call f a)"},
	{"f(x, axis=0,)", "(call f x axis=0)"},
	{"f(x)(y)", "(call (call f x) y)"},
	// Subscripts and slices.
	{"a[1:3]", "(index a 1:3)"},
	{"a[:, 0]", "(index a (tuple : 0))"},
	{"a[::2]", "(index a ::2)"},
	{"a[..., 1]", "(index a (tuple ... 1))"},
	{"a[:]", "(index a :)"},
	{"a[1:]", "(index a 1:)"},
	{"a[:-1]", "(index a :(- 1))"},
	{"a[::]", "(index a :)"},
	{"a[1:2:3]", "(index a 1:2:3)"},
	{"a[i, j]", "(index a (tuple i j))"},
	{"a[i,]", "(index a (tuple i))"},
	{"a[(1, 2)]", "(index a (tuple 1 2))"},
	{"a[b[0]][1]", "(index (index a (index b 0)) 1)"},
	{"a[n - 1 : n + 1]", "(index a (- n 1):(+ n 1))"},
	// Atoms.
	{"(a, b)", "(tuple a b)"},
	{"a, b", "(tuple a b)"},
	{"a, b,", "(tuple a b)"},
	{"()", "(tuple)"},
	{"(a,)", "(tuple a)"},
	{"((a))", "a"},
	{"[]", "[]"},
	{"[1, [2, 3],]", "[1 [2 3]]"},
	{`"a" 'b'`, `"a" 'b'`},
	{"True", "True"},
	{"None", "None"},
	{"...", "..."},
	{"1.", "1."},
	{".5", ".5"},
	{"1_000", "1_000"},
	{"1e-3", "1e-3"},
	{"0xFF", "0xFF"},
}

func TestExpressions(t *testing.T) {
	for _, tc := range exprCases {
		t.Run(tc.src, func(t *testing.T) {
			if got := ExprString(parseExpr(t, tc.src)); got != tc.want {
				t.Errorf("%s: got %s, want %s", tc.src, got, tc.want)
			}
		})
	}
}
