//go:build !purego

#include "textflag.h"

// The AVX2 versions of the float32 kernels in kernels32.go; see there for
// what each computes and the order in which it sums. As in
// kernels_amd64.s, each multiplication is fused with the addition it
// feeds.

// PREFETCH_ROW32 asks for the first and last values of the row of b that
// the int32 at off(R10)(AX*4) names; R9 holds k. (A row of up to 16
// float32s at a 16-byte boundary spans at most two cache lines.)
#define PREFETCH_ROW32(off) \
	MOVLQSX    off(R10)(AX*4), BX; \
	IMULQ      bs+48(FP), BX; \
	LEAQ       (SI)(BX*4), BX; \
	PREFETCHT0 (BX); \
	PREFETCHT0 -4(BX)(R9*4)

// ROW32 sets reg to the address in b (SI) of the row of the cell at
// off(R10)(AX*4).
#define ROW32(off, reg) \
	MOVLQSX off(R10)(AX*4), reg; \
	IMULQ   bs+48(FP), reg; \
	LEAQ    (SI)(reg*4), reg

// TRANSPOSE8 loads values t to t+3 (R9 is t) of the eight rows at BX, CX,
// DX, R13 (rows 0–3) and R14, R15, R11, R12 (rows 4–7), rows 0–3 into the
// low halves of Y4–Y7 and rows 4–7 into the high halves, transposes each
// half's 4×4 block in place with eight in-lane shuffles, leaves
// coordinate t's eight values (one per row) in Y0, t+1's in Y1, t+2's in
// Y2, t+3's in Y3, and stores them at DI and on at steps of
// stride-16(SP) bytes.
#define TRANSPOSE8 \
	VMOVUPS     (BX)(R9*4), X4; \
	VINSERTF128 $1, (R14)(R9*4), Y4, Y4; \
	VMOVUPS     (CX)(R9*4), X5; \
	VINSERTF128 $1, (R15)(R9*4), Y5, Y5; \
	VMOVUPS     (DX)(R9*4), X6; \
	VINSERTF128 $1, (R11)(R9*4), Y6, Y6; \
	VMOVUPS     (R13)(R9*4), X7; \
	VINSERTF128 $1, (R12)(R9*4), Y7, Y7; \
	VUNPCKLPS   Y5, Y4, Y8; \
	VUNPCKHPS   Y5, Y4, Y9; \
	VUNPCKLPS   Y7, Y6, Y10; \
	VUNPCKHPS   Y7, Y6, Y11; \
	VUNPCKLPD   Y10, Y8, Y0; \
	VUNPCKHPD   Y10, Y8, Y1; \
	VUNPCKLPD   Y11, Y9, Y2; \
	VUNPCKHPD   Y11, Y9, Y3; \
	VMOVUPS     Y0, (DI); \
	ADDQ        stride-16(SP), DI; \
	VMOVUPS     Y1, (DI); \
	ADDQ        stride-16(SP), DI; \
	VMOVUPS     Y2, (DI); \
	ADDQ        stride-16(SP), DI; \
	VMOVUPS     Y3, (DI); \
	ADDQ        stride-16(SP), DI

// SUBTRACT32 subtracts a_t (at off(R8)(R9*4)) times the coordinate in y
// from the residuals in Y12.
#define SUBTRACT32(off, y) \
	VBROADCASTSS off(R8)(R9*4), Y13; \
	VFNMADD231PS y, Y13, Y12

// REDUCE32 adds the 32 partial sums in s0–s3 as reduceLanes32 does, into
// x0 (the low value of s0's low half), with x1 as scratch.
#define REDUCE32(s0, s1, s2, s3, x0, x1) \
	VADDPS       s1, s0, s0; \
	VADDPS       s3, s2, s2; \
	VADDPS       s2, s0, s0; \
	VEXTRACTF128 $1, s0, x1; \
	VADDPS       x1, x0, x0; \
	VMOVHLPS     x0, x0, x1; \
	VADDPS       x1, x0, x0; \
	VMOVSHDUP    x0, x1; \
	VADDSS       x1, x0, x0

// ZERO8S clears the 64 partial sums in Y0–Y7.
#define ZERO8S \
	VXORPS Y0, Y0, Y0; \
	VXORPS Y1, Y1, Y1; \
	VXORPS Y2, Y2, Y2; \
	VXORPS Y3, Y3, Y3; \
	VXORPS Y4, Y4, Y4; \
	VXORPS Y5, Y5, Y5; \
	VXORPS Y6, Y6, Y6; \
	VXORPS Y7, Y7, Y7

// DOTSQ32 adds x·y (x at SI, y at DI, eight values from off) to s and
// y·y to q.
#define DOTSQ32(off, s, q) \
	VMOVUPS     off(DI)(AX*4), Y11; \
	VFMADD231PS off(SI)(AX*4), Y11, s; \
	VFMADD231PS Y11, Y11, q

// func dotSq32AVX2(x, y []float32) (xy, yy float32)
TEXT ·dotSq32AVX2(SB), NOSPLIT, $0-56
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	MOVQ y_base+24(FP), DI
	ZERO8S
	XORQ AX, AX
	MOVQ CX, BX
	ANDQ $-32, BX

dq32:
	CMPQ AX, BX
	JGE  dq8start
	DOTSQ32(0, Y0, Y4)
	DOTSQ32(32, Y1, Y5)
	DOTSQ32(64, Y2, Y6)
	DOTSQ32(96, Y3, Y7)
	ADDQ $32, AX
	JMP  dq32

dq8start:
	MOVQ CX, BX
	ANDQ $-8, BX

dq8:
	CMPQ AX, BX
	JGE  dqreduce
	DOTSQ32(0, Y0, Y4)
	ADDQ $8, AX
	JMP  dq8

dqreduce:
	REDUCE32(Y0, Y1, Y2, Y3, X0, X1)
	REDUCE32(Y4, Y5, Y6, Y7, X4, X5)
	VXORPS X2, X2, X2
	VXORPS X6, X6, X6

dqrest:
	CMPQ        AX, CX
	JGE         dqdone
	VMOVSS      (DI)(AX*4), X11
	VFMADD231SS (SI)(AX*4), X11, X2
	VFMADD231SS X11, X11, X6
	INCQ        AX
	JMP         dqrest

dqdone:
	VADDSS     X2, X0, X0
	VADDSS     X6, X4, X4
	VZEROUPPER
	MOVSS      X0, xy+48(FP)
	MOVSS      X4, yy+52(FP)
	RET

// SUBDOTSQ32 sets r -= d·x (r at DI, x at SI, d in Y8; eight values from
// off), then adds r·y (y at DX, read after the store: y may be r) to s
// and y·y to q.
#define SUBDOTSQ32(off, s, q) \
	VMOVUPS      off(DI)(AX*4), Y10; \
	VFNMADD231PS off(SI)(AX*4), Y8, Y10; \
	VMOVUPS      Y10, off(DI)(AX*4); \
	VMOVUPS      off(DX)(AX*4), Y11; \
	VFMADD231PS  Y11, Y10, s; \
	VFMADD231PS  Y11, Y11, q

// func subScaledDotSq32AVX2(r, x []float32, d float32, y []float32) (ry, yy float32)
TEXT ·subScaledDotSq32AVX2(SB), NOSPLIT, $0-88
	MOVQ         r_base+0(FP), DI
	MOVQ         r_len+8(FP), CX
	MOVQ         x_base+24(FP), SI
	VBROADCASTSS d+48(FP), Y8
	MOVQ         y_base+56(FP), DX
	ZERO8S
	XORQ         AX, AX
	MOVQ         CX, BX
	ANDQ         $-32, BX

sd32:
	CMPQ AX, BX
	JGE  sd8start
	SUBDOTSQ32(0, Y0, Y4)
	SUBDOTSQ32(32, Y1, Y5)
	SUBDOTSQ32(64, Y2, Y6)
	SUBDOTSQ32(96, Y3, Y7)
	ADDQ $32, AX
	JMP  sd32

sd8start:
	MOVQ CX, BX
	ANDQ $-8, BX

sd8:
	CMPQ AX, BX
	JGE  sdreduce
	SUBDOTSQ32(0, Y0, Y4)
	ADDQ $8, AX
	JMP  sd8

sdreduce:
	REDUCE32(Y0, Y1, Y2, Y3, X0, X1)
	REDUCE32(Y4, Y5, Y6, Y7, X4, X5)
	VXORPS X2, X2, X2
	VXORPS X6, X6, X6

sdrest:
	CMPQ         AX, CX
	JGE          sddone
	VMOVSS       (DI)(AX*4), X10
	VFNMADD231SS (SI)(AX*4), X8, X10
	VMOVSS       X10, (DI)(AX*4)
	VMOVSS       (DX)(AX*4), X11
	VFMADD231SS  X11, X10, X2
	VFMADD231SS  X11, X11, X6
	INCQ         AX
	JMP          sdrest

sddone:
	VADDSS     X2, X0, X0
	VADDSS     X6, X4, X4
	VZEROUPPER
	MOVSS      X0, ry+80(FP)
	MOVSS      X4, yy+84(FP)
	RET

// func gatherResidual32AVX2(bt, b []float32, bs int, cols []int32, a, vals, r []float32, stride int)
//
// gatherResidual32Go for the cells in whole groups of eight, with k =
// len(a) a multiple of 4 and bt's coordinates stride cells apart (bt[t·
// stride+e] = b_{cols[e],t}).
//
// Registers: SI b, R10 cols, R8 a, AX e, BX CX DX R13 R14 R15 R11 R12 the
// eight rows' addresses, R9 t, DI where in bt the next coordinate's eight
// values go, Y12 the group's eight residuals. Locals: the cells in whole
// groups of eight, and stride in bytes.
TEXT ·gatherResidual32AVX2(SB), NOSPLIT, $16-160
	MOVQ b_base+24(FP), SI
	MOVQ cols_base+56(FP), R10
	MOVQ a_base+80(FP), R8
	MOVQ cols_len+64(FP), BX
	ANDQ $-8, BX
	MOVQ BX, c8-8(SP)
	MOVQ stride+152(FP), BX
	SHLQ $2, BX
	MOVQ BX, stride-16(SP)
	XORQ AX, AX

group32:
	CMPQ AX, c8-8(SP)
	JGE  done32

	// Ask for the rows 8 cells ahead.
	LEAQ 16(AX), BX
	CMPQ BX, cols_len+64(FP)
	JGT  rows32
	MOVQ a_len+88(FP), R9
	PREFETCH_ROW32(32)
	PREFETCH_ROW32(36)
	PREFETCH_ROW32(40)
	PREFETCH_ROW32(44)
	PREFETCH_ROW32(48)
	PREFETCH_ROW32(52)
	PREFETCH_ROW32(56)
	PREFETCH_ROW32(60)

rows32:
	ROW32(0, BX)
	ROW32(4, CX)
	ROW32(8, DX)
	ROW32(12, R13)
	ROW32(16, R14)
	ROW32(20, R15)
	ROW32(24, R11)
	ROW32(28, R12)
	MOVQ    vals_base+104(FP), DI
	VMOVUPS (DI)(AX*4), Y12
	MOVQ    bt_base+0(FP), DI
	LEAQ    (DI)(AX*4), DI
	XORQ    R9, R9

coords32:
	CMPQ R9, a_len+88(FP)
	JGE  groupdone32
	TRANSPOSE8
	SUBTRACT32(0, Y0)
	SUBTRACT32(4, Y1)
	SUBTRACT32(8, Y2)
	SUBTRACT32(12, Y3)
	ADDQ $4, R9
	JMP  coords32

groupdone32:
	MOVQ    r_base+128(FP), R9
	VMOVUPS Y12, (R9)(AX*4)
	ADDQ    $8, AX
	JMP     group32

done32:
	VZEROUPPER
	RET
