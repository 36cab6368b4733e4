package nmf

import (
	"context"
	"path/filepath"
	"testing"
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
		if _, err := Fit(V, Options{Components: 10, Solver: MU, Loss: KullbackLeibler, Tol: -1, MaxIter: 50}); err != nil {
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
	for _, st := range []Storage{Dense, Sparse} {
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
