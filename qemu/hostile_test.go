package qemu_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"github.com/muscles/referee/board"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/muscle/muscletest"
	"github.com/muscles/referee/qemu"
	"github.com/muscles/referee/referee/audit"
	"github.com/muscles/referee/tools/image"
)

// words encodes A64 instructions (encodings checked with GNU as).
func words(w ...uint32) []byte {
	b := make([]byte, 4*len(w))
	for i, x := range w {
		binary.LittleEndian.PutUint32(b[4*i:], x)
	}
	return b
}

const (
	insRet = 0xd65f03c0
	insNop = 0xd503201f
)

// hostile is a muscle written to escape, and how the referee must stop it:
// the verifier's reason at load (verifier on), the fault at run time
// (verifier off, EL0 and the MMU alone).
type hostile struct {
	name     string
	code     []byte
	rejected string // verifier on: "rejected: machine-code verifier: ..." matches this
	fault    string // verifier off: "error: run: ..." matches this
	code2    string // the JSON error code
}

// movX5 is movz x5, #(addr >> 16), lsl #16 (ARM ARM C6.2.226), for an
// address whose low 16 bits are zero.
func movX5(addr uint64) uint32 { return 0xd2a00005 | uint32(addr>>16)<<5 }

// hostilesFor lists the hostile muscles for a board: the first two read
// the start of its runtime RAM and its key region.
func hostilesFor(l *board.Layout) []hostile {
	ram, key := l.RAM.Start, l.KeyRecord.Start
	return []hostile{
		{"read-referee", words(movX5(ram), 0xbd4000a0, insRet), // mov x5, #RAM; ldr s0, [x5]
			`forward entry: offset 0x4: memory access: every load and store`, fmt.Sprintf(`read from %#x \(not mapped\) at code offset 0x4$`, ram), "memory-fault"},
		{"read-keys", words(movX5(key), 0xbd4000a0, insRet), // mov x5, #KEYS; ldr s0, [x5]
			`forward entry: offset 0x4: memory access: every load and store`, fmt.Sprintf(`read from %#x \(not mapped\) at code offset 0x4`, key), "memory-fault"},
		{"write-code", words(0x10000005, 0xb90000a6, insRet), // adr x5, .; str w6, [x5]
			`offset 0x0: instruction form: `, `write to 0x[0-9a-f]+ \(permission\) at code offset 0x4`, "memory-fault"},
		{"loop-forever", words(0x14000000, insRet), // b .
			`forward entry: offset 0x0: control flow: `, `budget exceeded: stopped by the deadline interrupt`, "deadline"},
		{"write-sysreg", words(0xd518c000, insRet), // msr vbar_el1, x0
			`offset 0x0: instruction form: `, `undefined instruction at code offset 0x0`, "undefined-instruction"},
		{"read-counter", words(0xd53be025, insRet), // mrs x5, cntpct_el0
			`offset 0x0: instruction form: `, `system instruction trapped at code offset 0x0`, "system-instruction"},
		{"semihosting", words(0xd45e0000, insRet), // hlt #0xf000
			`offset 0x0: instruction form: `, `undefined instruction at code offset 0x0`, "undefined-instruction"},
		{"svc", words(0xd4000001, insRet), // svc #0
			`offset 0x0: instruction form: `, `svc at code offset 0x0`, "svc"},
		{"smc", words(0xd4000003, insRet), // smc #0
			`offset 0x0: instruction form: `, `undefined instruction at code offset 0x0`, "undefined-instruction"},
	}
}

// codeEcho copies input[0] to the output: the muscle that keeps serving.
var codeEcho = words(0xbd400000, 0xbd000020, insRet) // ldr s0, [x0]; str s0, [x1]; ret

var (
	// codeSetFPCR sets round-toward-zero and flush-to-zero (FPCR is
	// writable at EL0) and returns normally.
	codeSetFPCR = words(0xd2a03805, 0xd51b4405, insRet) // mov x5, #0x1c00000; msr fpcr, x5
	// codeRound outputs input[0] + input[1], whose rounding shows FPCR.
	codeRound = words(0xbd400000, 0xbd400401, 0x1e212800, 0xbd000020, insRet) // ldr s0, [x0]; ldr s1, [x0, #4]; fadd s0, s0, s1; str s0, [x1]
)

// roundProbe adds 1 and 1.5·2⁻²⁴: 1.0000001 (1 + 2⁻²³) when rounding to
// nearest as the referee's FPCR says, 1 when rounding toward zero.
const roundProbe = "run round 1,8.940697e-08,0,0\n"

// codeSetRegs leaves values in the EL0-writable registers a muscle could
// use to pass data to the next call: TPIDR_EL0, FPSR and NZCV.
var codeSetRegs = words(
	0xd2824685, 0xd51bd045, // mov x5, #0x1234; msr tpidr_el0, x5
	0xd28013e6, 0xd51b4426, // mov x6, #0x9f; msr fpsr, x6
	0xd2be0007, 0xd51b4207, // mov x7, #0xf0000000; msr nzcv, x7
	insRet)

// codeReadRegs outputs the raw bits of TPIDR_EL0, FPSR, NZCV and
// TPIDRRO_EL0 as its four output floats: all zero when every call starts
// from the ABI's register state.
var codeReadRegs = words(
	0xd53bd045, 0xd53b4426, 0xd53b4207, 0xd53bd068, // mrs x5, tpidr_el0; mrs x6, fpsr; mrs x7, nzcv; mrs x8, tpidrro_el0
	0xb9000025, 0xb9000426, 0xb9000827, 0xb9000c28, // str w5..w8, [x1, #0..12]
	insRet)

func hostileBundle(t *testing.T, hs []hostile) string {
	readRegs := muscletest.Neuron("read-regs", 1, codeReadRegs)
	readRegs.Manifest.Output = muscle.Shape{4}
	files := map[string][]byte{
		"echo.muscle":      sealCode(t, sealer, signer, "echo", 1, codeEcho),
		"round.muscle":     sealCode(t, sealer, signer, "round", 1, codeRound),
		"set-fpcr.muscle":  sealCode(t, sealer, signer, "set-fpcr", 1, codeSetFPCR),
		"set-regs.muscle":  sealCode(t, sealer, signer, "set-regs", 1, codeSetRegs),
		"read-regs.muscle": sealMuscle(t, sealer, signer, readRegs),
	}
	order := []string{"echo.muscle", "round.muscle", "set-fpcr.muscle", "set-regs.muscle", "read-regs.muscle"}
	for _, h := range hs {
		files[h.name+".muscle"] = sealCode(t, sealer, signer, h.name, 1, h.code)
		order = append(order, h.name+".muscle")
	}
	return writeBundle(t, files, order)
}

// TestHostileMusclesRejected: with the verifier on, each hostile muscle is
// rejected at load, with its reason, and the others serve.
func TestHostileMusclesRejected(t *testing.T) {
	forBoards(t, func(t *testing.T, tb *testBoard) {
		hs := hostilesFor(layoutOf(t, tb.name))
		input := "run echo 2.5,0,0,0\n"
		for _, h := range hs {
			input += "run " + h.name + " 1,2,3,4\n"
		}
		console, status := bootWithInput(t, qemu.Config{Board: tb.name, Kernel: tb.image, NoRNG: true, Keys: keyFile, Muscles: hostileBundle(t, hs)}, input+"poweroff\n")
		if status != 0 {
			t.Errorf("exit status %d, want 0", status)
		}
		for _, h := range hs {
			re := regexp.MustCompile(`(?m)^muscle ` + h.name + `\.muscle: rejected: machine-code verifier: .*(` + h.rejected + `)`)
			if !re.MatchString(console) {
				t.Errorf("%s: no rejection by the verifier matching %q", h.name, h.rejected)
			}
			expectLines(t, console, `^error: run: no muscle "`+h.name+`" is loaded`)
		}
		expectLines(t, console, `^muscle echo\.muscle: accepted`, `^output \[2\.5\]$`,
			`^muscle set-fpcr\.muscle: rejected: machine-code verifier: verify: offset 0x4: instruction form: the word is not an instruction form the compiler emits \(not in the verifier.s table of forms\)$`)
		// Finding 9: rejections name the rule and the offset, never the
		// code: no disassembly, no instruction word.
		for _, leak := range []string{"MSR ", "MRS ", "SVC #", "HLT #", "ADR X", "d4000003", "d518c000", "d53be025"} {
			if strings.Contains(console, leak) {
				t.Errorf("the console shows %q, taken from a rejected muscle's code", leak)
			}
		}
		if _, err := audit.Verify(console, auditKey); err != nil {
			t.Errorf("the audit log does not verify: %v", err)
		}
		if t.Failed() {
			t.Logf("console:\n%s", console)
		}
	})
}

// TestHostileMusclesContained: in a test image that skips the verifier,
// every hostile muscle is mapped and run, and EL0 with its own translation
// regime stops each one with a clear error; the referee carries on and the
// echo muscle keeps answering between them.
func TestHostileMusclesContained(t *testing.T) {
	forBoards(t, func(t *testing.T, tb *testBoard) {
		hs := hostilesFor(layoutOf(t, tb.name))
		im := filepath.Join(t.TempDir(), "referee-noverify.elf")
		var log strings.Builder
		if err := image.Build(context.Background(), image.Options{Board: tb.name, Go: goCmd, Out: im, SkipVerifier: true, Progress: &log}); err != nil {
			t.Fatalf("building the test image: %v\n%s", err, log.String())
		}
		input := "run echo 2.5,0,0,0\n"
		for i, h := range hs {
			input += "run " + h.name + " 1,2,3,4\n"
			input += fmt.Sprintf("run echo %d,0,0,0\n", i)
		}
		input += roundProbe + "run set-fpcr 1,2,3,4\n" + roundProbe
		input += "run read-regs 1,2,3,4\nrun set-regs 1,2,3,4\nrun read-regs 1,2,3,4\n"
		input += "json on\nrun read-keys 1,2,3,4\nrun loop-forever 1,2,3,4\nrun echo 7,0,0,0\naudit\n"
		console, status := bootWithInput(t, qemu.Config{Board: tb.name, Kernel: im, NoRNG: true, Keys: keyFile, Muscles: hostileBundle(t, hs)}, input+"poweroff\n")
		if status != 0 {
			t.Errorf("exit status %d, want 0", status)
		}
		expectLines(t, console, `^referee: TEST IMAGE: the machine-code verifier is skipped$`, `^output \[2\.5\]$`)
		for i, h := range hs {
			expectLines(t, console,
				`^muscle `+h.name+`\.muscle: accepted .*verifier skipped`,
				`^error: run: `+h.fault,
				fmt.Sprintf(`^output \[%d\]$`, i),
				`^audit \d+ \d+ fault .*"\\"`+h.name+`\\" v1 forward: `,
			)
		}
		// A muscle may change FPCR at EL0, but every call starts from the
		// referee's value: the probe rounds the same before and after.
		if got := regexp.MustCompile(`(?m)^referee> run round .*\n(.*)$`).FindAllStringSubmatch(console, -1); len(got) != 2 || got[0][1] != "output [1.0000001]" || got[1][1] != got[0][1] {
			t.Errorf("rounding probe before and after set-fpcr: %q, want output [1.0000001] twice", got)
		}
		expectLines(t, console, `^referee> run set-fpcr 1,2,3,4\noutput \[0\]$`)
		// Finding 8: TPIDR_EL0, FPSR and NZCV set by one call are zero in
		// the next (and TPIDRRO_EL0 never shows the referee's).
		if got := regexp.MustCompile(`(?m)^referee> run read-regs .*\n(.*)$`).FindAllStringSubmatch(console, -1); len(got) != 2 || got[0][1] != "output [0, 0, 0, 0]" || got[1][1] != got[0][1] {
			t.Errorf("registers read before and after set-regs: %q, want output [0, 0, 0, 0] twice", got)
		}
		expectLines(t, console,
			fmt.Sprintf(`^\{"error":"read from %#x \(not mapped\) at code offset 0x4","code":"memory-fault"\}$`, layoutOf(t, tb.name).KeyRecord.Start),
			`^\{"error":"budget exceeded: .*","code":"deadline"\}$`,
			`^\{"output":\[7\]\}$`,
		)
		if _, err := audit.Verify(console, auditKey); err != nil {
			t.Errorf("the audit log does not verify: %v", err)
		}
		if t.Failed() {
			t.Logf("console:\n%s", console)
		}
	})
}
