package nmf

import (
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestFMA32RoundsOnce checks fma32 against x·y + z computed exactly (big
// floats) and rounded once to float32, on random values, on sums that
// cancel and on values chosen so that rounding the float64 sum to nearest
// and then to float32 would round twice the wrong way.
func TestFMA32RoundsOnce(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	exact := func(x, y, z float32) float32 {
		p := new(big.Float).SetPrec(200).SetFloat64(float64(x))
		p.Mul(p, new(big.Float).SetPrec(200).SetFloat64(float64(y)))
		p.Add(p, new(big.Float).SetPrec(200).SetFloat64(float64(z)))
		f, _ := p.Float32()
		return f
	}
	check := func(x, y, z float32) {
		t.Helper()
		if got, want := fma32(x, y, z), exact(x, y, z); math.Float32bits(got) != math.Float32bits(want) {
			t.Fatalf("fma32(%v, %v, %v) = %v, want %v", x, y, z, got, want)
		}
	}
	for range 200_000 {
		x, y := float32(rng.NormFloat64()), float32(rng.NormFloat64())
		z := float32(rng.NormFloat64() * math.Pow(2, float64(rng.IntN(60)-30)))
		check(x, y, z)
		check(x, y, -x*y)
	}
	// x·y = 2^-24 + δ with 0 < δ < 2^-53 (x and y are 24-bit integers
	// times powers of two whose product is just above 2^47): 1 + x·y
	// rounds to float64 exactly halfway between two float32s, which
	// rounds to even (1), where the exact sum rounds up. The float64 sum
	// rounded to float32 gets it wrong; fma32 may not.
	x, y := float32(11865889)*0x1p-23, float32(11860678)*0x1p-48
	if naive := float32(float64(x)*float64(y) + 1); naive != 1 {
		t.Fatalf("the double-rounding case is not one: %v", naive)
	}
	check(x, y, 1)
	check(-x, y, -1)
	check(1, 0, 0)
	check(-1, 0, 0)
	check(0, 0, float32(math.Copysign(0, -1)))
}

// TestKernels32MatchGo checks the float32 kernels (the AVX2 assembly
// where the processor has it) against their Go versions bit for bit, for
// every length up to three 32-value blocks past the 8-value and leftover
// paths, offsets that misalign the slices, and gathers of every group
// size from whole to a last group of one.
func TestKernels32MatchGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	values := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.Float64()*4 - 1)
		}
		return v
	}
	for n := range 3*lanes32 + 11 {
		for _, off := range []int{0, 1, 3} {
			x, y := values(n + off)[off:], values(n + 2)[2:]
			xy, yy := dotSq32(x, y)
			xyGo, yyGo := dotSq32Go(x, y)
			if math.Float32bits(xy) != math.Float32bits(xyGo) || math.Float32bits(yy) != math.Float32bits(yyGo) {
				t.Fatalf("dotSq32 n=%d off=%d: %v %v, Go gives %v %v", n, off, xy, yy, xyGo, yyGo)
			}
			want := 0.0
			for i := range x {
				want += float64(x[i]) * float64(y[i])
			}
			if math.Abs(float64(xyGo)-want) > 1e-4*(1+math.Abs(want)) {
				t.Fatalf("dot32Go n=%d: %v, a float64 sum gives %v", n, xyGo, want)
			}
			d := float32(rng.Float64())
			r1 := values(n + off)[off:]
			r2 := slices.Clone(r1)
			ry1, yy1 := subScaledDotSq32(r1, x, d, y)
			ry2, yy2 := subScaledDotSq32Go(r2, x, d, y)
			for i := range r1 {
				if math.Float32bits(r1[i]) != math.Float32bits(r2[i]) {
					t.Fatalf("subScaledDotSq32 n=%d: r[%d] = %v, Go gives %v", n, i, r1[i], r2[i])
				}
			}
			if math.Float32bits(ry1) != math.Float32bits(ry2) || math.Float32bits(yy1) != math.Float32bits(yy2) {
				t.Fatalf("subScaledDotSq32 n=%d: %v %v, Go gives %v %v", n, ry1, yy1, ry2, yy2)
			}
			ry1, yy1 = subScaledDotSq32(r1, x, d, r1)
			ry2, yy2 = subScaledDotSq32Go(r2, x, d, r2)
			if math.Float32bits(ry1) != math.Float32bits(ry2) || ry1 != yy1 || ry2 != yy2 {
				t.Fatalf("subScaledDotSq32 into itself n=%d: %v %v, Go gives %v %v", n, ry1, yy1, ry2, yy2)
			}
		}
	}
	for _, k := range []int{1, 3, 4, 8, 20, 32} {
		for c := range 41 {
			const rows = 50
			bs := k + 4
			b := values(rows * bs)
			cols := make([]int32, c)
			for e := range cols {
				cols[e] = int32(rng.IntN(rows))
			}
			a, vals := values(k), values(c+1)
			bt1, bt2 := make([]float32, c*k+1), make([]float32, c*k+1)
			r1, r2 := make([]float32, c+1), make([]float32, c+1)
			gatherResidual32(bt1, b, bs, cols, a, vals, r1[:c], make([]float32, 8*k))
			gatherResidual32Go(bt2, b, bs, cols, a, vals, r2[:c])
			for i := range bt1 {
				if math.Float32bits(bt1[i]) != math.Float32bits(bt2[i]) {
					t.Fatalf("gatherResidual32 k=%d c=%d: bt[%d] = %v, Go gives %v", k, c, i, bt1[i], bt2[i])
				}
			}
			for e := range r1 {
				if math.Float32bits(r1[e]) != math.Float32bits(r2[e]) {
					t.Fatalf("gatherResidual32 k=%d c=%d: r[%d] = %v, Go gives %v", k, c, e, r1[e], r2[e])
				}
			}
			for e, j := range cols {
				want := float64(vals[e])
				for tt := range k {
					if bt2[tt*c+e] != b[int(j)*bs+tt] {
						t.Fatalf("gatherResidual32Go k=%d c=%d: bt[%d] = %v, want %v", k, c, tt*c+e, bt2[tt*c+e], b[int(j)*bs+tt])
					}
					want -= float64(a[tt]) * float64(b[int(j)*bs+tt])
				}
				if math.Abs(float64(r2[e])-want) > 1e-5*float64(k) {
					t.Fatalf("gatherResidual32Go k=%d c=%d: r[%d] = %v, want %v", k, c, e, r2[e], want)
				}
			}
		}
	}
}
