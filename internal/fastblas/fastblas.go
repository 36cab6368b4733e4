// Package fastblas puts OpenBLAS under gonum when the machine has it.
//
// gonum's mat package does its products through blas64, whose default is
// gonum's pure-Go BLAS: about 4 GFLOP/s for a 1000×1000 product on the
// 2-core build machine, where OpenBLAS reaches about 78. Init loads
// libopenblas.so.0 at run time (through purego's dlopen, so no C compiler
// or headers are needed to build) and, when it is there, routes large
// matrix products (Dgemm) to it; everything else, and every product on a
// machine without OpenBLAS, stays with gonum's implementation.
//
// The environment variable NMFKERNEL_BLAS chooses: "auto" or empty (the
// default) uses OpenBLAS when it loads, "go" always uses gonum's pure Go,
// "openblas" requires OpenBLAS and reports an error without it.
package fastblas

import (
	"fmt"
	"math"
	"os"
	"strings"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
)

// EnvVar is the environment variable that chooses the BLAS.
const EnvVar = "NMFKERNEL_BLAS"

// libraries are tried in order; Debian and Ubuntu's libopenblas0 provide
// the first, other distributions and source builds the others.
var libraries = []string{"libopenblas.so.0", "libopenblas.so", "libopenblas.dylib", "libopenblas.0.dylib"}

// minFlops is the size (m·n·k) below which a product stays in Go: for small
// products the cost of the foreign call is more than the work.
const minFlops = 32 * 32 * 32

var (
	once    sync.Once
	name    = "gonum (pure Go)"
	initErr error
)

// Init chooses the BLAS once, as NMFKERNEL_BLAS says, and installs it in
// blas64. Later calls return the first call's result. It returns an error
// only when NMFKERNEL_BLAS asks for something it cannot do; gonum's BLAS
// is then in use.
func Init() error {
	once.Do(func() {
		switch mode := os.Getenv(EnvVar); mode {
		case "", "auto":
			if impl, lib, err := load(); err == nil {
				install(impl, lib)
			}
		case "go":
		case "openblas":
			impl, lib, err := load()
			if err != nil {
				initErr = fmt.Errorf("%s=openblas: %w", EnvVar, err)
				return
			}
			install(impl, lib)
		default:
			initErr = fmt.Errorf("%s=%q: want auto, go or openblas", EnvVar, mode)
		}
	})
	return initErr
}

// Name describes the BLAS in use, such as "OpenBLAS 0.3.29 (libopenblas.so.0)"
// or "gonum (pure Go)". It calls Init.
func Name() string {
	Init()
	return name
}

func install(impl *openBLAS, lib string) {
	blas64.Use(impl)
	name = "OpenBLAS (" + lib + ")"
	if impl.config != nil {
		// openblas_get_config says "OpenBLAS 0.3.21 NO_LAPACKE … Zen …".
		name = strings.TrimSpace(impl.config()) + " (" + lib + ")"
	}
}

// openBLAS is gonum's implementation with Dgemm done by OpenBLAS.
type openBLAS struct {
	gonum.Implementation
	dgemm  func(order, transA, transB, m, n, k int32, alpha float64, a *float64, lda int32, b *float64, ldb int32, beta float64, c *float64, ldc int32)
	config func() string
}

// CBLAS constants.
const (
	cblasRowMajor = 101
	cblasNoTrans  = 111
	cblasTrans    = 112
)

func cblasTranspose(t blas.Transpose) int32 {
	if t == blas.NoTrans {
		return cblasNoTrans
	}
	return cblasTrans
}

// Dgemm computes C = alpha·op(A)·op(B) + beta·C, through OpenBLAS for
// products large enough to gain from it. Arguments are checked by gonum's
// implementation's rules before anything is handed to C.
func (o *openBLAS) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	small := float64(m)*float64(n)*float64(k) < minFlops
	huge := m > math.MaxInt32 || n > math.MaxInt32 || k > math.MaxInt32 || lda > math.MaxInt32 || ldb > math.MaxInt32 || ldc > math.MaxInt32
	if small || huge || k == 0 || alpha == 0 || !validGemm(tA, tB, m, n, k, a, lda, b, ldb, c, ldc) {
		// gonum's implementation handles the trivial cases and panics
		// with its own messages on bad arguments.
		o.Implementation.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	o.dgemm(cblasRowMajor, cblasTranspose(tA), cblasTranspose(tB), int32(m), int32(n), int32(k),
		alpha, &a[0], int32(lda), &b[0], int32(ldb), beta, &c[0], int32(ldc))
}

// validGemm reports whether the Dgemm arguments describe matrices that fit
// in the slices, as the reference BLAS requires (row-major).
func validGemm(tA, tB blas.Transpose, m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) bool {
	if m < 0 || n < 0 || k < 0 || (tA != blas.NoTrans && tA != blas.Trans && tA != blas.ConjTrans) || (tB != blas.NoTrans && tB != blas.Trans && tB != blas.ConjTrans) {
		return false
	}
	rowsA, colsA := m, k
	if tA != blas.NoTrans {
		rowsA, colsA = k, m
	}
	rowsB, colsB := k, n
	if tB != blas.NoTrans {
		rowsB, colsB = n, k
	}
	fits := func(s []float64, rows, cols, ld int) bool {
		return ld >= max(1, cols) && (rows == 0 || len(s) >= (rows-1)*ld+cols)
	}
	return fits(a, rowsA, colsA, lda) && fits(b, rowsB, colsB, ldb) && fits(c, m, n, ldc)
}
