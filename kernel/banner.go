//go:build tamago && arm64

package main

import (
	"crypto/aes"
	"crypto/cipher"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"reflect"
	"runtime"
	"time"

	"github.com/muscles/referee/board/qemu/virt"
	"github.com/muscles/referee/board/qemu/virt/layout"
)

func printBanner(w io.Writer) {
	// The wall clock counts from reset: under QEMU's -icount shift=0 this
	// is the number of instructions executed since then.
	bootTime := time.Now().UnixNano()
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	p("referee %s: secure execution of tiny neural networks", Version)
	p("board: %s", virt.Name)
	p("go: %s %s/%s", runtime.Version(), runtime.GOOS, runtime.GOARCH)

	textStart, textEnd := runtime.TextRegion()
	p("memory:")
	for _, r := range layout.Map() {
		p("  %-14s 0x%08x-0x%08x %7d KiB", r.Name, r.Start, r.End, (r.End-r.Start)>>10)
	}
	p("  %-14s 0x%08x-0x%08x %7d KiB", "image text", textStart, textEnd, (textEnd-textStart)>>10)

	dt, err := virt.ReadDeviceTree()
	switch {
	case err != nil:
		p("dtb: %v", err)
	case dt.Check() != nil:
		p("dtb: %d bytes, DOES NOT MATCH the link-time layout: %v", dt.Size, dt.Check())
	default:
		p("dtb: %d bytes at %#x; memory %#x+%#x covers the layout; pl011@%x; %d virtio-mmio slots",
			dt.Size, layout.DTBStart, dt.MemStart, dt.MemSize, layout.UART0, dt.VirtioSlots)
	}

	e := virt.Entropy()
	switch {
	case e.DTBSeed && e.VirtioRNG != 0:
		p("entropy: dtb rng-seed + virtio-rng@%#x, ChaCha8 DRBG", e.VirtioRNG)
	case e.DTBSeed:
		p("entropy: dtb rng-seed only, ChaCha8 DRBG (virtio-rng: %v)", e.Err)
	case e.VirtioRNG != 0:
		p("entropy: virtio-rng@%#x only, ChaCha8 DRBG (no dtb rng-seed)", e.VirtioRNG)
	default:
		p("entropy: NONE FOUND: no dtb rng-seed and no virtio-rng (%v); random numbers are PREDICTABLE", e.Err)
	}

	f := virt.Features()
	nsPerByte, path := gcmCost()
	p("aes: cpu AES=%v PMULL=%v (ID_AA64ISAR0_EL1=%#x); crypto/aes runs on %s; AES-256-GCM %.2f ns/byte",
		f.AES, f.PMULL, f.ISAR0, path, nsPerByte)
	p("no-os: %s", osServices())
	p("idle: %s", idleCost())
	p("boot: banner reached %d ns after reset (guest time)", bootTime)
}

// idleSleep is long enough that spinning through it would be obvious.
const idleSleep = 20 * time.Millisecond

// idleCost shows that an idle image sleeps (WFI until the next timer) rather
// than spinning: it counts the instructions retired across a time.Sleep.
func idleCost() string {
	before, ok := virt.InstructionsRetired()
	time.Sleep(idleSleep)
	after, _ := virt.InstructionsRetired()
	if !ok {
		return fmt.Sprintf("time.Sleep(%v): instruction count not available (QEMU counts instructions only under -icount)", idleSleep)
	}
	return fmt.Sprintf("time.Sleep(%v) retired %d instructions", idleSleep, after-before)
}

// osServices shows that what bare metal lacks (files, processes, a network
// stack) fails at run time with an error rather than at build time.
func osServices() string {
	_, ferr := os.Open("/etc/hosts")
	perr := exec.Command("/bin/true").Run()
	_, nerr := net.Dial("tcp", "192.0.2.1:80")
	if ferr == nil || perr == nil || nerr == nil {
		return fmt.Sprintf("UNEXPECTED success: open %v, exec %v, dial %v", ferr, perr, nerr)
	}
	return fmt.Sprintf("files, processes and sockets fail at run time: %v; %v; %v", ferr, perr, nerr)
}

// gcmCost measures AES-256-GCM sealing in guest nanoseconds per byte (under
// -icount shift=0, instructions per byte) and says which implementation
// Go's crypto chose.
func gcmCost() (float64, string) {
	key := make([]byte, 32)
	block, err := aes.NewCipher(key)
	if err != nil {
		panic(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
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
