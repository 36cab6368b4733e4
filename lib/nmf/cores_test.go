package nmf

import (
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestSameResultOnAnyNumberOfCores fits dense, sparse (zeros as data) and
// masked matrices with GOMAXPROCS 1, 2 and 8: the factors must be equal
// bit for bit, as the package promises.
func TestSameResultOnAnyNumberOfCores(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	rows, cols := 4000, 300
	var ri, ci []int
	var vals []float64
	for i := range rows {
		for j := range cols {
			if rng.Float64() < 0.05 {
				ri, ci, vals = append(ri, i), append(ci, j), append(vals, 1+rng.Float64()*4)
			}
		}
	}
	labels := func(n int, p string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = p + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676))
		}
		return out
	}
	sparse, err := NewSparse(labels(rows, "r"), labels(cols, "c"), ri, ci, vals)
	if err != nil {
		t.Fatal(err)
	}
	watched := sparse.FillMissing(0)
	denseData := make([]float64, 600*200)
	for i := range denseData {
		denseData[i] = rng.Float64()
	}
	dense, err := NewMatrix(labels(600, "r"), labels(200, "c"), denseData)
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		V   *Matrix
		opt Options
	}{
		"dense":  {dense, Options{Components: 10, MaxIter: 20, Tol: -1}},
		"sparse": {watched, Options{Components: 10, MaxIter: 20, Tol: -1, Storage: StorageSparse}},
		"masked": {sparse, Options{Components: 10, MaxIter: 20, Tol: -1}},
		"accel":  {watched, Options{Components: 10, MaxIter: 20, Tol: -1}},
	} {
		var first *Model
		for _, procs := range []int{1, 2, 8} {
			old := runtime.GOMAXPROCS(procs)
			m, err := Fit(tc.V, tc.opt)
			runtime.GOMAXPROCS(old)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if first == nil {
				first = m
				continue
			}
			for _, pair := range [][2][]float64{{first.W.Dense().RawMatrix().Data, m.W.Dense().RawMatrix().Data}, {first.H.Dense().RawMatrix().Data, m.H.Dense().RawMatrix().Data}} {
				for i := range pair[0] {
					if pair[0][i] != pair[1][i] {
						t.Fatalf("%s: GOMAXPROCS %d differs from 1 at %d: %v vs %v", name, procs, i, pair[1][i], pair[0][i])
					}
				}
			}
		}
	}
}
