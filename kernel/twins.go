//go:build tamago && arm64

package main

// Plain Go twins of two example models (compiler/frontend/testdata/models),
// for bench: the same function written as ordinary Go inside the image,
// reading the muscle's own weights from its state buffer (slot offsets as
// musclec lays them out: each parameter 16-byte aligned, in source order).
// bench checks that a twin agrees with the muscle before timing it.

// twin computes a model's output y from input x and state s (float32s).
type twin func(x, y, s []float32)

var twins = map[string]twin{
	"single_neuron": singleNeuron,
	"relu_mlp":      reluMLP,
}

// singleNeuron: max(0, x·W + b); W at 0, b at 16 bytes.
func singleNeuron(x, y, s []float32) {
	acc := s[4]
	for i := 0; i < 4; i++ {
		acc += x[i] * s[i]
	}
	y[0] = max(acc, 0)
}

// reluMLP: max(x @ W1 + b1, 0) @ W2 + b2; W1 (4×3) at 0, b1 at 48, W2
// (3×2) at 64, b2 at 96 bytes.
func reluMLP(x, y, s []float32) {
	w1, b1, w2, b2 := s[0:12], s[12:15], s[16:22], s[24:26]
	var h [3]float32
	for j := range h {
		acc := b1[j]
		for i := 0; i < 4; i++ {
			acc += x[i] * w1[i*3+j]
		}
		h[j] = max(acc, 0)
	}
	for k := 0; k < 2; k++ {
		acc := b2[k]
		for j := range h {
			acc += h[j] * w2[j*2+k]
		}
		y[k] = acc
	}
}
