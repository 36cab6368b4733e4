// Package synth makes the synthetic rating tables on which lib/nmf's
// tests check, and bench/defaults measures, fits with missing values.
package synth

import (
	"math"
	"math/rand/v2"
)

// Ratings returns a rows×cols table (row-major) of ratings 1–5 of rank 2
// with noise, fixed by seed: blank (a share) of its cells are missing
// (NaN), and a fifth of the rest are held out, NaN in the table and
// returned as {row, col, rating}.
func Ratings(seed uint64, rows, cols int, blank float64) (data []float64, held [][3]float64) {
	r := rand.New(rand.NewPCG(seed, 7))
	w := make([][2]float64, rows)
	for i := range w {
		w[i] = [2]float64{r.Float64(), r.Float64()}
	}
	h := make([][2]float64, cols)
	for j := range h {
		h[j] = [2]float64{r.Float64(), r.Float64()}
	}
	data = make([]float64, rows*cols)
	for i := range rows {
		for j := range cols {
			v := 1 + 2*(w[i][0]*h[j][0]+w[i][1]*h[j][1]) + r.NormFloat64()*0.5
			v = math.Max(1, math.Min(5, math.Round(v)))
			switch u := r.Float64(); {
			case u < blank:
				data[i*cols+j] = math.NaN()
			case u < blank+(1-blank)*0.2:
				held = append(held, [3]float64{float64(i), float64(j), v})
				data[i*cols+j] = math.NaN()
			default:
				data[i*cols+j] = v
			}
		}
	}
	return data, held
}
