package muscle

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"testing"
)

// allowedAt lists the errors a change to the byte at offset i of a sealed
// blob may give; the header fields decide (FORMAT.md, "Header").
func allowedAt(i, headerLen int) []error {
	switch {
	case i < offFormat:
		return []error{ErrNotMuscle}
	case i == offFormat || i == offABI:
		return []error{ErrUnsupportedVersion}
	case i == offFlags:
		return []error{ErrMalformed, ErrTampered}
	case i == offArch:
		return []error{ErrUnsupportedArch}
	case i < offPublisher: // header length, name length, reserved
		return []error{ErrMalformed}
	case i < offCaps:
		return []error{ErrUnknownPublisher}
	case i < offBudget:
		return []error{ErrCapability, ErrTampered}
	case i < offVersion:
		return []error{ErrMalformed, ErrTampered}
	case i < offManifestLen: // version, salt, nonce
		return []error{ErrTampered}
	case i < offName: // section and blob lengths
		return []error{ErrMalformed}
	case i < headerLen: // name
		return []error{ErrMalformed, ErrTampered}
	default: // ciphertext, tag, signature
		return []error{ErrTampered}
	}
}

// TestSweepByteChanges changes every byte of a sealed blob to every other
// value (three values per byte with -short) and checks that Open rejects
// each with the error its field calls for.
func TestSweepByteChanges(t *testing.T) {
	f := newFixture(t, "m", map[string]Capabilities{"alice": CapAll})
	blob := f.seal(t, "alice", neuronInput())
	hlen := HeaderFixedSize + len("neuron4")
	counts := map[string]int{}
	mut := make([]byte, len(blob))
	for i := range blob {
		for d := 1; d < 256; d++ {
			if testing.Short() && d != 1 && d != 0x80 && d != 0xFF {
				continue
			}
			copy(mut, blob)
			mut[i] ^= byte(d)
			_, err := Open(mut, f.record, nil)
			ok := false
			for _, want := range allowedAt(i, hlen) {
				if errors.Is(err, want) {
					ok = true
					counts[want.Error()]++
				}
			}
			if !ok {
				t.Fatalf("byte %d ^= %#x: Open gave %v, want one of %v", i, d, err, allowedAt(i, hlen))
			}
		}
	}
	t.Logf("%d-byte blob, rejections by kind: %v", len(blob), counts)
}

// TestSweepTruncations opens every proper prefix of a sealed blob, and the
// blob with a byte appended.
func TestSweepTruncations(t *testing.T) {
	f := newFixture(t, "m", map[string]Capabilities{"alice": CapAll})
	blob := f.seal(t, "alice", neuronInput())
	for n := range len(blob) {
		if _, err := Open(blob[:n], f.record, nil); !errors.Is(err, ErrTruncated) {
			t.Fatalf("prefix of %d bytes: %v, want ErrTruncated", n, err)
		}
	}
	if _, err := Open(append(blob[:len(blob):len(blob)], 0), f.record, nil); !errors.Is(err, ErrMalformed) {
		t.Fatalf("one trailing byte: %v, want ErrMalformed", err)
	}
}

// sealRaw seals an arbitrary plaintext under a header, as a buggy or hostile
// publisher could: it bypasses Seal's checks.
func sealRaw(t *testing.T, f *fixture, h Header, plain []byte, nonce *[NonceSize]byte) []byte {
	t.Helper()
	sk := f.sealing["alice"]
	h.Publisher = sk.Publisher
	h.BlobLen = uint32(h.expectedBlobLen())
	h.Nonce = [NonceSize]byte{}
	var key [KeySize]byte
	deriveMuscleKey(&key, &sk.key, &h.Salt)
	hdr, err := h.AppendBinary(nil)
	if err != nil {
		t.Fatal(err)
	}
	if nonce == nil {
		n := deterministicNonce(&key, hdr, plain)
		nonce = &n
	}
	h.Nonce = *nonce
	copy(hdr[offNonce:], nonce[:])
	aead, _ := newGCM(&key)
	blob := aead.Seal(hdr, nonce[:], plain, hdr)
	return append(blob, ed25519.Sign(f.pubs["alice"].Key, blob)...)
}

// TestOpenRejectsBadPlaintext: correctly signed and encrypted blobs whose
// decrypted sections are inconsistent.
func TestOpenRejectsBadPlaintext(t *testing.T) {
	f := newFixture(t, "m", map[string]Capabilities{"alice": CapAll})
	good := neuronInput()
	blob := f.seal(t, "alice", good)
	m, err := Open(blob, f.record, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := *m.Header
	plainOf := func(man Manifest, code, state []byte, prov Provenance) []byte {
		p, err := man.AppendBinary(nil)
		if err != nil {
			t.Fatal(err)
		}
		p = append(p, code...)
		p = append(p, state...)
		p, err = prov.AppendBinary(p)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		name   string
		change func(h *Header, man *Manifest, code []byte, prov *Provenance)
		nonce  *[NonceSize]byte
		want   error
	}{
		{"unchanged", func(*Header, *Manifest, []byte, *Provenance) {}, nil, nil},
		{"code hash", func(_ *Header, _ *Manifest, code []byte, _ *Provenance) { code[0] ^= 1 }, nil, ErrBadManifest},
		{"manifest ABI", func(_ *Header, man *Manifest, _ []byte, _ *Provenance) { man.ABI = 2 }, nil, ErrBadManifest},
		{"manifest code size", func(_ *Header, man *Manifest, _ []byte, _ *Provenance) { man.CodeSize = 4 }, nil, ErrBadManifest},
		{"forward entry", func(_ *Header, man *Manifest, _ []byte, _ *Provenance) { man.ForwardEntry = 1 << 20 }, nil, ErrBadManifest},
		{"state shape", func(_ *Header, man *Manifest, _ []byte, _ *Provenance) { man.State = Shape{2, 3} }, nil, ErrBadManifest},
		{"train without entry", func(h *Header, _ *Manifest, _ []byte, _ *Provenance) { h.Capabilities |= CapTrain }, nil, ErrBadManifest},
		{"nonce not derived", func(*Header, *Manifest, []byte, *Provenance) {}, &[NonceSize]byte{1}, ErrMalformed},
		{"salt not derived", func(h *Header, _ *Manifest, _ []byte, _ *Provenance) { h.Salt[0] ^= 1 }, nil, ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			hh := h
			man := *m.Manifest
			prov := *m.Provenance
			code := append([]byte(nil), good.Code...)
			tc.change(&hh, &man, code, &prov)
			b := sealRaw(t, f, hh, plainOf(man, code, good.State, prov), tc.nonce)
			_, err := Open(b, f.record, nil)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("Open: %v, want %v", err, tc.want)
			}
		})
	}
}

// TestErrorsCarryNoSecrets: no error message contains key bytes (raw or
// hex), code or weights.
func TestErrorsCarryNoSecrets(t *testing.T) {
	f := newFixture(t, "m", map[string]Capabilities{"alice": CapAll})
	wrong := newFixture(t, "other", map[string]Capabilities{"alice": CapAll})
	blob := f.seal(t, "alice", neuronInput())
	secrets := [][]byte{f.master, wrong.master, f.sealing["alice"].key[:], f.pubs["alice"].Key.Seed(), neuronCode}
	var msgs []string
	for _, b := range [][]byte{blob, blob[:100]} {
		for _, r := range []*KeyRecord{f.record, wrong.record} {
			if _, err := Open(b, r, nil); err != nil {
				msgs = append(msgs, err.Error())
			}
		}
	}
	if len(msgs) < 3 {
		t.Fatalf("expected errors, got %v", msgs)
	}
	for _, m := range msgs {
		for _, s := range secrets {
			if containsSecret(m, s) {
				t.Fatalf("error %q contains secret bytes", m)
			}
		}
	}
}

func containsSecret(msg string, secret []byte) bool {
	for _, form := range []string{string(secret), fmt.Sprintf("%x", secret), fmt.Sprintf("%X", secret), fmt.Sprintf("%x", secret[:8])} {
		if len(form) > 0 && contains(msg, form) {
			return true
		}
	}
	return false
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
