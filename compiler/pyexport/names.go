package pyexport

import (
	"fmt"
	"strings"
)

// reserved are names a parameter or input may not take in the file.
var reserved = map[string]bool{
	"np": true, "forward": true, "loss": true, "INPUT_SHAPE": true, "LEARNING_RATE": true, "FROZEN": true,
	"y": true, "target": true, "True": true, "False": true, "None": true,
	"and": true, "as": true, "assert": true, "async": true, "await": true, "break": true, "class": true,
	"continue": true, "def": true, "del": true, "elif": true, "else": true, "except": true, "finally": true,
	"for": true, "from": true, "global": true, "if": true, "import": true, "in": true, "is": true,
	"lambda": true, "nonlocal": true, "not": true, "or": true, "pass": true, "raise": true, "return": true,
	"try": true, "while": true, "with": true, "yield": true,
}

// valid reports whether the written file can use n for a constant or the
// input: an identifier, not a keyword or a name the file itself uses (np,
// forward, loss and its arguments, the settings, and v<digits>, which
// names the statements' values).
func valid(n string) bool {
	if n == "" || reserved[n] || n[0] == 'v' && len(n) > 1 && strings.Trim(n[1:], "0123456789") == "" {
		return false
	}
	for i, c := range n {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func checkName(n string) error {
	if !valid(n) {
		return fmt.Errorf("%q is not a name the Python file can use", n)
	}
	return nil
}

// Name turns raw (an ONNX initializer's or input's name, "fc1.weight")
// into a name the written file can use ("fc1_weight"), distinct from every
// name in used, which it joins.
func Name(raw string, used map[string]bool) string {
	b := []byte(raw)
	for i, c := range b {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			b[i] = '_'
		}
	}
	n := string(b)
	if n == "" || n[0] >= '0' && n[0] <= '9' {
		n = "p_" + n
	}
	for !valid(n) || used[n] {
		n += "_"
	}
	used[n] = true
	return n
}
