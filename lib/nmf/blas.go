package nmf

import "nmfkernel/internal/fastblas"

// UseOpenBLAS makes gonum's BLAS, for the whole process, OpenBLAS when the
// machine has libopenblas.so.0 (loaded at run time on Unix systems, no cgo
// and no headers needed), which makes fits on dense matrices several times
// faster; it returns why not when it cannot, and gonum's pure Go BLAS
// stays. NMFKERNEL_BLAS=go keeps pure Go, NMFKERNEL_BLAS=openblas makes a
// missing OpenBLAS an error.
//
// lib/nmf never changes the BLAS by itself, as gonum leaves that choice to
// the application: call UseOpenBLAS once at start, before other
// goroutines use gonum. The kernel and the benchmarks do.
func UseOpenBLAS() error { return fastblas.Init() }
