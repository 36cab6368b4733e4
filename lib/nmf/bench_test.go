package nmf

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"gonum.org/v1/gonum/mat"

	"nmfkernel/internal/fastblas"
)

func BenchmarkFitDenseCD(b *testing.B) {
	V := lowRank(500, 300, 10, 0.1, 1)
	for b.Loop() {
		if _, err := Fit(V, Options{Components: 10, Tol: -1, MaxIter: 50}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFitDenseMUKL(b *testing.B) {
	V := lowRank(500, 300, 10, 0.1, 1)
	for b.Loop() {
		if _, err := Fit(V, Options{Components: 10, Solver: SolverMU, Loss: LossKullbackLeibler, Tol: -1, MaxIter: 50}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFitMovieLensMasked fits the ml-latest-small ratings (9,724 ×
// 610, 100,836 observed) with missing values, k = 20, 100 iterations.
func BenchmarkFitMovieLensMasked(b *testing.B) {
	V, err := ReadTriples(filepath.Join(movieLensDir(b), "ratings.csv"), "movieId", "userId", "rating")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Fit(V, Options{Components: 20, Tol: -1, MaxIter: 100}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFitMovieLensWatched fits the ml-latest-small watched matrix
// (9,724 × 610, 1 where a user rated a film, 0 elsewhere: zeros are data,
// 1.7% non-zero), k = 20, 100 iterations: the sparse products (Storage)
// at work.
func BenchmarkFitMovieLensWatched(b *testing.B) {
	V, err := ReadTriples(filepath.Join(movieLensDir(b), "ratings.csv"), "movieId", "userId", "rating")
	if err != nil {
		b.Fatal(err)
	}
	W := V.Observed()
	for _, st := range []Storage{StorageDense, StorageSparse} {
		b.Run(st.String(), func(b *testing.B) {
			for b.Loop() {
				if _, err := Fit(W, Options{Components: 20, Tol: -1, MaxIter: 100, Storage: st}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMiniBatchMovieLens streams ml-latest-small's ratings.csv (grouped
// by user) as a user × film watched matrix, k = 20, batches of 64 users,
// 10 passes: file reading included.
func BenchmarkMiniBatchMovieLens(b *testing.B) {
	src, err := StreamTriples(filepath.Join(movieLensDir(b), "ratings.csv"), "userId", "movieId", "")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		m, err := MiniBatch(context.Background(), src, MiniBatchOptions{Components: 20, BatchSize: 64, Epochs: 10})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(m.RelErr, "RelErr")
	}
}

// BenchmarkReadTriplesMovieLens reads ml-latest-small's ratings.csv
// (100,836 lines) into a film × user matrix.
func BenchmarkReadTriplesMovieLens(b *testing.B) {
	path := filepath.Join(movieLensDir(b), "ratings.csv")
	for b.Loop() {
		if _, err := ReadTriples(path, "movieId", "userId", "rating"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCDSweepSparseMovieLens times the two halves of one masked
// coordinate-descent iteration on ml-latest-small's ratings, k = 20 (the
// film factors over 9,724 short rows, the user factors over 610 long
// ones): the inner loop of BenchmarkFitMovieLensMasked.
func BenchmarkCDSweepSparseMovieLens(b *testing.B) {
	V, err := ReadTriples(filepath.Join(movieLensDir(b), "ratings.csv"), "movieId", "userId", "rating")
	if err != nil {
		b.Fatal(err)
	}
	p, s, w, ht := fitStart(b, V, Options{Components: 20, Init: InitRandom})
	perm := newCoordinates(20, s).order()
	b.Run("films", func(b *testing.B) {
		for b.Loop() {
			cdSweepSparse(p.byRow, w, ht, penalty{}, perm)
		}
	})
	b.Run("users", func(b *testing.B) {
		for b.Loop() {
			cdSweepSparse(p.byCol, ht, w, penalty{}, perm)
		}
	})
}

// BenchmarkSparseLargeFactors times one masked CD sweep of each factor and
// one sparse product on a matrix of MovieLens-20M's shape (138,493 ×
// 26,744) holding 2 million uniformly placed cells, k = 20: factor rows
// gathered from 22 MB and 4 MB factors, far larger than the caches.
func BenchmarkSparseLargeFactors(b *testing.B) {
	const n, m, cells, k = 138_493, 26_744, 2_000_000, 20
	rng := rand.New(rand.NewPCG(1, 2))
	ri, ci, vals := make([]int32, cells), make([]int32, cells), make([]float64, cells)
	seen := map[[2]int]bool{}
	for e := range ri {
		for {
			i, j := rng.IntN(n), rng.IntN(m)
			if !seen[[2]int{i, j}] {
				seen[[2]int{i, j}] = true
				ri[e], ci[e], vals[e] = int32(i), int32(j), 1+4*rng.Float64()
				break
			}
		}
	}
	x, dup := buildSparse(n, m, []cellList{{ri: ri, ci: ci, vals: vals}})
	if dup != nil {
		b.Fatal("duplicate")
	}
	xt := x.transpose()
	w, ht := mat.NewDense(n, k, nil), mat.NewDense(m, k, nil)
	for _, d := range []*mat.Dense{w, ht} {
		raw := d.RawMatrix().Data
		for i := range raw {
			raw[i] = rng.Float64()
		}
	}
	perm := make([]int, k)
	for t := range perm {
		perm[t] = t
	}
	b.Run("sweep-rows", func(b *testing.B) {
		for b.Loop() {
			cdSweepSparse(x, w, ht, penalty{}, perm)
		}
	})
	b.Run("sweep-cols", func(b *testing.B) {
		for b.Loop() {
			cdSweepSparse(xt, ht, w, penalty{}, perm)
		}
	})
	var dst mat.Dense
	b.Run("times-cols", func(b *testing.B) {
		for b.Loop() {
			xt.times(&dst, nil, w)
		}
	})
	b.Run("times-cols-scatter", func(b *testing.B) {
		for b.Loop() {
			transposed{x}.times(&dst, nil, w)
		}
	})
}

// BenchmarkNewProblemDense checks and summarizes a dense 5000×2000 V (80
// MB), as every fit does first (with the BLAS a fit would use).
func BenchmarkNewProblemDense(b *testing.B) {
	fastblas.Init()
	V := lowRank(5000, 2000, 30, 0.1, 1)
	for b.Loop() {
		if _, err := newProblem(V); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCDSweepDenseAccelerated runs Accelerate's sweeps for W (with the
// product V·H) and for Hᵀ (with Vᵀ·W) of a dense 5000×2000 V, k = 30, from
// the NNDSVDA start.
func BenchmarkCDSweepDenseAccelerated(b *testing.B) {
	fastblas.Init()
	p, s, w, ht := fitStart(b, lowRank(5000, 2000, 30, 0.1, 1), Options{Components: 30})
	perm := newCoordinates(30, s).order()
	var ws cdWork
	b.Run("W", func(b *testing.B) {
		for b.Loop() {
			cdSweepDense(p.opV, mat.DenseCopyOf(w), ht, 0, 0, perm, true, &ws)
		}
	})
	b.Run("H", func(b *testing.B) {
		for b.Loop() {
			cdSweepDense(p.opVT, mat.DenseCopyOf(ht), w, 0, 0, perm, true, &ws)
		}
	})
}

// BenchmarkRowDescent times one row's masked coordinate sweep (the gather
// and k = 20 coordinate passes) in float64 and in float32 (Options.Float32)
// for rows of 16 to 5,000 observed cells whose factor rows all sit in the
// first-level cache: the sweep's arithmetic without its memory waits,
// reported per cell (bench/records 44).
func BenchmarkRowDescent(b *testing.B) {
	const k, others = 20, 64
	rng := rand.New(rand.NewPCG(1, 2))
	b64 := make([]float64, others*k)
	for i := range b64 {
		b64[i] = rng.Float64()
	}
	b32 := toFactor32(mat.NewDense(others, k, b64))
	perm := make([]int, k)
	for t := range perm {
		perm[t] = t
	}
	for _, c := range []int{16, 145, 750, 5000} {
		cols, vals, vals32 := make([]int32, c), make([]float64, c), make([]float32, c)
		for e := range cols {
			cols[e] = int32(rng.IntN(others))
			vals[e] = float64(1 + rng.IntN(5))
			vals32[e] = float32(vals[e])
		}
		start := make([]float64, k)
		for t := range start {
			start[t] = rng.Float64()
		}
		perCell := func(b *testing.B) {
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*c), "ns/cell")
		}
		b.Run(fmt.Sprintf("float64/cells=%d", c), func(b *testing.B) {
			a, ws := make([]float64, k), new(residualWork)
			for b.Loop() {
				copy(a, start)
				cdRowResidual(a, b64, k, cols, vals, ws, 0, 0, perm)
			}
			perCell(b)
		})
		b.Run(fmt.Sprintf("float32/cells=%d", c), func(b *testing.B) {
			a, ws := toFactor32(mat.NewDense(1, k, start)), new(residualWork32)
			for b.Loop() {
				for t, v := range start {
					a.data[t] = float32(v)
				}
				cdRowResidual32(a.row(0), b32.data, b32.ks, cols, vals32, ws, 0, 0, perm)
			}
			perCell(b)
		})
	}
}
