//go:build !purego

package nmf

import "golang.org/x/sys/cpu"

// useAVX2 says whether the processor and the operating system run AVX2.
var useAVX2 = cpu.X86.HasAVX2

// dotAVX2 is dotGo in AVX2; len(y) ≥ len(x).
//
//go:noescape
func dotAVX2(x, y []float64) float64

// subScaledSumSqAVX2 is subScaledSumSqGo in AVX2; len(src), len(x) ≥
// len(r).
//
//go:noescape
func subScaledSumSqAVX2(r, src, x []float64, d float64) float64

// subScaledAVX2 is subScaledGo in AVX2; len(x) ≥ len(r).
//
//go:noescape
func subScaledAVX2(r, x []float64, d float64)

// gatherAVX2 is gatherGo in AVX2, with the same requirements, which it
// does not check.
//
//go:noescape
func gatherAVX2(bt, b []float64, bs, k int, cols []int32)

func dotLanes(x, y []float64) float64 {
	if useAVX2 {
		_ = y[:len(x)]
		return dotAVX2(x, y)
	}
	return dotGo(x, y)
}

func subScaled(r, x []float64, d float64) {
	if useAVX2 {
		_ = x[:len(r)]
		subScaledAVX2(r, x, d)
		return
	}
	subScaledGo(r, x, d)
}

func subScaledSumSq(r, src, x []float64, d float64) float64 {
	if useAVX2 {
		_, _ = src[:len(r)], x[:len(r)]
		return subScaledSumSqAVX2(r, src, x, d)
	}
	return subScaledSumSqGo(r, src, x, d)
}

func gather(bt, b []float64, bs, k int, cols []int32) {
	if useAVX2 {
		_ = bt[:len(cols)*k]
		gatherAVX2(bt, b, bs, k, cols)
		return
	}
	gatherGo(bt, b, bs, k, cols)
}
