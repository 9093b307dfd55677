// Copyright 2026 The referee authors. Part of the project's bare-metal port.

//go:build tamago

#include "go_asm.h"
#include "textflag.h"

// func GetG() (gp uint, pp uint)
TEXT runtime·GetG(SB),NOSPLIT,$0-16
	MOVD	g, gp+0(FP)
	MOVD	g_m(g), R0
	MOVD	m_p(R0), R0
	MOVD	R0, pp+8(FP)
	RET

// WakeG: R0 = g. Leaf, no frame, uses R0-R3 only (interrupt handlers save
// just those around the call). Marks the goroutine's timer as modified to
// fire at time 1, which the timer code re-sorts and runs on its next check.
TEXT runtime·WakeG(SB),NOSPLIT|NOFRAME,$0-0
	CBZ	R0, notfound
	MOVD	g_timer(R0), R3		// R3 = gp.timer
	CBZ	R3, notfound
	MOVD	timer_ts(R3), R1	// R1 = t.ts
	CBZ	R1, notfound
	MOVD	(timers_heap+8)(R1), R2	// R2 = len(ts.heap)
	MOVD	timers_heap(R1), R0	// R0 = &ts.heap[0]
loop:
	CBZ	R2, notfound
	MOVD	timerWhen_timer(R0), R1
	CMP	R1, R3
	BEQ	found
	ADD	$timerWhen__size, R0
	SUB	$1, R2
	B	loop
found:
	MOVD	$1, R1
	MOVD	R1, timerWhen_when(R0)
	MOVD	R1, timer_when(R3)
	MOVBU	timer_state(R3), R2
	ORR	$const_timerModified, R2
	MOVB	R2, timer_state(R3)
	MOVBU	timer_astate(R3), R2
	ORR	$const_timerModified, R2
	MOVB	R2, timer_astate(R3)
	MOVD	timer_ts(R3), R0
	MOVD	R1, timers_minWhenModified(R0)
	MOVD	$0, R0
	RET
notfound:
	MOVD	$1, R0
	RET

// func Wake(gp uint) bool
TEXT runtime·Wake(SB),NOSPLIT,$0-9
	MOVD	gp+0(FP), R0
	BL	runtime·WakeG(SB)
	EOR	$1, R0
	MOVB	R0, ret+8(FP)
	RET
