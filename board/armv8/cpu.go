//go:build tamago && arm64

package armv8

import "fmt"

// Cryptographic extensions, from ID_AA64ISAR0_EL1 (ARM ARM D19.2.61): the
// AES field (bits 7:4) is 1 for AES and 2 for AES with PMULL.

func readISAR0() uint64

// CPUFeatures is what the CPU's ID registers say about its crypto support.
type CPUFeatures struct {
	ISAR0 uint64
	AES   bool
	PMULL bool
	SHA2  bool
}

// Features reads the ID registers.
func Features() CPUFeatures {
	v := readISAR0()
	aes := (v >> 4) & 0xf
	return CPUFeatures{ISAR0: v, AES: aes >= 1, PMULL: aes >= 2, SHA2: (v>>12)&0xf >= 1}
}

// FeaturesLine is the banner's line on the CPU's crypto support.
func FeaturesLine() string {
	f := Features()
	return fmt.Sprintf("cpu: AES=%v PMULL=%v SHA2=%v (ID_AA64ISAR0_EL1=%#x)", f.AES, f.PMULL, f.SHA2, f.ISAR0)
}
