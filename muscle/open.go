package muscle

import (
	"crypto/subtle"
)

// Muscle is an opened muscle. Code and State are secret: print hashes, never
// the bytes.
type Muscle struct {
	Header     *Header
	Manifest   *Manifest
	Provenance *Provenance
	Code       []byte
	State      []byte
}

// Wipe zeroes the decrypted code and state.
func (m *Muscle) Wipe() {
	clear(m.Code)
	clear(m.State)
}

// Open checks and decrypts a blob, in this order: structure (Inspect), the
// publisher (in the key record), the signature, the capabilities (the
// publisher may grant them), the version (the key record's and the policy's
// minimum), then decryption, then the manifest and provenance against the
// header and the code. policy may be nil. The first failing check decides the
// error (see the Err values).
func Open(blob []byte, keys *KeyRecord, policy *Policy) (*Muscle, error) {
	return open(blob, keys, policy, false, nil)
}

// OpenTimes is how long the phases of an Open took, by the clock given to
// OpenTimed (the referee's: guest nanoseconds). Durations only: nothing of
// the keys or the plaintext.
type OpenTimes struct {
	// Signature is the header's structure check and the Ed25519 check, or
	// for a blob a bundle index vouches for, the index's check of its
	// length and hash instead (BundleIndex.OpenTimed).
	Signature int64
	// Derive is the sealing and muscle key derivation and the AES key
	// schedule.
	Derive int64
	// Decrypt is AES-GCM decryption and the checks of the plaintext's
	// sections (manifest, provenance and the code's hash).
	Decrypt int64
}

// OpenTimed is Open that also times its phases with now, into t.
func OpenTimed(blob []byte, keys *KeyRecord, policy *Policy, now func() int64, t *OpenTimes) (*Muscle, error) {
	return open(blob, keys, policy, false, &phaseClock{now: now, t: t, last: now()})
}

// phaseClock attributes the time since its last mark to one phase; a nil
// phaseClock does nothing.
type phaseClock struct {
	now  func() int64
	t    *OpenTimes
	last int64
}

func (c *phaseClock) mark(phase *int64) {
	if c == nil {
		return
	}
	n := c.now()
	*phase += n - c.last
	c.last = n
}

// open is Open; vouched skips the signature check, for a blob a verified
// bundle index vouches for (BundleIndex.Open); clock, if not nil, times the
// phases.
func open(blob []byte, keys *KeyRecord, policy *Policy, vouched bool, clock *phaseClock) (*Muscle, error) {
	var t *OpenTimes
	if clock != nil {
		t = clock.t
	}
	if keys == nil {
		return nil, errorf(ErrInvalidInput, "no key record")
	}
	h, err := Inspect(blob)
	if err != nil {
		return nil, err
	}
	pub, ok := keys.Publisher(h.Publisher)
	if !ok {
		return nil, errorf(ErrUnknownPublisher, "publisher %s (offset %d) of %q is not in key record %s", h.Publisher, offPublisher, h.Name, keys.ID)
	}
	signed := blob[:len(blob)-SignatureSize]
	if !vouched && !verifyEd25519(pub.PublicKey, signed, blob[len(signed):]) {
		return nil, errorf(ErrTampered, "signature (offset %d) of %q by publisher %s", len(signed), h.Name, h.Publisher)
	}
	if t != nil {
		clock.mark(&t.Signature)
	}
	if extra := h.Capabilities &^ pub.Grants; extra != 0 {
		return nil, errorf(ErrCapability, "%q asks for %s; publisher %s may grant %s", h.Name, extra, h.Publisher, pub.Grants)
	}
	if lowest := max(keys.MinVersion(h.Name), policy.Min(h.Name)); h.Version < lowest {
		return nil, errorf(ErrRollback, "%q version %d, lowest acceptable %d", h.Name, h.Version, lowest)
	}
	if h.Deterministic() {
		salt := deterministicSalt(h.Publisher, h.Name)
		if subtle.ConstantTimeCompare(salt[:], h.Salt[:]) != 1 {
			return nil, errorf(ErrMalformed, "deterministic flag set but the salt (offset %d) is not the derived one", offSalt)
		}
	}

	hdr := blob[:h.Len()]
	var sealing, key [KeySize]byte
	defer clear(sealing[:])
	defer clear(key[:])
	deriveSealingKey(&sealing, &keys.master, h.Publisher)
	deriveMuscleKey(&key, &sealing, &h.Salt)
	aead, err := newGCM(&key)
	if err != nil {
		return nil, err
	}
	if t != nil {
		clock.mark(&t.Derive)
	}
	plain, err := aead.Open(make([]byte, 0, h.PlaintextLen()), h.Nonce[:], blob[h.Len():len(signed)], hdr)
	if err != nil {
		return nil, errorf(ErrWrongKey, "%q (publisher %s) does not decrypt with key record %s", h.Name, h.Publisher, keys.ID)
	}
	if h.Deterministic() {
		zeroed := append([]byte(nil), hdr...)
		clear(zeroed[offNonce : offNonce+NonceSize])
		n := deterministicNonce(&key, zeroed, plain)
		if subtle.ConstantTimeCompare(n[:], h.Nonce[:]) != 1 {
			clear(plain)
			return nil, errorf(ErrMalformed, "deterministic flag set but the nonce (offset %d) is not the derived one", offNonce)
		}
	}
	m, err := split(h, plain)
	if err != nil {
		clear(plain)
		return nil, err
	}
	if t != nil {
		clock.mark(&t.Decrypt)
	}
	return m, nil
}

// split cuts the plaintext into its sections and checks them.
func split(h *Header, plain []byte) (*Muscle, error) {
	code0 := uint64(h.ManifestLen)
	state0 := code0 + uint64(h.CodeLen)
	prov0 := state0 + uint64(h.StateLen)
	man, err := ParseManifest(plain[:code0])
	if err != nil {
		return nil, err
	}
	if err := man.Check(h); err != nil {
		return nil, err
	}
	prov, err := ParseProvenance(plain[prov0:])
	if err != nil {
		return nil, err
	}
	m := &Muscle{
		Header:     h,
		Manifest:   man,
		Provenance: prov,
		Code:       plain[code0:state0:state0],
		State:      plain[state0:prov0:prov0],
	}
	if err := prov.checkCode(m.Code); err != nil {
		return nil, err
	}
	return m, nil
}
