//go:build tamago && arm64

#include "textflag.h"

// func probeRead32(addr uintptr) (v uint32, ok bool)
//
// Reads the 32-bit register at addr with the probe vectors installed at
// VBAR_EL3 and every exception mask set: a synchronous abort (an address
// nothing decodes, under QEMU) returns here with ok false instead of
// reaching TamaGo's vectors, which would panic.
TEXT ·probeRead32(SB),NOSPLIT,$0-13
	MOVD	addr+0(FP), R1
	MOVD	$1, R2
	MOVD	$0, R0
	WORD	$0xd53b4226	// mrs x6, daif
	WORD	$0xd5034fdf	// msr daifset, #0xf
	WORD	$0xd53ec003	// mrs x3, vbar_el3
	MOVD	$·probeVectors(SB), R4
	WORD	$0xd51ec004	// msr vbar_el3, x4
	WORD	$0xd5033fdf	// isb
	MOVWU	(R1), R0
	WORD	$0xd5033f9f	// dsb sy
	WORD	$0xd5033fdf	// isb
	WORD	$0xd51ec003	// msr vbar_el3, x3
	WORD	$0xd5033fdf	// isb
	WORD	$0xd51b4226	// msr daif, x6
	MOVW	R0, v+8(FP)
	MOVB	R2, ok+12(FP)
	RET

// A faulting access: report it (R2 = 0, R0 = 0) and resume after the load
// (ELR_EL3 + 4).
#define FAULT MOVD $0, R2; MOVD $0, R0; WORD $0xd53e4025; ADD $4, R5; WORD $0xd51e4025; WORD $0xd69f03e0
#define ENTRY PCALIGN $128; FAULT

// probeVectors is VBAR_EL3 during a probe (ARM ARM D1.10.2: 16 entries of
// 0x80 bytes). Only the synchronous entries of the current EL (0 with
// SP_EL0, 4 with SP_ELx) can be taken with every mask set; each entry
// treats whatever it is given as the probe's fault.
TEXT ·probeVectors(SB),NOSPLIT|NOFRAME,$0
	PCALIGN	$2048
	FAULT
	ENTRY
	ENTRY
	ENTRY
	ENTRY
	ENTRY
	ENTRY
	ENTRY
	ENTRY
	ENTRY
	ENTRY
	ENTRY
	ENTRY
	ENTRY
	ENTRY
	ENTRY
