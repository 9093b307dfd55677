//go:build tamago && arm64

#include "textflag.h"

// func flushTLB()
TEXT ·flushTLB(SB),NOSPLIT,$0-0
	WORD	$0xd5033f9f	// dsb sy (the table writes are visible)
	WORD	$0xd50e871f	// tlbi alle3
	WORD	$0xd5033f9f	// dsb sy
	WORD	$0xd5033fdf	// isb
	RET

// func translatesForRead(va uint64) bool
// AT S1E3R asks the MMU to translate without accessing: PAR_EL1.F (bit 0)
// is set when the translation faults.
TEXT ·translatesForRead(SB),NOSPLIT,$0-9
	MOVD	va+0(FP), R0
	WORD	$0xd50e7800	// at s1e3r, x0
	WORD	$0xd5033fdf	// isb
	WORD	$0xd5387400	// mrs x0, par_el1
	AND	$1, R0, R0
	EOR	$1, R0, R0
	MOVB	R0, ret+8(FP)
	RET
