//go:build !purego

#include "textflag.h"

// The AVX2 versions of the kernels in kernels.go; see there for what each
// computes and the order in which it sums. Each multiplication is fused
// with the addition it feeds (VFMADD231PD, VFNMADD231PD), as math.FMA
// fuses them in the Go versions.

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
// and DI+3·R12, advancing DI by 4·R12. The rows' halves are loaded into
// the halves of Y4–Y7 (rows 0 and 2 together, 1 and 3), so that four
// in-lane shuffles finish the transpose: half the shuffles of a transpose
// of whole registers, which had kept the shuffle port busier than any
// other.
#define TRANSPOSE4 \
	VMOVUPD     (BX)(R9*8), X4; \
	VINSERTF128 $1, (DX)(R9*8), Y4, Y4; \
	VMOVUPD     (CX)(R9*8), X5; \
	VINSERTF128 $1, (R13)(R9*8), Y5, Y5; \
	VMOVUPD     16(BX)(R9*8), X6; \
	VINSERTF128 $1, 16(DX)(R9*8), Y6, Y6; \
	VMOVUPD     16(CX)(R9*8), X7; \
	VINSERTF128 $1, 16(R13)(R9*8), Y7, Y7; \
	VUNPCKLPD   Y5, Y4, Y0; \
	VUNPCKHPD   Y5, Y4, Y1; \
	VUNPCKLPD   Y7, Y6, Y2; \
	VUNPCKHPD   Y7, Y6, Y3; \
	VMOVUPD     Y0, (DI); \
	VMOVUPD     Y1, (DI)(R12*1); \
	LEAQ        (DI)(R12*2), DI; \
	VMOVUPD     Y2, (DI); \
	VMOVUPD     Y3, (DI)(R12*1); \
	LEAQ        (DI)(R12*2), DI

// COLUMN4 loads value t (R9 is t) of the four rows at BX, CX, DX and R13
// into Y0 and stores it at DI, advancing DI by R12.
#define COLUMN4 \
	VMOVSD      (BX)(R9*8), X4; \
	VMOVHPD     (CX)(R9*8), X4, X4; \
	VMOVSD      (DX)(R9*8), X5; \
	VMOVHPD     (R13)(R9*8), X5, X5; \
	VINSERTF128 $1, X5, Y4, Y0; \
	VMOVUPD     Y0, (DI); \
	ADDQ        R12, DI

// SUBTRACT subtracts a_t (at off(R8)(R9*8)) times the coordinate in y
// from the partial residuals in acc.
#define SUBTRACT(off, y, acc) \
	VBROADCASTSD off(R8)(R9*8), Y8; \
	VFNMADD231PD y, Y8, acc

// ZERO8 clears the 32 partial sums in Y0–Y7.
#define ZERO8 \
	VXORPD Y0, Y0, Y0; \
	VXORPD Y1, Y1, Y1; \
	VXORPD Y2, Y2, Y2; \
	VXORPD Y3, Y3, Y3; \
	VXORPD Y4, Y4, Y4; \
	VXORPD Y5, Y5, Y5; \
	VXORPD Y6, Y6, Y6; \
	VXORPD Y7, Y7, Y7

// REDUCE adds the 16 partial sums in s0–s3 as reduceLanes does, into x0
// (the low half of s0), with x1 as scratch.
#define REDUCE(s0, s1, s2, s3, x0, x1) \
	VADDPD       s1, s0, s0; \
	VADDPD       s3, s2, s2; \
	VADDPD       s2, s0, s0; \
	VEXTRACTF128 $1, s0, x1; \
	VADDPD       x1, x0, x0; \
	VUNPCKHPD    x0, x0, x1; \
	VADDSD       x1, x0, x0

// DOTSQ adds x·y (x at SI, y at DI, four values from off) to s and y·y
// to q.
#define DOTSQ(off, s, q) \
	VMOVUPD     off(DI)(AX*8), Y11; \
	VFMADD231PD off(SI)(AX*8), Y11, s; \
	VFMADD231PD Y11, Y11, q

// func dotSqAVX2(x, y []float64) (xy, yy float64)
TEXT ·dotSqAVX2(SB), NOSPLIT, $0-64
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	MOVQ y_base+24(FP), DI
	ZERO8
	XORQ AX, AX
	MOVQ CX, BX
	ANDQ $-16, BX

dq16:
	CMPQ  AX, BX
	JGE   dq4start
	DOTSQ(0, Y0, Y4)
	DOTSQ(32, Y1, Y5)
	DOTSQ(64, Y2, Y6)
	DOTSQ(96, Y3, Y7)
	ADDQ  $16, AX
	JMP   dq16

dq4start:
	MOVQ CX, BX
	ANDQ $-4, BX

dq4:
	CMPQ  AX, BX
	JGE   dqreduce
	DOTSQ(0, Y0, Y4)
	ADDQ  $4, AX
	JMP   dq4

dqreduce:
	REDUCE(Y0, Y1, Y2, Y3, X0, X1)
	REDUCE(Y4, Y5, Y6, Y7, X4, X5)
	VXORPD X2, X2, X2
	VXORPD X6, X6, X6

dqrest:
	CMPQ   AX, CX
	JGE    dqdone
	VMOVSD      (DI)(AX*8), X11
	VFMADD231SD (SI)(AX*8), X11, X2
	VFMADD231SD X11, X11, X6
	INCQ   AX
	JMP    dqrest

dqdone:
	VADDSD     X2, X0, X0
	VADDSD     X6, X4, X4
	VZEROUPPER
	MOVSD      X0, xy+48(FP)
	MOVSD      X4, yy+56(FP)
	RET

// SUBDOTSQ sets r -= d·x (r at DI, x at SI, d in Y8; four values from
// off), then adds r·y (y at DX, read after the store: y may be r) to s
// and y·y to q.
#define SUBDOTSQ(off, s, q) \
	VMOVUPD      off(DI)(AX*8), Y10; \
	VFNMADD231PD off(SI)(AX*8), Y8, Y10; \
	VMOVUPD      Y10, off(DI)(AX*8); \
	VMOVUPD      off(DX)(AX*8), Y11; \
	VFMADD231PD  Y11, Y10, s; \
	VFMADD231PD  Y11, Y11, q

// func subScaledDotSqAVX2(r, x []float64, d float64, y []float64) (ry, yy float64)
TEXT ·subScaledDotSqAVX2(SB), NOSPLIT, $0-96
	MOVQ         r_base+0(FP), DI
	MOVQ         r_len+8(FP), CX
	MOVQ         x_base+24(FP), SI
	VBROADCASTSD d+48(FP), Y8
	MOVQ         y_base+56(FP), DX
	ZERO8
	XORQ         AX, AX
	MOVQ         CX, BX
	ANDQ         $-16, BX

sd16:
	CMPQ AX, BX
	JGE  sd4start
	SUBDOTSQ(0, Y0, Y4)
	SUBDOTSQ(32, Y1, Y5)
	SUBDOTSQ(64, Y2, Y6)
	SUBDOTSQ(96, Y3, Y7)
	ADDQ $16, AX
	JMP  sd16

sd4start:
	MOVQ CX, BX
	ANDQ $-4, BX

sd4:
	CMPQ AX, BX
	JGE  sdreduce
	SUBDOTSQ(0, Y0, Y4)
	ADDQ $4, AX
	JMP  sd4

sdreduce:
	REDUCE(Y0, Y1, Y2, Y3, X0, X1)
	REDUCE(Y4, Y5, Y6, Y7, X4, X5)
	VXORPD X2, X2, X2
	VXORPD X6, X6, X6

sdrest:
	CMPQ   AX, CX
	JGE    sddone
	VMOVSD       (DI)(AX*8), X10
	VFNMADD231SD (SI)(AX*8), X8, X10
	VMOVSD       X10, (DI)(AX*8)
	VMOVSD       (DX)(AX*8), X11
	VFMADD231SD  X11, X10, X2
	VFMADD231SD  X11, X11, X6
	INCQ   AX
	JMP    sdrest

sddone:
	VADDSD     X2, X0, X0
	VADDSD     X6, X4, X4
	VZEROUPPER
	MOVSD      X0, ry+80(FP)
	MOVSD      X4, yy+88(FP)
	RET

// func gatherResidualAVX2(bt, b []float64, bs int, cols []int32, a, vals, r []float64)
//
// gatherResidualGo for the cells in whole groups of four (c4 = len(cols)
// rounded down to a multiple of 4): it sets bt[t·c+e] = b_{cols[e],t} and
// r[e] as residual sets it.
//
// Registers: SI b, R10 cols, R8 a, AX e, R11 c4, BX CX DX R13 the four
// rows' addresses, R9 t, DI where in bt the next coordinate's four values
// go, R12 c·8, Y12 the group's four residuals. Local: k rounded down to
// a multiple of 4.
TEXT ·gatherResidualAVX2(SB), NOSPLIT, $8-152
	MOVQ b_base+24(FP), SI
	MOVQ cols_base+56(FP), R10
	MOVQ a_base+80(FP), R8
	MOVQ cols_len+64(FP), R12
	MOVQ R12, R11
	ANDQ $-4, R11
	SHLQ $3, R12
	MOVQ a_len+88(FP), BX
	ANDQ $-4, BX
	MOVQ BX, k4-8(SP)
	XORQ AX, AX

group:
	CMPQ AX, R11
	JGE  residualdone

	// Ask for the rows 8 cells ahead.
	LEAQ 12(AX), BX
	CMPQ BX, cols_len+64(FP)
	JGT  raddresses
	MOVQ a_len+88(FP), R9
	PREFETCH4

raddresses:
	ROWS4
	MOVQ    vals_base+104(FP), DI
	VMOVUPD (DI)(AX*8), Y12
	MOVQ    bt_base+0(FP), DI
	LEAQ    (DI)(AX*8), DI
	XORQ    R9, R9

rcoords4:
	CMPQ R9, k4-8(SP)
	JGE  rcoords1
	TRANSPOSE4
	SUBTRACT(0, Y0, Y12)
	SUBTRACT(8, Y1, Y12)
	SUBTRACT(16, Y2, Y12)
	SUBTRACT(24, Y3, Y12)
	ADDQ $4, R9
	JMP  rcoords4

rcoords1:
	CMPQ R9, a_len+88(FP)
	JGE  groupdone
	COLUMN4
	SUBTRACT(0, Y0, Y12)
	INCQ R9
	JMP  rcoords1

groupdone:
	MOVQ    r_base+128(FP), R9
	VMOVUPD Y12, (R9)(AX*8)
	ADDQ    $4, AX
	JMP     group

residualdone:
	VZEROUPPER
	RET
