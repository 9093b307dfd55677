package muscle

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha512"

	"filippo.io/edwards25519"
)

// verifyEd25519 is crypto/ed25519.Verify (RFC 8032 Ed25519, as Go
// checks it: S below the group order, the public key decoded as Go's
// edwards25519 decodes it, R compared by its encoding), computed with
// the variable-time multi-scalar product of filippo.io/edwards25519, the
// module Go's own implementation comes from.
//
// The reason is the boot: its one signature check (the bundle index) is
// the first Ed25519 verification since reset, and the standard library's
// computes [S]B from a table of 64 multiples of the base point that it
// builds on first use, with a field inversion each: about 2.7 million of
// the 3.5 million instructions the check took on the device. The product
// here makes its small tables (eight multiples of each point, no
// inversion) in every call instead. TestVerifyEd25519 checks it against
// the standard library on Go's RFC 8032 vectors and on tampered ones.
func verifyEd25519(pub ed25519.PublicKey, msg, sig []byte) bool {
	if len(pub) != ed25519.PublicKeySize || len(sig) != ed25519.SignatureSize || sig[63]&0xE0 != 0 {
		return false
	}
	A, err := new(edwards25519.Point).SetBytes(pub)
	if err != nil {
		return false
	}
	S, err := edwards25519.NewScalar().SetCanonicalBytes(sig[32:])
	if err != nil {
		return false
	}
	h := sha512.New()
	h.Write(sig[:32])
	h.Write(pub)
	h.Write(msg)
	var digest [sha512.Size]byte
	k, err := edwards25519.NewScalar().SetUniformBytes(h.Sum(digest[:0]))
	if err != nil {
		return false
	}
	// [S]B = R + [k]A, checked as R = [S]B + [k](-A).
	minusA := new(edwards25519.Point).Negate(A)
	R := new(edwards25519.Point).VarTimeMultiScalarMult([]*edwards25519.Scalar{S, k}, []*edwards25519.Point{edwards25519.NewGeneratorPoint(), minusA})
	return bytes.Equal(sig[:32], R.Bytes())
}
