package main

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"lukechampine.com/blake3"
)

// session runs commands in-process in a temporary directory and keeps all
// their output for the no-secrets check.
type session struct {
	t   *testing.T
	dir string
	all bytes.Buffer
}

func newSession(t *testing.T) *session {
	s := &session{t: t, dir: t.TempDir()}
	code := words(0x3DC00000, 0x3DC00041, 0xBD401042, 0x6E21DC00, 0x6E20D400, 0x7E30D800, 0x1E222800, 0xBD000020, 0xD65F03C0)
	var state []byte
	for _, f := range []float32{0.5, -1, 2, 0.25, 0.77} {
		state = binary.LittleEndian.AppendUint32(state, math.Float32bits(f))
	}
	s.write("neuron.bin", code)
	s.write("neuron.state", state)
	s.write("neuron4.py", []byte("import numpy as np\nW = np.array([0.5, -1, 2, 0.25])\nb = 0.77\n"))
	return s
}

func words(ws ...uint32) []byte {
	var b []byte
	for _, w := range ws {
		b = binary.LittleEndian.AppendUint32(b, w)
	}
	return b
}

func (s *session) path(name string) string { return filepath.Join(s.dir, name) }

func (s *session) write(name string, b []byte) {
	if err := os.WriteFile(s.path(name), b, 0o644); err != nil {
		s.t.Fatal(err)
	}
}

func (s *session) read(name string) []byte {
	b, err := os.ReadFile(s.path(name))
	if err != nil {
		s.t.Fatal(err)
	}
	return b
}

// run runs the command and checks its exit status.
func (s *session) run(want int, args ...string) (stdout, stderr string) {
	s.t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	s.all.Write(out.Bytes())
	s.all.Write(errb.Bytes())
	if code != want {
		s.t.Fatalf("muscle %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, out.String(), errb.String())
	}
	return out.String(), errb.String()
}

// keygenJSON runs keygen -o dir --json and returns the publisher's files.
func (s *session) keygen(dir string, extra ...string) (pub map[string]any) {
	out, _ := s.run(0, append([]string{"keygen", "-o", s.path(dir), "--json"}, extra...)...)
	var res struct {
		KeyID     string         `json:"key_id"`
		Publisher map[string]any `json:"publisher"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		s.t.Fatalf("keygen output: %v\n%s", err, out)
	}
	if len(res.KeyID) != 32 {
		s.t.Fatalf("key id %q", res.KeyID)
	}
	return res.Publisher
}

func (s *session) seal(pub map[string]any, out string, extra ...string) {
	args := []string{"seal",
		"--sealing-key", pub["sealing_key_file"].(string), "--signing-key", pub["signing_key_file"].(string),
		"--code", s.path("neuron.bin"), "--state", s.path("neuron.state"),
		"--name", "neuron4", "--version", "3", "--input", "4", "--output", "1", "--target", "1",
		"--source", s.path("neuron4.py"), "--compiler", "musclec 0.1.0", "-o", s.path(out)}
	s.run(0, append(args, extra...)...)
}

func TestHelpAndUsage(t *testing.T) {
	s := newSession(t)
	out, _ := s.run(0, "help")
	for _, want := range []string{"keygen", "seal", "inspect", "verify", "bundle", "Exit status", "4  rejected"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	for _, cmd := range []string{"keygen", "seal", "inspect", "verify", "bundle"} {
		out, _ := s.run(0, cmd, "--help")
		if !strings.Contains(out, "usage: muscle "+cmd) || !strings.Contains(out, "-json") || !strings.Contains(out, "Exit status") {
			t.Errorf("%s --help:\n%s", cmd, out)
		}
	}
	out, _ = s.run(0, "keygen", "add-publisher", "--help")
	if !strings.Contains(out, "-public-key") {
		t.Errorf("add-publisher --help:\n%s", out)
	}
	s.run(2)
	s.run(2, "frobnicate")
	s.run(2, "inspect", "--no-such-flag", "x")
	s.run(2, "inspect")
	s.run(2, "keygen")
	s.run(2, "verify", "x.muscle")
	s.run(2, "seal", "-o", s.path("x"))
	_, errOut := s.run(3, "inspect", s.path("missing.muscle"))
	if !strings.Contains(errOut, "missing.muscle") {
		t.Errorf("stderr %q", errOut)
	}
}

func TestWorkflow(t *testing.T) {
	s := newSession(t)
	pub := s.keygen("keys", "--min-version", "neuron4=2")
	record := s.path("keys/keyrecord.bin")
	rec0 := s.read("keys/keyrecord.bin")

	// Refuses to overwrite the record or any key file.
	_, errOut := s.run(3, "keygen", "-o", s.path("keys"))
	if !strings.Contains(errOut, "refusing to overwrite") || !bytes.Equal(rec0, s.read("keys/keyrecord.bin")) {
		t.Fatalf("keygen overwrote the record: %s", errOut)
	}

	// Deterministic sealing: the same command twice gives the same bytes.
	s.seal(pub, "a.muscle")
	s.run(3, "seal", "--sealing-key", pub["sealing_key_file"].(string), "--signing-key", pub["signing_key_file"].(string),
		"--code", s.path("neuron.bin"), "--name", "x", "-o", s.path("a.muscle"))
	s.seal(pub, "b.muscle")
	if !bytes.Equal(s.read("a.muscle"), s.read("b.muscle")) {
		t.Fatal("deterministic seal differs")
	}
	s.seal(pub, "r.muscle", "--random")
	if bytes.Equal(s.read("a.muscle"), s.read("r.muscle")) {
		t.Fatal("--random gave the deterministic blob")
	}
	if n := len(s.read("a.muscle")); n > 512 {
		t.Fatalf("neuron blob is %d bytes", n)
	}

	// The same muscle from a --manifest file, with a flag overriding it.
	man := map[string]any{"name": "neuron4", "version": 9, "input": "4", "output": "1", "target": "1",
		"code": s.path("neuron.bin"), "state": s.path("neuron.state"), "source": s.path("neuron4.py"),
		"compiler": "musclec 0.1.0", "sealing-key": pub["sealing_key_file"], "signing-key": pub["signing_key_file"]}
	js, _ := json.Marshal(man)
	s.write("neuron.json", js)
	s.run(0, "seal", "-o", s.path("m.muscle"), "--manifest", s.path("neuron.json"), "--version", "3")
	if !bytes.Equal(s.read("a.muscle"), s.read("m.muscle")) {
		t.Fatal("--manifest with --version 3 differs from the flag-only blob")
	}

	// inspect with flags after the file.
	out, _ := s.run(0, "inspect", s.path("a.muscle"), "--json")
	var h map[string]any
	if err := json.Unmarshal([]byte(out), &h); err != nil || h["name"] != "neuron4" || h["version"] != 3.0 || h["deterministic"] != true {
		t.Fatalf("inspect --json: %v\n%s", err, out)
	}

	// verify, flags before and after.
	out, _ = s.run(0, "verify", s.path("a.muscle"), "--keys", record)
	if !strings.Contains(out, "OK muscle \"neuron4\" version 3") || !strings.Contains(out, "input [4]") {
		t.Fatalf("verify:\n%s", out)
	}
	out, _ = s.run(0, "verify", "--json", "--keys", record, s.path("r.muscle"))
	var v struct {
		Results []struct {
			OK       bool           `json:"ok"`
			Manifest map[string]any `json:"manifest"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil || len(v.Results) != 1 || !v.Results[0].OK || v.Results[0].Manifest["state"] != "[5]" {
		t.Fatalf("verify --json: %v\n%s", err, out)
	}

	// Rejections, each with exit status 4 and its kind.
	tampered := s.read("a.muscle")
	tampered[len(tampered)-70] ^= 1
	s.write("t.muscle", tampered)
	s.keygen("other")
	s.run(0, "keygen", "add-publisher", "--record", s.path("other/keyrecord.bin"), "--public-key", pub["public_key_file"].(string), "-o", s.path("other/pub"), "--caps", "forward")
	s.keygen("limited", "--caps", "none")
	s.run(0, "keygen", "add-publisher", "--record", s.path("limited/keyrecord.bin"), "--public-key", pub["public_key_file"].(string), "-o", s.path("limited/pub"), "--caps", "none")
	for _, tc := range []struct {
		name, record, file string
		extra              []string
		kind               string
	}{
		{"tampered", record, "t.muscle", nil, "tampered"},
		{"wrong key", s.path("other/keyrecord.bin"), "a.muscle", nil, "wrong-key"},
		{"capability", s.path("limited/keyrecord.bin"), "a.muscle", nil, "capability"},
		{"rollback", record, "a.muscle", []string{"--min-version", "neuron4=4"}, "rollback"},
		{"truncated", record, "trunc.muscle", nil, "truncated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.file == "trunc.muscle" {
				s.write(tc.file, s.read("a.muscle")[:200])
			}
			out, _ := s.run(4, append([]string{"verify", "--json", "--keys", tc.record, s.path(tc.file)}, tc.extra...)...)
			if !strings.Contains(out, `"kind": "`+tc.kind+`"`) {
				t.Fatalf("want kind %s:\n%s", tc.kind, out)
			}
		})
	}
	s.keygen("fresh")
	out, _ = s.run(4, "verify", "--json", "--keys", s.path("fresh/keyrecord.bin"), s.path("a.muscle"))
	if !strings.Contains(out, `"kind": "unknown-publisher"`) {
		t.Fatalf("unknown publisher:\n%s", out)
	}
	s.write("empty.keys", make([]byte, 65536))
	out, _ = s.run(4, "verify", "--json", "--keys", s.path("empty.keys"), s.path("a.muscle"))
	if !strings.Contains(out, `"kind": "no-key-record"`) {
		t.Fatalf("empty record:\n%s", out)
	}

	// bundle, then verify and inspect it.
	s.run(0, "bundle", s.path("a.muscle"), "-o", s.path("muscles.cpio"), s.path("r.muscle"))
	s.run(3, "bundle", "-o", s.path("muscles.cpio"), s.path("a.muscle"))
	s.run(2, "bundle", "-o", s.path("dup.cpio"), s.path("a.muscle"), s.path("other/../a.muscle"))
	s.run(4, "bundle", "-o", s.path("bad.cpio"), s.path("t.muscle"), s.path("trunc.muscle"))
	out, _ = s.run(0, "verify", "--keys", record, s.path("muscles.cpio"))
	if strings.Count(out, ": OK muscle") != 2 {
		t.Fatalf("verify bundle:\n%s", out)
	}
	out, _ = s.run(0, "inspect", s.path("muscles.cpio"), s.path("keys/keyrecord.bin"), pub["sealing_key_file"].(string), pub["signing_key_file"].(string))
	for _, want := range []string{"bundle of 2 muscles", "key record, key id", "sealing-key of publisher", "signing-key of publisher", "min version neuron4 >= 2"} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect lacks %q:\n%s", want, out)
		}
	}
	s.run(0, "bundle", "--force", "-o", s.path("muscles.cpio"), s.path("a.muscle"))

	// keygen --force replaces the record.
	s.keygen("keys", "--force")
	if bytes.Equal(rec0, s.read("keys/keyrecord.bin")) {
		t.Fatal("keygen --force did not replace the record")
	}

	s.noSecrets(rec0, pub)
}

// noSecrets checks that no output contained key bytes in any usual form.
func (s *session) noSecrets(rec0 []byte, pub map[string]any) {
	t := s.t
	secrets := map[string][]byte{"master key": rec0[32:64]}
	for _, f := range []string{"sealing_key_file", "signing_key_file"} {
		b, err := os.ReadFile(pub[f].(string))
		if err != nil {
			t.Fatal(err)
		}
		secrets[f] = b[16:48]
	}
	matches, _ := filepath.Glob(s.path("*/*.sealing"))
	m2, _ := filepath.Glob(s.path("*/*/*.sealing"))
	for _, f := range append(matches, m2...) {
		b, _ := os.ReadFile(f)
		secrets[f] = b[16:48]
	}
	out := s.all.String()
	if len(out) < 2000 {
		t.Fatalf("suspiciously little output (%d bytes)", len(out))
	}
	for name, k := range secrets {
		for _, form := range []string{string(k), hex.EncodeToString(k), strings.ToUpper(hex.EncodeToString(k)),
			hex.EncodeToString(k[:8]), base64.StdEncoding.EncodeToString(k), base64.RawURLEncoding.EncodeToString(k)} {
			if strings.Contains(out, form) {
				t.Fatalf("output contains the %s", name)
			}
		}
	}
}

func TestParseInterleaved(t *testing.T) {
	cases := []struct {
		args []string
		pos  []string
		o    string
		j    bool
	}{
		{[]string{"a", "-o", "x", "b"}, []string{"a", "b"}, "x", false},
		{[]string{"--json", "a", "b", "--o=y"}, []string{"a", "b"}, "y", true},
		{[]string{"a", "--", "-o", "z"}, []string{"a", "-o", "z"}, "", false},
		{[]string{"-o", "--", "a"}, []string{"a"}, "--", false},
		{[]string{}, nil, "", false},
	}
	for _, tc := range cases {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		o := fs.String("o", "", "")
		j := fs.Bool("json", false, "")
		pos, err := parseInterleaved(fs, tc.args)
		if err != nil || !reflect.DeepEqual(pos, tc.pos) || *o != tc.o || *j != tc.j {
			t.Errorf("%q: pos %q o %q json %v err %v", tc.args, pos, *o, *j, err)
		}
	}
}

// TestVerifyMachineCode: verify runs the referee's machine-code verifier,
// prints each entry's instruction count, and rejects code the verifier
// refuses with the rule and offset only (exit 4, kind machine-code).
func TestVerifyMachineCode(t *testing.T) {
	s := newSession(t)
	pub := s.keygen("keys")
	record := s.path("keys/keyrecord.bin")
	s.seal(pub, "a.muscle")
	out, _ := s.run(0, "verify", "--keys", record, s.path("a.muscle"))
	if !strings.Contains(out, "instructions  forward 9 per call (verified)") {
		t.Errorf("verify does not print the count:\n%s", out)
	}
	out, _ = s.run(0, "verify", "--json", "--keys", record, s.path("a.muscle"))
	var v struct {
		Results []struct {
			Instructions map[string]uint64 `json:"instructions"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil || len(v.Results) != 1 || v.Results[0].Instructions["forward"] != 9 || v.Results[0].Instructions["train"] != 0 {
		t.Errorf("verify --json counts: %v\n%s", err, out)
	}

	// ldr q0, [x0]; svc #0x1234; ret
	const svc = 0xd4024681
	s.write("svc.bin", words(0x3DC00000, svc, 0xD65F03C0))
	s.run(0, "seal", "--sealing-key", pub["sealing_key_file"].(string), "--signing-key", pub["signing_key_file"].(string),
		"--code", s.path("svc.bin"), "--name", "svc", "--input", "4", "--output", "1", "-o", s.path("svc.muscle"))
	out, _ = s.run(4, "verify", "--keys", record, s.path("svc.muscle"))
	if !strings.Contains(out, "REJECTED: ") || !strings.Contains(out, "machine-code verifier: verify: offset 0x4: instruction form: ") {
		t.Errorf("svc code:\n%s", out)
	}
	for _, leak := range []string{"d4024681", "svc #", "1234"} {
		if strings.Contains(strings.ToLower(out), leak) {
			t.Errorf("the rejection shows %q of the code:\n%s", leak, out)
		}
	}
	out, _ = s.run(4, "verify", "--json", "--keys", record, s.path("svc.muscle"))
	if !strings.Contains(out, `"kind": "machine-code"`) {
		t.Errorf("svc code, --json:\n%s", out)
	}
}

// TestVerifyDataFiles: seal --data records each data file's name and
// BLAKE3 in the provenance (version 2), and verify prints them, in text
// and in JSON; without --data the list is empty.
func TestVerifyDataFiles(t *testing.T) {
	s := newSession(t)
	pub := s.keygen("keys")
	record := s.path("keys/keyrecord.bin")
	s.write("weights.npz", []byte("PK\x05\x06 pretend weights"))
	s.write("scale.npy", []byte("\x93NUMPY pretend scale"))
	s.seal(pub, "d.muscle", "--data", s.path("weights.npz"), "--data", s.path("scale.npy"))
	out, _ := s.run(0, "verify", "--keys", record, s.path("d.muscle"))
	w, sc := blake3.Sum256(s.read("weights.npz")), blake3.Sum256(s.read("scale.npy"))
	want := "  source        neuron4.py blake3 "
	if i := strings.Index(out, want); i < 0 || !strings.Contains(out[i:], "\n  data          weights.npz blake3 "+hex.EncodeToString(w[:])+
		"\n  data          scale.npy blake3 "+hex.EncodeToString(sc[:])+"\n  compiler      musclec 0.1.0\n") {
		t.Errorf("verify does not list the data files:\n%s", out)
	}
	out, _ = s.run(0, "verify", "--json", "--keys", record, s.path("d.muscle"))
	var v struct {
		Results []struct {
			Provenance struct {
				Source string `json:"source"`
				Data   []struct {
					Name   string `json:"name"`
					BLAKE3 string `json:"blake3"`
				} `json:"data"`
			} `json:"provenance"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil || len(v.Results) != 1 || len(v.Results[0].Provenance.Data) != 2 ||
		v.Results[0].Provenance.Data[1].Name != "scale.npy" || v.Results[0].Provenance.Data[1].BLAKE3 != hex.EncodeToString(sc[:]) {
		t.Errorf("verify --json: %v\n%s", err, out)
	}
	s.seal(pub, "n.muscle")
	out, _ = s.run(0, "verify", "--json", "--keys", record, s.path("n.muscle"))
	if !strings.Contains(out, `"data": []`) {
		t.Errorf("verify --json without data files:\n%s", out)
	}
	out, _ = s.run(0, "verify", "--keys", record, s.path("n.muscle"))
	if strings.Contains(out, "  data ") {
		t.Errorf("verify lists data files of a muscle without any:\n%s", out)
	}
}
