package nmf

import "math"

// The float32 kernels of the masked solver (Options.Float32): the
// kernels of kernels.go with eight values to a register instead of four.
// The Go versions here and the assembly (kernels32_amd64.s) sum in the
// same order (32 lanes, a fixed pairwise reduction, then the leftovers in
// turn) and round each fused multiply-add once, so a float32 fit too
// gives the same bits with or without the assembly.

// lanes32 is the number of partial sums the float32 kernels keep: four
// AVX2 registers of eight.
const lanes32 = 32

// fma32 returns x·y + z rounded once to float32, as VFMADD231SS does. The
// product is exact in float64, and the float64 sum s lies within half a
// float64 step of the exact sum, so no point halfway between two float32s
// lies strictly between them: float32(s) rounds correctly unless s is
// such a point itself (or a float32 subnormal, whose halfway points are
// coarser). Then the sum is rounded to float64 by the odd rule instead
// (of the two float64s around the exact sum, the one whose last bit is
// 1), which, with 53 bits against 24 + 2, leaves the rounding to float32
// correct (Boldo and Melquiond, "Emulation of FMA and correctly rounded
// sums: proved algorithms using rounding to odd", 2008).
func fma32(x, y, z float32) float32 {
	p, c := float64(x)*float64(y), float64(z)
	s := p + c
	// The float64 significand bits float32 drops, and the exponent of
	// float32's smallest normal value.
	const below, normal = 1<<29 - 1, (1023 - 126) << 52
	if bits := math.Float64bits(s); bits&below != 1<<28 && bits&(0x7ff<<52) >= normal {
		return float32(s)
	}
	return sumToOdd(p, c, s)
}

// sumToOdd returns p + c rounded to float32 through the float64 rounded
// to odd; s is p + c rounded to nearest.
func sumToOdd(p, c, s float64) float32 {
	// s + e is the exact sum (Knuth's TwoSum).
	bb := s - p
	e := (p - (s - bb)) + (c - bb)
	if bits := math.Float64bits(s); e != 0 && bits&1 == 0 {
		if (e > 0) == (s > 0) {
			bits++ // away from zero, towards the exact sum
		} else {
			bits--
		}
		s = math.Float64frombits(bits)
	}
	return float32(s)
}

// dot32Go returns x·y (len(y) ≥ len(x)) summed in the float32 kernels'
// order: value i goes to partial sum i mod 32 while 32 remain, then to
// i mod 8 while 8 remain, then to a running sum of the rest; the partial
// sums are reduced by reduceLanes32, then the rest is added.
func dot32Go(x, y []float32) float32 {
	y = y[:len(x)]
	var s [lanes32]float32
	i := 0
	for ; i+lanes32 <= len(x); i += lanes32 {
		xs, ys := x[i:i+lanes32:i+lanes32], y[i:i+lanes32:i+lanes32]
		for l := range lanes32 {
			s[l] = fma32(xs[l], ys[l], s[l])
		}
	}
	for ; i+8 <= len(x); i += 8 {
		xs, ys := x[i:i+8:i+8], y[i:i+8:i+8]
		for l := range 8 {
			s[l] = fma32(xs[l], ys[l], s[l])
		}
	}
	var rest float32
	for ; i < len(x); i++ {
		rest = fma32(x[i], y[i], rest)
	}
	return reduceLanes32(&s) + rest
}

// reduceLanes32 adds the 32 partial sums in the float32 kernels' order:
// u_l = (s_l + s_l+8) + (s_l+16 + s_l+24) for l < 8, v_l = u_l + u_l+4
// for l < 4, then (v0 + v2) + (v1 + v3).
func reduceLanes32(s *[lanes32]float32) float32 {
	var u [8]float32
	for l := range u {
		u[l] = (s[l] + s[l+8]) + (s[l+16] + s[l+24])
	}
	var v [4]float32
	for l := range v {
		v[l] = u[l] + u[l+4]
	}
	return (v[0] + v[2]) + (v[1] + v[3])
}

// dotSq32Go returns x·y and y·y over len(x) values, each summed as
// dot32Go sums.
func dotSq32Go(x, y []float32) (xy, yy float32) {
	y = y[:len(x)]
	return dot32Go(x, y), dot32Go(y, y)
}

// subScaledDotSq32Go sets r -= d·x, each value rounded once, and returns
// r·y and y·y summed as dot32Go sums (len(x), len(y) ≥ len(r); y may be
// r).
func subScaledDotSq32Go(r, x []float32, d float32, y []float32) (ry, yy float32) {
	x = x[:len(r)]
	for e, v := range x {
		r[e] = fma32(-d, v, r[e])
	}
	return dotSq32Go(r, y)
}

// gatherResidual32Go is gatherResidualGo in float32: it sets bt[t·c+e] =
// b[cols[e]·bs+t] for t < k = len(a) and e < c = len(cols), and r[e] =
// vals[e] − Σ_t a_t·b_{cols[e],t}, subtracting in turn over t, each step
// rounded once.
func gatherResidual32Go(bt, b []float32, bs int, cols []int32, a, vals, r []float32) {
	k, c := len(a), len(cols)
	bt = bt[:c*k]
	for e, j := range cols {
		row := b[int(j)*bs : int(j)*bs+k]
		v := vals[e]
		for t, x := range row {
			bt[t*c+e] = x
			v = fma32(-a[t], x, v)
		}
		r[e] = v
	}
}
