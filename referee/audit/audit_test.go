package audit

import (
	"errors"
	"strings"
	"testing"
)

func sampleLog(key [32]byte) (*Log, string) {
	l := New(key)
	l.Append(100, "boot", "referee 0.1.0 image 1234abcd")
	l.Append(200, "key", "key id 79aa02cf fingerprint 1122")
	l.Append(300, "reject", `muscle "evil" v1: signature does not verify`)
	l.Append(400, "accept", `muscle "neuron4" v3 by 710ca043`)
	var b strings.Builder
	b.WriteString("some console noise\n")
	for _, e := range l.Entries() {
		b.WriteString(Format(e) + "\n")
	}
	b.WriteString(l.FormatHead() + "\n")
	return l, b.String()
}

func TestVerifyGoodLog(t *testing.T) {
	key := [32]byte{1, 2, 3}
	l, text := sampleLog(key)
	entries, err := Verify(text, key)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(l.Entries()) || entries[2].Detail != l.Entries()[2].Detail {
		t.Errorf("verified %d entries, want %d with the same details", len(entries), len(l.Entries()))
	}
}

func TestVerifyRejects(t *testing.T) {
	key := [32]byte{1, 2, 3}
	_, text := sampleLog(key)
	lines := strings.Split(text, "\n")
	replace := func(i int, old, new string) string {
		c := append([]string(nil), lines...)
		c[i] = strings.Replace(c[i], old, new, 1)
		return strings.Join(c, "\n")
	}
	drop := func(i int) string {
		c := append([]string(nil), lines[:i]...)
		return strings.Join(append(c, lines[i+1:]...), "\n")
	}
	tests := []struct {
		name string
		text string
		key  [32]byte
		want error
		line string
	}{
		{"altered detail", replace(3, "signature", "SIGNATURE"), key, ErrBrokenChain, "line 4"},
		{"altered time", replace(2, " 200 ", " 201 "), key, ErrBrokenChain, "line 3"},
		{"dropped entry", drop(3), key, ErrBrokenChain, "line 4"},
		{"dropped last entry", drop(4), key, ErrBrokenChain, "line 5"},
		{"wrong key", text, [32]byte{9}, ErrBadHead, "line 6"},
		{"no head", drop(5), key, ErrSyntax, ""},
		{"garbage entry", replace(1, "audit 0 100", "audit zero 100"), key, ErrSyntax, "line 2"},
	}
	for _, tt := range tests {
		_, err := Verify(tt.text, tt.key)
		if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.line) {
			t.Errorf("%s: error %v, want %v at %q", tt.name, err, tt.want, tt.line)
		}
	}
}

// TestSeveralListings: a transcript that prints the log twice (at boot and
// on request) verifies listing by listing.
func TestSeveralListings(t *testing.T) {
	key := [32]byte{4}
	l := New(key)
	l.Append(1, "boot", "x")
	first := Format(l.Entries()[0]) + "\n" + l.FormatHead() + "\n"
	l.Append(2, "console", "unknown command")
	second := Format(l.Entries()[0]) + "\n" + Format(l.Entries()[1]) + "\n" + l.FormatHead() + "\n"
	entries, err := Verify(first+"referee> audit\n"+second, key)
	if err != nil || len(entries) != 2 {
		t.Fatalf("%d entries, %v; want 2, nil", len(entries), err)
	}
	bad := strings.Replace(second, "unknown command", "UNKNOWN", 1)
	if _, err := Verify(first+bad, key); !errors.Is(err, ErrBrokenChain) {
		t.Errorf("altered second listing: %v, want ErrBrokenChain", err)
	}
}

// TestRewrittenLogDoesNotVerify: someone without the key can rebuild a
// consistent chain, but not its head.
func TestRewrittenLogDoesNotVerify(t *testing.T) {
	key := [32]byte{1, 2, 3}
	forged := New([32]byte{7})
	forged.Append(100, "boot", "referee 0.1.0 image 1234abcd")
	forged.Append(200, "accept", `muscle "evil" v1`)
	var b strings.Builder
	for _, e := range forged.Entries() {
		b.WriteString(Format(e) + "\n")
	}
	b.WriteString(forged.FormatHead() + "\n")
	if _, err := Verify(b.String(), key); !errors.Is(err, ErrBadHead) {
		t.Errorf("forged log: error %v, want ErrBadHead", err)
	}
}

func TestKindIsOneWord(t *testing.T) {
	l := New([32]byte{})
	if e := l.Append(0, "two words", "x"); e.Kind != "invalid-kind" {
		t.Errorf("kind %q accepted", e.Kind)
	}
}
