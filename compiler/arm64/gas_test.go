package arm64

import (
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestStringAssemblesWithGNU feeds String() of every table case and of a
// random sweep to the GNU cross assembler and checks that it produces the
// very words Encode does. This checks String as real assembler syntax and
// gives a second, independent oracle for the encodings. It fails when
// binutils-aarch64-linux-gnu is not installed.
func TestStringAssemblesWithGNU(t *testing.T) {
	as, err1 := exec.LookPath("aarch64-linux-gnu-as")
	objcopy, err2 := exec.LookPath("aarch64-linux-gnu-objcopy")
	if err1 != nil || err2 != nil {
		t.Fatal("aarch64-linux-gnu-as/objcopy not found (Debian package binutils-aarch64-linux-gnu, which gcc-aarch64-linux-gnu brings; make test installs it)")
	}
	var ins []Instr
	for _, c := range encodeCases {
		ins = append(ins, c.in)
	}
	ins = append(ins, sweepInstances(40)...)

	var src strings.Builder
	want := make([]uint32, len(ins))
	for i, in := range ins {
		want[i] = mustEncode(t, in)
		src.WriteString("\t" + in.String() + "\n")
	}
	dir := t.TempDir()
	s, o, bin := filepath.Join(dir, "t.s"), filepath.Join(dir, "t.o"), filepath.Join(dir, "t.bin")
	if err := os.WriteFile(s, []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(as, "-o", o, s).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", as, err, out)
	}
	if out, err := exec.Command(objcopy, "-O", "binary", "-j", ".text", o, bin).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", objcopy, err, out)
	}
	code, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if len(code) != 4*len(ins) {
		t.Fatalf("GNU as produced %d bytes for %d instructions", len(code), len(ins))
	}
	for i, in := range ins {
		if got := binary.LittleEndian.Uint32(code[4*i:]); got != want[i] {
			t.Errorf("%q: GNU as gives %#08x, Encode gives %#08x", in.String(), got, want[i])
		}
	}
}
