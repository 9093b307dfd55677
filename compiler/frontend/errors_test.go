package frontend

import (
	"errors"
	"testing"

	"github.com/muscles/referee/compiler/python"
)

func TestErrors(t *testing.T) {
	const head = "import numpy as np\nW = np.array([0.5, -0.25, 0.75, -1.0])\n"
	tests := []struct {
		name, src, want, construct string
	}{
		{"fft", head + "def forward(x):\n    y = x @ W\n    return np.fft.fft(y)\n",
			"m.py:5:12: np.fft.fft is not supported", "np.fft.fft"},
		{"unknown np function", head + "def forward(x):\n    return np.sin(x @ W)\n",
			"m.py:4:12: np.sin is not supported", "np.sin"},
		{"dot not aligned", head + "V = np.ones(3)\nINPUT_SHAPE = (3,)\ndef forward(x):\n    return np.dot(x, W)\n",
			"m.py:6:12: np.dot: shapes (3,) and (4,) not aligned", "np.dot"},
		{"matmul operator not aligned", head + "INPUT_SHAPE = (2, 3)\ndef forward(x):\n    return x @ W\n",
			"m.py:5:14: operator @: shapes (2, 3) and (4,) not aligned", "operator @"},
		{"broadcast", head + "def forward(x):\n    return x @ np.ones((4, 2)) + np.ones(3)\n",
			"m.py:4:32: operator +: operands could not be broadcast together with shapes (2,) (3,)", "operator +"},
		{"broadcast 2", head + "INPUT_SHAPE = (2, 3)\ndef forward(x):\n    return x + W\n",
			"m.py:5:14: operator +: operands could not be broadcast together with shapes (2, 3) (4,)", "operator +"},
		{"constant broadcast", head + "V = W + np.ones(3)\ndef forward(x):\n    return x @ W\n",
			"m.py:3:7: operator +: operands could not be broadcast together with shapes (4,) (3,)", "operator +"},
		{"no input shape", head + "def forward(x):\n    return np.tanh(x)\n",
			"m.py:4:12: cannot infer the shape of input x from np.tanh; add INPUT_SHAPE = (...) to the module", "np.tanh"},
		{"no forward", head, "m.py:1:1: the module has no def forward(x)", "forward"},
		{"two args", head + "def forward(x, y):\n    return x\n",
			"m.py:3:1: forward must take exactly one argument (the input), not 2", "forward"},
		{"comparison outside where", head + "def forward(x):\n    return (x @ W) > 0\n",
			"m.py:4:20: comparisons are only supported as the condition of np.where", "comparison"},
		{"traced exponent", head + "def forward(x):\n    y = x @ W\n    return 2 ** y\n",
			"m.py:5:14: the exponent of ** must be a compile-time scalar constant", "operator **"},
		{"axis tuple", head + "INPUT_SHAPE = (2, 2)\ndef forward(x):\n    return np.sum(x, axis=(0, 1))\n",
			"m.py:5:27: np.sum: axis must be an int or None (axis tuples are not supported)", "np.sum"},
		{"axis out of range", head + "INPUT_SHAPE = (2, 2)\ndef forward(x):\n    return x.sum(axis=2)\n",
			"m.py:5:12: .sum(): axis 2 is out of bounds for array of dimension 2", ".sum()"},
		{"index out of range", head + "def forward(x):\n    y = x @ W\n    return x[4] + y\n",
			"m.py:5:14: index 4 is out of bounds for axis with size 4", "indexing"},
		{"bad keyword", head + "def forward(x):\n    return np.sum(x @ W, out=None)\n",
			"m.py:4:26: np.sum: keyword argument out= is not supported", "np.sum"},
		{"undefined name", head + "def forward(x):\n    return x @ V\n",
			"m.py:4:16: name V is not defined", "V"},
		{"np.array of traced", head + "def forward(x):\n    y = x @ W\n    return np.array([y, y])\n",
			"m.py:5:12: np.array of a traced value is not supported (use the value itself)", "np.array"},
		{"bad reshape", head + "M = np.arange(6).reshape(4, 2)\ndef forward(x):\n    return x @ W\n",
			"m.py:3:5: .reshape(): cannot reshape array of size 6 into shape (4, 2)", ".reshape()"},
		{"frozen unknown", head + "FROZEN = (\"Q\",)\ndef forward(x):\n    return x @ W\n",
			"m.py:3:1: FROZEN names \"Q\", which is not a module-level constant", "FROZEN"},
		{"parse error", head + "def forward(x):\n    while x:\n        pass\n    return x\n",
			"", ""},
		{"unknown method", head + "def forward(x):\n    return (x @ W).argmax()\n",
			"m.py:4:13: method .argmax() is not supported", ".argmax()"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile("m.py", []byte(tc.src))
			if err == nil {
				t.Fatal("no error")
			}
			var pe *python.Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v is not a *python.Error", err, err)
			}
			if tc.want != "" && err.Error() != tc.want {
				t.Errorf("error\n got %s\nwant %s", err, tc.want)
			}
			if tc.construct != "" && pe.Construct != tc.construct {
				t.Errorf("construct %q, want %q", pe.Construct, tc.construct)
			}
		})
	}
}

// TestInputShape checks INPUT_SHAPE and the inference from x @ W.
func TestInputShape(t *testing.T) {
	tests := []struct{ src, want string }{
		{"import numpy as np\nW = np.ones((4, 3))\ndef forward(x):\n    return x @ W\n", "(4,)"},
		{"import numpy as np\nW = np.ones((2, 5))\ndef forward(x):\n    return np.dot(W, x)\n", "(5,)"},
		{"import numpy as np\nW = np.ones(6)\ndef forward(x):\n    return np.matmul(x, W)\n", "(6,)"},
		{"import numpy as np\nINPUT_SHAPE = (2, 3)\ndef forward(x):\n    return x * 2\n", "(2, 3)"},
		{"import numpy as np\ndef forward(x: (2, 3)):\n    return x * 2\n", "(2, 3)"},
		{"import numpy as np\ndef forward(x: 5):\n    return np.tanh(x)\n", "(5,)"},
		{"import numpy as np\nW = np.ones((4, 2))\ndef forward(x: np.ndarray):\n    return x @ W\n", "(4,)"},
		{"import numpy as np\nINPUT_SHAPE = 5\ndef forward(x):\n    return x\n", "(5,)"},
	}
	for _, tc := range tests {
		m, err := Compile("m.py", []byte(tc.src))
		if err != nil {
			t.Errorf("%q: %v", tc.src, err)
			continue
		}
		if got := m.InputShape.String(); got != tc.want {
			t.Errorf("%q: input shape %s, want %s", tc.src, got, tc.want)
		}
		if m.Graph.Values[0].Op.String() != "input" {
			t.Errorf("%q: the input is not the first value:\n%s", tc.src, m.Graph)
		}
	}
}
