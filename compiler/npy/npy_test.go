package npy

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/muscles/referee/compiler/numpytest"
)

// writeNumPy runs a Python script with NumPy in dir.
func writeNumPy(t *testing.T, dir, script string) []byte {
	t.Helper()
	numpytest.Need(t)
	cmd := exec.Command(numpytest.Python, "-c", "import numpy as np, json, struct\n"+script)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, stderr.String())
	}
	return out
}

// TestAgainstNumPy parses what NumPy writes: every .npy format version,
// float32 and float64, shapes () to (2, 2, 2), and .npz archives from
// savez and savez_compressed, value for value.
func TestAgainstNumPy(t *testing.T) {
	dir := t.TempDir()
	out := writeNumPy(t, dir, `
def bits(a):
    return [struct.unpack("<Q", struct.pack("<d", v))[0] for v in a.astype(np.float64).reshape(-1).tolist()]
rng = np.random.default_rng(7)
want = {}
arrays = {}
for dt in ("<f4", "<f8"):
    for shape in [(), (3,), (2, 3), (2, 2, 2), (0,), (2, 0)]:
        a = rng.normal(size=shape).astype(dt)
        if a.size:
            a.reshape(-1)[0] = -0.0
        key = "a%s_%s" % (dt[2], "x".join(map(str, shape)) or "scalar")
        arrays[key] = a
        for v in [(1, 0), (2, 0), (3, 0)]:
            name = "%s_v%d.npy" % (key, v[0])
            with open(name, "wb") as f:
                np.lib.format.write_array(f, a, version=v)
            want[name] = {"shape": list(a.shape), "values": bits(a), "descr": dt}
special = np.array([np.inf, -np.inf, 1e-45, 3.4028235e38], dtype="<f4")
np.save("special.npy", special)
want["special.npy"] = {"shape": [4], "values": bits(special), "descr": "<f4"}
np.savez("plain.npz", **arrays)
np.savez_compressed("packed.npz", **arrays)
print(json.dumps({"files": want, "keys": sorted(arrays)}))
`)
	var ref struct {
		Files map[string]struct {
			Shape  []int
			Values []uint64 // float64 bits
			Descr  string
		}
		Keys []string
	}
	if err := json.Unmarshal(out, &ref); err != nil {
		t.Fatal(err)
	}
	check := func(what string, a *Array, shape []int, values []uint64, descr string) {
		t.Helper()
		if !slices.Equal(a.Shape, shape) || a.Descr != descr {
			t.Errorf("%s: shape %v descr %s, want %v %s", what, a.Shape, a.Descr, shape, descr)
		}
		if len(a.Data) != len(values) {
			t.Fatalf("%s: %d values, want %d", what, len(a.Data), len(values))
		}
		for i := range values {
			if math.Float64bits(a.Data[i]) != values[i] {
				t.Errorf("%s: element %d is %v, want %v", what, i, a.Data[i], math.Float64frombits(values[i]))
			}
		}
	}
	for name, w := range ref.Files {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if Detect(b) != KindNPY {
			t.Errorf("%s: not detected as .npy", name)
		}
		a, err := Parse(b)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		check(name, a, w.Shape, w.Values, w.Descr)
	}
	for _, arch := range []string{"plain.npz", "packed.npz"} {
		b, err := os.ReadFile(filepath.Join(dir, arch))
		if err != nil {
			t.Fatal(err)
		}
		if Detect(b) != KindNPZ {
			t.Errorf("%s: not detected as .npz", arch)
		}
		z, err := OpenArchive(b)
		if err != nil {
			t.Fatalf("%s: %v", arch, err)
		}
		if !slices.Equal(z.Keys(), ref.Keys) {
			t.Errorf("%s: keys %v, want %v", arch, z.Keys(), ref.Keys)
		}
		for _, k := range ref.Keys {
			a, err := z.Array(k)
			if err != nil {
				t.Errorf("%s[%q]: %v", arch, k, err)
				continue
			}
			w := ref.Files[k+"_v1.npy"]
			check(arch+"["+k+"]", a, w.Shape, w.Values, w.Descr)
			if b, err := z.Array(k + ".npy"); err != nil || !slices.Equal(b.Data, a.Data) {
				t.Errorf("%s[%q.npy]: %v", arch, k, err)
			}
		}
		if z.Has("nope") {
			t.Errorf("%s has a key nope", arch)
		}
	}
}

// npyFile builds a version 1.0 .npy file from a header and data.
func npyFile(header string, data []byte) []byte {
	b := []byte(Magic + "\x01\x00")
	b = binary.LittleEndian.AppendUint16(b, uint16(len(header)))
	b = append(b, header...)
	return append(b, data...)
}

func TestRefusals(t *testing.T) {
	f4 := make([]byte, 24)
	good := npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n", f4)
	if _, err := Parse(good); err != nil {
		t.Fatalf("the good file: %v", err)
	}
	v2 := []byte(Magic + "\x02\x00")
	v2 = binary.LittleEndian.AppendUint32(v2, 20000)
	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "not a .npy file"},
		{"magic only", []byte(Magic[:4]), "truncated header: 4 bytes"},
		{"no length", []byte(Magic + "\x01\x00\x10"), "truncated header: 9 bytes"},
		{"short header", good[:40], "truncated header: it declares"},
		{"version 4", append([]byte(Magic+"\x04\x00"), good[8:]...), "format version 4.0 is not supported"},
		{"version 1.1", append([]byte(Magic+"\x01\x01"), good[8:]...), "format version 1.1 is not supported"},
		{"huge header", v2, "over NumPy's limit of 10000"},
		{"not a dict", npyFile("['descr']", nil), "bad header: at byte 0: not a dictionary"},
		{"missing key", npyFile("{'descr': '<f4', 'shape': (2,)}", nil), "want descr, fortran_order and shape"},
		{"extra key", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", nil), "want descr, fortran_order and shape"},
		{"duplicate key", npyFile("{'descr': '<f4', 'descr': '<f4', 'shape': (2,)}", nil), "given twice"},
		{"garbage after", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} x", nil), "after the dictionary"},
		{"unterminated", npyFile("{'descr: '<f4'}", nil), "bad header"},
		{"shape not tuple", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (2)}", nil), "shape is 2, not a tuple"},
		{"negative dim", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}", nil), "not a non-negative int"},
		{"fortran not bool", npyFile("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}", nil), "not True or False"},
		{"int64", npyFile("{'descr': '<i8', 'fortran_order': False, 'shape': (1,)}", make([]byte, 8)), "dtype '<i8' is not supported"},
		{"float16", npyFile("{'descr': '<f2', 'fortran_order': False, 'shape': (1,)}", make([]byte, 2)), "dtype '<f2' is not supported"},
		{"big-endian", npyFile("{'descr': '>f4', 'fortran_order': False, 'shape': (1,)}", make([]byte, 4)), "dtype '>f4' is big-endian"},
		{"object", npyFile("{'descr': '|O', 'fortran_order': False, 'shape': (1,)}", make([]byte, 8)), "dtype '|O' is an object array"},
		{"structured", npyFile("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,)}", make([]byte, 4)), "structured dtypes are not supported"},
		{"fortran", npyFile("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3)}", f4), "Fortran order"},
		{"truncated data", good[:len(good)-1], "truncated: shape (2, 3) of '<f4' takes 24 data bytes, the file has 23"},
		{"trailing data", append(slices.Clone(good), 0), "trailing bytes: shape (2, 3) of '<f4' takes 24 data bytes, the file has 25"},
		{"overflowing shape", npyFile("{'descr': '<f8', 'fortran_order': False, 'shape': (2147483647, 2147483647, 2147483647)}", nil), "larger than 256 MiB"},
	} {
		_, err := Parse(tc.b)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

func TestArchiveRefusals(t *testing.T) {
	zipOf := func(names ...string) []byte {
		var buf bytes.Buffer
		w := zip.NewWriter(&buf)
		for _, n := range names {
			f, err := w.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Deflate})
			if err != nil {
				t.Fatal(err)
			}
			f.Write(npyFile("{'descr': '<i4', 'fortran_order': False, 'shape': ()}", make([]byte, 4)))
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	if _, err := OpenArchive(zipOf("a.npy", "a.npy")); err == nil || !strings.Contains(err.Error(), `two members named "a.npy"`) {
		t.Errorf("duplicate members: %v", err)
	}
	z, err := OpenArchive(zipOf("b.npy", "a.npy", "c"))
	if err != nil {
		t.Fatal(err)
	}
	if k := z.Keys(); !slices.Equal(k, []string{"a", "b", "c"}) {
		t.Errorf("keys %v", k)
	}
	if _, err := z.Array("a"); err == nil || !strings.Contains(err.Error(), "dtype '<i4'") {
		t.Errorf("int member: %v", err)
	}
	if _, err := OpenArchive([]byte("PK\x03\x04 not really")); err == nil || !strings.Contains(err.Error(), "not a valid .npz (zip) archive") {
		t.Errorf("bad zip: %v", err)
	}
	b := zipOf("a.npy")
	if i := bytes.Index(b, []byte("PK\x01\x02")); i > 0 {
		// A corrupted member: flip a byte of the deflated data.
		c := slices.Clone(b)
		c[35] ^= 0xff
		if z, err := OpenArchive(c); err == nil {
			if _, err := z.Array("a"); err == nil {
				t.Errorf("a corrupted member reads")
			}
		}
	}
	if Detect([]byte("\x80\x04pickle")) != KindUnknown || Detect([]byte("PK\x05\x06")) != KindNPZ {
		t.Error("Detect")
	}
}

// FuzzParse: Parse never panics, and what it accepts is consistent.
func FuzzParse(f *testing.F) {
	f.Add(npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n", make([]byte, 24)))
	f.Add(npyFile("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", make([]byte, 8)))
	f.Add(npyFile("{'descr': [('a', '<f4'), ('b', ('<i8', (2,)))], 'fortran_order': False, 'shape': (1,)}", nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := Parse(b)
		if err != nil {
			return
		}
		n := 1
		for _, d := range a.Shape {
			n *= d
		}
		if len(a.Data) != n || (a.Descr != "<f4" && a.Descr != "<f8") {
			t.Fatalf("shape %v descr %s with %d values", a.Shape, a.Descr, len(a.Data))
		}
	})
}

// TestEncode: what Encode and EncodeArchive write, NumPy reads back value
// for value, and so does Parse.
func TestEncode(t *testing.T) {
	arrays := []Member{
		{"scalar", nil, []float32{-2.5}},
		{"vec", []int{3}, []float32{1, float32(math.Inf(-1)), 1e-40}},
		{"mat", []int{2, 3}, []float32{0.1, 0.2, 0.3, -0.4, 5e7, 0}},
	}
	z, err := EncodeArchive(arrays)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.npz"), z, 0o644); err != nil {
		t.Fatal(err)
	}
	out := writeNumPy(t, dir, `d = np.load("a.npz")
print(json.dumps({k: [d[k].dtype.str, list(d[k].shape), [struct.unpack("<I", struct.pack("<f", v))[0] for v in d[k].ravel().tolist()]] for k in d.files}))`)
	var got map[string][3]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	a, err := OpenArchive(z)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range arrays {
		g := got[m.Key]
		if g[0] != "<f4" || fmt.Sprint(g[1]) != fmt.Sprint(append([]int{}, m.Shape...)) {
			t.Errorf("%s: NumPy reads %v", m.Key, g)
		}
		for i, bits := range g[2].([]any) {
			if uint32(bits.(float64)) != math.Float32bits(m.Data[i]) {
				t.Errorf("%s[%d]: NumPy reads bits %v, want %#x", m.Key, i, bits, math.Float32bits(m.Data[i]))
			}
		}
		arr, err := a.Array(m.Key)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range arr.Data {
			if float32(v) != m.Data[i] {
				t.Errorf("%s[%d]: Parse reads %v", m.Key, i, v)
			}
		}
	}
}
