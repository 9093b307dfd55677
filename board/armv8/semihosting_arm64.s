//go:build tamago && arm64

#include "textflag.h"

// func semihostingCall(op uint64, arg uintptr) uint64
TEXT ·semihostingCall(SB),NOSPLIT,$0-24
	MOVD	op+0(FP), R0
	MOVD	arg+8(FP), R1
	HLT	$0xf000
	MOVD	R0, ret+16(FP)
	RET
