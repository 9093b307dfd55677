package qemu_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"lukechampine.com/blake3"

	"github.com/muscles/referee/board"
	"github.com/muscles/referee/board/boards"
	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/muscle/bundle"
	"github.com/muscles/referee/muscle/muscletest"
	"github.com/muscles/referee/qemu"
	"github.com/muscles/referee/referee/audit"
	"github.com/muscles/referee/tools/image"
)

// The boot tests build the real image with the project's toolchain (or
// $TAMAGO) and boot it in real QEMU, reading the serial console and the exit
// status that semihosting passes back.

var (
	goCmd    string // the tamago go command
	keyFile  string // a master-key record every boot test loads
	auditKey [32]byte
	sealer   *muscle.SealingKey // the record's publisher
	signer   *muscle.SigningKey
	buildDir string
)

// testBoard is one board of board/boards under test: its image, shared by
// the boot tests, and (built on first use) its diagnostic image.
type testBoard struct {
	name  string
	image string

	diagOnce sync.Once
	diag     string
	diagErr  error
}

// boardsUnderTest holds every board the project supports.
var boardsUnderTest []*testBoard

// forBoards runs f as a subtest on every board.
func forBoards(t *testing.T, f func(t *testing.T, tb *testBoard)) {
	t.Helper()
	for _, tb := range boardsUnderTest {
		t.Run(tb.name, func(t *testing.T) { f(t, tb) })
	}
}

// diagImage is the board's image with the banner diagnostics (-diag).
func (tb *testBoard) diagImage(t testing.TB) string {
	t.Helper()
	tb.diagOnce.Do(func() {
		tb.diag = filepath.Join(buildDir, "referee-"+tb.name+"-diag.elf")
		var log bytes.Buffer
		if err := image.Build(context.Background(), image.Options{Board: tb.name, Go: goCmd, Out: tb.diag, Diag: true, Progress: &log}); err != nil {
			tb.diagErr = fmt.Errorf("%v\n%s", err, log.String())
		}
	})
	if tb.diagErr != nil {
		t.Fatal(tb.diagErr)
	}
	return tb.diag
}

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "referee-boot-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	buildDir = dir
	var log bytes.Buffer
	if goCmd, err = image.GoCommand(&log); err != nil {
		fmt.Fprintf(os.Stderr, "the toolchain: %v\n%s", err, log.String())
		return 1
	}
	for _, b := range boards.All {
		tb := &testBoard{name: b.Name, image: filepath.Join(dir, "referee-"+b.Name+".elf")}
		if err := image.Build(context.Background(), image.Options{Board: b.Name, Go: goCmd, Out: tb.image, Progress: &log}); err != nil {
			fmt.Fprintf(os.Stderr, "building the %s test image: %v\n%s", b.Name, err, log.String())
			return 1
		}
		boardsUnderTest = append(boardsUnderTest, tb)
	}
	if keyFile, err = writeKeyRecord(dir); err != nil {
		fmt.Fprintf(os.Stderr, "making the test key record: %v\n", err)
		return 1
	}
	return m.Run()
}

// layoutOf is a board's memory map.
func layoutOf(t testing.TB, name string) *board.Layout {
	t.Helper()
	b, err := boards.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return b.Layout
}

// hexRange is a region as the banner prints it.
func hexRange(r board.Region) string { return fmt.Sprintf("0x%08x-0x%08x", r.Start, r.End) }

// boardUnderTest finds a board's test image.
func boardUnderTest(t testing.TB, name string) *testBoard {
	for _, tb := range boardsUnderTest {
		if tb.name == name {
			return tb
		}
	}
	t.Fatalf("board %q is not under test", name)
	return nil
}

// writeKeyRecord makes a master-key record with one publisher, as
// `muscle keygen` does, writes it to dir, and keeps its audit key and the
// publisher's keys.
func writeKeyRecord(dir string) (string, error) {
	rec, sk, sg, err := newKeyRecord()
	if err != nil {
		return "", err
	}
	b, err := rec.MarshalBinary()
	if err != nil {
		return "", err
	}
	auditKey, sealer, signer = rec.AuditKey(), sk, sg
	file := filepath.Join(dir, "keyrecord.bin")
	return file, os.WriteFile(file, b, 0o600)
}

func newKeyRecord() (*muscle.KeyRecord, *muscle.SealingKey, *muscle.SigningKey, error) {
	p, err := muscletest.NewPublisher(muscle.CapAll)
	if err != nil {
		return nil, nil, nil, err
	}
	return p.Record, p.Sealer, p.Signer, nil
}

const bootTimeout = 3 * time.Minute

// boot runs the image, typing "poweroff" at its console, and returns the
// console output and the exit status.
func boot(t testing.TB, c qemu.Config) (string, int) {
	t.Helper()
	return bootWithInput(t, c, "poweroff\n")
}

// bootWithInput runs the image with input typed at its serial console.
func bootWithInput(t testing.TB, c qemu.Config, input string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), bootTimeout)
	defer cancel()
	cmd, err := c.Command(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cmd.Stdin = strings.NewReader(input)
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("no power-off within %v; console:\n%s", bootTimeout, out.String())
	}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return out.String(), exit.ExitCode()
	case err != nil:
		t.Fatalf("%s: %v", qemu.CommandLine(cmd), err)
	}
	return out.String(), 0
}

func expectLines(t *testing.T, console string, patterns ...string) {
	t.Helper()
	for _, p := range patterns {
		if !regexp.MustCompile(`(?m)` + p).MatchString(console) {
			t.Errorf("console has no line matching %q", p)
		}
	}
	if t.Failed() {
		t.Logf("console:\n%s", console)
	}
}

// bannerLines are the board-specific lines of each board's banner.
var bannerLines = map[string][]string{
	"virt": {
		`^board: qemu virt`,
		`^  runtime ram +0x40200000-0x8e000000 `,
		`^dtb: .* covers the layout; pl011@9000000; 32 virtio-mmio slots$`,
		`^entropy: dtb rng-seed \+ virtio-rng@0x[0-9a-f]+, ChaCha8 DRBG$`,
	},
	"imx8mpevk": {
		`^board: NXP 8MPLUSLPD4-EVK .* under QEMU imx8mp-evk$`,
		`^  runtime ram +0x40000000-0x8e000000 `,
		`^soc: i\.MX 8M Plus Quad .*uart1@0x30860000, generic timer 8000000 Hz, emulated true$`,
		`^entropy: NONE: .*PREDICTABLE$`,
	},
	"rpi4b": {
		`^board: Raspberry Pi 4 Model B .* under QEMU raspi4b$`,
		`^  runtime ram +0x00200000-0x30000000 `,
		`^soc: bcm2711, uart0 \(pl011\)@0xfe201000 on gpio 14/15 at 115200 baud, gic-400@0xff841000, generic timer 62500000 Hz \(as the firmware set it\), emulated true$`,
		`^entropy: NONE: no RNG200 answers at 0xfe104000; random numbers are PREDICTABLE$`,
	},
}

func TestBootBanner(t *testing.T) {
	forBoards(t, func(t *testing.T, tb *testBoard) {
		console, status := boot(t, qemu.Config{Board: tb.name, Kernel: tb.image, Keys: keyFile})
		if status != 0 {
			t.Errorf("exit status %d, want 0", status)
		}
		if _, err := audit.Verify(console, auditKey); err != nil {
			t.Errorf("the audit log does not verify: %v", err)
		}
		expectLines(t, console, bannerLines[tb.name]...)
		expectLines(t, console,
			`^referee \d+\.\d+\.\d+: `,
			`^go: go1\.26\.\d+ tamago/arm64$`,
			`^  key record +`+hexRange(layoutOf(t, tb.name).KeyRecord)+` `,
			`^  muscle bundle +`+hexRange(layoutOf(t, tb.name).Bundle)+` `,
			`^cpu: AES=true PMULL=true SHA2=true `,
			`^keys: master-key record [0-9a-f]{32} with 1 publishers; key region wiped and unmapped$`,
			`^audit 0 \d+ boot 0{64} [0-9a-f]{64} "referee .* image text blake3 [0-9a-f]{32}"$`,
			`^audit 1 \d+ key [0-9a-f]{64} [0-9a-f]{64} "key id [0-9a-f]{32}, 1 publishers, key region wiped and unmapped"$`,
			`^referee: powering off, exit status 0$`,
		)
		for _, diag := range []string{"aes: ", "no-os: ", "idle: "} {
			if strings.Contains(console, "\n"+diag) {
				t.Errorf("the production image prints the diagnostic %q", diag)
			}
		}
		master, _ := os.ReadFile(keyFile)
		if strings.Contains(console, fmt.Sprintf("%x", master[32:64])) {
			t.Errorf("the console shows the master key")
		}
	})
}

// TestDiagnostics: a -diag image adds what the production image leaves
// out: Go's crypto uses the ARMv8 AES and PMULL instructions, OS services
// fail at run time.
func TestDiagnostics(t *testing.T) {
	forBoards(t, func(t *testing.T, tb *testBoard) {
		console, status := boot(t, qemu.Config{Board: tb.name, Kernel: tb.diagImage(t), Keys: keyFile, NoRNG: true})
		if status != 0 {
			t.Errorf("exit status %d, want 0", status)
		}
		expectLines(t, console,
			`^aes: crypto/aes runs on ARMv8 AES\+PMULL instructions; AES-256-GCM [0-9.]+ ns/byte$`,
			`^no-os: files, processes and sockets fail at run time: open /etc/hosts: `,
			`^idle: time\.Sleep\(20ms\)`,
		)
	})
}

// TestConsole drives the console shell: commands, errors for garbage (which
// the audit log records), and the exit status of poweroff.
func TestConsole(t *testing.T) {
	forBoards(t, func(t *testing.T, tb *testBoard) {
		long := strings.Repeat("x", 2000)
		input := "help\nfrobnicate now\n" + long + "\npoweroff 300\nlist\nrun\ntrain a b\ninfo\nbench\njson maybe\nrun x 1,2\njson on\nrun\njson off\naudit\npoweroff 9\n"
		console, status := bootWithInput(t, qemu.Config{Board: tb.name, Kernel: tb.image, NoRNG: true, Keys: keyFile}, input)
		if status != 9 {
			t.Errorf("exit status %d, want 9", status)
		}
		expectLines(t, console,
			`^referee> help$`,
			`^  poweroff \[N\] `,
			`^error: unknown command "frobnicate"; try help$`,
			`^error: line longer than 1024 bytes ignored$`,
			`^error: poweroff: exit status "300" is not 0-255$`,
			`^no muscles loaded$`,
			`^error: run: usage: run NAME V,V,\.\.\.$`,
			`^error: train: usage: train NAME INPUTS TARGETS \[STEPS\]$`,
			`^error: info: usage: info NAME$`,
			`^error: bench: usage: bench NAME \[N\]$`,
			`^error: json: usage: json on\|off$`,
			`^error: run: no muscle "x" is loaded \(list shows them\)$`,
			`^\{"error":"usage: run NAME V,V,\.\.\.","code":"usage"\}$`,
			`^audit \d+ \d+ console .* "unknown command \\"frobnicate\\""$`,
			`^audit \d+ \d+ console .* "over-long line \(more than 1024 bytes\) ignored"$`,
			`^referee: powering off, exit status 9$`,
		)
		entries, err := audit.Verify(console, auditKey)
		if err != nil {
			t.Fatalf("the audit log does not verify: %v", err)
		}
		if last := entries[len(entries)-1]; last.Kind != "poweroff" || last.Detail != "exit status 9" {
			t.Errorf("last audited event %q %q, want the power-off (the log printed at power-off is complete)", last.Kind, last.Detail)
		}
	})
}

// uploadInput frames a blob for the console's upload command: LENGTH and
// BLAKE3 on the command line, base64 lines, then ".".
func uploadInput(blob []byte, hash string) string {
	if hash == "" {
		sum := blake3.Sum256(blob)
		hash = fmt.Sprintf("%x", sum)
	}
	text := base64.StdEncoding.EncodeToString(blob)
	var b strings.Builder
	fmt.Fprintf(&b, "upload %d %s\n", len(blob), hash)
	for len(text) > 76 {
		b.WriteString(text[:76] + "\n")
		text = text[76:]
	}
	b.WriteString(text + "\n.\n")
	return b.String()
}

// TestUpload adds muscles at run time over the console: a good one is
// served, a newer version replaces it, and a corrupted transfer, a
// tampered blob and an older version are refused, each audited.
func TestUpload(t *testing.T) {
	forBoards(t, func(t *testing.T, tb *testBoard) {
		v1 := sealNeuron(t, sealer, signer, "uploaded", 1)
		v2 := sealNeuron(t, sealer, signer, "uploaded", 2)
		tampered := bytes.Clone(v1)
		tampered[len(tampered)-70] ^= 1
		input := uploadInput(v1, "") +
			uploadInput(v1, strings.Repeat("ab", 32)) +
			uploadInput(tampered, "") +
			uploadInput(v2, "") +
			uploadInput(v1, "") +
			"upload 10\nlist\naudit\npoweroff\n"
		console, status := bootWithInput(t, qemu.Config{Board: tb.name, Kernel: tb.image, NoRNG: true, Keys: keyFile}, input)
		if status != 0 {
			t.Errorf("exit status %d, want 0", status)
		}
		expectLines(t, console,
			`^muscle upload: accepted "uploaded" v1 by `,
			`^error: upload: BLAKE3 of the received bytes is [0-9a-f]{64}, the header said (ab){32}$`,
			`^error: upload: rejected: tampered`,
			`^muscle upload: accepted "uploaded" v2 by `,
			`^error: upload: rejected: rollback`,
			`^error: upload: usage: upload LENGTH BLAKE3$`,
			`^uploaded v2 by [0-9a-f]{16}: forward`,
		)
		if strings.Count(console, "uploaded v") != 1 {
			t.Errorf("the muscles list does not show exactly one \"uploaded\" muscle:\n%s", console)
		}
		entries, err := audit.Verify(console, auditKey)
		if err != nil {
			t.Fatalf("the audit log does not verify: %v", err)
		}
		kinds := map[string]int{}
		for _, e := range entries {
			kinds[e.Kind]++
		}
		if kinds["upload"] != 4 || kinds["upload-error"] != 2 || kinds["accept"] != 2 || kinds["reject"] != 2 {
			t.Errorf("audited %v; want 4 uploads, 2 upload errors, 2 accepts, 2 rejects", kinds)
		}
	})
}

// TestBadKeyRecord: a missing, empty or corrupt record halts the referee
// with its own exit status, after an (unauthenticated) audit entry.
func TestBadKeyRecord(t *testing.T) {
	forBoards(t, func(t *testing.T, tb *testBoard) {
		dir := t.TempDir()
		good, err := os.ReadFile(keyFile)
		if err != nil {
			t.Fatal(err)
		}
		corrupt := bytes.Clone(good)
		corrupt[40] ^= 0x01
		files := map[string][]byte{"empty": make([]byte, 4096), "garbage": bytes.Repeat([]byte("not a key record "), 100), "corrupt": corrupt}
		tests := []struct {
			name   string
			keys   string
			status int
			line   string
		}{
			{"missing", "", 10, `no key record: key region \(65536 bytes\) is empty`},
			{"empty", "empty", 10, `no key record`},
			{"garbage", "garbage", 11, `malformed key record: bad magic`},
			{"corrupt", "corrupt", 11, `malformed key record: checksum`},
		}
		for _, tt := range tests {
			c := qemu.Config{Board: tb.name, Kernel: tb.image, NoRNG: true}
			if tt.keys != "" {
				c.Keys = filepath.Join(dir, tt.keys)
				if err := os.WriteFile(c.Keys, files[tt.keys], 0o600); err != nil {
					t.Fatal(err)
				}
			}
			console, status := boot(t, c)
			if status != tt.status {
				t.Errorf("%s: exit status %d, want %d", tt.name, status, tt.status)
			}
			expectLines(t, console,
				`^keys: no usable master-key record at `+fmt.Sprintf("%#x", layoutOf(t, tb.name).KeyRecord.Start)+`: .*`+tt.line+`.*; key region wiped and unmapped$`,
				`^audit 1 \d+ key-error `,
				`^referee: powering off, exit status `+strconv.Itoa(tt.status)+`$`,
			)
		}
	})
}

func TestExitStatusReachesHost(t *testing.T) {
	forBoards(t, func(t *testing.T, tb *testBoard) {
		for _, want := range []int{3, 42} {
			im := filepath.Join(t.TempDir(), "referee.elf")
			var log bytes.Buffer
			if err := image.Build(context.Background(), image.Options{Board: tb.name, Go: goCmd, Out: im, ExitStatus: &want, Progress: &log}); err != nil {
				t.Fatalf("%v\n%s", err, log.String())
			}
			console, status := boot(t, qemu.Config{Board: tb.name, Kernel: im, NoRNG: true, Keys: keyFile})
			if status != want {
				t.Errorf("exit status %d, want %d; console:\n%s", status, want, console)
			}
			expectLines(t, console, `^referee: powering off, exit status `+strconv.Itoa(want)+`$`)
		}
	})
}

// TestBootWithoutVirtioRNG: virt without its entropy device says so (the
// EVK has no entropy device under QEMU at all; its banner says NONE).
func TestBootWithoutVirtioRNG(t *testing.T) {
	console, status := boot(t, qemu.Config{Board: "virt", Kernel: boardUnderTest(t, "virt").image, NoRNG: true, Keys: keyFile})
	if status != 0 {
		t.Errorf("exit status %d, want 0", status)
	}
	expectLines(t, console,
		`^entropy: dtb rng-seed only, ChaCha8 DRBG \(virtio-rng: no virtio entropy device\)$`,
		`^referee: powering off, exit status 0$`,
	)
	if strings.Contains(console, "virtio-rng@") {
		t.Errorf("reports a virtio-rng that QEMU was not given:\n%s", console)
	}
}

var codeRet, codeSupervisor = muscletest.CodeRet, muscletest.CodeSVC

// sealNeuron seals a 4-input neuron muscle whose code is a bare ret (the
// executor comes later; loading checks everything up to the verifier).
func sealNeuron(t *testing.T, sk *muscle.SealingKey, sg *muscle.SigningKey, name string, version uint64) []byte {
	t.Helper()
	return sealCode(t, sk, sg, name, version, codeRet)
}

func sealCode(t *testing.T, sk *muscle.SealingKey, sg *muscle.SigningKey, name string, version uint64, code []byte) []byte {
	t.Helper()
	return sealMuscle(t, sk, sg, muscletest.Neuron(name, version, code))
}

func writeBundle(t testing.TB, files map[string][]byte, order []string) string {
	t.Helper()
	arch, err := bundle.Write(bundle.Entries(files, order))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "bundle.cpio")
	if err := os.WriteFile(file, arch, 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// TestBundleValidation: each muscle of the bundle is accepted or rejected on
// its own, with the reason on the console and in the (verifying) audit log.
func TestBundleValidation(t *testing.T) {
	forBoards(t, func(t *testing.T, tb *testBoard) {
		_, otherSK, otherSG, err := newKeyRecord()
		if err != nil {
			t.Fatal(err)
		}
		tampered := sealNeuron(t, sealer, signer, "tampered", 1)
		tampered[len(tampered)-100] ^= 0x20
		files := map[string][]byte{
			"good.muscle":     sealNeuron(t, sealer, signer, "neuron4", 5),
			"older.muscle":    sealNeuron(t, sealer, signer, "neuron4", 4),
			"tampered.muscle": tampered,
			"stranger.muscle": sealNeuron(t, otherSK, otherSG, "stranger", 1),
			"junk.muscle":     []byte("this is not a muscle at all, just some bytes"),
			"svc.muscle":      sealCode(t, sealer, signer, "svc", 1, codeSupervisor),
		}
		order := []string{"good.muscle", "older.muscle", "tampered.muscle", "stranger.muscle", "junk.muscle", "svc.muscle"}
		console, status := boot(t, qemu.Config{Board: tb.name, Kernel: tb.image, NoRNG: true, Keys: keyFile, Muscles: writeBundle(t, files, order)})
		if status != 0 {
			t.Errorf("exit status %d, want 0", status)
		}
		if _, err := audit.Verify(console, auditKey); err != nil {
			t.Errorf("the audit log does not verify: %v", err)
		}
		expectLines(t, console,
			fmt.Sprintf(`^muscles: bundle at %#x with 6 entries$`, layoutOf(t, tb.name).Bundle.Start),
			`^muscle good.muscle: accepted "neuron4" v5 by [0-9a-f]{16}, forward, code 4 bytes`,
			`^muscle older.muscle: rejected: rollback`,
			`^muscle tampered.muscle: rejected: tampered`,
			`^muscle stranger.muscle: rejected: unknown publisher`,
			`^muscle junk.muscle: rejected: not a .muscle blob`,
			`^muscle svc.muscle: rejected: machine-code verifier: verify: offset 0x0: instruction form: `,
			`^audit \d+ \d+ accept .* "good.muscle: `,
			`^audit \d+ \d+ reject .* "older.muscle: rollback`,
		)
	})
}

var idleInsns = regexp.MustCompile(`(?m)^idle: time\.Sleep\((\d+)ms\) retired (\d+) instructions$`)

// TestIdleSleepsInWFI: under -icount (where QEMU counts retired
// instructions) a 20 ms sleep must not execute anything like the 20 million
// instructions that spinning through it costs at one instruction per guest
// nanosecond.
func TestIdleSleepsInWFI(t *testing.T) {
	forBoards(t, func(t *testing.T, tb *testBoard) {
		if !pmuCounts[tb.name] {
			t.Logf("%s: no instruction counter under QEMU, so idle cannot be counted here (see pmuCounts)", tb.name)
			return
		}
		console, status := boot(t, qemu.Config{Board: tb.name, Kernel: tb.diagImage(t), ICount: true, Keys: keyFile})
		m := idleInsns.FindStringSubmatch(console)
		if status != 0 || m == nil {
			t.Fatalf("exit status %d, no idle line; console:\n%s", status, console)
		}
		ms, _ := strconv.Atoi(m[1])
		n, _ := strconv.Atoi(m[2])
		if spin := ms * 1_000_000; n > spin/100 {
			t.Errorf("time.Sleep(%dms) retired %d instructions; spinning costs %d, sleeping in WFI a few thousand", ms, n, spin)
		}
	})
}

// TestReproducibleImage rebuilds the image from scratch (an empty build
// cache) and expects the same bytes.
func TestReproducibleImage(t *testing.T) {
	if testing.Short() {
		t.Skip("rebuilds the standard library for tamago")
	}
	virt := boardUnderTest(t, "virt")
	im := filepath.Join(t.TempDir(), "referee.elf")
	var log bytes.Buffer
	opts := image.Options{Board: virt.name, Go: goCmd, Out: im, Env: []string{"GOCACHE=" + t.TempDir()}, Progress: &log}
	if err := image.Build(context.Background(), opts); err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	a, b := fileHash(t, virt.image), fileHash(t, im)
	if a != b {
		t.Errorf("two builds of the same sources differ: %x and %x", a, b)
	}
}

func fileHash(t *testing.T, name string) [32]byte {
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(data)
}

var bannerTime = regexp.MustCompile(`(?m)^boot: banner reached (\d+) ns after reset`)
var gcmCost = regexp.MustCompile(`(?m)AES-256-GCM ([0-9.]+) ns/byte`)

// bootsPerFigure is how many boots each figure is the median of: the DTB
// seed differs at every boot, and with it hashing and allocation patterns.
const bootsPerFigure = 5

// BenchmarkBoot reports, per board, the production image's size and,
// under -icount shift=0 (one instruction per nanosecond of guest time),
// the median over a few boots of the instructions from reset to the banner
// and to the console's ready line; from the diagnostic image, per byte of
// AES-256-GCM and during a 20 ms idle sleep.
func BenchmarkBoot(b *testing.B) {
	for _, tb := range boardsUnderTest {
		b.Run(tb.name, func(b *testing.B) {
			st, err := os.Stat(tb.image)
			if err != nil {
				b.Fatal(err)
			}
			diag := tb.diagImage(b)
			var insns, gcm, idle []float64
			for i := 0; i < b.N; i++ {
				for range bootsPerFigure {
					console, status := boot(b, qemu.Config{Board: tb.name, Kernel: tb.image, ICount: true, Keys: keyFile})
					m := bannerTime.FindStringSubmatch(console)
					if status != 0 || m == nil {
						b.Fatalf("exit status %d; console:\n%s", status, console)
					}
					insns = append(insns, parseFloat(b, m[1]))
					console, status = boot(b, qemu.Config{Board: tb.name, Kernel: diag, ICount: true, Keys: keyFile})
					g, d := gcmCost.FindStringSubmatch(console), idleInsns.FindStringSubmatch(console)
					// Only boards whose PMU counts under QEMU report the idle
					// figure (pmuCounts).
					if status != 0 || g == nil || (d == nil) == pmuCounts[tb.name] {
						b.Fatalf("exit status %d; console:\n%s", status, console)
					}
					gcm = append(gcm, parseFloat(b, g[1]))
					if d != nil {
						idle = append(idle, parseFloat(b, d[2]))
					}
				}
			}
			b.ReportMetric(float64(st.Size()), "image-bytes")
			b.ReportMetric(median(insns), "insns-to-banner")
			b.ReportMetric(median(gcm), "gcm-insns/byte")
			if len(idle) > 0 {
				b.ReportMetric(median(idle), "insns-in-20ms-sleep")
			}
		})
	}
}

func parseFloat(b *testing.B, s string) float64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		b.Fatal(err)
	}
	return f
}

func median(xs []float64) float64 {
	xs = slices.Clone(xs)
	slices.Sort(xs)
	return xs[len(xs)/2]
}
