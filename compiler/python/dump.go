package python

import (
	"fmt"
	"strconv"
	"strings"
)

// Dump prints a node compactly: one statement per line, blocks indented by
// two spaces, expressions as prefix forms, e.g.
//
//	import numpy as np
//	assign y (+ (call np.dot x W) b)
//	def f(x, y:np.ndarray)
//	  return (- (** x 2))
//
// Binary operators print as (op x y), unary as (op x), calls as
// (call f args... name=value), subscripts as (index x i), slices as lo:hi:step,
// tuples as (tuple ...), lists as [...], strings as written in the source
// (or, if that spans lines, as prefix + Go-quoted value).
func Dump(n Node) string {
	var b strings.Builder
	switch n := n.(type) {
	case *Module:
		dumpModule(&b, n)
	case Stmt:
		dumpStmt(&b, n, "")
	case Expr:
		b.WriteString(ExprString(n))
	case *Param:
		b.WriteString(paramString(n))
	case *Keyword:
		b.WriteString(n.Name + "=" + ExprString(n.Value))
	default:
		fmt.Fprintf(&b, "%T", n)
	}
	return b.String()
}

// String returns Dump(m).
func (m *Module) String() string { return Dump(m) }

func dumpModule(b *strings.Builder, m *Module) {
	if m.Doc != nil {
		b.WriteString("doc " + ExprString(m.Doc) + "\n")
	}
	for _, s := range m.Body {
		dumpStmt(b, s, "")
	}
}

func dumpBlock(b *strings.Builder, body []Stmt, indent string) {
	for _, s := range body {
		dumpStmt(b, s, indent)
	}
}

func dumpStmt(b *strings.Builder, s Stmt, indent string) {
	b.WriteString(indent)
	switch s := s.(type) {
	case *Import:
		fmt.Fprintf(b, "import %s as %s\n", s.Module, s.Alias)
	case *Assign:
		names := make([]string, len(s.Targets))
		for i, t := range s.Targets {
			names[i] = t.Name
		}
		target := strings.Join(names, ",")
		if s.Tuple {
			target = "(" + target + ")"
		}
		fmt.Fprintf(b, "assign %s %s\n", target, ExprString(s.Value))
	case *FuncDef:
		params := make([]string, len(s.Params))
		for i, p := range s.Params {
			params[i] = paramString(p)
		}
		fmt.Fprintf(b, "def %s(%s)", s.Name, strings.Join(params, ", "))
		if s.Returns != nil {
			b.WriteString(" -> " + ExprString(s.Returns))
		}
		b.WriteString("\n")
		if s.Doc != nil {
			b.WriteString(indent + "  doc " + ExprString(s.Doc) + "\n")
		}
		dumpBlock(b, s.Body, indent+"  ")
	case *Return:
		fmt.Fprintf(b, "return %s\n", ExprString(s.Value))
	case *Pass:
		b.WriteString("pass\n")
	case *Ignored:
		fmt.Fprintf(b, "ignored %s\n", s.Reason)
		dumpBlock(b, s.Body, indent+"  ")
	case *ExprStmt:
		fmt.Fprintf(b, "expr %s\n", ExprString(s.X))
	case *RawStmt:
		fmt.Fprintf(b, "raw %q\n", s.Text)
		dumpBlock(b, s.Body, indent+"  ")
	default:
		fmt.Fprintf(b, "%T\n", s)
	}
}

func paramString(p *Param) string {
	if p.Annotation == nil {
		return p.Name
	}
	return p.Name + ":" + ExprString(p.Annotation)
}

// ExprString prints an expression in Dump's compact prefix form.
func ExprString(e Expr) string {
	switch e := e.(type) {
	case nil:
		return ""
	case *Name:
		return e.Name
	case *Num:
		return e.Text
	case *Str:
		if strings.ContainsAny(e.Raw, "\r\n") {
			return e.Prefix + strconv.Quote(e.Value)
		}
		return e.Raw
	case *Const:
		return e.Value
	case *Ellipsis:
		return "..."
	case *Unary:
		return "(" + e.Op + " " + ExprString(e.X) + ")"
	case *Binary:
		return "(" + e.Op + " " + ExprString(e.X) + " " + ExprString(e.Y) + ")"
	case *Compare:
		return "(" + e.Op + " " + ExprString(e.X) + " " + ExprString(e.Y) + ")"
	case *Call:
		parts := []string{"call", ExprString(e.Func)}
		for _, a := range e.Args {
			parts = append(parts, ExprString(a))
		}
		for _, k := range e.Keywords {
			parts = append(parts, k.Name+"="+ExprString(k.Value))
		}
		return "(" + strings.Join(parts, " ") + ")"
	case *Attribute:
		return ExprString(e.X) + "." + e.Name
	case *Subscript:
		return "(index " + ExprString(e.X) + " " + ExprString(e.Index) + ")"
	case *Slice:
		s := ExprString(e.Lo) + ":" + ExprString(e.Hi)
		if e.Step != nil {
			s += ":" + ExprString(e.Step)
		}
		return s
	case *Tuple:
		return "(tuple" + joinExprs(e.Elts, true) + ")"
	case *List:
		return "[" + strings.TrimPrefix(joinExprs(e.Elts, true), " ") + "]"
	}
	return fmt.Sprintf("%T", e)
}

func joinExprs(es []Expr, lead bool) string {
	var b strings.Builder
	for i, e := range es {
		if lead || i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(ExprString(e))
	}
	return b.String()
}
