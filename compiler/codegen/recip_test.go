package codegen

import (
	"math"
	"math/rand"
	"testing"
)

// TestExactReciprocal: exactly the powers of two with a normal reciprocal
// are taken, and for them x*(1/c) is x/c bit for bit, subnormal, infinite
// and NaN x included.
func TestExactReciprocal(t *testing.T) {
	for _, c := range []float32{3, 0.3, 0, -6, float32(math.Inf(1)), float32(math.NaN()), math.SmallestNonzeroFloat32, 0x1p-127, 0x1p127} {
		if _, ok := exactReciprocal(c); ok {
			t.Errorf("%g taken", c)
		}
	}
	r := rand.New(rand.NewSource(5))
	xs := []float32{0, float32(math.Copysign(0, -1)), math.SmallestNonzeroFloat32, math.MaxFloat32, float32(math.Inf(-1)), float32(math.NaN())}
	for range 2000 {
		xs = append(xs, math.Float32frombits(r.Uint32()))
	}
	for k := -120; k <= 120; k++ {
		for _, sign := range []float32{1, -1} {
			c := sign * float32(math.Ldexp(1, k))
			rc, ok := exactReciprocal(c)
			if !ok {
				t.Fatalf("%g refused", c)
			}
			for _, x := range xs {
				q, p := x/c, x*rc
				if math.Float32bits(q) != math.Float32bits(p) && !(q != q && p != p) {
					t.Fatalf("%g / %g = %g, but * %g = %g", x, c, q, rc, p)
				}
			}
		}
	}
}
