// Package muscle is the .muscle format: the byte layout of a sealed muscle,
// the master-key record, the key hierarchy, sealing and opening, publisher
// signatures and the signed bundle index, the manifest and provenance, the capability bits and the muscle
// ABI. The compiler (host) seals with it and the referee (bare metal) opens
// with it, so nothing about the format is written twice.
//
// FORMAT.md in this directory specifies every byte. The package does no file
// or process I/O and builds for GOOS=tamago GOARCH=arm64 as well as for the
// host; the tools (tools/muscle, the compiler) read and write the files.
//
// Key material never appears in an error, a String method or a fingerprint:
// fingerprints are BLAKE3 derive_key outputs under their own context.
package muscle
