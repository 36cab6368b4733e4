//go:build !amd64 || purego

package nmf

func dotSq32(x, y []float32) (xy, yy float32) { return dotSq32Go(x, y) }
func subScaledDotSq32(r, x []float32, d float32, y []float32) (ry, yy float32) {
	return subScaledDotSq32Go(r, x, d, y)
}
func gatherResidual32(bt, b []float32, bs int, cols []int32, a, vals, r, tail []float32) {
	gatherResidual32Go(bt, b, bs, cols, a, vals, r)
}
