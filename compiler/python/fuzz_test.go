package python

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, that every failure is an
// *Error with a position, and that a tree can always be dumped. Sources
// without a CR must give the same result with CRLF line endings. The seeds
// are the test tables, testdata/valid and testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add([]byte(forwardSrc))
	for _, tc := range validCases {
		f.Add([]byte(tc.src))
	}
	for _, tc := range rejectCases {
		f.Add([]byte(tc.src))
	}
	for _, tc := range exprCases {
		f.Add([]byte("x = " + tc.src + "\n"))
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "valid", "*.py"))
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		m, err := Parse("fuzz.py", src)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T) is not a *python.Error", err, err)
			}
			if m != nil || pe.Pos.Line < 1 || pe.Pos.Col < 1 || pe.Msg == "" || pe.Construct == "" || pe.File != "fuzz.py" {
				t.Fatalf("bad error %#v (module %v)", pe, m)
			}
		} else {
			_ = Dump(m)
		}
		if strings.Contains(string(src), "\r") {
			return
		}
		m2, err2 := Parse("fuzz.py", []byte(strings.ReplaceAll(string(src), "\n", "\r\n")))
		switch {
		case (err == nil) != (err2 == nil):
			t.Fatalf("LF: %v; CRLF: %v", err, err2)
		case err != nil && err.Error() != err2.Error():
			t.Fatalf("LF error %q; CRLF error %q", err, err2)
		case err == nil && Dump(m) != Dump(m2):
			t.Fatalf("LF and CRLF trees differ:\n%s\n%s", Dump(m), Dump(m2))
		}
	})
}
