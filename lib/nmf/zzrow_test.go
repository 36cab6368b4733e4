package nmf

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

func BenchmarkZZRow(b *testing.B) {
	const k = 20
	rng := rand.New(rand.NewPCG(1, 2))
	bm := make([]float64, 64*k)
	for i := range bm {
		bm[i] = rng.Float64()
	}
	perm := make([]int, k)
	for i := range perm {
		perm[i] = i
	}
	for _, c := range []int{16, 145, 750, 5000} {
		cols := make([]int32, c)
		vals := make([]float64, c)
		for e := range cols {
			cols[e] = int32(rng.IntN(64))
			vals[e] = float64(1 + rng.IntN(5))
		}
		a0 := make([]float64, k)
		for i := range a0 {
			a0[i] = rng.Float64()
		}
		a := make([]float64, k)
		ws := new(residualWork)
		ws.reserve(c, k)
		b.Run(fmt.Sprintf("full-c%d", c), func(b *testing.B) {
			for b.Loop() {
				copy(a, a0)
				cdRowResidual(a, bm, k, cols, vals, ws, 0, 0, perm)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*c), "ns/cell")
		})
		b.Run(fmt.Sprintf("gather-c%d", c), func(b *testing.B) {
			for b.Loop() {
				gatherResidual(ws.bt[:c*k], bm, k, cols, a0, vals, ws.r[:c])
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*c), "ns/cell")
		})
		b.Run(fmt.Sprintf("pass-c%d", c), func(b *testing.B) {
			r, x := ws.r[:c], ws.bt[:c]
			for b.Loop() {
				subScaledDotSq(r, x, 1e-9, ws.bt[c:2*c])
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*c), "ns/cell")
		})
	}
}
