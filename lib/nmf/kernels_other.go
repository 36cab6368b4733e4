//go:build !amd64 || purego

package nmf

// Without assembly the kernels are their Go versions.

func dotSq(x, y []float64) (xy, yy float64) { return dotSqGo(x, y) }
func subScaledDotSq(r, x []float64, d float64, y []float64) (ry, yy float64) {
	return subScaledDotSqGo(r, x, d, y)
}
func gatherResidual(bt, b []float64, bs int, cols []int32, a, vals, r []float64) {
	gatherResidualGo(bt, b, bs, cols, a, vals, r)
}
