//go:build tamago && arm64 && diag

package main

// Diagnostics of test and bench images (mkimage -diag): what Go's crypto
// chose for AES-GCM and what it costs, that OS services fail at run time,
// and that an idle image sleeps. None of this is the referee's job, so the
// production image leaves it out.

import (
	"crypto/aes"
	"crypto/cipher"
	"fmt"
	"net"
	"os"
	"os/exec"
	"reflect"
	"time"

	"github.com/muscles/referee/board"
)

func init() {
	diagnostics = append(diagnostics, aesLine, osServices, idleCost)
}

func aesLine(board.Board) string {
	nsPerByte, path := gcmCost()
	return fmt.Sprintf("aes: crypto/aes runs on %s; AES-256-GCM %.2f ns/byte", path, nsPerByte)
}

// idleSleep is long enough that spinning through it would be obvious.
const idleSleep = 20 * time.Millisecond

// idleCost shows that an idle image sleeps (WFI until the next timer) rather
// than spinning: it counts the instructions retired across a time.Sleep.
func idleCost(b board.Board) string {
	before, ok := b.InstructionsRetired()
	time.Sleep(idleSleep)
	after, _ := b.InstructionsRetired()
	if !ok {
		return fmt.Sprintf("idle: time.Sleep(%v): instruction count not available (the PMU does not count here: QEMU counts only under -icount, and not on every machine)", idleSleep)
	}
	return fmt.Sprintf("idle: time.Sleep(%v) retired %d instructions", idleSleep, after-before)
}

// osServices shows that what bare metal lacks (files, processes, a network
// stack) fails at run time with an error rather than at build time.
func osServices(board.Board) string {
	_, ferr := os.Open("/etc/hosts")
	perr := exec.Command("/bin/true").Run()
	_, nerr := net.Dial("tcp", "192.0.2.1:80")
	if ferr == nil || perr == nil || nerr == nil {
		return fmt.Sprintf("no-os: UNEXPECTED success: open %v, exec %v, dial %v", ferr, perr, nerr)
	}
	return fmt.Sprintf("no-os: files, processes and sockets fail at run time: %v; %v; %v", ferr, perr, nerr)
}

// gcmCost measures AES-256-GCM sealing in guest nanoseconds per byte (under
// -icount shift=0, instructions per byte) and says which implementation
// Go's crypto chose.
func gcmCost() (float64, string) {
	key := make([]byte, 32)
	block, err := aes.NewCipher(key)
	if err != nil {
		return 0, err.Error()
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return 0, err.Error()
	}
	nonce := make([]byte, gcm.NonceSize())
	buf := make([]byte, 16<<10)
	out := make([]byte, 0, len(buf)+gcm.Overhead())
	gcm.Seal(out[:0], nonce, buf, nil)
	start := time.Now()
	gcm.Seal(out[:0], nonce, buf, nil)
	return float64(time.Since(start).Nanoseconds()) / float64(len(buf)), gcmPath(gcm)
}

// gcmPath tells the ARMv8 GCM implementation from the generic one: only the
// former precomputes its GHASH key powers into the productTable field of
// Go's internal GCM state (crypto/internal/fips140/aes/gcm, gcm_asm.go).
func gcmPath(aead cipher.AEAD) string {
	table, ok := findField(reflect.ValueOf(aead), "productTable", 4)
	switch {
	case !ok:
		return "an implementation this check does not know (no productTable)"
	case table.IsZero():
		return "generic Go code (table-based)"
	default:
		return "ARMv8 AES+PMULL instructions"
	}
}

// findField searches v, through pointers and embedded structs, for a field
// with the given name.
func findField(v reflect.Value, name string, depth int) (reflect.Value, bool) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return reflect.Value{}, false
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct || depth == 0 {
		return reflect.Value{}, false
	}
	if f := v.FieldByName(name); f.IsValid() {
		return f, true
	}
	for i := 0; i < v.NumField(); i++ {
		if f, ok := findField(v.Field(i), name, depth-1); ok {
			return f, true
		}
	}
	return reflect.Value{}, false
}
