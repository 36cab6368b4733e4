//go:build !purego

#include "textflag.h"

// The AVX2 versions of the kernels in kernels.go; see there for what each
// computes and the order in which it sums. Multiplications and additions
// are separate instructions (no FMA), as in the Go versions.

// PREFETCH_ROW asks for the first three cache lines and the last value of
// the row of b that the int32 at off(R10)(AX*4) names; R9 holds k.
#define PREFETCH_ROW(off) \
	MOVLQSX    off(R10)(AX*4), DX; \
	IMULQ      bs+48(FP), DX; \
	LEAQ       (SI)(DX*8), DX; \
	PREFETCHT0 (DX); \
	PREFETCHT0 64(DX); \
	PREFETCHT0 128(DX); \
	PREFETCHT0 -8(DX)(R9*8)

// PREFETCH4 asks for the rows of the cells 8 to 11 after cell AX (R9
// holds k).
#define PREFETCH4 \
	PREFETCH_ROW(32); \
	PREFETCH_ROW(36); \
	PREFETCH_ROW(40); \
	PREFETCH_ROW(44)

// ROWS4 sets BX, CX, DX and R13 to the addresses in b (SI) of the rows of
// cells AX to AX+3 (cols at R10, row stride bs).
#define ROWS4 \
	MOVLQSX (R10)(AX*4), BX; \
	IMULQ   bs+48(FP), BX; \
	LEAQ    (SI)(BX*8), BX; \
	MOVLQSX 4(R10)(AX*4), CX; \
	IMULQ   bs+48(FP), CX; \
	LEAQ    (SI)(CX*8), CX; \
	MOVLQSX 8(R10)(AX*4), DX; \
	IMULQ   bs+48(FP), DX; \
	LEAQ    (SI)(DX*8), DX; \
	MOVLQSX 12(R10)(AX*4), R13; \
	IMULQ   bs+48(FP), R13; \
	LEAQ    (SI)(R13*8), R13

// TRANSPOSE4 loads values t to t+3 (R9 is t) of the four rows at BX, CX,
// DX and R13, leaves coordinate t's four values (one per row) in Y0, t+1's
// in Y1, t+2's in Y2, t+3's in Y3, and stores them at DI, DI+R12, DI+2·R12
// and DI+3·R12, advancing DI by 4·R12.
#define TRANSPOSE4 \
	VMOVUPD    (BX)(R9*8), Y0; \
	VMOVUPD    (CX)(R9*8), Y1; \
	VMOVUPD    (DX)(R9*8), Y2; \
	VMOVUPD    (R13)(R9*8), Y3; \
	VUNPCKLPD  Y1, Y0, Y4; \
	VUNPCKHPD  Y1, Y0, Y5; \
	VUNPCKLPD  Y3, Y2, Y6; \
	VUNPCKHPD  Y3, Y2, Y7; \
	VPERM2F128 $0x20, Y6, Y4, Y0; \
	VPERM2F128 $0x20, Y7, Y5, Y1; \
	VPERM2F128 $0x31, Y6, Y4, Y2; \
	VPERM2F128 $0x31, Y7, Y5, Y3; \
	VMOVUPD    Y0, (DI); \
	VMOVUPD    Y1, (DI)(R12*1); \
	LEAQ       (DI)(R12*2), DI; \
	VMOVUPD    Y2, (DI); \
	VMOVUPD    Y3, (DI)(R12*1); \
	LEAQ       (DI)(R12*2), DI

// ZERO_SUMS clears the 16 partial sums in Y0–Y3.
#define ZERO_SUMS \
	VXORPD Y0, Y0, Y0; \
	VXORPD Y1, Y1, Y1; \
	VXORPD Y2, Y2, Y2; \
	VXORPD Y3, Y3, Y3

// REDUCE16 adds the 16 partial sums in Y0–Y3 as reduceLanes does, into X0.
#define REDUCE16 \
	VADDPD       Y1, Y0, Y0; \
	VADDPD       Y3, Y2, Y2; \
	VADDPD       Y2, Y0, Y0; \
	VEXTRACTF128 $1, Y0, X1; \
	VADDPD       X1, X0, X0; \
	VUNPCKHPD    X0, X0, X1; \
	VADDSD       X1, X0, X0

// func dotAVX2(x, y []float64) float64
TEXT ·dotAVX2(SB), NOSPLIT, $0-56
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	MOVQ y_base+24(FP), DI
	ZERO_SUMS
	XORQ AX, AX
	MOVQ CX, BX
	ANDQ $-16, BX

dot16:
	CMPQ AX, BX
	JGE  dot4start
	VMOVUPD (SI)(AX*8), Y4
	VMOVUPD 32(SI)(AX*8), Y5
	VMOVUPD 64(SI)(AX*8), Y6
	VMOVUPD 96(SI)(AX*8), Y7
	VMULPD  (DI)(AX*8), Y4, Y4
	VMULPD  32(DI)(AX*8), Y5, Y5
	VMULPD  64(DI)(AX*8), Y6, Y6
	VMULPD  96(DI)(AX*8), Y7, Y7
	VADDPD  Y4, Y0, Y0
	VADDPD  Y5, Y1, Y1
	VADDPD  Y6, Y2, Y2
	VADDPD  Y7, Y3, Y3
	ADDQ    $16, AX
	JMP     dot16

dot4start:
	MOVQ CX, BX
	ANDQ $-4, BX

dot4:
	CMPQ AX, BX
	JGE  dotreduce
	VMOVUPD (SI)(AX*8), Y4
	VMULPD  (DI)(AX*8), Y4, Y4
	VADDPD  Y4, Y0, Y0
	ADDQ    $4, AX
	JMP     dot4

dotreduce:
	REDUCE16
	VXORPD       X2, X2, X2

dotrest:
	CMPQ   AX, CX
	JGE    dotdone
	VMOVSD (SI)(AX*8), X3
	VMULSD (DI)(AX*8), X3, X3
	VADDSD X3, X2, X2
	INCQ   AX
	JMP    dotrest

dotdone:
	VADDSD     X2, X0, X0
	VZEROUPPER
	MOVSD      X0, ret+48(FP)
	RET

// func subScaledSumSqAVX2(r, src, x []float64, d float64) float64
TEXT ·subScaledSumSqAVX2(SB), NOSPLIT, $0-88
	MOVQ         r_base+0(FP), DI
	MOVQ         r_len+8(FP), CX
	MOVQ         src_base+24(FP), DX
	MOVQ         x_base+48(FP), SI
	VBROADCASTSD d+72(FP), Y8
	ZERO_SUMS
	XORQ         AX, AX
	MOVQ         CX, BX
	ANDQ         $-16, BX

sq16:
	CMPQ    AX, BX
	JGE     sq4start
	VMOVUPD (SI)(AX*8), Y4
	VMOVUPD 32(SI)(AX*8), Y5
	VMOVUPD 64(SI)(AX*8), Y6
	VMOVUPD 96(SI)(AX*8), Y7
	VMULPD  Y4, Y8, Y9
	VMULPD  Y5, Y8, Y10
	VMULPD  Y6, Y8, Y11
	VMULPD  Y7, Y8, Y12
	VMOVUPD (DX)(AX*8), Y13
	VSUBPD  Y9, Y13, Y13
	VMOVUPD Y13, (DI)(AX*8)
	VMOVUPD 32(DX)(AX*8), Y13
	VSUBPD  Y10, Y13, Y13
	VMOVUPD Y13, 32(DI)(AX*8)
	VMOVUPD 64(DX)(AX*8), Y13
	VSUBPD  Y11, Y13, Y13
	VMOVUPD Y13, 64(DI)(AX*8)
	VMOVUPD 96(DX)(AX*8), Y13
	VSUBPD  Y12, Y13, Y13
	VMOVUPD Y13, 96(DI)(AX*8)
	VMULPD  Y4, Y4, Y4
	VMULPD  Y5, Y5, Y5
	VMULPD  Y6, Y6, Y6
	VMULPD  Y7, Y7, Y7
	VADDPD  Y4, Y0, Y0
	VADDPD  Y5, Y1, Y1
	VADDPD  Y6, Y2, Y2
	VADDPD  Y7, Y3, Y3
	ADDQ    $16, AX
	JMP     sq16

sq4start:
	MOVQ CX, BX
	ANDQ $-4, BX

sq4:
	CMPQ    AX, BX
	JGE     sqreduce
	VMOVUPD (SI)(AX*8), Y4
	VMULPD  Y4, Y8, Y9
	VMOVUPD (DX)(AX*8), Y13
	VSUBPD  Y9, Y13, Y13
	VMOVUPD Y13, (DI)(AX*8)
	VMULPD  Y4, Y4, Y4
	VADDPD  Y4, Y0, Y0
	ADDQ    $4, AX
	JMP     sq4

sqreduce:
	REDUCE16
	VXORPD       X2, X2, X2

sqrest:
	CMPQ   AX, CX
	JGE    sqdone
	VMOVSD (SI)(AX*8), X3
	VMULSD X3, X8, X9
	VMOVSD (DX)(AX*8), X13
	VSUBSD X9, X13, X13
	VMOVSD X13, (DI)(AX*8)
	VMULSD X3, X3, X3
	VADDSD X3, X2, X2
	INCQ   AX
	JMP    sqrest

sqdone:
	VADDSD     X2, X0, X0
	VZEROUPPER
	MOVSD      X0, ret+80(FP)
	RET

// func gatherAVX2(bt, b []float64, bs, k int, cols []int32)
//
// Registers: SI b, R10 cols, R11 c, R12 c·8 (the distance between two
// coordinates' runs in bt), AX e, BX CX DX R13 the four rows' addresses,
// R9 t, R8 k rounded down to a multiple of 4, DI where in bt the next
// coordinate's four values go.
TEXT ·gatherAVX2(SB), NOSPLIT, $0-88
	MOVQ b_base+24(FP), SI
	MOVQ cols_base+64(FP), R10
	MOVQ cols_len+72(FP), R11
	MOVQ R11, R12
	SHLQ $3, R12
	MOVQ k+56(FP), R8
	ANDQ $-4, R8
	XORQ AX, AX

rows4:
	LEAQ 4(AX), BX
	CMPQ BX, R11
	JGT  rows1

	// Ask for the rows 16 cells ahead.
	LEAQ    12(AX), BX
	CMPQ    BX, R11
	JGT     addresses
	MOVQ k+56(FP), R9
	PREFETCH4

addresses:
	ROWS4
	MOVQ    bt_base+0(FP), DI
	LEAQ    (DI)(AX*8), DI
	XORQ    R9, R9

coords4:
	CMPQ       R9, R8
	JGE        coords1
	TRANSPOSE4
	ADDQ       $4, R9
	JMP        coords4

coords1:
	CMPQ  R9, k+56(FP)
	JGE   next4
	MOVSD (BX)(R9*8), X0
	MOVSD X0, (DI)
	MOVSD (CX)(R9*8), X0
	MOVSD X0, 8(DI)
	MOVSD (DX)(R9*8), X0
	MOVSD X0, 16(DI)
	MOVSD (R13)(R9*8), X0
	MOVSD X0, 24(DI)
	ADDQ  R12, DI
	INCQ  R9
	JMP   coords1

next4:
	ADDQ $4, AX
	JMP  rows4

rows1:
	CMPQ    AX, R11
	JGE     gatherdone
	MOVLQSX (R10)(AX*4), BX
	IMULQ   bs+48(FP), BX
	LEAQ    (SI)(BX*8), BX
	MOVQ    bt_base+0(FP), DI
	LEAQ    (DI)(AX*8), DI
	XORQ    R9, R9

row1coords:
	CMPQ  R9, k+56(FP)
	JGE   next1
	MOVSD (BX)(R9*8), X0
	MOVSD X0, (DI)
	ADDQ  R12, DI
	INCQ  R9
	JMP   row1coords

next1:
	INCQ AX
	JMP  rows1

gatherdone:
	VZEROUPPER
	RET

// func gatherResidualAVX2(bt, b []float64, bs int, cols []int32, a, vals, r, lanes []float64)
//
// gather for the cells in whole groups of four (c4 = len(cols) rounded
// down to a multiple of 4), with k = len(a) a multiple of 4, that also
// sets r[e] = vals[e] − Σ_t a_t·b_{cols[e],t} (subtracting in turn over t)
// and adds each b_{cols[e],t}² to the partial sum
// lanes[16t + e mod 16] while e is in a whole block of 16, to lanes[16t +
// e mod 4] after: the partial sums dotGo keeps for column t of bt.
//
// Registers: SI b, R10 cols, R8 a, AX e, BX CX DX R13 the four rows'
// addresses, R9 t, DI where in bt the next coordinate's four values go,
// R12 c·8, R11 where in lanes coordinate t's partial sums for this group
// are, Y12 the group's four residuals. Locals: c4, and the cells in whole
// blocks of 16.
TEXT ·gatherResidualAVX2(SB), NOSPLIT, $16-176
	MOVQ b_base+24(FP), SI
	MOVQ cols_base+56(FP), R10
	MOVQ a_base+80(FP), R8
	MOVQ cols_len+64(FP), R12
	MOVQ R12, BX
	ANDQ $-4, BX
	MOVQ BX, c4-8(SP)
	MOVQ R12, BX
	ANDQ $-16, BX
	MOVQ BX, full-16(SP)
	SHLQ $3, R12
	XORQ AX, AX

group:
	CMPQ AX, c4-8(SP)
	JGE  residualdone

	// Ask for the rows 8 cells ahead.
	LEAQ    12(AX), BX
	CMPQ    BX, cols_len+64(FP)
	JGT     raddresses
	MOVQ a_len+88(FP), R9
	PREFETCH4

raddresses:
	ROWS4

	// The group's partial sums: lanes e mod 16 in a whole block, 0–3 after.
	XORQ R11, R11
	CMPQ AX, full-16(SP)
	JGE  lanesfound
	MOVQ AX, R11
	ANDQ $12, R11
	SHLQ $3, R11

lanesfound:
	ADDQ    lanes_base+152(FP), R11
	MOVQ    vals_base+104(FP), DI
	VMOVUPD (DI)(AX*8), Y12
	MOVQ    bt_base+0(FP), DI
	LEAQ    (DI)(AX*8), DI
	XORQ    R9, R9

rcoords:
	CMPQ       R9, a_len+88(FP)
	JGE        groupdone
	TRANSPOSE4

	// Residuals, coordinates t to t+3 in turn.
	VBROADCASTSD (R8)(R9*8), Y8
	VMULPD       Y0, Y8, Y8
	VSUBPD       Y8, Y12, Y12
	VBROADCASTSD 8(R8)(R9*8), Y9
	VMULPD       Y1, Y9, Y9
	VSUBPD       Y9, Y12, Y12
	VBROADCASTSD 16(R8)(R9*8), Y10
	VMULPD       Y2, Y10, Y10
	VSUBPD       Y10, Y12, Y12
	VBROADCASTSD 24(R8)(R9*8), Y11
	VMULPD       Y3, Y11, Y11
	VSUBPD       Y11, Y12, Y12

	// Squares into each coordinate's partial sums (16 values apart).
	VMULPD  Y0, Y0, Y0
	VADDPD  (R11), Y0, Y0
	VMOVUPD Y0, (R11)
	VMULPD  Y1, Y1, Y1
	VADDPD  128(R11), Y1, Y1
	VMOVUPD Y1, 128(R11)
	VMULPD  Y2, Y2, Y2
	VADDPD  256(R11), Y2, Y2
	VMOVUPD Y2, 256(R11)
	VMULPD  Y3, Y3, Y3
	VADDPD  384(R11), Y3, Y3
	VMOVUPD Y3, 384(R11)
	ADDQ    $512, R11
	ADDQ    $4, R9
	JMP     rcoords

groupdone:
	MOVQ    r_base+128(FP), R9
	VMOVUPD Y12, (R9)(AX*8)
	ADDQ    $4, AX
	JMP     group

residualdone:
	VZEROUPPER
	RET

// func subScaledDotAVX2(r, x []float64, d float64, y []float64) float64
//
// subScaledAVX2 then dotAVX2(r, y) in one pass; y may be r.
TEXT ·subScaledDotAVX2(SB), NOSPLIT, $0-88
	MOVQ         r_base+0(FP), DI
	MOVQ         r_len+8(FP), CX
	MOVQ         x_base+24(FP), SI
	VBROADCASTSD d+48(FP), Y8
	MOVQ         y_base+56(FP), DX
	ZERO_SUMS
	XORQ         AX, AX
	MOVQ         CX, BX
	ANDQ         $-16, BX

sd16:
	CMPQ    AX, BX
	JGE     sd4start
	VMULPD  (SI)(AX*8), Y8, Y4
	VMULPD  32(SI)(AX*8), Y8, Y5
	VMULPD  64(SI)(AX*8), Y8, Y6
	VMULPD  96(SI)(AX*8), Y8, Y7
	VMOVUPD (DI)(AX*8), Y9
	VMOVUPD 32(DI)(AX*8), Y10
	VMOVUPD 64(DI)(AX*8), Y11
	VMOVUPD 96(DI)(AX*8), Y12
	VSUBPD  Y4, Y9, Y9
	VSUBPD  Y5, Y10, Y10
	VSUBPD  Y6, Y11, Y11
	VSUBPD  Y7, Y12, Y12
	VMOVUPD Y9, (DI)(AX*8)
	VMOVUPD Y10, 32(DI)(AX*8)
	VMOVUPD Y11, 64(DI)(AX*8)
	VMOVUPD Y12, 96(DI)(AX*8)
	VMULPD  (DX)(AX*8), Y9, Y9
	VMULPD  32(DX)(AX*8), Y10, Y10
	VMULPD  64(DX)(AX*8), Y11, Y11
	VMULPD  96(DX)(AX*8), Y12, Y12
	VADDPD  Y9, Y0, Y0
	VADDPD  Y10, Y1, Y1
	VADDPD  Y11, Y2, Y2
	VADDPD  Y12, Y3, Y3
	ADDQ    $16, AX
	JMP     sd16

sd4start:
	MOVQ CX, BX
	ANDQ $-4, BX

sd4:
	CMPQ    AX, BX
	JGE     sdreduce
	VMULPD  (SI)(AX*8), Y8, Y4
	VMOVUPD (DI)(AX*8), Y9
	VSUBPD  Y4, Y9, Y9
	VMOVUPD Y9, (DI)(AX*8)
	VMULPD  (DX)(AX*8), Y9, Y9
	VADDPD  Y9, Y0, Y0
	ADDQ    $4, AX
	JMP     sd4

sdreduce:
	REDUCE16
	VXORPD       X2, X2, X2

sdrest:
	CMPQ   AX, CX
	JGE    sddone
	VMULSD (SI)(AX*8), X8, X4
	VMOVSD (DI)(AX*8), X9
	VSUBSD X4, X9, X9
	VMOVSD X9, (DI)(AX*8)
	VMULSD (DX)(AX*8), X9, X9
	VADDSD X9, X2, X2
	INCQ   AX
	JMP    sdrest

sddone:
	VADDSD     X2, X0, X0
	VZEROUPPER
	MOVSD      X0, ret+80(FP)
	RET
