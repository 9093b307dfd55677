package frontend

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"lukechampine.com/blake3"

	"github.com/muscles/referee/compiler/ir"
	"github.com/muscles/referee/compiler/npy"
	"github.com/muscles/referee/compiler/python"
)

// dataFile is a file np.load read at compile time: a .npy array or an
// .npz archive (package npy decodes both).
type dataFile struct {
	path   string // as the model wrote it
	array  *npy.Array
	npz    *npy.Archive
	arrays map[string]*npy.Array // the archive's members decoded so far
}

// load evaluates np.load(file): the file, a string naming a path relative
// to the model's directory, is read now. A .npy file is an array constant,
// as np.array of its values would be; an .npz archive is a value to index
// by key (np.load("w.npz")["fc1.weight"]). NumPy tells them apart by
// their first bytes, and so does load.
func (t *tracer) load(c *python.Call) val {
	const construct = "np.load"
	a := t.bind(c, construct, []string{"file"}, 1)
	pv := t.eval(a[0])
	if pv.k != kStr {
		t.fail(a[0].Position(), construct, "np.load: the file must be a string (a path relative to the model's directory), not %s", article(pv.describe()))
	}
	path := pv.s
	switch {
	case path == "":
		t.fail(a[0].Position(), construct, "np.load: the file name is empty")
	case filepath.IsAbs(path):
		t.fail(a[0].Position(), construct, "np.load: %s: the path must be relative to the model's directory, not absolute", path)
	}
	f := t.readData(a[0].Position(), path)
	if f.npz != nil {
		return val{k: kArchive, f: f}
	}
	return t.arrayVal(a[0].Position(), path, f.array)
}

// readData reads, hashes and decodes a data file once, and lists it in the
// model's Sources the first time.
func (t *tracer) readData(pos python.Pos, path string) *dataFile {
	const construct = "np.load"
	full := filepath.Clean(filepath.Join(filepath.Dir(t.file), filepath.FromSlash(path)))
	if f, ok := t.data[full]; ok {
		return f
	}
	b, err := readLimited(full)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		t.fail(pos, construct, "np.load: data file %s does not exist (looked for %s, relative to the model file)", path, full)
	case err != nil:
		t.fail(pos, construct, "np.load: data file %s: %v", path, err)
	}
	f := &dataFile{path: path}
	switch npy.Detect(b) {
	case npy.KindNPY:
		if f.array, err = npy.Parse(b); err != nil {
			t.fail(pos, construct, "np.load: %s: %v", path, err)
		}
	case npy.KindNPZ:
		if f.npz, err = npy.OpenArchive(b); err != nil {
			t.fail(pos, construct, "np.load: %s: %v", path, err)
		}
		f.arrays = map[string]*npy.Array{}
	default:
		if len(b) == 0 {
			t.fail(pos, construct, "np.load: data file %s is empty", path)
		}
		if len(b) < len(npy.Magic) && strings.HasPrefix(npy.Magic, string(b)) {
			t.fail(pos, construct, "np.load: %s: truncated header: %d bytes", path, len(b))
		}
		t.fail(pos, construct, "np.load: %s is neither a .npy file nor an .npz archive (NumPy would unpickle it; pickled data is not supported)", path)
	}
	t.data[full] = f
	t.sources = append(t.sources, ir.Source{Path: path, BLAKE3: blake3.Sum256(b)})
	return f
}

// readLimited reads a regular file of at most npy.MaxSize bytes.
func readLimited(name string) ([]byte, error) {
	fh, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	switch {
	case st.IsDir():
		return nil, errors.New("is a directory")
	case !st.Mode().IsRegular():
		return nil, errors.New("is not a regular file")
	}
	tooBig := fmt.Errorf("the file is over the %d MiB limit", npy.MaxSize>>20)
	if st.Size() > npy.MaxSize {
		return nil, fmt.Errorf("%d bytes: %w", st.Size(), tooBig)
	}
	b, err := io.ReadAll(io.LimitReader(fh, npy.MaxSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > npy.MaxSize {
		return nil, tooBig
	}
	return b, nil
}

// archiveKey evaluates archive[key] for an .npz archive np.load opened.
func (t *tracer) archiveKey(e *python.Subscript, x val, items []python.Expr) val {
	const construct = "np.load"
	f := x.f
	if len(items) != 1 {
		t.fail(e.Pos, construct, "np.load: %s is an .npz archive: index it with one key, e.g. [%q]", f.path, firstKey(f.npz))
	}
	if _, ok := items[0].(*python.Slice); ok {
		t.fail(items[0].Position(), construct, "np.load: %s is an .npz archive: it cannot be sliced, index it with a key", f.path)
	}
	kv := t.eval(items[0])
	if kv.k != kStr {
		t.fail(items[0].Position(), construct, "np.load: %s is an .npz archive: its key must be a string, not %s", f.path, article(kv.describe()))
	}
	key := kv.s
	arr, ok := f.arrays[key]
	if !ok {
		if !f.npz.Has(key) {
			keys := f.npz.Keys()
			have := "it holds no arrays"
			if len(keys) > 0 {
				q := make([]string, len(keys))
				for i, k := range keys {
					q[i] = fmt.Sprintf("%q", k)
				}
				have = "its keys are " + strings.Join(q, ", ")
			}
			t.fail(items[0].Position(), construct, "np.load: %s has no key %q; %s", f.path, key, have)
		}
		var err error
		if arr, err = f.npz.Array(key); err != nil {
			t.fail(items[0].Position(), construct, "np.load: %s[%q]: %v", f.path, key, err)
		}
		f.arrays[key] = arr
	}
	return t.arrayVal(items[0].Position(), fmt.Sprintf("%s[%q]", f.path, key), arr)
}

// article prefixes a description with "a" or "an".
func article(s string) string {
	if s != "" && strings.IndexByte("aeiou.", s[0]) >= 0 {
		return "an " + s
	}
	return "a " + s
}

func firstKey(a *npy.Archive) string {
	if k := a.Keys(); len(k) > 0 {
		return k[0]
	}
	return "name"
}

// arrayVal makes a loaded array a float constant (a copy: constants are
// values, and the decoded array is shared by every read of it).
func (t *tracer) arrayVal(pos python.Pos, what string, a *npy.Array) val {
	if len(a.Shape) > ir.MaxRank {
		t.fail(pos, "np.load", "np.load: %s: rank %d (shape %s) is above the supported %d", what, len(a.Shape), ir.Shape(a.Shape), ir.MaxRank)
	}
	return constVal(append(ir.Shape{}, a.Shape...), append([]float64{}, a.Data...), false)
}
