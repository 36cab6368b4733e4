package nmf

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"nmfkernel/internal/fastblas"
)

// TestDivergenceDense checks the blocked, parallel divergence against a
// cell-by-cell sum over the whole W·Htᵀ, for each β, on shapes of less
// than one chunk, of chunks that do not divide the rows, and of several
// blocks.
func TestDivergenceDense(t *testing.T) {
	for _, shape := range [][2]int{{5, 4}, {101, 37}, {1200, 1000}} {
		rows, cols := shape[0], shape[1]
		rng := rand.New(rand.NewPCG(uint64(rows), 5))
		v := mat.NewDense(rows, cols, nil)
		for i := range v.RawMatrix().Data {
			if rng.IntN(4) > 0 { // a quarter zeros, which the log terms skip
				v.RawMatrix().Data[i] = rng.ExpFloat64()
			}
		}
		V, err := FromDense(v, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		p, err := newProblem(V)
		if err != nil {
			t.Fatal(err)
		}
		w, ht := randomFactor(rows, 3, rng), randomFactor(cols, 3, rng)
		for _, beta := range []float64{2, 1, 0} {
			t.Run(fmt.Sprintf("%dx%d beta=%g", rows, cols, beta), func(t *testing.T) {
				var wh mat.Dense
				wh.Mul(w, ht.T())
				want := divAccumulator{beta: beta}
				for i, x := range v.RawMatrix().Data {
					want.add(x, wh.RawMatrix().Data[i])
				}
				cells := float64(rows * cols)
				div, sq := p.divergence(w, ht, beta)
				if d := want.divergence(cells); math.Abs(div-d) > 1e-12*math.Abs(d) {
					t.Errorf("divergence %.15g, cell by cell %.15g", div, d)
				}
				if math.Abs(sq-want.sq) > 1e-12*want.sq {
					t.Errorf("squares %.15g, cell by cell %.15g", sq, want.sq)
				}
			})
		}
	}
}

func randomFactor(rows, k int, rng *rand.Rand) *mat.Dense {
	f := mat.NewDense(rows, k, nil)
	for i := range f.RawMatrix().Data {
		f.RawMatrix().Data[i] = rng.Float64()
	}
	return f
}

// BenchmarkDivergenceDense computes the Frobenius and Kullback-Leibler
// losses of k = 30 factors of a dense 5000×2000 V (with the BLAS a fit
// would use).
func BenchmarkDivergenceDense(b *testing.B) {
	fastblas.Init()
	V := lowRank(5000, 2000, 30, 0.1, 1)
	p, err := newProblem(V)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	w, ht := randomFactor(5000, 30, rng), randomFactor(2000, 30, rng)
	for _, beta := range []float64{2, 1} {
		b.Run(fmt.Sprintf("beta=%g", beta), func(b *testing.B) {
			for b.Loop() {
				p.divergence(w, ht, beta)
			}
		})
	}
}
