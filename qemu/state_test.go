package qemu_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/qemu"
	"github.com/muscles/referee/referee/store"
)

// live is a running referee whose console the test types at and reads.
type live struct {
	t    *testing.T
	in   io.WriteCloser
	mu   sync.Mutex
	out  strings.Builder
	seen int // how much of out the test has consumed
	done chan error
	kill func()
}

func start(t *testing.T, c qemu.Config) *live {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), bootTimeout)
	cmd, err := c.Command(ctx)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	l := &live{t: t, done: make(chan error, 1)}
	if l.in, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	r, w := io.Pipe()
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		br := bufio.NewReader(r)
		for {
			b, err := br.ReadByte()
			if err != nil {
				return
			}
			l.mu.Lock()
			l.out.WriteByte(b)
			l.mu.Unlock()
		}
	}()
	go func() { err := cmd.Wait(); w.Close(); cancel(); l.done <- err }()
	l.kill = func() { cmd.Process.Kill() }
	return l
}

// await waits for a whole line matching re in the output not yet
// consumed and consumes up to it.
func (l *live) await(re *regexp.Regexp) []string {
	l.t.Helper()
	deadline := time.Now().Add(bootTimeout)
	for time.Now().Before(deadline) {
		l.mu.Lock()
		rest := l.out.String()[l.seen:]
		// Whole lines only: a line still arriving ("saved generation 1"
		// of "... 17") must not match.
		rest = rest[:strings.LastIndexByte(rest, '\n')+1]
		if loc := re.FindStringSubmatchIndex(rest); loc != nil {
			m := re.FindStringSubmatch(rest)
			l.seen += loc[1]
			l.mu.Unlock()
			return m
		}
		l.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
	}
	l.t.Fatalf("no output matching %q; console:\n%s", re, l.all())
	return nil
}

func (l *live) all() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.out.String()
}

func (l *live) send(line string) { io.WriteString(l.in, line+"\n") }

var (
	reLoaded  = regexp.MustCompile(`(?m)^state: (loaded generation (\d+).*|no valid record: a fresh store|no sealed store: .*|REFUSED: .*)$`)
	reReady   = regexp.MustCompile(`(?m)^console: type help`)
	reOutput  = regexp.MustCompile(`(?m)^output \[([-0-9.e+]+)\]$`)
	reSaved   = regexp.MustCompile(`(?m)^(?:state )?saved generation (\d+)`)
	reTrained = regexp.MustCompile(`(?m)^state (saved generation \d+|not saved yet)`)
)

// TestStateSurvivesKill trains and saves the counter muscle (train adds
// 1 to its state) in a loop and kills QEMU at a random moment, a bounded
// number of times, on every board with a state medium: after each reboot
// the generation loaded is at least the last one the console
// acknowledged, and the counter is the value saved with it.
func TestStateSurvivesKill(t *testing.T) {
	forBoards(t, func(t *testing.T, tb *testBoard) {
		if !qemu.HasStateMedium(tb.name) {
			out, _ := boot(t, qemu.Config{Board: tb.name, Kernel: tb.image, NoRNG: true, Keys: keyFile})
			expectLines(t, out, `^state: no sealed store: `)
			return
		}
		disk := filepath.Join(t.TempDir(), "state.img")
		if err := os.WriteFile(disk, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(disk, store.DefaultDiskBytes); err != nil {
			t.Fatal(err)
		}
		bundle := writeBundle(t, map[string][]byte{"counter": sealCounter(t, sealer, signer, "counter", muscle.CapAll)}, []string{"counter"})
		rng := rand.New(rand.NewPCG(uint64(len(tb.name)), 42))
		valueAt := map[uint64]int{0: 0} // generation -> counter saved with it
		acked := uint64(0)
		last := 0 // the counter when QEMU was killed
		const rounds = 6
		saves := 0
		for round := 0; round <= rounds; round++ {
			l := start(t, qemu.Config{Board: tb.name, Kernel: tb.image, NoRNG: true, Keys: keyFile, Muscles: bundle, State: disk})
			m := l.await(reLoaded)
			if strings.HasPrefix(m[1], "no sealed store") || strings.HasPrefix(m[1], "REFUSED") {
				l.kill()
				t.Fatalf("round %d: %s; console:\n%s", round, m[1], l.all())
			}
			gen := uint64(0)
			if m[2] != "" {
				gen, _ = strconv.ParseUint(m[2], 10, 64)
			}
			l.await(reReady)
			l.send("run counter 0,0,0,0")
			value, _ := strconv.Atoi(l.await(reOutput)[1])
			if gen < acked {
				t.Fatalf("round %d: loaded generation %d, but generation %d was acknowledged", round, gen, acked)
			}
			if want, ok := valueAt[gen]; ok && value != want {
				t.Fatalf("round %d: generation %d holds counter %d, saved as %d", round, gen, value, want)
			} else if !ok && (gen != acked+1 || value != last && value != last+1) {
				// Only a save in flight at the kill may be newer than
				// the last acknowledged, holding the counter as it was
				// then (or one more: a train that saved).
				t.Fatalf("round %d: loaded generation %d with counter %d; the last acknowledged is %d, the counter at the kill %d", round, gen, value, acked, last)
			}
			t.Logf("round %d: loaded generation %d (acknowledged %d), counter %d", round, gen, acked, value)
			// What was loaded is on the medium from now on.
			valueAt[gen], acked = value, gen
			if round == rounds {
				l.send("poweroff")
				if err := <-l.done; err != nil {
					t.Errorf("power-off: %v", err)
				}
				break
			}
			// Train and save until a random command, killed after a
			// random delay.
			killAt := 2 + rng.IntN(8)
			for c := 0; ; c++ {
				train := rng.IntN(2) == 0
				if train {
					l.send("train counter 1,0,0,0 0")
				} else {
					l.send("save")
				}
				if c == killAt {
					time.Sleep(time.Duration(rng.IntN(40)) * time.Millisecond)
					l.kill()
					<-l.done
					break
				}
				if train {
					value, _ = strconv.Atoi(l.await(reOutput)[1])
					s := l.await(reTrained)
					if g, ok := strings.CutPrefix(s[1], "saved generation "); ok {
						n, _ := strconv.ParseUint(g, 10, 64)
						valueAt[n], acked = value, n
						saves++
					}
				} else {
					n, _ := strconv.ParseUint(l.await(reSaved)[1], 10, 64)
					valueAt[n], acked = value, n
					saves++
				}
			}
			last = value
		}
		t.Logf("%d rounds killed at random, %d saves acknowledged, last generation %d", rounds, saves, acked)
		if saves == 0 {
			t.Error("no save was acknowledged: the test shows nothing")
		}
	})
}

var reCost = regexp.MustCompile(`(?m)^state: boot scan took (\d+) ns, (\d+) of them in the device(?:; the last save took (\d+) ns, (\d+) of them in the device)?`)

// BenchmarkState reports what the sealed store costs, in instructions
// (-icount): the boot scan of an empty medium and of one holding two
// records, and a save, with the counter muscle alone (a state of a few
// bytes) and with a muscle of 256 KiB of state beside it. Each figure is
// the store's own work (sealing, hashing, checking: deterministic); the
// time inside the device's calls, where the guest polls until QEMU's host
// side answers and which varies with the host's load, is reported apart.
func BenchmarkState(b *testing.B) {
	for _, tb := range boardsUnderTest {
		if !qemu.HasStateMedium(tb.name) {
			continue
		}
		b.Run(tb.name, func(b *testing.B) {
			wide := counterInput("wide", 1, muscle.CapAll)
			wide.State = make([]byte, 256<<10)
			wide.Manifest.State = muscle.Shape{64 << 10}
			for _, set := range []struct {
				name  string
				files map[string][]byte
			}{
				{"small", map[string][]byte{"counter": sealCounter(b, sealer, signer, "counter", muscle.CapAll)}},
				{"256KiB", map[string][]byte{"counter": sealCounter(b, sealer, signer, "counter", muscle.CapAll), "wide": sealMuscle(b, sealer, signer, wide)}},
			} {
				var order []string
				for n := range set.files {
					order = append(order, n)
				}
				slices.Sort(order)
				bundle := writeBundle(b, set.files, order)
				var scanEmpty, scanFull, save, device []float64
				for i := 0; i < b.N; i++ {
					disk := filepath.Join(b.TempDir(), "state.img")
					if err := os.WriteFile(disk, make([]byte, store.DefaultDiskBytes), 0o600); err != nil {
						b.Fatal(err)
					}
					for boot := 0; boot < 2; boot++ {
						console, status := bootWithInput(b, qemu.Config{Board: tb.name, Kernel: tb.image, ICount: true, NoRNG: true, Keys: keyFile, Muscles: bundle, State: disk},
							"save\nsave\nsave\nstate\npoweroff\n")
						m := reCost.FindStringSubmatch(console)
						if status != 0 || m == nil || m[3] == "" {
							b.Fatalf("exit status %d; console:\n%s", status, console)
						}
						scan := parseFloat(b, m[1]) - parseFloat(b, m[2])
						if boot == 0 {
							scanEmpty = append(scanEmpty, scan)
						} else {
							scanFull = append(scanFull, scan)
						}
						save = append(save, parseFloat(b, m[3])-parseFloat(b, m[4]))
						device = append(device, parseFloat(b, m[4]))
					}
				}
				b.ReportMetric(median(scanEmpty), set.name+":insns/scan-empty")
				b.ReportMetric(median(scanFull), set.name+":insns/scan-2-records")
				b.ReportMetric(median(save), set.name+":insns/save")
				fmt.Printf("%s %s: the store's own instructions: boot scan of an empty medium %.0f, of 2 records %.0f; a save %.0f, plus %.0f in the device's calls (the driver, and on virt polling for the host, which varies with its load) (no targets set)\n",
					tb.name, set.name, median(scanEmpty), median(scanFull), median(save), median(device))
			}
		})
	}
}
