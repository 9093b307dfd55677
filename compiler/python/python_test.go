package python

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// cpython is the interpreter used for the differential checks: it says
// whether a source is valid Python 3 (it only parses; nothing is run).
const cpython = "/usr/bin/python3"

// cpythonCheck is, for each file named on the command line, the check
// `import ast,sys; ast.parse(open(sys.argv[1]).read())`, run in one
// process for speed; it prints "ok" or "err ..." per file.
const cpythonCheck = `import ast, sys
for p in sys.argv[1:]:
    try:
        ast.parse(open(p).read())
        print("ok")
    except Exception as e:
        print("err", type(e).__name__, str(e).replace("\n", " "))
`

// cpythonVerdicts writes each source to a file and returns, per name,
// "ok" or CPython's error.
func cpythonVerdicts(t *testing.T, sources map[string]string) map[string]string {
	t.Helper()
	if _, err := os.Stat(cpython); err != nil {
		t.Fatalf("%s is missing, so the CPython differential check cannot run: %v", cpython, err)
	}
	dir := t.TempDir()
	var names, paths []string
	for name := range sources {
		names = append(names, name)
	}
	sort.Strings(names)
	for i, name := range names {
		path := filepath.Join(dir, fmt.Sprintf("m%03d.py", i))
		if err := os.WriteFile(path, []byte(sources[name]), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}
	cmd := exec.Command(cpython, append([]string{"-c", cpythonCheck}, paths...)...)
	cmd.Env = append(os.Environ(), "PYTHONUTF8=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("running %s: %v", cpython, err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(names) {
		t.Fatalf("%s printed %d verdicts for %d files:\n%s", cpython, len(lines), len(names), out)
	}
	verdicts := map[string]string{}
	for i, name := range names {
		verdicts[name] = lines[i]
	}
	return verdicts
}

// TestCPythonAcceptsValid checks that every file this parser accepts in
// the tests (samples, their CRLF forms, the valid table) is valid Python.
func TestCPythonAcceptsValid(t *testing.T) {
	sources := map[string]string{"forwardSrc": forwardSrc}
	files, _ := filepath.Glob(filepath.Join("testdata", "valid", "*.py"))
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sources[f] = string(src)
		sources[f+" (CRLF)"] = strings.ReplaceAll(string(src), "\n", "\r\n")
	}
	for _, tc := range validCases {
		sources["valid/"+tc.name] = tc.src
	}
	for _, tc := range exprCases {
		sources["expr/"+tc.src] = "x = " + tc.src + "\n"
	}
	verdicts := cpythonVerdicts(t, sources)
	for name, src := range sources {
		if _, err := Parse("model.py", []byte(src)); err != nil {
			t.Errorf("%s: this parser rejects it: %v", name, err)
		}
		if v := verdicts[name]; v != "ok" {
			t.Errorf("%s: CPython rejects a sample this parser accepts: %s\n%s", name, v, src)
		}
	}
}

// TestCPythonRejectDifferential checks each rejection case against
// CPython: those marked pyValid (a while loop, a lambda, ...) must be valid
// Python that only the subset rejects; the others must be invalid Python
// too. The parser's own message is checked in detail by TestReject.
func TestCPythonRejectDifferential(t *testing.T) {
	sources := map[string]string{}
	for _, tc := range rejectCases {
		sources[tc.name] = tc.src
	}
	verdicts := cpythonVerdicts(t, sources)
	for _, tc := range rejectCases {
		if _, err := Parse("model.py", []byte(tc.src)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: this parser: %v; want %q", tc.name, err, tc.want)
		}
		switch v := verdicts[tc.name]; {
		case tc.pyValid && v != "ok":
			t.Errorf("%s: marked valid Python, but CPython rejects it: %s", tc.name, v)
		case !tc.pyValid && v == "ok":
			t.Errorf("%s: marked invalid Python, but CPython accepts it", tc.name)
		}
	}
}
