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
			if got, want := dotLanes(x, y), dotGo(x, y); math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("dot n=%d off=%d: %v, Go gives %v", n, off, got, want)
			}
			if got, want := dotGo(x, y), dot(x, y); math.Abs(got-want) > 1e-13 {
				t.Fatalf("dotGo n=%d: %v, a plain sum gives %v", n, got, want)
			}
			d := rng.Float64()
			r1, r2 := values(n + off)[off:], make([]float64, n)
			copy(r2, r1)
			s1, s2 := subScaledSumSq(r1, r1, y, d), subScaledSumSqGo(r2, r2, y, d)
			equalBits(t, "subScaledSumSq", n, r1, r2)
			if math.Float64bits(s1) != math.Float64bits(s2) {
				t.Fatalf("subScaledSumSq n=%d: sum %v, Go gives %v", n, s1, s2)
			}
			src := values(n + 1)
			s1, s2 = subScaledSumSq(r1, src, x, d), subScaledSumSqGo(r2, src, x, d)
			equalBits(t, "subScaledSumSq from src", n, r1, r2)
			if math.Float64bits(s1) != math.Float64bits(s2) {
				t.Fatalf("subScaledSumSq from src n=%d: sum %v, Go gives %v", n, s1, s2)
			}
			for e := range r2 {
				if want := src[e] - d*x[e]; r2[e] != want {
					t.Fatalf("subScaledSumSqGo from src n=%d: r[%d] = %v, want %v", n, e, r2[e], want)
				}
			}
		}
	}
	for _, k := range []int{1, 3, 4, 7, 20, 33} {
		for c := range 45 {
			const rows = 50
			bs := k + 2
			b := values(rows * bs)
			cols := make([]int32, c)
			for e := range cols {
				cols[e] = int32(rng.IntN(rows))
			}
			bt1, bt2 := make([]float64, c*k+1), make([]float64, c*k+1)
			gather(bt1, b, bs, k, cols)
			gatherGo(bt2, b, bs, k, cols)
			equalBits(t, "gather", c, bt1, bt2)
			for e, j := range cols {
				for tt := range k {
					if bt2[tt*c+e] != b[int(j)*bs+tt] {
						t.Fatalf("gatherGo k=%d c=%d: bt[%d] = %v, want b[%d][%d] = %v", k, c, tt*c+e, bt2[tt*c+e], j, tt, b[int(j)*bs+tt])
					}
				}
			}
			if bt1[c*k] != 0 {
				t.Fatalf("gather k=%d c=%d wrote past c·k", k, c)
			}
		}
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

// TestGatherResidualMatchesPasses checks that the one-pass gather with
// residuals and curvatures gives the bits of the separate Go passes it
// replaces, for whole and partial groups of cells and blocks of 16, and
// coordinates of a that are zero.
func TestGatherResidualMatchesPasses(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var scratch []float64
	for _, k := range []int{4, 8, 20} {
		for c := range 70 {
			const rows = 40
			bs := k + 1
			b := make([]float64, rows*bs)
			for i := range b {
				b[i] = rng.Float64() * 3
			}
			a, vals := make([]float64, k), make([]float64, c)
			for i := range a {
				if rng.IntN(3) > 0 {
					a[i] = rng.Float64()
				}
			}
			for i := range vals {
				vals[i] = 0.5 + 4.5*rng.Float64()
			}
			cols := make([]int32, c)
			for e := range cols {
				cols[e] = int32(rng.IntN(rows))
			}
			bt1, r1, hess1 := make([]float64, c*k), make([]float64, c), make([]float64, k)
			if !gatherResidual(bt1, b, bs, cols, a, vals, r1, hess1, &scratch) {
				t.Skip("no assembly for gatherResidual on this machine: nothing to compare")
			}
			bt2, r2, hess2 := make([]float64, c*k), make([]float64, c), make([]float64, k)
			gatherGo(bt2, b, bs, k, cols)
			src := vals
			for tt := range k {
				hess2[tt] = subScaledSumSqGo(r2, src, bt2[tt*c:tt*c+c], a[tt])
				src = r2
			}
			equalBits(t, "gatherResidual bt", c, bt1, bt2)
			equalBits(t, "gatherResidual r", c, r1, r2)
			equalBits(t, "gatherResidual hess", c, hess1, hess2)
		}
	}
}

// TestSubScaledDotMatchesGo checks the fused step-and-dot against its Go
// version, with y another slice and y the updated r itself.
func TestSubScaledDotMatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	values := func(n int) []float64 { return signedValues(rng, n) }
	for n := range 3*lanes + 7 {
		x, y, d := values(n), values(n+1), rng.Float64()
		r1 := values(n)
		r2 := slices.Clone(r1)
		s1, s2 := subScaledDot(r1, x, d, y), subScaledDotGo(r2, x, d, y)
		equalBits(t, "subScaledDot", n, r1, r2)
		if math.Float64bits(s1) != math.Float64bits(s2) {
			t.Fatalf("subScaledDot n=%d: %v, Go gives %v", n, s1, s2)
		}
		s1, s2 = subScaledDot(r1, x, d, r1), subScaledDotGo(r2, x, d, r2)
		equalBits(t, "subScaledDot into itself", n, r1, r2)
		if want := dotGo(r2, r2); math.Float64bits(s1) != math.Float64bits(s2) || s2 != want {
			t.Fatalf("subScaledDot into itself n=%d: %v, Go gives %v, r·r = %v", n, s1, s2, want)
		}
	}
}
