package nmf

import "math"

// The masked solver's inner loops (cdRowResidual) run over a row's
// observed cells, a few hundred values at a time, k times a sweep. On
// amd64 with AVX2 they run as assembly (kernels_amd64.s); elsewhere, and
// with the purego build tag, as the Go below. Both sum in the same order
// (16 lanes, then a fixed pairwise reduction, then the leftovers in turn)
// and both fuse each multiply with the addition or subtraction it feeds,
// rounding once (math.FMA in Go, VFMADD231PD and VFNMADD231PD in the
// assembly), so a fit gives the same bits with either. The fused forms
// take half the floating-point operations of a multiply then an add, and
// two thirds of a sweep's time is such arithmetic, not waiting on memory
// (bench/records 44). kernels32.go has the float32 versions.

// lanes is the number of partial sums the kernels keep: four AVX2
// registers of four values, enough independent additions to keep both of
// a core's adders busy.
const lanes = 16

// dotGo returns x·y (len(y) ≥ len(x)) summed in the kernels' order: value
// i goes to partial sum i mod 16 while 16 remain, then to i mod 4 while 4
// remain, then to a running sum of the rest; the partial sums s are
// reduced as ((s_l + s_l+4) + (s_l+8 + s_l+12)) for l < 4, then
// (u0 + u2) + (u1 + u3), then the rest is added.
func dotGo(x, y []float64) float64 {
	y = y[:len(x)]
	var s [lanes]float64
	i := 0
	for ; i+lanes <= len(x); i += lanes {
		xs, ys := x[i:i+lanes:i+lanes], y[i:i+lanes:i+lanes]
		for l := range lanes {
			s[l] = math.FMA(xs[l], ys[l], s[l])
		}
	}
	for ; i+4 <= len(x); i += 4 {
		xs, ys := x[i:i+4:i+4], y[i:i+4:i+4]
		for l := range 4 {
			s[l] = math.FMA(xs[l], ys[l], s[l])
		}
	}
	rest := 0.0
	for ; i < len(x); i++ {
		rest = math.FMA(x[i], y[i], rest)
	}
	return reduceLanes(&s) + rest
}

// reduceLanes adds the 16 partial sums in the kernels' order.
func reduceLanes(s *[lanes]float64) float64 {
	var u [4]float64
	for l := range u {
		u[l] = (s[l] + s[l+4]) + (s[l+8] + s[l+12])
	}
	return (u[0] + u[2]) + (u[1] + u[3])
}

// subScaledGo sets r -= d·x, each value rounded once (len(x) ≥ len(r)).
func subScaledGo(r, x []float64, d float64) {
	x = x[:len(r)]
	for e, v := range x {
		r[e] = math.FMA(-d, v, r[e])
	}
}

// dotSqGo returns x·y and y·y over len(x) values (len(y) ≥ len(x)), each
// summed as dotGo sums.
func dotSqGo(x, y []float64) (xy, yy float64) {
	y = y[:len(x)]
	return dotGo(x, y), dotGo(y, y)
}

// subScaledDotSqGo sets r -= d·x and returns r·y and y·y, summed as dotGo
// sums (len(x), len(y) ≥ len(r); y may be r, and then both are r·r).
func subScaledDotSqGo(r, x []float64, d float64, y []float64) (ry, yy float64) {
	subScaledGo(r, x, d)
	return dotSqGo(r, y)
}

// gatherResidualGo gathers the rows of b (row stride bs) that cols lists
// into bt transposed, as gatherGo does with k = len(a), and sets r to the
// row's residuals as residual computes them. len(vals), len(r) ≥
// len(cols).
func gatherResidualGo(bt, b []float64, bs int, cols []int32, a, vals, r []float64) {
	k := len(a)
	gatherGo(bt, b, bs, k, cols)
	for e, j := range cols {
		r[e] = residual(vals[e], a, b[int(j)*bs:int(j)*bs+k])
	}
}

// residual returns v − a·row, subtracting in turn over the coordinates,
// each product subtracted with one rounding.
func residual(v float64, a, row []float64) float64 {
	row = row[:len(a)]
	for t, x := range row {
		v = math.FMA(-a[t], x, v)
	}
	return v
}

// gatherGo sets bt[t·c+e] = b[cols[e]·bs+t] for t < k and e < c =
// len(cols): the rows of b that cols lists, transposed. Every cols[e]·bs+k
// must be within b and len(bt) ≥ c·k.
func gatherGo(bt, b []float64, bs, k int, cols []int32) {
	c := len(cols)
	bt = bt[:c*k]
	e := 0
	for ; e+4 <= c; e += 4 {
		// Four rows at a time: each coordinate's four values then go out
		// as one contiguous store.
		if e+prefetchAhead+4 <= c {
			sink := 0.0
			for _, j := range cols[e+prefetchAhead : e+prefetchAhead+4] {
				sink += touch(b, int(j)*bs, k)
			}
			keepLive(sink)
		}
		j0, j1, j2, j3 := int(cols[e])*bs, int(cols[e+1])*bs, int(cols[e+2])*bs, int(cols[e+3])*bs
		b0, b1, b2, b3 := b[j0:j0+k], b[j1:j1+k], b[j2:j2+k], b[j3:j3+k]
		for t := range k {
			dst := bt[t*c+e : t*c+e+4 : t*c+e+4]
			dst[0], dst[1], dst[2], dst[3] = b0[t], b1[t], b2[t], b3[t]
		}
	}
	for ; e < c; e++ {
		bj := b[int(cols[e])*bs : int(cols[e])*bs+k]
		for t, x := range bj {
			bt[t*c+e] = x
		}
	}
}

// prefetchAhead is how many cells ahead gatherGo asks for the factor row
// it will need: for factors larger than the cache the gather waits on
// memory, and the early loads keep more misses in flight. Go has no
// prefetch instruction; a load nothing waits on does the same. It made the
// Go sweeps of BenchmarkSparseLargeFactors 13–24% faster. (The assembly
// asks with PREFETCHT0, 8 cells ahead: 8, 16, 32 and 64 measured alike
// there, bench/records 34.)
const prefetchAhead = 16

// touch loads the first, middle and last value of the factor row of
// length k at off.
func touch(b []float64, off, k int) float64 { return b[off] + b[off+k/2] + b[off+k-1] }

// keepLive keeps the compiler from dropping the loads summed into sink.
//
//go:noinline
func keepLive(sink float64) {}
