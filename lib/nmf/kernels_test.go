package nmf

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestKernelsMatchGo checks that the kernels the masked solver calls (the
// AVX2 assembly where the processor has it) give the same bits as their Go
// versions, for every length up to three 16-value blocks past the 4-value
// and leftover paths, and at offsets that misalign the slices.
func TestKernelsMatchGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	values := func(n int) []float64 { return signedValues(rng, n) }
	for n := range 3*lanes + 7 {
		for _, off := range []int{0, 1, 3} {
			x, y := values(n + off)[off:], values(n + 2)[2:]
			xy, yy := dotSq(x, y)
			xyGo, yyGo := dotSqGo(x, y)
			sameBits(t, "dotSq x·y", n, xy, xyGo)
			sameBits(t, "dotSq y·y", n, yy, yyGo)
			if want := dot(x, y); math.Abs(xyGo-want) > 1e-13 {
				t.Fatalf("dotGo n=%d: %v, a plain sum gives %v", n, xyGo, want)
			}
			if want := dot(y[:n], y); math.Abs(yyGo-want) > 1e-13 {
				t.Fatalf("dotSqGo y·y n=%d: %v, a plain sum gives %v", n, yyGo, want)
			}
		}
	}
	for _, k := range []int{1, 2, 3, 4, 5, 7, 20, 30, 33} {
		for c := range 45 {
			const rows = 50
			bs := k + 2
			b := values(rows * bs)
			cols := make([]int32, c)
			for e := range cols {
				cols[e] = int32(rng.IntN(rows))
			}
			a, vals := values(k), values(c+1)
			bt1, bt2 := make([]float64, c*k+1), make([]float64, c*k+1)
			r1, r2 := make([]float64, c+1), make([]float64, c+1)
			gatherResidual(bt1, b, bs, cols, a, vals, r1[:c])
			gatherResidualGo(bt2, b, bs, cols, a, vals, r2[:c])
			equalBits(t, "gatherResidual bt", c, bt1, bt2)
			equalBits(t, "gatherResidual r", c, r1, r2)
			for e, j := range cols {
				want := vals[e]
				for tt := range k {
					if bt2[tt*c+e] != b[int(j)*bs+tt] {
						t.Fatalf("gatherResidualGo k=%d c=%d: bt[%d] = %v, want b[%d][%d] = %v", k, c, tt*c+e, bt2[tt*c+e], j, tt, b[int(j)*bs+tt])
					}
					want = math.FMA(-a[tt], b[int(j)*bs+tt], want)
				}
				if r2[e] != want {
					t.Fatalf("gatherResidualGo k=%d c=%d: r[%d] = %v, want %v", k, c, e, r2[e], want)
				}
			}
			if bt1[c*k] != 0 || r1[c] != 0 {
				t.Fatalf("gatherResidual k=%d c=%d wrote past c·k or c", k, c)
			}
		}
	}
}

func sameBits(t *testing.T, name string, n int, got, want float64) {
	t.Helper()
	if math.Float64bits(got) != math.Float64bits(want) {
		t.Fatalf("%s n=%d: %v, Go gives %v", name, n, got, want)
	}
}

// signedValues returns n values drawn from [−1, 3).
func signedValues(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.Float64()*4 - 1
	}
	return v
}

func equalBits(t *testing.T, name string, n int, a, b []float64) {
	t.Helper()
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			t.Fatalf("%s n=%d: [%d] = %v, Go gives %v", name, n, i, a[i], b[i])
		}
	}
}

// TestSubScaledDotMatchesGo checks the fused step, dot and square against
// its Go version, with y another slice and y the updated r itself.
func TestSubScaledDotMatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	values := func(n int) []float64 { return signedValues(rng, n) }
	for n := range 3*lanes + 7 {
		x, y, d := values(n), values(n+1), rng.Float64()
		r1 := values(n)
		r2 := slices.Clone(r1)
		ry1, yy1 := subScaledDotSq(r1, x, d, y)
		ry2, yy2 := subScaledDotSqGo(r2, x, d, y)
		equalBits(t, "subScaledDotSq", n, r1, r2)
		sameBits(t, "subScaledDotSq r·y", n, ry1, ry2)
		sameBits(t, "subScaledDotSq y·y", n, yy1, yy2)
		ry1, yy1 = subScaledDotSq(r1, x, d, r1)
		ry2, yy2 = subScaledDotSqGo(r2, x, d, r2)
		equalBits(t, "subScaledDotSq into itself", n, r1, r2)
		if want := dotGo(r2, r2); math.Float64bits(ry1) != math.Float64bits(ry2) || ry2 != want || yy1 != want || yy2 != want {
			t.Fatalf("subScaledDotSq into itself n=%d: %v %v, Go gives %v %v, r·r = %v", n, ry1, yy1, ry2, yy2, want)
		}
	}
}
