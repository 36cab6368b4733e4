//go:build !amd64 || purego

package nmf

// Without assembly the kernels are their Go versions.

func dotLanes(x, y []float64) float64 { return dotGo(x, y) }
func subScaledDot(r, x []float64, d float64, y []float64) float64 {
	return subScaledDotGo(r, x, d, y)
}
func subScaledSumSq(r, src, x []float64, d float64) float64 {
	return subScaledSumSqGo(r, src, x, d)
}
func gather(bt, b []float64, bs, k int, cols []int32) { gatherGo(bt, b, bs, k, cols) }

// gatherResidual has no Go version: the caller's passes are that.
func gatherResidual(bt, b []float64, bs int, cols []int32, a, vals, r, hess []float64, scratch *[]float64) bool {
	return false
}
