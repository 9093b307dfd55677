package console

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"lukechampine.com/blake3"

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/muscle/muscletest"
	"github.com/muscles/referee/referee/audit"
	"github.com/muscles/referee/referee/loader"
	"github.com/muscles/referee/referee/sandbox"
	"github.com/muscles/referee/referee/served"
)

var (
	codeRet    = muscletest.CodeRet
	codeRetRet = append(append([]byte{}, codeRet...), codeRet...) // ret (forward); ret (train)
)

// keys is a fresh master-key record with one publisher and its keys.
type keys struct {
	rec *muscle.KeyRecord
	sk  *muscle.SealingKey
	sg  *muscle.SigningKey
}

func newKeys(t testing.TB) keys {
	p := muscletest.MustPublisher(t, muscle.CapAll)
	return keys{p.Record, p.Sealer, p.Signer}
}

func (k keys) sealInput(t testing.TB, in *muscle.Input) []byte {
	t.Helper()
	in.Provenance.Compiler, in.Provenance.Source = "console test", in.Name+".py"
	blob, err := muscle.Seal(k.sk, k.sg, in)
	if err != nil {
		t.Fatal(err)
	}
	return blob
}

// neuron seals a forward-only muscle whose code is a bare ret: input [4],
// output [1], state [5].
func (k keys) neuron(t testing.TB, name string, version uint64) []byte {
	t.Helper()
	return k.sealInput(t, muscletest.Neuron(name, version, codeRet))
}

// learner seals a muscle with a train entry (forward,train): input [4],
// output [1], target [1], state [5].
func (k keys) learner(t testing.TB, name string, version uint64) []byte {
	t.Helper()
	state := make([]byte, 20)
	state[0] = 0x3f
	in := &muscle.Input{
		Name: name, Version: version, Capabilities: muscle.CapForward | muscle.CapTrain, BudgetMicros: 500,
		Code: codeRetRet, State: state,
	}
	in.Manifest.TrainEntry = 4
	in.Manifest.ScratchSize = 64
	in.Manifest.Input, in.Manifest.Output, in.Manifest.State, in.Manifest.Target = muscle.Shape{4}, muscle.Shape{1}, muscle.Shape{5}, muscle.Shape{1}
	return k.sealInput(t, in)
}

// script is console input: its bytes, then nothing. The shell's Wait
// fails the test once the script is used up, so a shell that waits for
// more input than the test gives ends the test instead of spinning.
type script struct{ data []byte }

func (s *script) ReadConsole() (byte, bool) {
	if len(s.data) == 0 {
		return 0, false
	}
	c := s.data[0]
	s.data = s.data[1:]
	return c, true
}

type fixture struct {
	t    *testing.T
	k    keys
	ld   *loader.Loader
	log  *audit.Log
	out  *bytes.Buffer
	in   *script
	sh   *Shell
	time int64
}

// newFixture is a shell whose loader serves neuron4 v3 (forward) and
// learner v1 (forward, train).
func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, k: newKeys(t), out: &bytes.Buffer{}, in: &script{}}
	now := func() int64 { f.time += 1000; return f.time }
	f.log = audit.New(f.k.rec.AuditKey())
	f.ld = &loader.Loader{Out: f.out, Rec: f.k.rec, Log: f.log, Now: now, DeadlineTicks: func(us uint32) uint64 { return uint64(us) * 62 },
		MemoryBudget: 256 << 20, PeakInstructionsPerMicro: 4000}
	for _, blob := range [][]byte{f.k.neuron(t, "neuron4", 3), f.k.learner(t, "learner", 1)} {
		if _, err := f.ld.Admit("bundle", blob); err != nil {
			t.Fatal(err)
		}
	}
	f.out.Reset()
	f.sh = &Shell{
		In: f.in, Out: f.out, Log: f.log, Loader: f.ld, Now: now,
		Wait: func() { t.Fatal("the shell waits for console input after the end of the script") },
	}
	return f
}

// exec runs one command line and returns what it printed.
func (f *fixture) exec(line string) string {
	f.t.Helper()
	f.out.Reset()
	status, done := f.sh.Execute(line)
	if status != 0 || done {
		f.t.Fatalf("%q: status %d, done %v; want 0, false", line, status, done)
	}
	return f.out.String()
}

// run types input at the console and serves it until poweroff.
func (f *fixture) run(input string) (string, int) {
	f.t.Helper()
	f.out.Reset()
	f.in.data = []byte(input)
	status := f.sh.Run()
	if len(f.in.data) != 0 {
		f.t.Errorf("Run returned with %d bytes of input unread: %q", len(f.in.data), f.in.data)
	}
	return f.out.String(), status
}

func (f *fixture) lastEntry() audit.Entry {
	e := f.log.Entries()
	return e[len(e)-1]
}

func (f *fixture) kinds(from int) []string {
	var k []string
	for _, e := range f.log.Entries()[from:] {
		k = append(k, e.Kind)
	}
	return k
}

func (f *fixture) muscle(name string) *served.Muscle {
	f.t.Helper()
	m := f.ld.Find(name)
	if m == nil {
		f.t.Fatalf("%s is not served", name)
	}
	return m
}

func (f *fixture) pub() string { return f.k.sg.Publisher.String() }

// jsonReply decodes a reply that must be exactly one JSON line.
func jsonReply(t *testing.T, out string, v any) {
	t.Helper()
	if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\n") {
		t.Fatalf("reply %q is not one line", out)
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("reply %q is not JSON: %v", out, err)
	}
}

type jsonError struct {
	Error string `json:"error"`
	Code  string `json:"code"`
}

func TestHelp(t *testing.T) {
	f := newFixture(t)
	out := f.exec("help")
	if out != shellHelp {
		t.Errorf("help printed %q", out)
	}
	for _, cmd := range []string{"help", "list", "info NAME", "run NAME V,V,...", "train NAME INPUTS TARGETS [STEPS]",
		"bench NAME [N]", "upload LENGTH BLAKE3", "audit", "json on|off", "poweroff [N]"} {
		if !strings.Contains(out, "\n  "+cmd+" ") && !strings.Contains(out, "\n  "+cmd+"\n") {
			t.Errorf("help does not describe %q", cmd)
		}
	}
	if f.exec("  help   ") != shellHelp {
		t.Error("help surrounded by blanks is not help")
	}
	if f.exec("") != "" || f.exec(" \t ") != "" {
		t.Error("a blank line printed something")
	}
}

func TestList(t *testing.T) {
	f := newFixture(t)
	want := fmt.Sprintf("neuron4 v3 by %s: forward; input [4], output [1]; code 4 bytes, state 20 bytes; budget 1000 µs\n"+
		"learner v1 by %s: forward,train; input [4], output [1]; code 8 bytes, state 20 bytes; budget 500 µs\n", f.pub(), f.pub())
	if out := f.exec("list"); out != want {
		t.Errorf("list printed\n%s\nwant\n%s", out, want)
	}
	f.ld.Shutdown()
	if out := f.exec("list"); out != "no muscles loaded\n" {
		t.Errorf("list with nothing loaded printed %q", out)
	}
}

func TestListJSON(t *testing.T) {
	f := newFixture(t)
	var on map[string]bool
	jsonReply(t, f.exec("json on"), &on)
	if !on["json"] || len(on) != 1 {
		t.Errorf("json on replied %v", on)
	}
	out := f.exec("list")
	var list []map[string]any
	jsonReply(t, out, &list)
	if len(list) != 2 {
		t.Fatalf("list has %d muscles, want 2: %s", len(list), out)
	}
	n := list[0]
	if n["name"] != "neuron4" || n["version"] != 3.0 || n["publisher"] != f.pub() || n["budget_us"] != 1000.0 ||
		fmt.Sprint(n["capabilities"]) != "[forward]" || fmt.Sprint(list[1]["capabilities"]) != "[forward train]" {
		t.Errorf("list entry %v", n)
	}
	sizes, _ := n["sizes"].(map[string]any)
	want := map[string]float64{"code": 4, "state": 20, "scratch": 0, "input": 16, "output": 4, "target": 4}
	if len(sizes) != len(want) {
		t.Errorf("sizes %v, want %v", sizes, want)
	}
	for k, v := range want {
		if sizes[k] != v {
			t.Errorf("size %s is %v, want %v", k, sizes[k], v)
		}
	}
	// list never describes code, state or calls.
	for _, key := range []string{"shapes", "code_blake3", "state_hash", "runs", "training_steps", "faults"} {
		if _, ok := n[key]; ok {
			t.Errorf("list shows %q", key)
		}
	}
	if out := f.exec("json off"); out != "json off\n" {
		t.Errorf("json off replied %q", out)
	}
	if out := f.exec("list"); !strings.HasPrefix(out, "neuron4 v3 by ") {
		t.Errorf("after json off, list printed %q", out)
	}
	f.ld.Shutdown()
	f.exec("json on")
	if out := f.exec("list"); out != "[]\n" {
		t.Errorf("JSON list with nothing loaded printed %q, want []", out)
	}
}

func TestInfo(t *testing.T) {
	f := newFixture(t)
	m := f.muscle("neuron4")
	code, state := blake3.Sum256(codeRet), blake3.Sum256(make([]byte, 20))
	want := fmt.Sprintf(`name          neuron4
version       3
publisher     %s
capabilities  forward
input         [4] (16 bytes)
output        [1] (4 bytes)
target        [] (4 bytes)
code          4 bytes, blake3 %x
state         20 bytes, blake3 %x
scratch       0 bytes
budget        1000 µs per call
entries       forward
arena         %d bytes
calls         0 runs, 0 training steps, 0 faults
`, f.pub(), code, state, m.Space.ArenaBytes())
	if out := f.exec("info neuron4"); out != want {
		t.Errorf("info printed\n%s\nwant\n%s", out, want)
	}
	if m.Space.ArenaBytes() < 8*sandbox.PageSize {
		t.Errorf("arena of %d bytes cannot hold the regions", m.Space.ArenaBytes())
	}
	m.Space.Runs, m.Space.Trainings, m.Space.Faults = 7, 8, 9
	out := f.exec("info learner")
	for _, line := range []string{"capabilities  forward,train\n", "target        [1] (4 bytes)\n", "scratch       64 bytes\n",
		"entries       forward, train\n", "budget        500 µs per call\n", "calls         0 runs, 0 training steps, 0 faults\n"} {
		if !strings.Contains(out, line) {
			t.Errorf("info learner does not print %q:\n%s", line, out)
		}
	}
	if out := f.exec("info neuron4"); !strings.HasSuffix(out, "calls         7 runs, 8 training steps, 9 faults\n") {
		t.Errorf("info does not count calls:\n%s", out)
	}

	f.exec("json on")
	var i map[string]any
	jsonReply(t, f.exec("info learner"), &i)
	shapes, _ := i["shapes"].(map[string]any)
	if i["name"] != "learner" || fmt.Sprint(shapes) != "map[input:[4] output:[1] state:[5] target:[1]]" ||
		i["code_blake3"] != hex.EncodeToString(sum(codeRetRet)) || i["runs"] != 0.0 || i["training_steps"] != 0.0 || i["faults"] != 0.0 {
		t.Errorf("JSON info %v", i)
	}
	st := make([]byte, 20)
	st[0] = 0x3f
	if i["state_hash"] != hex.EncodeToString(sum(st)) {
		t.Errorf("state_hash %v is not the BLAKE3 of the state", i["state_hash"])
	}
}

func sum(b []byte) []byte { h := blake3.Sum256(b); return h[:] }

func TestUnknownCommand(t *testing.T) {
	f := newFixture(t)
	if out := f.exec("frobnicate now"); out != "error: unknown command \"frobnicate\"; try help\n" {
		t.Errorf("unknown command printed %q", out)
	}
	if e := f.lastEntry(); e.Kind != "console" || e.Detail != `unknown command "frobnicate"` {
		t.Errorf("audit %s %q", e.Kind, e.Detail)
	}
	long := strings.Repeat("x", 40)
	if out := f.exec(long); out != fmt.Sprintf("error: unknown command %q; try help\n", long[:32]+"...") {
		t.Errorf("long unknown command printed %q", out)
	}
	if e := f.lastEntry(); e.Detail != fmt.Sprintf("unknown command %q", long[:32]+"...") {
		t.Errorf("audit of a long unknown command %q: not cut to 32 bytes", e.Detail)
	}
	if out := f.exec("HELP"); !strings.HasPrefix(out, "error: unknown command \"HELP\"") {
		t.Errorf("commands are case-sensitive; HELP printed %q", out)
	}
	f.exec("json on")
	var e jsonError
	jsonReply(t, f.exec("frobnicate"), &e)
	if e.Code != "unknown-command" || e.Error != `unknown command "frobnicate"; try help` {
		t.Errorf("JSON error %+v", e)
	}
}

func TestUsageErrors(t *testing.T) {
	f := newFixture(t)
	tests := []struct{ line, want string }{
		{"run", "error: run: usage: run NAME V,V,..."},
		{"run neuron4", "error: run: usage: run NAME V,V,..."},
		{"run neuron4 1,2,3,4 5", "error: run: usage: run NAME V,V,..."},
		{"train", "error: train: usage: train NAME INPUTS TARGETS [STEPS]"},
		{"train learner 1,2,3,4", "error: train: usage: train NAME INPUTS TARGETS [STEPS]"},
		{"train learner 1,2,3,4 1 2 3", "error: train: usage: train NAME INPUTS TARGETS [STEPS]"},
		{"train learner 1,2,3,4 1 0", `error: train: steps "0" is not 1-1000000`},
		{"train learner 1,2,3,4 1 1000001", `error: train: steps "1000001" is not 1-1000000`},
		{"train learner 1,2,3,4 1 many", `error: train: steps "many" is not 1-1000000`},
		{"info", "error: info: usage: info NAME"},
		{"info neuron4 learner", "error: info: usage: info NAME"},
		{"bench", "error: bench: usage: bench NAME [N]"},
		{"bench neuron4 1 2", "error: bench: usage: bench NAME [N]"},
		{"bench neuron4 0", `error: bench: N "0" is not 1-1000000`},
		{"bench neuron4 -5", `error: bench: N "-5" is not 1-1000000`},
		{"bench neuron4 2000000", `error: bench: N "2000000" is not 1-1000000`},
		{"json", "error: json: usage: json on|off"},
		{"json yes", "error: json: usage: json on|off"},
		{"json on off", "error: json: usage: json on|off"},
		{"poweroff 1 2", "error: poweroff: usage: poweroff [N]"},
		{"poweroff 256", `error: poweroff: exit status "256" is not 0-255`},
		{"poweroff -1", `error: poweroff: exit status "-1" is not 0-255`},
		{"poweroff now", `error: poweroff: exit status "now" is not 0-255`},
		{"upload", "error: upload: usage: upload LENGTH BLAKE3"},
		{"upload 10", "error: upload: usage: upload LENGTH BLAKE3"},
	}
	for _, tt := range tests {
		if out := f.exec(tt.line); out != tt.want+"\n" {
			t.Errorf("%q printed %q, want %q", tt.line, out, tt.want)
		}
	}
	if len(f.ld.Muscles()) != 2 {
		t.Error("a usage error retired muscles")
	}
	f.exec("json on")
	for _, tt := range tests {
		var e jsonError
		jsonReply(t, f.exec(tt.line), &e)
		_, msg, _ := strings.Cut(tt.want[len("error: "):], ": ")
		code := "usage"
		if strings.HasPrefix(tt.line, "upload") {
			code = "error" // upload's framing errors carry no code of their own
		}
		if e.Code != code || e.Error != msg {
			t.Errorf("%q: JSON %+v, want code %q, error %q", tt.line, e, code, msg)
		}
	}
}

func TestRunErrors(t *testing.T) {
	f := newFixture(t)
	tests := []struct{ line, want, code string }{
		{"run x 1,2", `error: run: no muscle "x" is loaded (list shows them)`, "no-such-muscle"},
		{"info x", `error: info: no muscle "x" is loaded (list shows them)`, "no-such-muscle"},
		{"bench x", `error: bench: no muscle "x" is loaded (list shows them)`, "no-such-muscle"},
		{"train x 1 1", `error: train: no muscle "x" is loaded (list shows them)`, "no-such-muscle"},
		{"run neuron4 1,2", "error: run: input has 2 values, the muscle wants 4", "bad-input"},
		{"run neuron4 1,2,3,4,5", "error: run: input has 5 values, the muscle wants 4", "bad-input"},
		{"run neuron4 1,2,x,4", `error: run: input value 3 ("x") is not a number`, "bad-input"},
		{"run neuron4 1,2,,4", `error: run: input value 3 ("") is not a number`, "bad-input"},
		{"train learner 1,2,3 1", "error: train: inputs has 3 values, the muscle wants 4", "bad-input"},
		{"train learner 1,2,3,4 1,2", "error: train: targets has 2 values, the muscle wants 1", "bad-input"},
		{"train learner 1,2,3,4 y", `error: train: targets value 1 ("y") is not a number`, "bad-input"},
		{"train neuron4 1,2,3,4 1", "error: train: neuron4 may not train: its capabilities are forward", "capability"},
		{"train neuron4 1 1", "error: train: neuron4 may not train: its capabilities are forward", "capability"},
	}
	n := len(f.log.Entries())
	for _, tt := range tests {
		if out := f.exec(tt.line); out != tt.want+"\n" {
			t.Errorf("%q printed %q, want %q", tt.line, out, tt.want)
		}
	}
	if len(f.log.Entries()) != n {
		t.Errorf("refused commands were audited: %v", f.kinds(n))
	}
	if m := f.muscle("neuron4"); m.Space.Runs+m.Space.Faults != 0 {
		t.Error("a refused run reached the muscle")
	}
	f.exec("json on")
	for _, tt := range tests {
		var e jsonError
		jsonReply(t, f.exec(tt.line), &e)
		if e.Code != tt.code || "error: "+strings.SplitN(tt.line, " ", 2)[0]+": "+e.Error != tt.want {
			t.Errorf("%q: JSON %+v, want code %q", tt.line, e, tt.code)
		}
	}
}

// TestCallsOnTheHost: off the referee image a call fails (the sandbox needs
// EL3); the shell reports it as a fault, audits it and counts it.
func TestCallsOnTheHost(t *testing.T) {
	f := newFixture(t)
	const why = "sandbox: calls need the referee image (tamago/arm64 at EL3)"
	n := len(f.log.Entries())
	if out := f.exec("run neuron4 1,2,3,4"); out != "error: run: "+why+"\n" {
		t.Errorf("run printed %q", out)
	}
	if e := f.lastEntry(); e.Kind != "fault" || e.Detail != `"neuron4" v3 forward: `+why {
		t.Errorf("audit %s %q", e.Kind, e.Detail)
	}
	l := f.muscle("learner")
	before := bytes.Clone(l.Space.State())
	l.Space.State()[1] = 0x42 // as if an earlier step had trained it
	if out := f.exec("train learner 1,2,3,4 0.5 3"); out != "error: train: "+why+"\n" {
		t.Errorf("train printed %q", out)
	}
	if !bytes.Equal(l.Space.State(), before) {
		t.Error("a failed train step of a muscle without persist did not reset its state")
	}
	if e := f.lastEntry(); e.Kind != "fault" || e.Detail != `"learner" v1 train: `+why {
		t.Errorf("audit %s %q", e.Kind, e.Detail)
	}
	if out := f.exec("bench neuron4 3"); out != "error: bench: "+why+"\n" {
		t.Errorf("bench printed %q", out)
	}
	if m := f.muscle("neuron4"); m.Space.Faults != 2 || m.Space.Runs != 0 || l.Space.Faults != 1 || l.Space.Trainings != 0 {
		t.Errorf("counts: neuron4 %d faults %d runs, learner %d faults %d steps; want 2 0 1 0", m.Space.Faults, m.Space.Runs, l.Space.Faults, l.Space.Trainings)
	}
	if got := strings.Join(f.kinds(n), " "); got != "fault train fault fault" {
		t.Errorf("audit kinds %q, want three faults and the failed train command (its state reset)", got)
	}
	f.exec("json on")
	var e jsonError
	jsonReply(t, f.exec("run neuron4 1,2,3,4"), &e)
	if e.Code != "error" || e.Error != why {
		t.Errorf("JSON %+v", e)
	}
}

func TestAudit(t *testing.T) {
	f := newFixture(t)
	f.exec("frobnicate")
	out := f.exec("audit")
	entries, err := audit.Verify(out, f.k.rec.AuditKey())
	if err != nil {
		t.Fatalf("the printed audit log does not verify: %v\n%s", err, out)
	}
	if len(entries) != len(f.log.Entries()) || entries[len(entries)-1].Kind != "console" {
		t.Errorf("printed %d entries, the log has %d", len(entries), len(f.log.Entries()))
	}
	if !strings.HasSuffix(out, f.log.FormatHead()+"\n") {
		t.Error("audit does not end with the head")
	}
}

func TestPoweroff(t *testing.T) {
	for _, tt := range []struct {
		line   string
		status int
	}{{"poweroff", 0}, {"poweroff 7", 7}, {"  poweroff   255 ", 255}} {
		f := newFixture(t)
		retired := slicesClone(f.ld.Muscles())
		f.out.Reset()
		status, done := f.sh.Execute(tt.line)
		if status != tt.status || !done {
			t.Errorf("%q: status %d, done %v; want %d, true", tt.line, status, done, tt.status)
		}
		if len(f.ld.Muscles()) != 0 {
			t.Errorf("%q: muscles are still served", tt.line)
		}
		for _, m := range retired {
			if m.Space.HasEntry(sandbox.Forward) || !bytes.Equal(m.Space.State(), make([]byte, 20)) {
				t.Errorf("%q: %s's arena was not wiped", tt.line, m.Name())
			}
		}
		out := f.out.String()
		entries, err := audit.Verify(out, f.k.rec.AuditKey())
		if err != nil {
			t.Fatalf("%q: the printed audit log does not verify: %v\n%s", tt.line, err, out)
		}
		if _, err := audit.Verify(out, newKeys(t).rec.AuditKey()); !errors.Is(err, audit.ErrBadHead) {
			t.Errorf("%q: the log verifies with another record's key: %v", tt.line, err)
		}
		if len(entries) != len(f.log.Entries()) {
			t.Errorf("%q: printed %d entries, the log has %d: not the complete log", tt.line, len(entries), len(f.log.Entries()))
		}
		k := len(entries)
		if k < 5 || entries[0].Kind != "accept" ||
			entries[k-3].Kind != "counts" || entries[k-3].Detail != `"neuron4" v3: 0 runs, 0 training steps, 0 faults` ||
			entries[k-2].Kind != "counts" || entries[k-2].Detail != `"learner" v1: 0 runs, 0 training steps, 0 faults` ||
			entries[k-1].Kind != "poweroff" || entries[k-1].Detail != fmt.Sprintf("exit status %d", tt.status) {
			t.Errorf("%q: audit log %+v, want ... counts, counts, poweroff", tt.line, entries)
		}
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		for _, l := range lines[:len(lines)-1] {
			if !strings.HasPrefix(l, "audit ") {
				t.Errorf("%q: poweroff printed %q besides the log", tt.line, l)
			}
		}
		if !strings.HasPrefix(lines[len(lines)-1], "audit-head ") {
			t.Errorf("%q: the output does not end with the head", tt.line)
		}
	}
}

func slicesClone[T any](s []T) []T { return append([]T(nil), s...) }

func TestRunOverlongLine(t *testing.T) {
	f := newFixture(t)
	full := strings.Repeat("a", MaxLine)
	out, status := f.run(strings.Repeat("b", MaxLine+1) + "\n" + strings.Repeat("c", 5000) + "\r" + full + "\npoweroff 3\n")
	if status != 3 {
		t.Errorf("status %d, want 3", status)
	}
	if !strings.HasPrefix(out, "console: type help for commands\n"+Prompt) {
		t.Errorf("no banner and prompt: %q", out[:min(len(out), 80)])
	}
	if n := strings.Count(out, "\nerror: line longer than 1024 bytes ignored\n"); n != 2 {
		t.Errorf("%d over-long line errors, want 2", n)
	}
	if strings.Contains(out, "unknown command \"bbbb") || strings.Contains(out, "unknown command \"cccc") {
		t.Error("an over-long line was executed")
	}
	// A line of exactly MaxLine bytes is a line.
	if !strings.Contains(out, fmt.Sprintf("error: unknown command %q; try help\n", full[:32]+"...")) {
		t.Error("a line of exactly MaxLine bytes was not executed")
	}
	var overlong, unknown int
	for _, e := range f.log.Entries() {
		switch {
		case e.Kind == "console" && e.Detail == "over-long line (more than 1024 bytes) ignored":
			overlong++
		case e.Kind == "console":
			unknown++
		}
	}
	if overlong != 2 || unknown != 1 {
		t.Errorf("audited %d over-long lines and %d other console events, want 2 and 1", overlong, unknown)
	}
}

func TestRunLineEditing(t *testing.T) {
	f := newFixture(t)
	out, status := f.run("hellp\b\bp\nlisx\x7ft\r\npoweroff\n")
	if status != 0 {
		t.Errorf("status %d", status)
	}
	if !strings.Contains(out, shellHelp) || !strings.Contains(out, "neuron4 v3 by ") {
		t.Errorf("edited lines were not help and list:\n%s", out)
	}
	if !strings.Contains(out, Prompt+"hellp\b \b\b \bp\n") {
		t.Error("the line is not echoed with its erasures")
	}
	if strings.Contains(out, "unknown command") {
		t.Error("an edited line ran as typed")
	}
}

// wrap cuts base64 text into lines of n bytes.
func wrap(b64 string, n int) string {
	var b strings.Builder
	for len(b64) > n {
		b.WriteString(b64[:n] + "\n")
		b64 = b64[n:]
	}
	return b.String() + b64 + "\n"
}

func uploadLines(blob []byte, n int, hash [32]byte) string {
	return fmt.Sprintf("upload %d %x\n", n, hash) + wrap(base64.StdEncoding.EncodeToString(blob), 76) + ".\n"
}

func TestUpload(t *testing.T) {
	f := newFixture(t)
	fresh := f.k.neuron(t, "uploaded", 1)
	newer := f.k.learner(t, "neuron4", 4)
	n := len(f.log.Entries())
	out, status := f.run(uploadLines(fresh, len(fresh), blake3.Sum256(fresh)) + "info uploaded\n" +
		uploadLines(newer, len(newer), blake3.Sum256(newer)) + "list\npoweroff 5\n")
	if status != 5 {
		t.Errorf("status %d, want 5", status)
	}
	for _, want := range []string{
		fmt.Sprintf("send %d bytes as base64 lines, then a line \".\"\n", len(fresh)),
		fmt.Sprintf("muscle upload: accepted \"uploaded\" v1 by %s, forward, code 4 bytes blake3 ", f.pub()),
		"name          uploaded\nversion       1\n",
		fmt.Sprintf("muscle upload: accepted \"neuron4\" v4 by %s, forward,train, code 8 bytes", f.pub()),
		fmt.Sprintf("neuron4 v4 by %s: forward,train;", f.pub()),
		fmt.Sprintf("uploaded v1 by %s: forward;", f.pub()),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the console does not show %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "neuron4 v3") || strings.Contains(out, "error") {
		t.Errorf("neuron4 v3 still listed, or an error:\n%s", out)
	}
	if strings.Contains(out, base64.StdEncoding.EncodeToString(fresh)[:76]) {
		t.Error("the base64 body was echoed")
	}
	got := strings.Join(f.kinds(n), " ")
	if got != "upload accept upload accept counts counts counts counts poweroff" {
		t.Errorf("audit kinds %q", got)
	}
	e := f.log.Entries()[n:]
	h := blake3.Sum256(fresh)
	if e[0].Detail != fmt.Sprintf("%d bytes, blake3 %x", len(fresh), h[:8]) || !strings.HasPrefix(e[1].Detail, `upload: "uploaded" v1 by `) ||
		e[4].Detail != `"neuron4" v3: 0 runs, 0 training steps, 0 faults` {
		t.Errorf("audit entries %+v", e)
	}
	if _, err := audit.Verify(out, f.k.rec.AuditKey()); err != nil {
		t.Errorf("the audit log printed at poweroff does not verify: %v", err)
	}
}

func TestUploadJSON(t *testing.T) {
	f := newFixture(t)
	f.exec("json on")
	blob := f.k.neuron(t, "uploaded", 1)
	f.in.data = []byte(wrap(base64.StdEncoding.EncodeToString(blob), 1000) + ".\n")
	out := f.exec(fmt.Sprintf("upload %d %x", len(blob), blake3.Sum256(blob)))
	lines := strings.SplitAfter(out, "\n")
	if len(lines) != 3 || lines[0] != fmt.Sprintf("{\"send\": %d}\n", len(blob)) {
		t.Fatalf("upload replied %q", out)
	}
	var r map[string]string
	jsonReply(t, lines[1], &r)
	if !strings.HasPrefix(r["accepted"], `"uploaded" v1 by `) || len(r) != 1 {
		t.Errorf("accepted reply %v", r)
	}
	if f.ld.Find("uploaded") == nil {
		t.Error("the uploaded muscle is not served")
	}
	// Rejected by the loader: code "rejected", audited by the loader only.
	junk := []byte("not a muscle, but the hash is right")
	f.in.data = []byte(base64.StdEncoding.EncodeToString(junk) + "\n.\n")
	n := len(f.log.Entries())
	out = f.exec(fmt.Sprintf("upload %d %x", len(junk), blake3.Sum256(junk)))
	var e jsonError
	jsonReply(t, strings.SplitAfterN(out, "\n", 2)[1], &e)
	if e.Code != "rejected" || !strings.HasPrefix(e.Error, "rejected: not a .muscle blob") {
		t.Errorf("junk upload: %+v", e)
	}
	if got := strings.Join(f.kinds(n), " "); got != "upload reject" {
		t.Errorf("audit kinds %q, want upload reject", got)
	}
}

func TestUploadRefused(t *testing.T) {
	f := newFixture(t)
	blob := f.k.neuron(t, "uploaded", 1)
	good := blake3.Sum256(blob)
	other := blake3.Sum256(append(bytes.Clone(blob), 0))
	b64 := wrap(base64.StdEncoding.EncodeToString(blob), 76)
	// A body longer than announced is refused at the line that overflows;
	// the rest, up to ".", is discarded unread as commands: the
	// "poweroff 9" in it must not run.
	short := len(blob) - 30
	trap := "poweroff 9\nfrobnicate\n"
	input := fmt.Sprintf("upload %d %x\n", len(blob), other) + b64 + ".\n" +
		fmt.Sprintf("upload %d %x\n", short, good) + b64 + trap + ".\n" +
		"upload 10\n" +
		"upload 0 " + hex.EncodeToString(good[:]) + "\n" +
		"upload 10 abcd\n" +
		fmt.Sprintf("upload %d %x\n", len(blob), good) + strings.Repeat("A", MaxLine+1) + "\n" + trap + ".\n" +
		"list\npoweroff 4\n"
	n := len(f.log.Entries())
	out, status := f.run(input)
	if status != 4 {
		t.Fatalf("status %d, want 4 (a line of a refused upload ran as a command?):\n%s", status, out)
	}
	limit := (short + 2) / 3 * 4
	for _, want := range []string{
		fmt.Sprintf("error: upload: BLAKE3 of the received bytes is %x, the header said %x\n", good, other),
		fmt.Sprintf("error: upload: more than %d bytes of base64 for %d bytes\n", limit, short),
		"error: upload: usage: upload LENGTH BLAKE3\n",
		`error: upload: length "0" is not 1-134217728` + "\n",
		`error: upload: "abcd" is not a 64-digit hex BLAKE3 hash` + "\n",
		"error: upload: a base64 line is longer than 1024 bytes\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the console does not show %q", want)
		}
	}
	if strings.Contains(out, "frobnicate") || strings.Contains(out, "accepted") || strings.Contains(out, "uploaded v1") {
		t.Errorf("a refused upload was served or its lines ran:\n%s", out)
	}
	got := strings.Join(f.kinds(n), " ")
	if got != "upload-error upload-error upload-error upload-error upload-error upload-error counts counts poweroff" {
		t.Errorf("audit kinds %q", got)
	}
	if e := f.log.Entries()[n+1]; e.Detail != fmt.Sprintf("more than %d bytes of base64 for %d bytes", limit, short) {
		t.Errorf("upload-error detail %q", e.Detail)
	}
}
