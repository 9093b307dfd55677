// Package python is the front end's parser for Family Python: the small
// subset of Python 3 in which muscles (tiny neural networks) are written as
// NumPy scripts.
//
// Parse turns a source file into a Module (ast.go) with a Pos on every node.
// It never runs Python and evaluates nothing; a later pass gives the tree
// meaning. Everything outside the subset is rejected with an *Error that
// names the file, line, column and construct, for example
//
//	model.py:9:5: while loops are not supported
//
// The subset, in short: `import numpy as np`; module-level assignments to a
// name or a tuple of names; `def` with plain (optionally annotated)
// parameters whose body is assignments ending in `return expr`; docstrings;
// `pass`; bare `print(...)` statements and an `if __name__ == "__main__":`
// block, both kept as Ignored nodes. Expressions are names, numbers,
// strings, True/False/None, `...`, tuples, lists, attributes, calls with
// positional and keyword arguments, subscripts and slices, unary `+ -`,
// binary `+ - * / // % @ **` and single comparisons `< <= > >= == !=`.
//
// The lexer (lex.go, lexlit.go) produces Python 3 tokens with INDENT and
// DEDENT; the parser (parse.go for statements, parseexpr.go for
// expressions, ignored.go for the lenient __main__ block) is recursive
// descent. Dump (dump.go) prints a tree compactly for tests and debugging.
package python
