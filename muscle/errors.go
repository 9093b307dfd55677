package muscle

import "errors"

// Sentinel errors. Every error the package returns wraps exactly one of these
// (match with errors.Is); the message around it names the field or offset
// that was wrong and never contains key material, code or weights.
var (
	// ErrNotMuscle: the bytes do not start with the .muscle magic.
	ErrNotMuscle = errors.New("not a .muscle blob")
	// ErrTruncated: the input ends before the length its own header declares.
	ErrTruncated = errors.New("truncated")
	// ErrMalformed: the structure is inconsistent (bad lengths, reserved
	// bits set, invalid name, trailing bytes, ...).
	ErrMalformed = errors.New("malformed")
	// ErrUnsupportedVersion: a format, record, manifest or ABI version this
	// code does not implement.
	ErrUnsupportedVersion = errors.New("unsupported version")
	// ErrUnsupportedArch: a target architecture this code does not run.
	ErrUnsupportedArch = errors.New("unsupported target architecture")
	// ErrUnknownPublisher: the key record has no publisher with the blob's id.
	ErrUnknownPublisher = errors.New("unknown publisher")
	// ErrTampered: the publisher's signature does not verify: the blob was
	// changed after it was sealed (or signed with another key).
	ErrTampered = errors.New("tampered: signature does not verify")
	// ErrCapability: the blob asks for a capability that is undefined or
	// that its publisher may not grant.
	ErrCapability = errors.New("capability not grantable")
	// ErrRollback: the blob's version is below the lowest acceptable one.
	ErrRollback = errors.New("rollback: version below policy")
	// ErrWrongKey: the signature verifies but decryption fails, so the
	// device's master key is not the one the blob was sealed for.
	ErrWrongKey = errors.New("wrong key: decryption failed")
	// ErrBadManifest: the decrypted manifest or provenance is inconsistent
	// with the header or with the code and state it describes.
	ErrBadManifest = errors.New("bad manifest")
	// ErrNoKeyRecord: the key region is empty (all zero or all 0xff bytes,
	// or too short to hold a record).
	ErrNoKeyRecord = errors.New("no key record")
	// ErrMalformedKeyRecord: the key region holds something that is not a
	// valid key record (bad magic, bad checksum, bad key id, bad entries).
	ErrMalformedKeyRecord = errors.New("malformed key record")
	// ErrMalformedKeyFile: a sealing, signing or public key file is invalid.
	ErrMalformedKeyFile = errors.New("malformed key file")
	// ErrInvalidInput: the caller's input to Seal or to a constructor is
	// invalid (nothing was parsed: the mistake is the caller's).
	ErrInvalidInput = errors.New("invalid input")
)
