// Semihosting SYS_EXIT (0x18) with ADP_Stopped_ApplicationExit (0x20026):
// QEMU, started with -semihosting, exits with the given status.

#include "textflag.h"

// func semihostingExit(code int32)
TEXT ·semihostingExit(SB),NOSPLIT,$16-4
	MOVD	$0x20026, R0
	MOVD	R0, 8(RSP)
	MOVW	code+0(FP), R0
	MOVD	R0, 16(RSP)
	MOVD	$0x18, R0
	ADD	$8, RSP, R1
	HLT	$0xf000
loop:
	B	loop
