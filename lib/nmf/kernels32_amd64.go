//go:build !purego

package nmf

// dotSq32AVX2 is dotSq32Go in AVX2; len(y) ≥ len(x).
//
//go:noescape
func dotSq32AVX2(x, y []float32) (xy, yy float32)

// subScaledDotSq32AVX2 is subScaledDotSq32Go in AVX2; len(x), len(y) ≥
// len(r).
//
//go:noescape
func subScaledDotSq32AVX2(r, x []float32, d float32, y []float32) (ry, yy float32)

// gatherResidual32AVX2 is gatherResidual32Go's assembly for the cells in
// whole groups of eight, with len(a) a multiple of 4 and bt's
// coordinates stride cells apart. It checks none of gatherResidual32Go's
// requirements.
//
//go:noescape
func gatherResidual32AVX2(bt, b []float32, bs int, cols []int32, a, vals, r []float32, stride int)

func dotSq32(x, y []float32) (xy, yy float32) {
	if useAVX2 {
		_ = y[:len(x)]
		return dotSq32AVX2(x, y)
	}
	return dotSq32Go(x, y)
}

func subScaledDotSq32(r, x []float32, d float32, y []float32) (ry, yy float32) {
	if useAVX2 {
		_, _ = x[:len(r)], y[:len(r)]
		return subScaledDotSq32AVX2(r, x, d, y)
	}
	return subScaledDotSq32Go(r, x, d, y)
}

// gatherResidual32 is gatherResidual32Go; the assembly takes it where the
// processor has AVX2 and len(a) is a multiple of 4 (the float32 fit pads
// its factors' rows to one). tail is scratch of at least 8·len(a)
// values: the last group of fewer than eight cells goes through the
// assembly as a whole group there, padded with the row's last cell.
func gatherResidual32(bt, b []float32, bs int, cols []int32, a, vals, r, tail []float32) {
	k, c := len(a), len(cols)
	if !useAVX2 || k%4 != 0 {
		gatherResidual32Go(bt, b, bs, cols, a, vals, r)
		return
	}
	_, _, _ = bt[:c*k], vals[:c], r[:c]
	gatherResidual32AVX2(bt, b, bs, cols, a, vals, r, c)
	c8 := c &^ 7
	if c8 == c {
		return
	}
	var cols8 [8]int32
	var vals8, r8 [8]float32
	for i := range cols8 {
		e := min(c8+i, c-1)
		cols8[i], vals8[i] = cols[e], vals[e]
	}
	tail = tail[:8*k]
	gatherResidual32AVX2(tail, b, bs, cols8[:], a, vals8[:], r8[:], 8)
	n := c - c8
	for t := range k {
		copy(bt[t*c+c8:t*c+c], tail[t*8:t*8+n])
	}
	copy(r[c8:c], r8[:n])
}
