package numpytest

import "math/rand/v2"

// Uniform returns n vectors of k values drawn from r, uniform in
// [-scale, scale] and rounded to float32 (so Go and NumPy see the same
// numbers); scale 0 gives one-hot vectors.
func Uniform(r *rand.Rand, n, k int, scale float64) [][]float32 {
	out := make([][]float32, n)
	for i := range out {
		out[i] = make([]float32, k)
		if scale == 0 {
			out[i][r.IntN(k)] = 1
			continue
		}
		for j := range out[i] {
			out[i][j] = float32((2*r.Float64() - 1) * scale)
		}
	}
	return out
}

// Sixteenths returns n vectors of k values drawn from r, multiples of 1/16
// in [-2, 2]: exact in float32 and float64, so no rounding blurs a
// comparison with NumPy.
func Sixteenths(r *rand.Rand, n, k int) [][]float32 {
	var out [][]float32
	for range n {
		x := make([]float32, k)
		for i := range x {
			x[i] = float32(r.IntN(65)-32) / 16
		}
		out = append(out, x)
	}
	return out
}
