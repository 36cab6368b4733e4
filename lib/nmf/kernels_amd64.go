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

// gatherAVX2 is gatherGo in AVX2, with the same requirements, which it
// does not check.
//
//go:noescape
func gatherAVX2(bt, b []float64, bs, k int, cols []int32)

// gatherResidualAVX2 is gatherResidual's assembly for the cells in whole
// groups of four; len(a) must be a multiple of 4 and lanes hold 16·len(a)
// zeros. Its other requirements are gather's, which it does not check.
//
//go:noescape
func gatherResidualAVX2(bt, b []float64, bs int, cols []int32, a, vals, r, lanes []float64)

// gatherResidual does in one pass what gather and then cdRowResidual's
// residual passes do, where the assembly can (AVX2, k a multiple of 4):
// it gathers the rows of b that cols lists into bt, sets r = vals − the
// row's predictions and hess[t] to the squares of column t of bt, all
// with the bits those passes give. It reports whether it did; scratch
// grows to 16k values.
func gatherResidual(bt, b []float64, bs int, cols []int32, a, vals, r, hess []float64, scratch *[]float64) bool {
	k, c := len(a), len(cols)
	if !useAVX2 || k%4 != 0 {
		return false
	}
	_, _, _, _ = bt[:c*k], vals[:c], r[:c], hess[:k]
	if cap(*scratch) < lanes*k {
		*scratch = make([]float64, lanes*k)
	}
	sums := (*scratch)[:lanes*k]
	// With fewer than 16 cells the assembly adds to partial sums 0–3 only;
	// the others stay zero, and since the sums are of squares (never −0),
	// leaving them out of the reduction gives the same bits.
	short := c < lanes
	if short {
		for t := range k {
			clear(sums[t*lanes : t*lanes+4])
		}
	} else {
		clear(sums)
	}
	gatherResidualAVX2(bt, b, bs, cols, a, vals, r, sums)
	// The cells after the last whole group of four, as the Go passes take
	// them.
	c4 := c &^ 3
	for e := c4; e < c; e++ {
		row := b[int(cols[e])*bs:][:k]
		v := vals[e]
		for t, x := range row {
			bt[t*c+e] = x
			v -= float64(a[t] * x)
		}
		r[e] = v
	}
	for t := range k {
		rest := 0.0
		for _, x := range bt[t*c+c4 : t*c+c] {
			rest += float64(x * x)
		}
		if s := sums[t*lanes:]; short {
			hess[t] = (s[0] + s[2]) + (s[1] + s[3]) + rest
		} else {
			hess[t] = reduceLanes((*[lanes]float64)(s)) + rest
		}
	}
	return true
}

// subScaledDotAVX2 is subScaledDotGo in AVX2; len(x), len(y) ≥ len(r).
//
//go:noescape
func subScaledDotAVX2(r, x []float64, d float64, y []float64) float64

func subScaledDot(r, x []float64, d float64, y []float64) float64 {
	if useAVX2 {
		_, _ = x[:len(r)], y[:len(r)]
		return subScaledDotAVX2(r, x, d, y)
	}
	return subScaledDotGo(r, x, d, y)
}

func dotLanes(x, y []float64) float64 {
	if useAVX2 {
		_ = y[:len(x)]
		return dotAVX2(x, y)
	}
	return dotGo(x, y)
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
