package npy

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// header is a .npy header dictionary.
type header struct {
	descr   string
	fortran bool
	shape   []int
}

// list is a Python list literal (a tuple is a []any).
type list []any

// parseHeader parses the header, a Python dict literal such as
// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } padded with
// spaces and a newline, with exactly NumPy's three keys.
func parseHeader(s string) (*header, error) {
	p := &litParser{s: s}
	d, err := p.dict()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("unexpected %q after the dictionary", clip(p.s[p.i:]))
	}
	var keys []string
	for k := range d {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if strings.Join(keys, ",") != "descr,fortran_order,shape" {
		return nil, fmt.Errorf("the dictionary has keys %v, want descr, fortran_order and shape", keys)
	}
	h := &header{}
	switch v := d["descr"].(type) {
	case string:
		h.descr = v
	case list:
		return nil, errors.New("descr is a list of fields: structured dtypes are not supported")
	default:
		return nil, fmt.Errorf("descr is %v, not a dtype string", v)
	}
	f, ok := d["fortran_order"].(bool)
	if !ok {
		return nil, fmt.Errorf("fortran_order is %v, not True or False", d["fortran_order"])
	}
	h.fortran = f
	t, ok := d["shape"].([]any)
	if !ok {
		return nil, fmt.Errorf("shape is %v, not a tuple", d["shape"])
	}
	h.shape = []int{}
	for _, e := range t {
		n, ok := e.(int)
		if !ok || n < 0 {
			return nil, fmt.Errorf("shape has the element %v, not a non-negative int", e)
		}
		h.shape = append(h.shape, n)
	}
	return h, nil
}

func clip(s string) string {
	if len(s) > 20 {
		return s[:20] + "..."
	}
	return s
}

// litParser parses the few Python literals a .npy header uses.
type litParser struct {
	s string
	i int
}

func (p *litParser) space() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

// eat skips spaces and the byte c if it comes next.
func (p *litParser) eat(c byte) bool {
	p.space()
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *litParser) errorf(format string, args ...any) error {
	return fmt.Errorf("at byte %d: %s", p.i, fmt.Sprintf(format, args...))
}

func (p *litParser) dict() (map[string]any, error) {
	if !p.eat('{') {
		return nil, p.errorf("not a dictionary")
	}
	d := map[string]any{}
	for !p.eat('}') {
		p.space()
		k, err := p.value(0)
		if err != nil {
			return nil, err
		}
		ks, ok := k.(string)
		if !ok {
			return nil, p.errorf("a key is %v, not a string", k)
		}
		if _, dup := d[ks]; dup {
			return nil, p.errorf("key %q is given twice", ks)
		}
		if !p.eat(':') {
			return nil, p.errorf("want : after key %q", ks)
		}
		p.space()
		v, err := p.value(0)
		if err != nil {
			return nil, err
		}
		d[ks] = v
		if !p.eat(',') {
			if !p.eat('}') {
				return nil, p.errorf("want , or } in the dictionary")
			}
			break
		}
	}
	return d, nil
}

// maxDepth bounds the nesting of tuples and lists.
const maxDepth = 8

// value parses a string, an int, True, False, None, a tuple or a list.
func (p *litParser) value(depth int) (any, error) {
	if p.i >= len(p.s) {
		return nil, p.errorf("unexpected end")
	}
	switch c := p.s[p.i]; {
	case c == '\'' || c == '"':
		return p.str(c)
	case c == '(' || c == '[':
		if depth >= maxDepth {
			return nil, p.errorf("nested too deeply")
		}
		closer := byte(')')
		if c == '[' {
			closer = ']'
		}
		p.i++
		var elts []any
		for !p.eat(closer) {
			p.space()
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			elts = append(elts, v)
			if !p.eat(',') {
				if !p.eat(closer) {
					return nil, p.errorf("want , or %c", closer)
				}
				// (3) is not a tuple in Python, but 3.
				if c == '(' && len(elts) == 1 {
					return elts[0], nil
				}
				break
			}
		}
		if c == '[' {
			return list(elts), nil
		}
		if elts == nil {
			elts = []any{}
		}
		return elts, nil
	case c >= '0' && c <= '9' || c == '-':
		j := p.i + 1
		for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
			j++
		}
		n, err := strconv.ParseInt(p.s[p.i:j], 10, 32)
		if err != nil {
			return nil, p.errorf("bad integer %q", clip(p.s[p.i:j]))
		}
		p.i = j
		return int(n), nil
	}
	for _, w := range []struct {
		word string
		v    any
	}{{"True", true}, {"False", false}, {"None", nil}} {
		if strings.HasPrefix(p.s[p.i:], w.word) {
			p.i += len(w.word)
			return w.v, nil
		}
	}
	return nil, p.errorf("unexpected %q", clip(p.s[p.i:]))
}

func (p *litParser) str(q byte) (string, error) {
	var b strings.Builder
	for j := p.i + 1; j < len(p.s); j++ {
		switch c := p.s[j]; c {
		case q:
			p.i = j + 1
			return b.String(), nil
		case '\\':
			j++
			if j < len(p.s) {
				b.WriteByte(p.s[j])
			}
		case '\n':
			return "", p.errorf("unterminated string")
		default:
			b.WriteByte(c)
		}
	}
	return "", p.errorf("unterminated string")
}
