package console

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"lukechampine.com/blake3"

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/referee/audit"
	"github.com/muscles/referee/referee/loader"
)

// endless is console input that, after its bytes, sends "." lines for
// ever: an upload started by a fuzzed line always ends.
type endless struct {
	data []byte
	i    int
}

func (e *endless) ReadConsole() (byte, bool) {
	if len(e.data) > 0 {
		c := e.data[0]
		e.data = e.data[1:]
		return c, true
	}
	e.i++
	return ".\n"[e.i%2], true
}

// randomShape has 1..3 dimensions of 1..8 elements.
func randomShape(r *rand.Rand) muscle.Shape {
	s := make(muscle.Shape, 1+r.IntN(3))
	for i := range s {
		s[i] = uint32(1 + r.IntN(8))
	}
	return s
}

// capSets are the valid capability sets (persist needs train).
var capSets = []muscle.Capabilities{
	muscle.CapForward, muscle.CapForward | muscle.CapTrain, muscle.CapAll,
	muscle.CapTrain, muscle.CapTrain | muscle.CapPersist, 0,
}

// randomMuscle seals a valid muscle whose code is ret (forward) and, with
// a train entry, a second ret (train at offset 4): random shapes, random
// capabilities among forward, train and persist; a muscle without the
// train capability may still have the entry.
func randomMuscle(t testing.TB, k keys, r *rand.Rand, name string) []byte {
	t.Helper()
	caps := capSets[r.IntN(len(capSets))]
	hasTrain := caps&muscle.CapTrain != 0 || r.IntN(2) == 0
	return sealRandom(t, k, r, name, caps, hasTrain)
}

func sealRandom(t testing.TB, k keys, r *rand.Rand, name string, caps muscle.Capabilities, hasTrain bool) []byte {
	t.Helper()
	in := &muscle.Input{Name: name, Version: uint64(1 + r.IntN(100)), Capabilities: caps, BudgetMicros: uint32(1 + r.IntN(10000)), Code: codeRet}
	in.Manifest.TrainEntry = muscle.NoEntry
	if hasTrain {
		in.Code, in.Manifest.TrainEntry = codeRetRet, 4
	}
	in.Manifest.Input, in.Manifest.Output, in.Manifest.State = randomShape(r), randomShape(r), randomShape(r)
	if r.IntN(3) != 0 {
		in.Manifest.Target = randomShape(r)
	}
	in.Manifest.ScratchSize = uint32(r.IntN(300))
	in.State = make([]byte, in.Manifest.State.Bytes())
	for i := range in.State {
		in.State[i] = byte(r.Uint32())
	}
	return k.sealInput(t, in)
}

// values is an input of n numbers.
func values(n int64) string {
	v := make([]string, n)
	for i := range v {
		v[i] = strconv.Itoa(i - 2)
	}
	return strings.Join(v, ",")
}

// validPoweroff is what Execute must power off for, and with which status.
func validPoweroff(line string) (int, bool) {
	f := strings.Fields(line)
	if len(f) == 0 || f[0] != "poweroff" || len(f) > 2 {
		return 0, false
	}
	if len(f) == 1 {
		return 0, true
	}
	n, err := strconv.Atoi(f[1])
	return n, err == nil && n >= 0 && n <= 255
}

func FuzzExecute(f *testing.F) {
	k := newKeys(f)
	r := rand.New(rand.NewPCG(2025, 7))
	var blobs [][]byte
	var names []string
	// Every capability set, with and without a train entry where that is
	// valid, then a few fully random ones.
	for _, caps := range capSets {
		for _, hasTrain := range []bool{true, false} {
			if caps&muscle.CapTrain != 0 && !hasTrain {
				continue
			}
			names = append(names, fmt.Sprintf("m%d", len(names)))
			blobs = append(blobs, sealRandom(f, k, r, names[len(names)-1], caps, hasTrain))
		}
	}
	for range 3 {
		names = append(names, fmt.Sprintf("m%d", len(names)))
		blobs = append(blobs, randomMuscle(f, k, r, names[len(names)-1]))
	}
	var clock int64
	now := func() int64 { clock++; return clock }
	var ld *loader.Loader
	build := func() {
		ld = &loader.Loader{Out: &bytes.Buffer{}, Rec: k.rec, Log: audit.New(k.rec.AuditKey()), Now: now,
			DeadlineTicks: func(us uint32) uint64 { return uint64(us) * 62 }, MemoryBudget: 256 << 20, PeakInstructionsPerMicro: 4000}
		for i, b := range blobs {
			if _, err := ld.Admit(names[i], b); err != nil {
				f.Fatalf("%s: %v", names[i], err)
			}
		}
	}
	build()

	for _, line := range []string{"", " ", "\t\r", "help", "list", "audit", "json on", "json off", "json", "json on off",
		"poweroff", "poweroff 0", "poweroff 255", "poweroff 256", "poweroff -1", "poweroff +7", "poweroff 0x10", "poweroff 1 2",
		"run", "run x 1,2", "info", "info x", "train", "bench", "bench x", "upload", "upload 10", "upload 0 00",
		"upload 10 " + strings.Repeat("0", 64), "upload 134217729 " + strings.Repeat("a", 64), "upload -1 zz",
		"frobnicate", strings.Repeat("z", 2000), "\x00", "héllo wörld", "run m0 NaN,Inf,-Inf,1e40", "run m0 ,,,",
		"train m0 1 1 1000000", "bench m0 1000000", "info " + strings.Repeat("m", 300)} {
		f.Add(line, []byte(nil), false)
		f.Add(line, []byte(nil), true)
	}
	for _, m := range ld.Muscles() {
		man := m.Manifest
		for _, line := range []string{
			"info " + m.Name(),
			"run " + m.Name() + " " + values(man.Input.Elements()),
			"run " + m.Name() + " " + values(man.Input.Elements()+1),
			"train " + m.Name() + " " + values(man.Input.Elements()) + " " + values(man.Target.Elements()) + " 3",
			"bench " + m.Name() + " 2",
		} {
			f.Add(line, []byte(nil), false)
			f.Add(line, []byte(nil), true)
		}
	}
	for _, b := range [][]byte{randomMuscle(f, k, r, "fresh"), randomMuscle(f, k, r, "m3"), []byte("junk")} {
		body := []byte(wrap(base64.StdEncoding.EncodeToString(b), 76) + ".\n")
		f.Add(fmt.Sprintf("upload %d %x", len(b), blake3.Sum256(b)), body, false)
		f.Add(fmt.Sprintf("upload %d %x", len(b), blake3.Sum256(b)), body, true)
		f.Add(fmt.Sprintf("upload %d %x", len(b)-1, blake3.Sum256(b)), append(body, "poweroff 3\n.\n"...), false)
	}

	dirty := false
	f.Fuzz(func(t *testing.T, line string, rest []byte, jsonMode bool) {
		if dirty {
			build()
			dirty = false
		}
		log := audit.New(k.rec.AuditKey())
		ld.Log = log
		var out bytes.Buffer
		sh := &Shell{In: &endless{data: rest}, Out: &out, Log: log, Loader: ld, Now: now,
			Instructions: func() (uint64, bool) { return 0, false },
			Wait:         func() { panic("the shell waits although input never runs out") },
			json:         jsonMode}
		fields := strings.Fields(line)
		if len(fields) > 0 && (fields[0] == "upload" || fields[0] == "poweroff") {
			dirty = true // uploads and poweroff change what is served
		}

		status, done := sh.Execute(line)

		wantStatus, wantDone := validPoweroff(line)
		if done != wantDone || (done && status != wantStatus) || (!done && status != 0) {
			t.Fatalf("%q: status %d, done %v; want %d, %v", line, status, done, wantStatus, wantDone)
		}
		if len(fields) == 0 && out.Len() != 0 {
			t.Fatalf("blank line %q printed %q", line, out.String())
		}
		if len(fields) > 0 && out.Len() == 0 {
			t.Fatalf("%q printed nothing", line)
		}
		if done && len(ld.Muscles()) != 0 {
			t.Fatalf("%q: muscles served after poweroff", line)
		}
		if jsonMode && !done && len(fields) > 0 && fields[0] != "help" && fields[0] != "audit" && fields[0] != "json" {
			for _, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
				if !json.Valid([]byte(l)) {
					t.Fatalf("%q in JSON mode printed a line that is not JSON: %q", line, l)
				}
			}
		}
		var printed bytes.Buffer
		PrintAudit(&printed, log)
		entries, err := audit.Verify(printed.String(), k.rec.AuditKey())
		if err != nil || len(entries) != len(log.Entries()) {
			t.Fatalf("%q: the audit log does not verify: %v", line, err)
		}
		if done {
			if entries[len(entries)-1].Kind != "poweroff" {
				t.Fatalf("%q: the last audit entry is %q, not poweroff", line, entries[len(entries)-1].Kind)
			}
			if _, err := audit.Verify(out.String(), k.rec.AuditKey()); err != nil {
				t.Fatalf("%q: the log printed at poweroff does not verify: %v", line, err)
			}
		}
	})
}

func FuzzUploadFraming(f *testing.F) {
	for _, d := range [][]byte{[]byte("x"), []byte("hello, muscle"), bytes.Repeat([]byte{0xff, 0, 0x7f}, 700)} {
		b64 := base64.StdEncoding.EncodeToString(d)
		args := fmt.Sprintf("%d %x", len(d), blake3.Sum256(d))
		f.Add(args, wrap(b64, 76)+".", d, uint16(76))
		f.Add(args, wrap(b64, 3)+" .\n.", d, uint16(1))
		f.Add(args, b64+"=\n.", d, uint16(1024))
		f.Add(fmt.Sprintf("%d %x", len(d)+1, blake3.Sum256(d)), b64+"\n.", d, uint16(5))
	}
	f.Add("", "", []byte(nil), uint16(0))
	f.Add("10", ".", []byte{}, uint16(0))
	f.Add("0 "+strings.Repeat("0", 64), ".", []byte{1}, uint16(0))
	f.Add("134217728 "+strings.Repeat("A", 64), "AAAA\n.", []byte{1, 2}, uint16(9))
	f.Add("134217729 "+strings.Repeat("a", 64), "", []byte{3}, uint16(65535))
	f.Add("4 "+strings.Repeat("g", 64), "", []byte{3}, uint16(2))
	f.Add("+4 "+strings.Repeat("0", 63), "====\n.", []byte("four"), uint16(2))
	f.Add("1 "+strings.Repeat("0", 64), "!!!!\n.", []byte{1}, uint16(0)) // a bad group: nothing kept

	f.Fuzz(func(t *testing.T, args, body string, data []byte, width uint16) {
		// Random framing: whatever is accepted is exactly what was announced.
		if h, err := parseUploadHeader(strings.Fields(args)); err == nil {
			if h.n < 1 || h.n > MaxUpload {
				t.Fatalf("%q: header accepted with length %d", args, h.n)
			}
			b := newUploadBody(h)
			limit := (h.n + 2) / 3 * 4
			for _, l := range strings.Split(body, "\n") {
				done, err := b.line(l)
				if b.chars > limit || len(b.blob) > h.n+2 || len(b.carry) > 3 {
					t.Fatalf("%d characters of base64, %d bytes decoded and %d carried for %d bytes", b.chars, len(b.blob), len(b.carry), h.n)
				}
				if err != nil {
					break
				}
				if done {
					if blob, err := b.result(); err == nil {
						if len(blob) != h.n || blake3.Sum256(blob) != h.hash {
							t.Fatalf("blob of %d bytes, hash %x accepted for %d bytes, hash %x", len(blob), blake3.Sum256(blob), h.n, h.hash)
						}
					}
					break
				}
			}
		}

		// Round trip: data sent as announced, in lines of any width, is
		// received exactly; announced otherwise it is refused.
		if len(data) == 0 {
			return
		}
		hash := blake3.Sum256(data)
		lines := strings.Split(wrap(base64.StdEncoding.EncodeToString(data), int(width)%MaxLine+1)+".", "\n")
		send := func(n int, hash [32]byte) ([]byte, error) {
			h, err := parseUploadHeader([]string{strconv.Itoa(n), fmt.Sprintf("%x", hash)})
			if err != nil {
				t.Fatalf("header for %d bytes: %v", n, err)
			}
			b := newUploadBody(h)
			for _, l := range lines {
				done, err := b.line(l)
				if err != nil {
					return nil, err
				}
				if done {
					return b.result()
				}
			}
			t.Fatal("the closing line was not taken as the end")
			return nil, nil
		}
		if got, err := send(len(data), hash); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%d bytes in lines of %d: %v; received %d bytes", len(data), int(width)%MaxLine+1, err, len(got))
		}
		if _, err := send(len(data)+1, hash); err == nil {
			t.Fatal("accepted with a length one more than sent")
		}
		if len(data) > 1 {
			if _, err := send(len(data)-1, hash); err == nil {
				t.Fatal("accepted with a length one less than sent")
			}
		}
		hash[int(width)%32] ^= 1 << (width % 8)
		if _, err := send(len(data), hash); err == nil {
			t.Fatal("accepted with a wrong hash")
		}
	})
}
