// Copyright 2026 The referee authors. Part of the project's bare-metal port.

//go:build tamago

#include "go_asm.h"
#include "textflag.h"

// The ELF entry point. The board's CPUInit (runtime/goos) prepares the CPU
// and the stack and then branches to _rt0_tamago_start.
TEXT _rt0_arm64_tamago(SB),NOSPLIT|NOFRAME,$0
	B	runtime∕goos·CPUInit(SB)

TEXT _rt0_tamago_start(SB),NOSPLIT|NOFRAME,$0
	B	runtime·rt0_tamago(SB)

TEXT runtime·rt0_tamago(SB),NOSPLIT|TOPFRAME|NOFRAME,$0
	MOVD	$0, R29

	// g0 runs on the boot stack: its top 64 KiB.
	MOVD	$runtime·g0(SB), g
	MOVD	RSP, R7
	MOVD	$(-64*1024)(R7), R0
	MOVD	R0, (g_stack+stack_lo)(g)
	MOVD	R7, (g_stack+stack_hi)(g)
	ADD	$const_stackGuard, R0
	MOVD	R0, g_stackguard0(g)
	MOVD	R0, g_stackguard1(g)

	MOVD	$runtime·m0(SB), R0
	MOVD	g, m_g0(R0)
	MOVD	R0, g_m(g)

	// TamaGo's order: Hwinit0 (no heap: it must not allocate), then
	// schedinit, which makes the heap (mallocinit) and only then seeds the
	// runtime through the board's InitRNG and GetRandomData (randinit, moved
	// after mallocinit by edits.go), then Hwinit1, which may allocate
	// (exception vectors, timers, console).
	SUB	$16, RSP
	BL	runtime·hwinit0(SB)
	BL	runtime·check(SB)
	BL	runtime·osinit(SB)
	BL	runtime·schedinit(SB)
	BL	runtime·hwinit1(SB)
	ADD	$16, RSP

	MOVD	$runtime·mainPC(SB), R0
	SUB	$16, RSP
	MOVD	R0, 8(RSP)
	MOVD	$0, 0(RSP)
	BL	runtime·newproc(SB)
	ADD	$16, RSP

	BL	runtime·mstart(SB)
	UNDEF
