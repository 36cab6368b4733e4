//go:build !purego

package nmf

import "golang.org/x/sys/cpu"

// useAVX2 says whether the processor and the operating system run AVX2
// and its fused multiply-adds.
var useAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// dotSqAVX2 is dotSqGo in AVX2; len(y) ≥ len(x).
//
//go:noescape
func dotSqAVX2(x, y []float64) (xy, yy float64)

// subScaledDotSqAVX2 is subScaledDotSqGo in AVX2; len(x), len(y) ≥
// len(r).
//
//go:noescape
func subScaledDotSqAVX2(r, x []float64, d float64, y []float64) (ry, yy float64)

// gatherResidualAVX2 is gatherResidualGo's assembly for the cells in whole
// groups of four, with gatherResidualGo's requirements, which it does not
// check.
//
//go:noescape
func gatherResidualAVX2(bt, b []float64, bs int, cols []int32, a, vals, r []float64)

func dotSq(x, y []float64) (xy, yy float64) {
	if useAVX2 {
		_ = y[:len(x)]
		return dotSqAVX2(x, y)
	}
	return dotSqGo(x, y)
}

func subScaledDotSq(r, x []float64, d float64, y []float64) (ry, yy float64) {
	if useAVX2 {
		_, _ = x[:len(r)], y[:len(r)]
		return subScaledDotSqAVX2(r, x, d, y)
	}
	return subScaledDotSqGo(r, x, d, y)
}

func gatherResidual(bt, b []float64, bs int, cols []int32, a, vals, r []float64) {
	if !useAVX2 {
		gatherResidualGo(bt, b, bs, cols, a, vals, r)
		return
	}
	k, c := len(a), len(cols)
	_, _, _ = bt[:c*k], vals[:c], r[:c]
	gatherResidualAVX2(bt, b, bs, cols, a, vals, r)
	// The cells after the last whole group of four, as the Go version
	// takes them.
	for e := c &^ 3; e < c; e++ {
		row := b[int(cols[e])*bs:][:k]
		for t, x := range row {
			bt[t*c+e] = x
		}
		r[e] = residual(vals[e], a, row)
	}
}
