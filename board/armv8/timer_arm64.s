//go:build tamago && arm64

#include "textflag.h"

// func Counter() uint64
TEXT ·Counter(SB),NOSPLIT,$0-8
	ISB	$15
	MRS	CNTPCT_EL0, R0
	MOVD	R0, ret+0(FP)
	RET

// func Frequency() uint64
TEXT ·Frequency(SB),NOSPLIT,$0-8
	MRS	CNTFRQ_EL0, R0
	MOVD	R0, ret+0(FP)
	RET

// func SetTimerCompare(cval uint64)
TEXT ·SetTimerCompare(SB),NOSPLIT,$0-8
	MOVD	cval+0(FP), R0
	MSR	R0, CNTP_CVAL_EL0
	MOVD	$1, R0			// ENABLE, interrupt not masked
	MSR	R0, CNTP_CTL_EL0
	ISB	$15
	RET

// func DisableTimer()
TEXT ·DisableTimer(SB),NOSPLIT,$0-0
	MSR	ZR, CNTP_CTL_EL0
	ISB	$15
	RET

// func WaitForInterrupt()
TEXT ·WaitForInterrupt(SB),NOSPLIT,$0-0
	DSB	$15
	WFI
	RET
