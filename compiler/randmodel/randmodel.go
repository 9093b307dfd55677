// Package randmodel generates random, well-formed Family Python model
// files for the compiler's randomised differential test: random shapes
// (1-D and 2-D, sizes 1..9, sometimes an INPUT_SHAPE batch input), random
// module-level constants (np.array literals, scalars, np.ones/full/
// linspace/arange expressions) and a forward function that chains 2–6
// random operations from the subset codegen supports (compiler/frontend
// and compiler/codegen doc.go): matrix products in all their spellings,
// + - * / with broadcasting, np.maximum/minimum/clip, np.exp, np.tanh,
// np.log, np.sqrt, np.abs, integer powers, reductions with axis and
// keepdims (function and method forms), .T, reshape, slicing, np.where
// with comparisons, sigmoid, softmax and inlined helper functions.
//
// Every model is valid Python 3 that CPython + NumPy runs unchanged, and
// stays numerically tame so float32 machine code can be compared with
// float64 NumPy: values are kept bounded (a rescale is inserted when the
// running bound grows), exp only sees bounded arguments, log only
// positive ones (1 + h*h, |h| + c), sqrt only non-negative ones bounded
// away from 0, and divisors are bounded away from zero (constants with
// |c| >= 0.5, or 1 + h*h). FloorDiv, Mod on traced values and
// non-integral powers other than 0.5 are never generated (codegen does not
// support them).
package randmodel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// maxBound is the running magnitude above which the generator rescales.
const maxBound = 6.0

type value struct {
	name  string
	shape []int
	bound float64 // an upper bound on |element|
}

type gen struct {
	r       *rand.Rand
	consts  []string // module-level lines
	helpers []string // helper function definitions
	body    []string // forward's body lines
	nconst  int
	nvar    int
	params  []string // float constants (trainable unless frozen)
	pool    []value  // values forward has computed so far (x first)
	helper  map[string]bool
	trans   bool
}

// Info describes a generated model beyond its source.
type Info struct {
	InputShape  []int
	OutputShape []int
	// Approx is true when the forward uses exp, tanh, log, sqrt or
	// division (the comparison tolerance is then 1e-4 instead of 1e-5).
	Approx bool
}

// Generate returns a random model file, one input for it (flattened
// row-major, float32 values) and a target of the output's size. The same
// rng state always gives the same model.
func Generate(rng *rand.Rand) (src string, input []float32, target []float32) {
	src, input, target, _ = GenerateInfo(rng)
	return src, input, target
}

// GenerateInfo is Generate that also returns the model's shapes and
// whether approximated functions are involved.
func GenerateInfo(rng *rand.Rand) (src string, input []float32, target []float32, info Info) {
	g := &gen{r: rng, helper: map[string]bool{}}
	return g.model()
}

func (g *gen) size() int { return 1 + g.r.IntN(9) }

func (g *gen) pick(n int) int { return g.r.IntN(n) }

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

// num formats v with 1..3 decimals (never "-0.0").
func (g *gen) num(v float64) string {
	d := 1 + g.r.IntN(3)
	s := fmt.Sprintf("%.*f", d, v)
	if strings.Trim(s, "-0.") == "" {
		s = strings.TrimPrefix(s, "-")
	}
	return s
}

// lit returns a random literal in [lo, hi]; away keeps |v| >= 0.5.
func (g *gen) lit(lo, hi float64, away bool) (string, float64) {
	for {
		v := lo + (hi-lo)*g.r.Float64()
		s := g.num(v)
		var f float64
		fmt.Sscan(s, &f)
		if away && math.Abs(f) < 0.5 {
			continue
		}
		return s, f
	}
}

func (g *gen) newName(prefix string) string {
	g.nconst++
	return fmt.Sprintf("%s%d", prefix, g.nconst)
}

func (g *gen) newVar() string {
	g.nvar++
	return fmt.Sprintf("h%d", g.nvar)
}

func size(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

func shapeStr(shape []int) string {
	var parts []string
	for _, d := range shape {
		parts = append(parts, fmt.Sprint(d))
	}
	if len(parts) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// nested formats flat values as a nested list of the given shape.
func nested(vals []string, shape []int) string {
	if len(shape) == 1 {
		return "[" + strings.Join(vals, ", ") + "]"
	}
	var rows []string
	for i := 0; i < shape[0]; i++ {
		rows = append(rows, nested(vals[i*shape[1]:(i+1)*shape[1]], shape[1:]))
	}
	return "[" + strings.Join(rows, ", ") + "]"
}

// constant defines a module-level float constant of the given shape
// (nil: a scalar) with elements in [-hi, hi] (|v| >= 0.5 when away) and
// returns its name and bound.
func (g *gen) constant(shape []int, hi float64, away bool) value {
	if len(shape) == 0 {
		name := g.newName("s")
		s, f := g.lit(-hi, hi, away)
		if g.chance(0.15) && !away {
			// an expression of literals, folded by the front end
			s2, f2 := g.lit(0.1, 0.9, false)
			s = s + " * " + s2
			f *= f2
		}
		g.consts = append(g.consts, fmt.Sprintf("%s = %s", name, s))
		g.params = append(g.params, name)
		return value{name, nil, math.Abs(f) + 1e-9}
	}
	name := g.newName("C")
	n := size(shape)
	var line string
	bound := 0.0
	switch k := g.pick(10); {
	case k == 0 && !away:
		// np.full / np.ones scaled
		s, f := g.lit(-hi, hi, false)
		if g.chance(0.5) {
			line = fmt.Sprintf("np.full(%s, %s)", shapeStr(shape), s)
		} else {
			line = fmt.Sprintf("np.ones(%s) * %s", shapeStr(shape), s)
		}
		bound = math.Abs(f)
	case k == 1 && !away && len(shape) == 1:
		a, fa := g.lit(-hi, hi, false)
		b, fb := g.lit(-hi, hi, false)
		line = fmt.Sprintf("np.linspace(%s, %s, %d)", a, b, n)
		bound = math.Max(math.Abs(fa), math.Abs(fb))
	case k == 2 && !away:
		st, fs := g.lit(0.05, hi/float64(n), false)
		off, fo := g.lit(-hi/2, hi/2, false)
		line = fmt.Sprintf("np.arange(%d).reshape%s * %s - %s", n, shapeStr(shape), st, off)
		if len(shape) == 1 {
			line = fmt.Sprintf("np.arange(%d) * %s - %s", n, st, off)
		}
		bound = math.Abs(fs)*float64(n-1) + math.Abs(fo)
	default:
		vals := make([]string, n)
		for i := range vals {
			s, f := g.lit(-hi, hi, away)
			vals[i] = s
			bound = math.Max(bound, math.Abs(f))
		}
		line = "np.array(" + nested(vals, shape) + ")"
	}
	g.consts = append(g.consts, name+" = "+line)
	g.params = append(g.params, name)
	return value{name, append([]int{}, shape...), bound + 1e-9}
}

// operand returns a constant (or scalar) that broadcasts against shape
// without changing the result's shape, or, sometimes, one that widens a
// 1-D shape to 2-D.
func (g *gen) operand(shape []int, hi float64, away bool) value {
	if g.chance(0.25) {
		if g.chance(0.5) && !away {
			s, f := g.lit(-hi, hi, away)
			return value{s, nil, math.Abs(f)}
		}
		return g.constant(nil, hi, away)
	}
	var cs []int
	switch len(shape) {
	case 0:
		cs = nil
	case 1:
		cs = []int{shape[0]}
		if g.chance(0.2) {
			cs = []int{1}
		}
	case 2:
		switch g.pick(4) {
		case 0:
			cs = []int{shape[1]}
		case 1:
			cs = []int{shape[0], 1}
		case 2:
			cs = []int{1, shape[1]}
		default:
			cs = []int{shape[0], shape[1]}
		}
	}
	return g.constant(cs, hi, away)
}

// broadcast returns the NumPy broadcast shape of a and b.
func broadcast(a, b []int) []int {
	if len(a) < len(b) {
		a, b = b, a
	}
	out := append([]int{}, a...)
	off := len(a) - len(b)
	for i, d := range b {
		if out[off+i] == 1 {
			out[off+i] = d
		}
	}
	return out
}

func compatible(a, b []int) bool {
	for i, j := len(a)-1, len(b)-1; i >= 0 && j >= 0; i, j = i-1, j-1 {
		if a[i] != b[j] && a[i] != 1 && b[j] != 1 {
			return false
		}
	}
	return true
}

// emit assigns expr to a new variable of the given shape and bound.
func (g *gen) emit(expr string, shape []int, bound float64) value {
	v := value{g.newVar(), shape, bound}
	g.body = append(g.body, fmt.Sprintf("    %s = %s", v.name, expr))
	g.pool = append(g.pool, v)
	return v
}

// tame rescales h when its bound is too large.
func (g *gen) tame(h value) value {
	if h.bound <= maxBound {
		return h
	}
	switch g.pick(3) {
	case 0:
		g.trans = true
		return g.emit(fmt.Sprintf("np.tanh(%s)", h.name), h.shape, 1)
	case 1:
		s := fmt.Sprintf("%.3f", 2/h.bound)
		var f float64
		fmt.Sscan(s, &f)
		if f == 0 {
			s, f = "0.001", 0.001
		}
		return g.emit(fmt.Sprintf("%s * %s", h.name, s), h.shape, h.bound*f)
	default:
		g.trans = true
		d := math.Ceil(h.bound / 2)
		return g.emit(fmt.Sprintf("%s / %g", h.name, d), h.shape, h.bound/d)
	}
}

func (g *gen) model() (string, []float32, []float32, Info) {
	r := g.r
	var inShape []int
	declared := true
	switch k := g.pick(10); {
	case k < 4:
		inShape = []int{g.size()}
		declared = false // inferred from the first matrix product
	case k < 6:
		inShape = []int{g.size()}
	default:
		inShape = []int{g.size(), g.size()}
	}
	x := value{"x", inShape, 2}
	g.pool = []value{x}
	h := x
	nops := 2 + g.pick(5)
	if !declared {
		h = g.matmulFirst(h)
		nops--
	}
	for i := 0; i < nops; i++ {
		h = g.op(h)
		h = g.tame(h)
	}
	if len(h.shape) == 0 && g.chance(0.5) {
		// widen a scalar result back to an array
		c := g.constant([]int{g.size()}, 1, false)
		h = g.emit(fmt.Sprintf("%s * %s + %s", h.name, c.name, h.name), c.shape, h.bound*c.bound+h.bound)
	}
	if g.chance(0.15) {
		// dead code: computed, never used
		g.body = append(g.body, fmt.Sprintf("    unused = np.exp(np.tanh(%s)) * 2.0", h.name))
	}
	g.body = append(g.body, "    return "+h.name)

	var b strings.Builder
	b.WriteString("import numpy as np\n\n")
	if declared {
		fmt.Fprintf(&b, "INPUT_SHAPE = %s\n", shapeStr(inShape))
	}
	for _, l := range g.consts {
		b.WriteString(l + "\n")
	}
	if g.chance(0.4) {
		s, _ := g.lit(0.005, 0.1, false)
		if s == "0.0" || s == "0.00" || s == "0.000" {
			s = "0.05"
		}
		fmt.Fprintf(&b, "LEARNING_RATE = %s\n", s)
	}
	if len(g.params) > 1 && g.chance(0.25) {
		fmt.Fprintf(&b, "FROZEN = (%q,)\n", g.params[g.pick(len(g.params))])
	}
	b.WriteString("\n")
	for _, hdef := range g.helpers {
		b.WriteString("\n" + hdef + "\n")
	}
	b.WriteString("\ndef forward(x):\n")
	for _, l := range g.body {
		b.WriteString(l + "\n")
	}
	if g.chance(0.3) {
		fmt.Fprintf(&b, "\n\nif __name__ == \"__main__\":\n    print(forward(np.ones(%s)))\n", shapeStr(inShape))
	}

	input := make([]float32, size(inShape))
	for i := range input {
		input[i] = float32(4*r.Float64() - 2)
	}
	target := make([]float32, size(h.shape))
	for i := range target {
		target[i] = float32(2*r.Float64() - 1)
	}
	return b.String(), input, target, Info{InputShape: inShape, OutputShape: h.shape, Approx: g.trans}
}

// matmulFirst is the first operation of a model without INPUT_SHAPE: a
// product with x on the left that fixes x's (1-D) shape.
func (g *gen) matmulFirst(x value) value {
	n := x.shape[0]
	m := g.size()
	wshape := []int{n, m}
	if g.chance(0.15) {
		wshape = []int{n}
	}
	hi := math.Min(1, 2/float64(n))
	w := g.constant(wshape, hi, false)
	var expr string
	switch g.pick(3) {
	case 0:
		expr = fmt.Sprintf("x @ %s", w.name)
	case 1:
		expr = fmt.Sprintf("np.dot(x, %s)", w.name)
	default:
		expr = fmt.Sprintf("np.matmul(x, %s)", w.name)
	}
	bound := x.bound * float64(n) * w.bound
	shape := wshape[1:]
	if len(shape) == 1 && g.chance(0.6) {
		b := g.constant(shape, 0.5, false)
		expr += " + " + b.name
		bound += b.bound
		if g.chance(0.5) {
			expr = fmt.Sprintf("np.maximum(%s, 0.0)", expr)
		}
	}
	return g.emit(expr, shape, bound)
}

// op applies one random operation to h.
func (g *gen) op(h value) value {
	for {
		var v value
		var ok bool
		switch g.pick(17) {
		case 0, 1:
			v, ok = g.matmul(h)
		case 2, 3:
			v, ok = g.arith(h)
		case 4:
			v, ok = g.divide(h)
		case 5:
			v, ok = g.maxmin(h)
		case 6:
			v, ok = g.unary(h)
		case 7:
			v, ok = g.expLog(h)
		case 8:
			v, ok = g.reduce(h)
		case 9:
			v, ok = g.reshape(h)
		case 10:
			v, ok = g.where(h)
		case 11:
			v, ok = g.sigmoid(h)
		case 12:
			v, ok = g.softmax(h)
		case 13:
			v, ok = g.combine(h)
		case 14:
			v, ok = g.power(h)
		case 15:
			v, ok = g.slice(h)
		case 16:
			v, ok = g.center(h)
		}
		if ok {
			return v
		}
	}
}

func (g *gen) matmul(h value) (value, bool) {
	m := g.size()
	switch len(h.shape) {
	case 0:
		return value{}, false
	case 1:
		n := h.shape[0]
		hi := math.Min(1, 2/float64(n))
		if g.chance(0.3) {
			w := g.constant([]int{m, n}, hi, false)
			return g.emit(fmt.Sprintf("%s @ %s", w.name, h.name), []int{m}, h.bound*float64(n)*w.bound), true
		}
		if g.chance(0.1) {
			// 1-D · 1-D: a scalar
			w := g.constant([]int{n}, hi, false)
			return g.emit(fmt.Sprintf("np.dot(%s, %s)", h.name, w.name), nil, h.bound*float64(n)*w.bound), true
		}
		w := g.constant([]int{n, m}, hi, false)
		expr := fmt.Sprintf("%s @ %s", h.name, w.name)
		if g.chance(0.3) {
			expr = fmt.Sprintf("%s.dot(%s)", h.name, w.name)
		}
		bound := h.bound * float64(n) * w.bound
		if g.chance(0.5) {
			b := g.constant([]int{m}, 0.5, false)
			expr += " + " + b.name
			bound += b.bound
			switch g.pick(3) {
			case 0:
				expr = fmt.Sprintf("np.maximum(%s, 0.0)", expr)
			case 1:
				expr = fmt.Sprintf("np.tanh(%s)", expr)
				bound = 1
				g.trans = true
			}
		}
		return g.emit(expr, []int{m}, bound), true
	default:
		r, c := h.shape[0], h.shape[1]
		switch g.pick(4) {
		case 0: // h @ W
			hi := math.Min(1, 2/float64(c))
			w := g.constant([]int{c, m}, hi, false)
			expr := fmt.Sprintf("np.matmul(%s, %s)", h.name, w.name)
			if g.chance(0.5) {
				expr = fmt.Sprintf("%s @ %s", h.name, w.name)
			}
			bound := h.bound * float64(c) * w.bound
			if g.chance(0.4) {
				b := g.constant([]int{m}, 0.5, false)
				expr += " + " + b.name
				bound += b.bound
			}
			return g.emit(expr, []int{r, m}, bound), true
		case 1: // h.T @ W
			hi := math.Min(1, 2/float64(r))
			w := g.constant([]int{r, m}, hi, false)
			return g.emit(fmt.Sprintf("%s.T @ %s", h.name, w.name), []int{c, m}, h.bound*float64(r)*w.bound), true
		case 2: // W @ h
			hi := math.Min(1, 2/float64(r))
			w := g.constant([]int{m, r}, hi, false)
			return g.emit(fmt.Sprintf("np.dot(%s, %s)", w.name, h.name), []int{m, c}, h.bound*float64(r)*w.bound), true
		default: // h @ v
			hi := math.Min(1, 2/float64(c))
			w := g.constant([]int{c}, hi, false)
			return g.emit(fmt.Sprintf("%s @ %s", h.name, w.name), []int{r}, h.bound*float64(c)*w.bound), true
		}
	}
}

func (g *gen) arith(h value) (value, bool) {
	c := g.operand(h.shape, 1.5, false)
	shape := broadcast(h.shape, c.shape)
	switch g.pick(6) {
	case 0:
		return g.emit(fmt.Sprintf("%s + %s", h.name, c.name), shape, h.bound+c.bound), true
	case 1:
		return g.emit(fmt.Sprintf("%s - %s", c.name, h.name), shape, h.bound+c.bound), true
	case 2:
		return g.emit(fmt.Sprintf("%s * %s", h.name, c.name), shape, h.bound*c.bound), true
	case 3:
		return g.emit(fmt.Sprintf("%s * %s + %s", c.name, h.name, h.name), shape, h.bound*c.bound+h.bound), true
	case 4:
		return g.emit(fmt.Sprintf("-%s + %s", h.name, c.name), shape, h.bound+c.bound), true
	default:
		return g.emit(fmt.Sprintf("(%s - %s) * 0.5", h.name, c.name), shape, (h.bound+c.bound)*0.5), true
	}
}

func (g *gen) divide(h value) (value, bool) {
	g.trans = true
	switch g.pick(3) {
	case 0:
		c := g.operand(h.shape, 2, true)
		shape := broadcast(h.shape, c.shape)
		return g.emit(fmt.Sprintf("%s / %s", h.name, c.name), shape, h.bound/0.5), true
	case 1:
		return g.emit(fmt.Sprintf("%s / (1 + %s * %s)", h.name, h.name, h.name), h.shape, h.bound), true
	default:
		// divide by 1 + y*y for another value y of a compatible shape
		y := g.pool[g.pick(len(g.pool))]
		if !compatible(h.shape, y.shape) || len(broadcast(h.shape, y.shape)) > 2 {
			y = h
		}
		return g.emit(fmt.Sprintf("%s / (1.0 + %s * %s)", h.name, y.name, y.name), broadcast(h.shape, y.shape), h.bound), true
	}
}

func (g *gen) maxmin(h value) (value, bool) {
	switch g.pick(4) {
	case 0:
		return g.emit(fmt.Sprintf("np.maximum(%s, 0)", h.name), h.shape, h.bound), true
	case 1:
		c := g.operand(h.shape, 1, false)
		return g.emit(fmt.Sprintf("np.maximum(%s, %s)", h.name, c.name), broadcast(h.shape, c.shape), math.Max(h.bound, c.bound)), true
	case 2:
		c := g.operand(h.shape, 1, false)
		return g.emit(fmt.Sprintf("np.minimum(%s, %s)", c.name, h.name), broadcast(h.shape, c.shape), math.Max(h.bound, c.bound)), true
	default:
		lo, flo := g.lit(-2, 0, false)
		hi, fhi := g.lit(0.1, 2, false)
		if fhi <= flo {
			hi, fhi = "1.0", 1
		}
		return g.emit(fmt.Sprintf("np.clip(%s, %s, %s)", h.name, lo, hi), h.shape, math.Max(math.Abs(flo), math.Abs(fhi))), true
	}
}

func (g *gen) unary(h value) (value, bool) {
	switch g.pick(4) {
	case 0:
		g.trans = true
		return g.emit(fmt.Sprintf("np.tanh(%s)", h.name), h.shape, 1), true
	case 1:
		return g.emit(fmt.Sprintf("np.abs(%s)", h.name), h.shape, h.bound), true
	case 2:
		return g.emit(fmt.Sprintf("-%s", h.name), h.shape, h.bound), true
	default:
		return g.emit(fmt.Sprintf("np.negative(np.abs(%s)) + 1.0", h.name), h.shape, h.bound+1), true
	}
}

func (g *gen) expLog(h value) (value, bool) {
	g.trans = true
	switch g.pick(6) {
	case 0:
		return g.emit(fmt.Sprintf("np.exp(np.tanh(%s))", h.name), h.shape, math.E), true
	case 1:
		return g.emit(fmt.Sprintf("np.exp(np.clip(%s, -3.0, 2.0))", h.name), h.shape, math.Exp(2)), true
	case 2:
		if h.bound > 3 {
			return value{}, false
		}
		return g.emit(fmt.Sprintf("np.exp(%s)", h.name), h.shape, math.Exp(h.bound)), true
	case 3:
		return g.emit(fmt.Sprintf("np.log(1 + %s * %s)", h.name, h.name), h.shape, math.Log(1+h.bound*h.bound)), true
	case 4:
		c, f := g.lit(0.2, 1, false)
		if f < 0.2 {
			c = "0.5"
		}
		return g.emit(fmt.Sprintf("np.log(np.abs(%s) + %s)", h.name, c), h.shape, math.Max(1.7, math.Log(h.bound+1))), true
	default:
		c, f := g.lit(0.1, 1, false)
		if f < 0.1 {
			c, f = "0.5", 0.5
		}
		if g.chance(0.5) {
			return g.emit(fmt.Sprintf("np.sqrt(%s * %s + %s)", h.name, h.name, c), h.shape, h.bound+1), true
		}
		return g.emit(fmt.Sprintf("np.sqrt(np.abs(%s) + %s)", h.name, c), h.shape, math.Sqrt(h.bound+1)), true
	}
}

var reductions = []string{"sum", "mean", "max", "min"}

func (g *gen) reduce(h value) (value, bool) {
	fn := reductions[g.pick(len(reductions))]
	if fn == "max" && g.chance(0.3) {
		fn = "amax"
	}
	grow := 1.0
	switch len(h.shape) {
	case 0:
		return value{}, false
	case 1:
		if fn == "sum" {
			grow = float64(h.shape[0])
		}
		if g.chance(0.5) {
			// keepdims: (n,) -> (1,)
			return g.emit(fmt.Sprintf("np.%s(%s, axis=0, keepdims=True)", fn, h.name), []int{1}, h.bound*grow), true
		}
		if fn == "amax" {
			fn = "max"
		}
		return g.emit(fmt.Sprintf("%s.%s()", h.name, fn), nil, h.bound*grow), true
	default:
		ax := g.pick(2)
		if fn == "sum" {
			grow = float64(h.shape[ax])
		}
		axs := fmt.Sprint(ax)
		if ax == 1 && g.chance(0.4) {
			axs = "-1"
		}
		keep := g.chance(0.4)
		var shape []int
		if keep {
			shape = append([]int{}, h.shape...)
			shape[ax] = 1
		} else {
			shape = []int{h.shape[1-ax]}
		}
		var expr string
		if g.chance(0.5) && fn != "amax" {
			if keep {
				expr = fmt.Sprintf("%s.%s(axis=%s, keepdims=True)", h.name, fn, axs)
			} else {
				expr = fmt.Sprintf("%s.%s(axis=%s)", h.name, fn, axs)
			}
		} else if keep {
			expr = fmt.Sprintf("np.%s(%s, axis=%s, keepdims=True)", fn, h.name, axs)
		} else {
			expr = fmt.Sprintf("np.%s(%s, axis=%s)", fn, h.name, axs)
		}
		return g.emit(expr, shape, h.bound*grow), true
	}
}

// center subtracts a reduction of h from h (a broadcast back).
func (g *gen) center(h value) (value, bool) {
	fn := reductions[g.pick(len(reductions))]
	switch len(h.shape) {
	case 0:
		return value{}, false
	case 1:
		return g.emit(fmt.Sprintf("%s - np.%s(%s)", h.name, fn, h.name), h.shape, 2*h.bound), true
	default:
		ax := g.pick(2)
		return g.emit(fmt.Sprintf("%s - np.%s(%s, axis=%d, keepdims=True)", h.name, fn, h.name, ax), h.shape, 2*h.bound), true
	}
}

func (g *gen) reshape(h value) (value, bool) {
	switch len(h.shape) {
	case 0:
		return value{}, false
	case 1:
		n := h.shape[0]
		var divs []int
		for d := 1; d <= n; d++ {
			if n%d == 0 {
				divs = append(divs, d)
			}
		}
		a := divs[g.pick(len(divs))]
		shape := []int{a, n / a}
		if g.chance(0.5) {
			return g.emit(fmt.Sprintf("%s.reshape(%d, %d)", h.name, a, n/a), shape, h.bound), true
		}
		return g.emit(fmt.Sprintf("np.reshape(%s, (%d, %d))", h.name, a, n/a), shape, h.bound), true
	default:
		r, c := h.shape[0], h.shape[1]
		switch g.pick(4) {
		case 0:
			return g.emit(h.name+".T", []int{c, r}, h.bound), true
		case 1:
			return g.emit(fmt.Sprintf("np.transpose(%s)", h.name), []int{c, r}, h.bound), true
		case 2:
			return g.emit(fmt.Sprintf("%s.reshape(%d)", h.name, r*c), []int{r * c}, h.bound), true
		default:
			return g.emit(fmt.Sprintf("%s.reshape((%d, %d))", h.name, c, r), []int{c, r}, h.bound), true
		}
	}
}

var comparisons = []string{">", "<", ">=", "<="}

func (g *gen) where(h value) (value, bool) {
	cmp := comparisons[g.pick(len(comparisons))]
	t, _ := g.lit(-0.5, 0.5, false)
	switch g.pick(3) {
	case 0: // leaky relu
		a, fa := g.lit(0.01, 0.3, false)
		return g.emit(fmt.Sprintf("np.where(%s %s %s, %s, %s * %s)", h.name, cmp, t, h.name, a, h.name), h.shape, h.bound*math.Max(1, math.Abs(fa))), true
	case 1: // select between constants
		a := g.operand(h.shape, 1, false)
		b, fb := g.lit(-1, 1, false)
		return g.emit(fmt.Sprintf("np.where(%s %s %s, %s, %s)", h.name, cmp, t, a.name, b), broadcast(h.shape, a.shape), math.Max(a.bound, math.Abs(fb))), true
	default: // mask: compare one value, select from h
		c := g.operand(h.shape, 1, false)
		shape := broadcast(h.shape, c.shape)
		return g.emit(fmt.Sprintf("np.where(%s %s %s, %s, 0.0)", c.name, cmp, h.name, h.name), shape, h.bound), true
	}
}

func (g *gen) sigmoid(h value) (value, bool) {
	g.trans = true
	arg := h.name
	if h.bound > 15 {
		arg = fmt.Sprintf("np.clip(%s, -15.0, 15.0)", h.name)
	}
	if g.chance(0.4) {
		if !g.helper["sigmoid"] {
			g.helper["sigmoid"] = true
			g.helpers = append(g.helpers, "def sigmoid(z):\n    return 1.0 / (1.0 + np.exp(-z))")
		}
		return g.emit(fmt.Sprintf("sigmoid(%s)", arg), h.shape, 1), true
	}
	return g.emit(fmt.Sprintf("1 / (1 + np.exp(-%s))", parens(arg)), h.shape, 1), true
}

func parens(s string) string {
	if strings.ContainsAny(s, " ") {
		return "(" + s + ")"
	}
	return s
}

func (g *gen) softmax(h value) (value, bool) {
	g.trans = true
	e := g.newVar()
	switch len(h.shape) {
	case 0:
		return value{}, false
	case 1:
		g.body = append(g.body, fmt.Sprintf("    %s = np.exp(%s - np.max(%s))", e, h.name, h.name))
		return g.emit(fmt.Sprintf("%s / np.sum(%s)", e, e), h.shape, 1), true
	default:
		ax := g.pick(2)
		axs := fmt.Sprint(ax)
		if ax == 1 && g.chance(0.5) {
			axs = "-1"
		}
		g.body = append(g.body, fmt.Sprintf("    %s = np.exp(%s - %s.max(axis=%s, keepdims=True))", e, h.name, h.name, axs))
		return g.emit(fmt.Sprintf("%s / np.sum(%s, axis=%s, keepdims=True)", e, e, axs), h.shape, 1), true
	}
}

// combine mixes h with an earlier value (often x) of a compatible shape.
func (g *gen) combine(h value) (value, bool) {
	var cands []value
	for _, v := range g.pool {
		if v.name != h.name && compatible(h.shape, v.shape) && len(broadcast(h.shape, v.shape)) <= 2 {
			cands = append(cands, v)
		}
	}
	if len(cands) == 0 {
		return value{}, false
	}
	y := cands[g.pick(len(cands))]
	shape := broadcast(h.shape, y.shape)
	switch g.pick(3) {
	case 0:
		return g.emit(fmt.Sprintf("%s + %s", h.name, y.name), shape, h.bound+y.bound), true
	case 1:
		return g.emit(fmt.Sprintf("%s * %s", h.name, y.name), shape, h.bound*y.bound), true
	default:
		return g.emit(fmt.Sprintf("%s - 0.5 * %s", y.name, h.name), shape, y.bound+h.bound/2), true
	}
}

func (g *gen) power(h value) (value, bool) {
	switch g.pick(4) {
	case 0, 1:
		return g.emit(fmt.Sprintf("%s ** 2", h.name), h.shape, h.bound*h.bound), true
	case 2:
		if h.bound > 3 {
			return value{}, false
		}
		return g.emit(fmt.Sprintf("%s ** 3", h.name), h.shape, h.bound*h.bound*h.bound), true
	default:
		g.trans = true
		return g.emit(fmt.Sprintf("(%s * %s + 1.0) ** 0.5", h.name, h.name), h.shape, h.bound+1), true
	}
}

func (g *gen) slice(h value) (value, bool) {
	switch len(h.shape) {
	case 0:
		return value{}, false
	case 1:
		n := h.shape[0]
		if n == 1 {
			return g.emit(fmt.Sprintf("%s[0] * %s", h.name, h.name), h.shape, h.bound*h.bound), true
		}
		a := g.pick(n - 1)
		b := a + 1 + g.pick(n-a-1)
		if g.chance(0.3) {
			return g.emit(fmt.Sprintf("%s[%d] + %s", h.name, a, h.name), h.shape, 2*h.bound), true
		}
		return g.emit(fmt.Sprintf("%s[%d:%d]", h.name, a, b+1), []int{b + 1 - a}, h.bound), true
	default:
		r := h.shape[0]
		if r == 1 {
			return g.emit(fmt.Sprintf("%s[0]", h.name), h.shape[1:], h.bound), true
		}
		a := g.pick(r - 1)
		return g.emit(fmt.Sprintf("%s[%d:]", h.name, a), []int{r - a, h.shape[1]}, h.bound), true
	}
}
