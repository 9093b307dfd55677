package frontend

import (
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"lukechampine.com/blake3"

	"github.com/muscles/referee/compiler/ir"
	"github.com/muscles/referee/compiler/numpytest"
	"github.com/muscles/referee/compiler/python"
)

// numpyWrite runs a NumPy script in dir (it writes the data files).
func numpyWrite(t *testing.T, dir, script string) {
	t.Helper()
	numpytest.Need(t)
	cmd := exec.Command(numpytest.Python, "-c", "import numpy as np\n"+script)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
}

// writeModel writes a model file into dir and compiles it from its path.
func writeModel(t *testing.T, dir, src string) (string, *ir.Model, error) {
	t.Helper()
	path := filepath.Join(dir, "m.py")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := Compile(path, []byte(src))
	return path, m, err
}

// TestLoadValues writes .npy and .npz files with NumPy (np.save, np.savez,
// np.savez_compressed; float32 and float64; shapes (), (3,), (2, 3),
// (2, 2, 2)) beside a model, compiles it, and checks every parameter's
// initial value against the array NumPy itself loads (through the
// frontend tests' NumPy driver, which runs the model from elsewhere), and
// the model's Sources.
func TestLoadValues(t *testing.T) {
	dir := t.TempDir()
	numpyWrite(t, dir, `
rng = np.random.default_rng(3)
arrays = {}
for dt in ("f4", "f8"):
    for shape in [(), (3,), (2, 3), (2, 2, 2)]:
        a = rng.normal(size=shape).astype(dt)
        name = "%s_%d" % (dt, len(shape))
        np.save(name + ".npy", a)
        arrays[name] = a
np.savez("plain.npz", **arrays)
np.savez_compressed("packed.npz", **arrays)
`)
	var src strings.Builder
	src.WriteString("import numpy as np\nINPUT_SHAPE = (2, 2, 2)\nPLAIN = np.load(\"plain.npz\")\n")
	var names []string
	for _, dt := range []string{"f4", "f8"} {
		for rank := range 4 {
			key := fmt.Sprintf("%s_%d", dt, rank)
			fmt.Fprintf(&src, "N_%s = np.load(\"%s.npy\")\n", key, key)
			fmt.Fprintf(&src, "P_%s = PLAIN[\"%s\"]\n", key, key)
			fmt.Fprintf(&src, "Z_%s = np.load(\"./packed.npz\")[\"%s\"]\n", key, key)
			names = append(names, "N_"+key, "P_"+key, "Z_"+key)
		}
	}
	// Folded constants: float64 data folds as NumPy folds it.
	src.WriteString("D = np.load(\"f8_2.npy\") * 3 - np.load(\"f8_1.npy\")\n")
	names = append(names, "D")
	src.WriteString("def forward(x):\n    y = x\n")
	for _, n := range names {
		fmt.Fprintf(&src, "    y = y + np.sum(%s)\n", n)
	}
	src.WriteString("    return y\n")
	path, m, err := writeModel(t, dir, src.String())
	if err != nil {
		t.Fatal(err)
	}

	// NumPy runs the model from this package's directory: the driver
	// must run it in the model's own.
	var ref numpyReply
	numpytest.Run(t, filepath.Join("testdata", "numpy_forward.py"), []string{path},
		map[string]any{"shape": []int{2, 2, 2}, "inputs": [][]float32{make([]float32, 8)}, "globals": names}, &ref)
	var got []string
	for _, p := range m.Params {
		got = append(got, p.Name)
		want, ok := ref.Globals[p.Name]
		if !ok {
			t.Errorf("NumPy has no global %s", p.Name)
			continue
		}
		if len(want) != len(p.Init) {
			t.Errorf("%s: %d values, NumPy's has %d", p.Name, len(p.Init), len(want))
			continue
		}
		for i := range want {
			if math.Float32bits(p.Init[i]) != math.Float32bits(float32(want[i])) {
				t.Errorf("%s: element %d is %v, NumPy's is %v", p.Name, i, p.Init[i], want[i])
			}
		}
		rank := len(p.Shape)
		if p.Name != "D" && !strings.HasSuffix(p.Name, fmt.Sprint(rank)) {
			t.Errorf("%s has shape %s", p.Name, p.Shape)
		}
	}
	if !slices.Equal(got, names) {
		t.Errorf("parameters %v, want %v", got, names)
	}

	var sources []string
	for _, s := range m.Sources {
		sources = append(sources, s.Path)
		b, err := os.ReadFile(filepath.Join(dir, s.Path))
		if err != nil {
			t.Fatal(err)
		}
		if s.BLAKE3 != blake3.Sum256(b) {
			t.Errorf("%s: BLAKE3 %x is not the file's", s.Path, s.BLAKE3)
		}
	}
	// Each file once, in the order first read, as first written.
	want := []string{"plain.npz", "f4_0.npy", "./packed.npz", "f4_1.npy", "f4_2.npy", "f4_3.npy",
		"f8_0.npy", "f8_1.npy", "f8_2.npy", "f8_3.npy"}
	if !slices.Equal(sources, want) {
		t.Errorf("sources %v, want %v", sources, want)
	}
}

// TestLoadSubdir: the path is relative to the model's directory, not to
// the working directory, and may name a subdirectory.
func TestLoadSubdir(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "w"), 0o755); err != nil {
		t.Fatal(err)
	}
	numpyWrite(t, dir, `np.save("w/v.npy", np.array([0.5, -1.5, 2.0]))`)
	_, m, err := writeModel(t, dir, "import numpy as np\nV = np.load(\"w/v.npy\")\ndef forward(x: 3):\n    return x * V\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Params) != 1 || fmt.Sprint(m.Params[0].Init) != "[0.5 -1.5 2]" || len(m.Sources) != 1 || m.Sources[0].Path != "w/v.npy" {
		t.Errorf("params %+v, sources %+v", m.Params, m.Sources)
	}
}

// TestLoadErrors checks every refusal and its message.
func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	numpyWrite(t, dir, `
np.save("i64.npy", np.arange(3))
np.save("be.npy", np.ones(3, dtype=">f4"))
np.save("fortran.npy", np.asfortranarray(np.ones((2, 3))))
np.save("rank4.npy", np.ones((1, 2, 1, 2)))
np.save("object.npy", np.array([1, "a"], dtype=object), allow_pickle=True)
np.save("good.npy", np.ones(4))
np.savez("w.npz", **{"fc1.weight": np.ones((4, 2)), "fc1.bias": np.zeros(2), "steps": np.arange(2), "r4": np.ones((1, 1, 1, 1))})
np.savez("empty.npz")
`)
	good, err := os.ReadFile(filepath.Join(dir, "good.npy"))
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{
		"truncated.npy": good[:20],
		"short.npy":     good[:len(good)-3],
		"badheader.npy": append([]byte("\x93NUMPY\x01\x00\x05\x00{'de"), good[15:]...),
		"pickle.npy":    []byte("\x80\x04\x95 a pickle"),
		"nothing.npy":   nil,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A file over 256 MiB (sparse: nothing is written).
	f, err := os.Create(filepath.Join(dir, "huge.npy"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(256<<20 + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := os.Mkdir(filepath.Join(dir, "adir.npy"), 0o755); err != nil {
		t.Fatal(err)
	}

	model := filepath.Join(dir, "m.py")
	for _, tc := range []struct{ name, expr, want string }{
		{"int64", `np.load("i64.npy")`, `2:13: np.load: i64.npy: dtype '<i8' is not supported: want a float array, '<f4' (float32) or '<f8' (float64)`},
		{"big-endian", `np.load("be.npy")`, `2:13: np.load: be.npy: dtype '>f4' is big-endian; only little-endian '<f4' (float32) and '<f8' (float64) are supported`},
		{"fortran", `np.load("fortran.npy")`, `2:13: np.load: fortran.npy: the array is in Fortran order (fortran_order True); save np.ascontiguousarray(a) instead`},
		{"rank 4", `np.load("rank4.npy")`, `2:13: np.load: rank4.npy: rank 4 (shape (1, 2, 1, 2)) is above the supported 3`},
		{"object", `np.load("object.npy")`, `2:13: np.load: object.npy: dtype '|O' is an object array (pickled Python objects), not supported`},
		{"missing file", `np.load("nope.npz")["fc1.weight"]`, `2:13: np.load: data file nope.npz does not exist (looked for ` + filepath.Join(dir, "nope.npz") + `, relative to the model file)`},
		{"missing key", `np.load("w.npz")["fc2.weight"]`, `2:22: np.load: w.npz has no key "fc2.weight"; its keys are "fc1.bias", "fc1.weight", "r4", "steps"`},
		{"no keys", `np.load("empty.npz")["a"]`, `2:26: np.load: empty.npz has no key "a"; it holds no arrays`},
		{"int64 member", `np.load("w.npz")["steps"]`, `2:22: np.load: w.npz["steps"]: dtype '<i8' is not supported: want a float array, '<f4' (float32) or '<f8' (float64)`},
		{"rank 4 member", `np.load("w.npz")["r4"]`, `2:22: np.load: w.npz["r4"]: rank 4 (shape (1, 1, 1, 1)) is above the supported 3`},
		{"truncated header", `np.load("truncated.npy")`, `2:13: np.load: truncated.npy: truncated header: it declares 118 bytes, the file has 10 after the preamble`},
		{"truncated data", `np.load("short.npy")`, `2:13: np.load: short.npy: truncated: shape (4,) of '<f8' takes 32 data bytes, the file has 29`},
		{"bad header", `np.load("badheader.npy")`, `2:13: np.load: badheader.npy: bad header: at byte 1: unterminated string`},
		{"pickle", `np.load("pickle.npy")`, `2:13: np.load: pickle.npy is neither a .npy file nor an .npz archive (NumPy would unpickle it; pickled data is not supported)`},
		{"empty file", `np.load("nothing.npy")`, `2:13: np.load: data file nothing.npy is empty`},
		{"huge", `np.load("huge.npy")`, `2:13: np.load: data file huge.npy: 268435457 bytes: the file is over the 256 MiB limit`},
		{"directory", `np.load("adir.npy")`, `2:13: np.load: data file adir.npy: is a directory`},
		{"absolute", `np.load("` + filepath.Join(dir, "good.npy") + `")`, `2:13: np.load: ` + filepath.Join(dir, "good.npy") + `: the path must be relative to the model's directory, not absolute`},
		{"not a string", `np.load(3)`, `2:13: np.load: the file must be a string (a path relative to the model's directory), not an array of shape ()`},
		{"int key", `np.load("w.npz")[0]`, `2:22: np.load: w.npz is an .npz archive: its key must be a string, not an array of shape ()`},
		{"two keys", `np.load("w.npz")["a", "b"]`, `2:5: np.load: w.npz is an .npz archive: index it with one key, e.g. ["fc1.bias"]`},
		{"keyword", `np.load("good.npy", mmap_mode="r")`, `2:25: np.load: keyword argument mmap_mode= is not supported`},
		{"archive as array", `np.load("w.npz") + 1`, `2:22: operator +: w.npz is an .npz archive, not an array: index it by key, e.g. np.load("w.npz")["fc1.bias"]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := "import numpy as np\nW = " + tc.expr + "\ndef forward(x: 4):\n    return x * 2\n"
			_, _, err := writeModel(t, dir, src)
			if err == nil {
				t.Fatal("no error")
			}
			var pe *python.Error
			if !errors.As(err, &pe) || pe.Construct != "np.load" && !strings.HasPrefix(tc.name, "archive") {
				t.Errorf("error %T %v (construct %q) is not an np.load *python.Error", err, err, pe.Construct)
			}
			if want := model + ":" + tc.want; err.Error() != want {
				t.Errorf("error\n got %s\nwant %s", err, want)
			}
		})
	}
}

// TestLoadUnused: a data file read but not used is still a source, and a
// constant loaded and not read by forward is no parameter.
func TestLoadUnused(t *testing.T) {
	dir := t.TempDir()
	numpyWrite(t, dir, `np.savez_compressed("w.npz", a=np.ones(2, dtype=np.float32), b=np.full(2, 0.5))`)
	_, m, err := writeModel(t, dir, "import numpy as np\nA = np.load(\"w.npz\")[\"a\"]\nB = np.load(\"w.npz\")[\"b\"]\nFROZEN = (\"B\",)\ndef forward(x):\n    return np.dot(x, B)\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Params) != 1 || m.Params[0].Name != "B" || m.Params[0].Trainable || len(m.Sources) != 1 {
		t.Errorf("params %+v sources %+v", m.Params, m.Sources)
	}
	if m.Sources[0].Path != "w.npz" {
		t.Errorf("source %q", m.Sources[0].Path)
	}
}
