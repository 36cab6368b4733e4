// Command streamed compares nmf.FitStreamed, which reads the ratings from
// a file on every pass, with nmf.Fit on the same ratings in memory:
// ml-latest-small split 80/20 (nmf.HoldOut, seed 1), the training part
// written as a CSV grouped by user and as Parquet, k = 20, the default
// regularization; held-out RMSE and time per pass (iteration), the median
// of -repeat fits each.
//
//	MOVIELENS_DIR=../shared/data/ml-latest-small go run ./bench/streamed
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"

	"nmfkernel/internal/movielens"
	"nmfkernel/lib/nmf"
)

func main() {
	passes := flag.Int("passes", 20, "passes (FitStreamed) and iterations (Fit)")
	repeat := flag.Int("repeat", 3, "fits of each kind")
	flag.Parse()
	if err := run(*passes, *repeat); err != nil {
		fmt.Fprintln(os.Stderr, "streamed:", err)
		os.Exit(1)
	}
}

func run(passes, repeat int) error {
	if err := movielens.Check(); err != nil {
		return err
	}
	V, err := nmf.ReadTriples(filepath.Join(movielens.Dir(), "ratings.csv"), "userId", "movieId", "rating")
	if err != nil {
		return err
	}
	train, test, err := nmf.HoldOut(V, 0.2, 1)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "bench-streamed-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	csvPath, pqPath := filepath.Join(dir, "train.csv"), filepath.Join(dir, "train.parquet")
	if err := writeCSV(csvPath, train); err != nil {
		return err
	}
	if err := nmf.WriteParquetTriples(pqPath, train, "userId", "movieId", "rating"); err != nil {
		return err
	}
	type result struct {
		name          string
		rmse, perPass float64
		passes        int
	}
	fitIn := func() (*nmf.Model, error) {
		return nmf.Fit(train, nmf.Options{Components: 20, MaxIter: passes, Tol: -1, Seed: 1})
	}
	stream := func(open func() (*nmf.Stream, error)) func() (*nmf.Model, error) {
		return func() (*nmf.Model, error) {
			src, err := open()
			if err != nil {
				return nil, err
			}
			return nmf.FitStreamed(context.Background(), src, nmf.StreamedOptions{Components: 20, Passes: passes, Seed: 1})
		}
	}
	var results []result
	for _, c := range []struct {
		name string
		fit  func() (*nmf.Model, error)
	}{
		{"Fit, in memory (masked CD)", fitIn},
		{"FitStreamed from CSV (ALS over the file)", stream(func() (*nmf.Stream, error) { return nmf.StreamTriples(csvPath, "userId", "movieId", "rating") })},
		{"FitStreamed from Parquet", stream(func() (*nmf.Stream, error) { return nmf.StreamParquet(pqPath, "userId", "movieId", "rating") })},
	} {
		var times []float64
		var m *nmf.Model
		for range repeat {
			start := time.Now()
			if m, err = c.fit(); err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			times = append(times, time.Since(start).Seconds()/float64(m.Iterations))
		}
		slices.Sort(times)
		results = append(results, result{c.name, heldOutRMSE(m, test), times[len(times)/2], m.Iterations})
	}
	fmt.Printf("ml-latest-small, 80/20 split (seed 1), k = 20, default regularization, medians of %d fits\n", repeat)
	fmt.Printf("%-42s %8s %14s %14s\n", "fit", "passes", "held-out RMSE", "time per pass")
	for _, r := range results {
		fmt.Printf("%-42s %8d %14.4f %11.0f ms\n", r.name, r.passes, r.rmse, r.perPass*1000)
	}
	return nil
}

// heldOutRMSE is the RMSE of m's predictions over the cells of test whose
// row and column m knows (the same cells for every model here: those of
// films with a training rating).
func heldOutRMSE(m *nmf.Model, test *nmf.Matrix) float64 {
	s, n := 0.0, 0
	r, c := test.Dims()
	rl, cl := test.RowLabels(), test.ColLabels()
	for i := 0; i < r; i++ {
		row, _ := test.Row(rl[i])
		for j := 0; j < c; j++ {
			if v := row[j]; v == v {
				p, err := m.Predict(rl[i], cl[j])
				if err != nil {
					continue
				}
				s += (p - v) * (p - v)
				n++
			}
		}
	}
	return math.Sqrt(s / float64(n))
}

// writeCSV writes m's cells as userId,movieId,rating lines, grouped by
// row (user).
func writeCSV(path string, m *nmf.Matrix) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "userId,movieId,rating")
	r, c := m.Dims()
	rl, cl := m.RowLabels(), m.ColLabels()
	for i := 0; i < r; i++ {
		row, err := m.Row(rl[i])
		if err != nil {
			return err
		}
		for j := 0; j < c; j++ {
			if v := row[j]; v == v {
				fmt.Fprintf(w, "%s,%s,%g\n", rl[i], cl[j], v)
			}
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}
