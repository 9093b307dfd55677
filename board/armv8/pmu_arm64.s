//go:build tamago && arm64

#include "textflag.h"

// func pmuEnable(event uint64)
TEXT ·pmuEnable(SB),NOSPLIT,$0-8
	// MDCR_EL3.SPME: let the counters count in Secure state (EL3).
	WORD	$0xd53e1320		// mrs x0, mdcr_el3
	ORR	$(1<<17), R0
	WORD	$0xd51e1320		// msr mdcr_el3, x0
	MOVD	event+0(FP), R0		// P=U=0, M=0: count at EL3, EL1 and EL0
	MSR	R0, PMEVTYPER0_EL0
	MOVD	$1, R0
	MSR	R0, PMCNTENSET_EL0
	MRS	PMCR_EL0, R0
	ORR	$3, R0			// E: enable; P: reset the event counters
	MSR	R0, PMCR_EL0
	ISB	$15
	RET

// func pmuCommonEvents() uint64
TEXT ·pmuCommonEvents(SB),NOSPLIT,$0-8
	MRS	PMCEID0_EL0, R0
	MOVD	R0, ret+0(FP)
	RET

// func pmuCounter0() uint64
TEXT ·pmuCounter0(SB),NOSPLIT,$0-8
	ISB	$15
	MRS	PMEVCNTR0_EL0, R0
	MOVD	R0, ret+0(FP)
	RET
