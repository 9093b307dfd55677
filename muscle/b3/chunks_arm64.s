//go:build arm64

#include "go_asm.h"
#include "textflag.h"

// chunks4NEON (chunks_arm64.go): BLAKE3's compression of four chunks side
// by side. V0..V15 are the sixteen state words, lane i for chunk i; V16
// is the byte shuffle that rotates each word right by 8; V17 and V18 the
// counters' low and high words; V20..V23 message words and V24..V27
// temporaries during a round. Rotations: by 16 a halfword swap (REV32),
// by 8 the shuffle (TBL), by 12 and 7 a shift left and a shift right with
// insert (SHL, SRI).

// IV words 0..3, each repeated in four lanes (state words 8..11).
DATA ·ivx4+0(SB)/4, $0x6A09E667
DATA ·ivx4+4(SB)/4, $0x6A09E667
DATA ·ivx4+8(SB)/4, $0x6A09E667
DATA ·ivx4+12(SB)/4, $0x6A09E667
DATA ·ivx4+16(SB)/4, $0xBB67AE85
DATA ·ivx4+20(SB)/4, $0xBB67AE85
DATA ·ivx4+24(SB)/4, $0xBB67AE85
DATA ·ivx4+28(SB)/4, $0xBB67AE85
DATA ·ivx4+32(SB)/4, $0x3C6EF372
DATA ·ivx4+36(SB)/4, $0x3C6EF372
DATA ·ivx4+40(SB)/4, $0x3C6EF372
DATA ·ivx4+44(SB)/4, $0x3C6EF372
DATA ·ivx4+48(SB)/4, $0xA54FF53A
DATA ·ivx4+52(SB)/4, $0xA54FF53A
DATA ·ivx4+56(SB)/4, $0xA54FF53A
DATA ·ivx4+60(SB)/4, $0xA54FF53A
GLOBL ·ivx4(SB), RODATA|NOPTR, $64

// Byte i of the result is byte rot8[i] of the source: each 32-bit word
// rotated right by 8.
DATA ·rot8+0(SB)/8, $0x0407060500030201
DATA ·rot8+8(SB)/8, $0x0C0F0E0D080B0A09
GLOBL ·rot8(SB), RODATA|NOPTR, $16

// TRANSPOSE makes rows a0..a3 (four words each) columns: afterwards aj
// holds word j of every row. t0..t3 are clobbered.
#define TRANSPOSE(a0, a1, a2, a3, t0, t1, t2, t3) \
	VTRN1	a1.S4, a0.S4, t0.S4; \
	VTRN2	a1.S4, a0.S4, t1.S4; \
	VTRN1	a3.S4, a2.S4, t2.S4; \
	VTRN2	a3.S4, a2.S4, t3.S4; \
	VTRN1	t2.D2, t0.D2, a0.D2; \
	VTRN2	t2.D2, t0.D2, a2.D2; \
	VTRN1	t3.D2, t1.D2, a1.D2; \
	VTRN2	t3.D2, t1.D2, a3.D2

// ROTD16 and ROTD8 rotate each word of d right by 16 (a halfword swap) and
// by 8 (the byte shuffle in V16).
#define ROTD16(d) VREV32	d.H8, d.H8
#define ROTD8(d) VTBL	V16.B16, [d.B16], d.B16

// HALFG is one half of the G function on four columns (or diagonals) at
// once, step by step: a += b + m (m at offsets x0..x3 of the message area,
// R5), d = (d ^ a) rotated by ROTD, c += d, b = (b ^ c) rotated right by
// rb (a shift left by 32-rb, then a shift right by rb inserted).
#define HALFG(a0, b0, c0, d0, a1, b1, c1, d1, a2, b2, c2, d2, a3, b3, c3, d3, x0, x1, x2, x3, ROTD, shl, rb) \
	FMOVQ	x0(R5), F20; \
	FMOVQ	x1(R5), F21; \
	FMOVQ	x2(R5), F22; \
	FMOVQ	x3(R5), F23; \
	VADD	b0.S4, a0.S4, a0.S4; \
	VADD	b1.S4, a1.S4, a1.S4; \
	VADD	b2.S4, a2.S4, a2.S4; \
	VADD	b3.S4, a3.S4, a3.S4; \
	VADD	V20.S4, a0.S4, a0.S4; \
	VADD	V21.S4, a1.S4, a1.S4; \
	VADD	V22.S4, a2.S4, a2.S4; \
	VADD	V23.S4, a3.S4, a3.S4; \
	VEOR	a0.B16, d0.B16, d0.B16; \
	VEOR	a1.B16, d1.B16, d1.B16; \
	VEOR	a2.B16, d2.B16, d2.B16; \
	VEOR	a3.B16, d3.B16, d3.B16; \
	ROTD(d0); \
	ROTD(d1); \
	ROTD(d2); \
	ROTD(d3); \
	VADD	d0.S4, c0.S4, c0.S4; \
	VADD	d1.S4, c1.S4, c1.S4; \
	VADD	d2.S4, c2.S4, c2.S4; \
	VADD	d3.S4, c3.S4, c3.S4; \
	VEOR	c0.B16, b0.B16, V24.B16; \
	VEOR	c1.B16, b1.B16, V25.B16; \
	VEOR	c2.B16, b2.B16, V26.B16; \
	VEOR	c3.B16, b3.B16, V27.B16; \
	VSHL	$shl, V24.S4, b0.S4; \
	VSHL	$shl, V25.S4, b1.S4; \
	VSHL	$shl, V26.S4, b2.S4; \
	VSHL	$shl, V27.S4, b3.S4; \
	VSRI	$rb, V24.S4, b0.S4; \
	VSRI	$rb, V25.S4, b1.S4; \
	VSRI	$rb, V26.S4, b2.S4; \
	VSRI	$rb, V27.S4, b3.S4

// G4 is the G function on four columns (or diagonals): x0..x3 and y0..y3
// are the offsets of the two message words each G adds.
#define G4(a0, b0, c0, d0, a1, b1, c1, d1, a2, b2, c2, d2, a3, b3, c3, d3, x0, x1, x2, x3, y0, y1, y2, y3) \
	HALFG(a0, b0, c0, d0, a1, b1, c1, d1, a2, b2, c2, d2, a3, b3, c3, d3, x0, x1, x2, x3, ROTD16, 20, 12); \
	HALFG(a0, b0, c0, d0, a1, b1, c1, d1, a2, b2, c2, d2, a3, b3, c3, d3, y0, y1, y2, y3, ROTD8, 25, 7)

// ROUND is one round: the columns, then the diagonals, with the message
// words at offsets m0..m15 (the round's permutation of the block).
#define ROUND(m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15) \
	G4(V0, V4, V8, V12, V1, V5, V9, V13, V2, V6, V10, V14, V3, V7, V11, V15, m0, m2, m4, m6, m1, m3, m5, m7); \
	G4(V0, V5, V10, V15, V1, V6, V11, V12, V2, V7, V8, V13, V3, V4, V9, V14, m8, m10, m12, m14, m9, m11, m13, m15)

// func chunks4NEON(out *[4][8]uint32, in *[4]*[ChunkLen]byte, key *[8]uint32, ctr *[2][4]uint32, flags uint32, msg *[16][4]uint32)
TEXT ·chunks4NEON(SB), NOSPLIT, $0-48
	MOVD	out+0(FP), R0
	MOVD	in+8(FP), R1
	MOVD	key+16(FP), R2
	MOVD	ctr+24(FP), R3
	MOVWU	flags+32(FP), R4
	MOVD	msg+40(FP), R5
	// The key words, each in every lane: the chunks' chaining values.
	VLD4R.P	16(R2), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD4R	(R2), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1	(R3), [V17.S4, V18.S4]
	MOVD	$·rot8(SB), R11
	VLD1	(R11), [V16.B16]
	MOVD	$·ivx4(SB), R11
	MOVD	8(R1), R8
	MOVD	16(R1), R9
	MOVD	24(R1), R10
	MOVD	(R1), R1
	MOVW	$const_BlockLen, R12
	MOVD	$0, R6

block:
	// This block's flags: the caller's, chunk start on the first block,
	// chunk end on the sixteenth.
	MOVW	R4, R7
	CBNZ	R6, 2(PC)
	ORRW	$1, R7, R7
	CMP	$15, R6
	BNE	2(PC)
	ORRW	$2, R7, R7

	// The block of each chunk, transposed into the message area: 16
	// bytes per word, lane i chunk i's.
	VLD1.P	64(R1), [V20.S4, V21.S4, V22.S4, V23.S4]
	VLD1.P	64(R8), [V24.S4, V25.S4, V26.S4, V27.S4]
	VLD1.P	64(R9), [V28.S4, V29.S4, V30.S4, V31.S4]
	VLD1.P	64(R10), [V8.S4, V9.S4, V10.S4, V11.S4]
	TRANSPOSE(V20, V24, V28, V8, V12, V13, V14, V15)
	FMOVQ	F20, 0(R5)
	FMOVQ	F24, 16(R5)
	FMOVQ	F28, 32(R5)
	FMOVQ	F8, 48(R5)
	TRANSPOSE(V21, V25, V29, V9, V12, V13, V14, V15)
	FMOVQ	F21, 64(R5)
	FMOVQ	F25, 80(R5)
	FMOVQ	F29, 96(R5)
	FMOVQ	F9, 112(R5)
	TRANSPOSE(V22, V26, V30, V10, V12, V13, V14, V15)
	FMOVQ	F22, 128(R5)
	FMOVQ	F26, 144(R5)
	FMOVQ	F30, 160(R5)
	FMOVQ	F10, 176(R5)
	TRANSPOSE(V23, V27, V31, V11, V12, V13, V14, V15)
	FMOVQ	F23, 192(R5)
	FMOVQ	F27, 208(R5)
	FMOVQ	F31, 224(R5)
	FMOVQ	F11, 240(R5)

	// State words 8..15: IV, counter, block length, flags.
	VLD1	(R11), [V8.S4, V9.S4, V10.S4, V11.S4]
	VMOV	V17.B16, V12.B16
	VMOV	V18.B16, V13.B16
	VDUP	R12, V14.S4
	VDUP	R7, V15.S4

	ROUND(0, 16, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240)
	ROUND(32, 96, 48, 160, 112, 0, 64, 208, 16, 176, 192, 80, 144, 224, 240, 128)
	ROUND(48, 64, 160, 192, 208, 32, 112, 224, 96, 80, 144, 0, 176, 240, 128, 16)
	ROUND(160, 112, 192, 144, 224, 48, 208, 240, 64, 0, 176, 32, 80, 128, 16, 96)
	ROUND(192, 208, 144, 176, 240, 160, 224, 128, 112, 32, 80, 48, 0, 16, 96, 64)
	ROUND(144, 224, 176, 80, 128, 192, 240, 16, 208, 48, 0, 160, 32, 96, 64, 112)
	ROUND(176, 240, 80, 0, 16, 144, 128, 96, 224, 160, 32, 192, 48, 64, 112, 208)

	// The next chaining values: state words 0..7 xor 8..15.
	VEOR	V8.B16, V0.B16, V0.B16
	VEOR	V9.B16, V1.B16, V1.B16
	VEOR	V10.B16, V2.B16, V2.B16
	VEOR	V11.B16, V3.B16, V3.B16
	VEOR	V12.B16, V4.B16, V4.B16
	VEOR	V13.B16, V5.B16, V5.B16
	VEOR	V14.B16, V6.B16, V6.B16
	VEOR	V15.B16, V7.B16, V7.B16
	ADD	$1, R6
	CMP	$(const_ChunkLen/const_BlockLen), R6
	BNE	block

	// out[i] is lane i of V0..V7.
	TRANSPOSE(V0, V1, V2, V3, V20, V21, V22, V23)
	TRANSPOSE(V4, V5, V6, V7, V20, V21, V22, V23)
	FMOVQ	F0, 0(R0)
	FMOVQ	F4, 16(R0)
	FMOVQ	F1, 32(R0)
	FMOVQ	F5, 48(R0)
	FMOVQ	F2, 64(R0)
	FMOVQ	F6, 80(R0)
	FMOVQ	F3, 96(R0)
	FMOVQ	F7, 112(R0)
	RET
