package autodiff

import (
	"math/rand/v2"
	"strings"
	"testing"
)

const toyModel = `import numpy as np
W = np.array([0.1, -0.1])
b = 0.0
LEARNING_RATE = 0.5


def forward(x):
    return 1 / (1 + np.exp(-(np.dot(x, W) + b)))
`

// TestLearningPersists trains a sigmoid neuron with Step on a linearly
// separable problem (label 1 iff x0 + 2·x1 > 0.2), feeding each step the
// previous step's parameters; the mean loss must fall and every point end
// on the right side.
func TestLearningPersists(t *testing.T) {
	tg, err := TrainFile("toy.py", []byte(toyModel))
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	var xs, ys [][]float32
	for len(xs) < 40 {
		x := []float32{float32(2*r.Float64() - 1), float32(2*r.Float64() - 1)}
		s := x[0] + 2*x[1] - 0.2
		if s > -0.1 && s < 0.1 {
			continue // keep a margin
		}
		y := float32(0)
		if s > 0 {
			y = 1
		}
		xs, ys = append(xs, x), append(ys, []float32{y})
	}
	var params map[string][]float32
	meanLoss := func() float64 {
		total := 0.0
		for i := range xs {
			l, err := Loss(tg, xs[i], ys[i], params)
			if err != nil {
				t.Fatal(err)
			}
			total += float64(l)
		}
		return total / float64(len(xs))
	}
	first := meanLoss()
	prev := first
	for epoch := range 60 {
		for i := range xs {
			_, next, err := Step(tg, xs[i], ys[i], params)
			if err != nil {
				t.Fatal(err)
			}
			params = next
		}
		if epoch%20 == 19 {
			l := meanLoss()
			if !(l < prev) {
				t.Errorf("epoch %d: mean loss %v did not fall below %v", epoch, l, prev)
			}
			prev = l
		}
	}
	if !(prev < first/4) {
		t.Errorf("mean loss went from %v to %v, want a fall by 4x", first, prev)
	}
	for i := range xs {
		y, _, err := Step(tg, xs[i], ys[i], params)
		if err != nil {
			t.Fatal(err)
		}
		if (y[0] > 0.5) != (ys[i][0] == 1) {
			t.Errorf("point %v (label %v) scored %v after training", xs[i], ys[i][0], y[0])
		}
	}
}

func TestTrainErrors(t *testing.T) {
	cases := []struct{ src, want string }{
		{toyModel + "\n\ndef loss(y):\n    return y\n", "exactly two arguments"},
		{toyModel + "\n\ndef loss(y, target):\n    return y - target + W\n", "must return a scalar"},
		{toyModel + "\n\ndef loss(y, target):\n    return np.fft.fft(y)\n", "toy.py:"},
	}
	for _, c := range cases {
		_, err := TrainFile("toy.py", []byte(c.src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("TrainFile error %v, want one containing %q", err, c.want)
		}
	}
}
