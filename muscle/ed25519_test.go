package muscle

import (
	"bufio"
	"compress/gzip"
	"crypto/ed25519"
	"encoding/hex"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestVerifyEd25519: verifyEd25519 gives crypto/ed25519.Verify's answer on
// Go's own RFC 8032 test vectors (128 signatures), on each of them with a
// bit of the signature, key or message flipped, with S not reduced, and on
// small-order and non-canonical encodings of R and the key.
func TestVerifyEd25519(t *testing.T) {
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	f, err := os.Open(filepath.Join(strings.TrimSpace(string(goroot)), "src/crypto/ed25519/testdata/sign.input.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	same := func(what string, pub, msg, sig []byte) bool {
		t.Helper()
		want := len(pub) == ed25519.PublicKeySize && ed25519.Verify(pub, msg, sig)
		if got := verifyEd25519(pub, msg, sig); got != want {
			t.Errorf("%s: verifyEd25519 %v, crypto/ed25519 %v (key %x, signature %x, message %x)", what, got, want, pub, sig, msg)
		}
		return want
	}
	r := rand.New(rand.NewPCG(3, 4))
	flip := func(b []byte) []byte {
		c := append([]byte(nil), b...)
		if len(c) > 0 {
			i := r.IntN(8 * len(c))
			c[i/8] ^= 1 << (i % 8)
		}
		return c
	}
	// The group order L, little-endian.
	order, _ := hex.DecodeString("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")
	n := 0
	lines := bufio.NewScanner(z)
	for lines.Scan() {
		parts := strings.Split(lines.Text(), ":")
		if len(parts) != 5 {
			t.Fatalf("vector %d: %d fields", n, len(parts))
		}
		pub, _ := hex.DecodeString(parts[1])
		msg, _ := hex.DecodeString(parts[2])
		sig, _ := hex.DecodeString(parts[3])
		sig = sig[:ed25519.SignatureSize]
		if !same("vector", pub, msg, sig) {
			t.Fatalf("vector %d does not verify", n)
		}
		same("flipped signature bit", pub, msg, flip(sig))
		same("flipped key bit", flip(pub), msg, sig)
		same("flipped message bit", pub, flip(msg), sig)
		// S + L: the same point, an encoding Go refuses.
		big := append([]byte(nil), sig...)
		carry := 0
		for i := range 32 {
			s := int(big[32+i]) + int(order[i]) + carry
			big[32+i], carry = byte(s), s>>8
		}
		if same("S + L", pub, msg, big) {
			t.Errorf("vector %d: S + L verified", n)
		}
		n++
	}
	if err := lines.Err(); err != nil || n != 128 {
		t.Fatalf("%d vectors read: %v", n, err)
	}

	// Small-order points (the identity, the point of order 2, an encoding
	// of y = 1 with the sign bit set) as key and as R, with S = 0, and
	// non-canonical encodings (y = p, y = p + 1) and random bytes.
	identity := make([]byte, 32)
	identity[0] = 1
	order2 := make([]byte, 32)
	order2[0] = 0xEC
	for i := 1; i < 31; i++ {
		order2[i] = 0xFF
	}
	order2[31] = 0x7F
	negZero := append([]byte(nil), identity...)
	negZero[31] |= 0x80
	yP, _ := hex.DecodeString("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")
	yP1, _ := hex.DecodeString("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")
	points := [][]byte{identity, order2, negZero, yP, yP1}
	for range 20 {
		p := make([]byte, 32)
		for i := range p {
			p[i] = byte(r.Uint32())
		}
		points = append(points, p)
	}
	for _, a := range points {
		for _, rb := range points {
			sig := append(append([]byte(nil), rb...), make([]byte, 32)...)
			same("small-order or non-canonical", a, []byte("m"), sig)
		}
	}
	same("short key", identity[:31], nil, make([]byte, 64))
	same("short signature", identity, nil, make([]byte, 63))
}
