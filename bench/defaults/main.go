// Command defaults measures the default regularization of fits with
// missing values (lib/nmf's defaultAlphaPerMean): for rank-2 rating
// tables of several shapes and blank shares, and for ml-latest-small at
// k = 20, the held-out RMSE at strengths c × the mean observed rating
// (scaled by observed cells), beside no regularization.
//
//	go run ./bench/defaults
package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"nmfkernel/internal/movielens"
	"nmfkernel/internal/synth"
	"nmfkernel/lib/nmf"
)

func main() {
	tables := flag.Int("tables", 20, "random tables per shape")
	flag.Parse()
	cs := []float64{0.02, 0.04, 0.06, 0.08, 0.1, 0.15, 0.2}
	fmt.Printf("%-22s %8s", "table (rows×cols, blank)", "none")
	for _, c := range cs {
		fmt.Printf(" %7s", fmt.Sprintf("c=%g", c))
	}
	fmt.Println("   held-out RMSE")
	for _, shape := range []struct {
		rows, cols int
		blank      float64
	}{{15, 10, 0.3}, {50, 30, 0.5}, {200, 100, 0.8}, {100, 400, 0.9}} {
		fmt.Printf("%-22s", fmt.Sprintf("%d×%d, %.0f%%", shape.rows, shape.cols, shape.blank*100))
		for _, c := range append([]float64{-1}, cs...) {
			s, n := 0.0, 0
			for seed := uint64(1); seed <= uint64(*tables); seed++ {
				V, held := table(seed, shape.rows, shape.cols, shape.blank)
				d, m := sqErr(V, held, c, 2, seed)
				s, n = s+d, n+m
			}
			fmt.Printf(" %7.3f", math.Sqrt(s/float64(n)))
		}
		fmt.Println()
	}
	if err := movielens.Check(); err != nil {
		fmt.Fprintln(os.Stderr, "ml-latest-small left out:", err)
		return
	}
	V, err := nmf.ReadTriples(filepath.Join(movielens.Dir(), "ratings.csv"), "movieId", "userId", "rating")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	train, test, err := nmf.HoldOut(V, 0.2, 1)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("%-22s", "ml-latest-small, k=20")
	for _, c := range append([]float64{-1}, cs...) {
		opt := nmf.Options{Components: 20, MaxIter: 100, Seed: 1, AlphaW: -1, AlphaH: -1}
		if c > 0 {
			a := c * mean(train)
			opt = nmf.Options{Components: 20, MaxIter: 100, Seed: 1, AlphaW: a, AlphaH: a, RegScale: nmf.RegByObserved}
		}
		m, err := nmf.Fit(train, opt)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		acc, _ := nmf.Evaluate(m.Reconstruct(), test)
		if acc.RMSE > 100 {
			fmt.Printf(" %7s", fmt.Sprintf("%.0e", acc.RMSE))
			continue
		}
		fmt.Printf(" %7.4f", acc.RMSE)
	}
	fmt.Println()
}

// table is synth.Ratings' table as a Matrix, with its held-out cells.
func table(seed uint64, rows, cols int, blank float64) (*nmf.Matrix, [][3]float64) {
	data, held := synth.Ratings(seed, rows, cols, blank)
	rl, cl := make([]string, rows), make([]string, cols)
	for i := range rl {
		rl[i] = fmt.Sprint("r", i)
	}
	for j := range cl {
		cl[j] = fmt.Sprint("c", j)
	}
	V, err := nmf.NewMatrix(rl, cl, data)
	if err != nil {
		panic(err)
	}
	return V, held
}

// sqErr fits V at strength c × mean (c < 0: none) and returns the
// squared error over the held-out cells and their number.
func sqErr(V *nmf.Matrix, held [][3]float64, c float64, k int, seed uint64) (float64, int) {
	opt := nmf.Options{Components: k, Seed: seed, AlphaW: -1, AlphaH: -1}
	if c > 0 {
		a := c * mean(V)
		opt = nmf.Options{Components: k, Seed: seed, AlphaW: a, AlphaH: a, RegScale: nmf.RegByObserved}
	}
	m, err := nmf.Fit(V, opt)
	if err != nil {
		panic(err)
	}
	R := m.Reconstruct().Dense()
	s := 0.0
	for _, h := range held {
		d := R.At(int(h[0]), int(h[1])) - h[2]
		s += d * d
	}
	return s, len(held)
}

func mean(V *nmf.Matrix) float64 {
	s, n := 0.0, 0
	r, c := V.Dims()
	for i := range r {
		for j := range c {
			if v := V.At(i, j); !math.IsNaN(v) {
				s, n = s+v, n+1
			}
		}
	}
	return s / float64(n)
}
