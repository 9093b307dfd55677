// Package b3 is the BLAKE3 the referee hashes with: over whole blobs on
// every boot (a muscle's hash in the bundle index, its keyed nonce check,
// its state's hash), over the sealed store's payload at every save, the
// audit chain, and the derive_key of a muscle's short key material.
//
// It gives the same results as lukechampine.com/blake3, which the tests
// check it against; it exists because that package has assembly for amd64
// only, and its portable Go takes about 20 instructions a byte on the
// referee's arm64 cores, three times over every muscle at load. Here four
// whole chunks are compressed at once in NEON registers on arm64
// (chunks_arm64.s; about 6 instructions a byte in all on the 410 KB
// blob of the 784-wide MLP, parents and tail included); elsewhere the same
// four-chunk step runs in Go. Everything else (the chunk tail, parent
// nodes, the root) is one portable compression function.
//
// Only what the referee needs is here: 32-byte outputs, unkeyed and keyed
// hashing, and derive_key with a context and material of at most one chunk
// each (longer ones fall back to lukechampine.com/blake3). The derivations
// from the master-key record, the 16-byte boot id and the host tools keep
// using that package.
package b3
