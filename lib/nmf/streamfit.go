package nmf

import (
	"context"
	"fmt"
	"math"
	"time"

	"gonum.org/v1/gonum/mat"
)

// StreamedOptions configures FitStreamed. Zero values mean the defaults in
// the comments.
type StreamedOptions struct {
	// Components is k, the number of segments. Required.
	Components int
	// Passes is the number of passes over the file; zero means 20.
	Passes int
	// AlphaW and AlphaH are L2 strengths per observed cell (as with
	// RegByObserved); both zero means Fit's default for missing values,
	// 0.06 × the mean observed value; negative means none.
	AlphaW, AlphaH float64
	// BatchSize is the number of rows read at a time; zero means 4096.
	BatchSize int
	// Seed makes the random start of H deterministic.
	Seed uint64
	// Progress, if not nil, is called after every pass with that pass's
	// loss (½ Σ over the observed cells of the squared residual, each row
	// measured after its update).
	Progress func(Progress)
}

// FitStreamed factorizes ratings too large for memory with missing values
// (what is not listed is missing, as for ReadTriples, not zero): V ≈ W·H
// over the observed cells, W and H non-negative, reading src one batch of
// rows at a time on every pass. Each pass updates every row of W from its
// listed cells with H fixed (coordinate descent to near convergence) and
// gathers, for every column, the k×k Gram matrix and the k cross terms of
// the rows that observed it; at the end of the pass each row of H is
// updated from those. It is alternating least squares with
// non-negativity, the loss never rising from one pass to the next.
//
// Memory is W and H, O((rows + cols)·k), the gathered statistics,
// O(cols·k²), and one batch of rows — not the ratings: a file of 20
// million ratings fits in a few hundred megabytes for k = 20. Columns no
// row lists get H's average row, so that they predict near the mean.
func FitStreamed(ctx context.Context, src *Stream, opt StreamedOptions) (m *Model, err error) {
	defer recoverError(&err)
	if src == nil || src.rows == 0 {
		return nil, fmt.Errorf("nmf: FitStreamed of an empty stream: %w", ErrEmpty)
	}
	if !src.triples {
		return nil, fmt.Errorf("nmf: FitStreamed reads ratings in long form (StreamTriples or StreamParquet): %w", ErrOption)
	}
	k := opt.Components
	rows, cols := src.Dims()
	switch {
	case k < 1:
		return nil, fmt.Errorf("nmf: Components is %d, need at least 1: %w", k, ErrOption)
	case opt.Passes < 0 || opt.BatchSize < 0:
		return nil, fmt.Errorf("nmf: Passes %d and BatchSize %d must be ≥ 0: %w", opt.Passes, opt.BatchSize, ErrOption)
	case math.IsNaN(opt.AlphaW) || math.IsNaN(opt.AlphaH) || math.IsInf(opt.AlphaW, 0) || math.IsInf(opt.AlphaH, 0):
		return nil, fmt.Errorf("nmf: AlphaW and AlphaH must be finite: %w", ErrOption)
	}
	if opt.Passes == 0 {
		opt.Passes = 20
	}
	if opt.BatchSize == 0 {
		opt.BatchSize = 4096
	}
	mean := src.sum / float64(src.listed)
	if opt.AlphaW == 0 && opt.AlphaH == 0 {
		opt.AlphaW, opt.AlphaH = defaultAlphaPerMean*mean, defaultAlphaPerMean*mean
	}
	aW, aH := max(opt.AlphaW, 0), max(opt.AlphaH, 0)

	rng := newRand(opt.Seed)
	scale := math.Sqrt(mean / float64(k))
	ht := mat.NewDense(cols, k, nil)
	for i, raw := 0, ht.RawMatrix().Data; i < len(raw); i++ {
		raw[i] = scale * math.Abs(rng.NormFloat64())
	}
	w := mat.NewDense(rows, k, nil)
	gram := make([]float64, cols*k*k) // per column: Σ w wᵀ over its rows
	cross := make([]float64, cols*k)  // per column: Σ v w
	count := make([]int, cols)        // per column: observed cells
	perm := make([]int, k)
	for t := range perm {
		perm[t] = t
	}
	labels := make([]string, 0, rows)
	var history []float64
	start := time.Now()
	converged := false
	iterations := 0
	for pass := 1; pass <= opt.Passes; pass++ {
		clear(gram)
		clear(cross)
		clear(count)
		labels = labels[:0]
		next := 0
		loss := 0.0
		err := src.batchesOf(ctx, opt.BatchSize, false, func(batch []string, x *sparse) error {
			n := len(batch)
			htr := ht.RawMatrix()
			wr := w.RawMatrix()
			type rowWork struct {
				g, c []float64
			}
			// The batch's rows of W, H fixed, on both cores; each worker
			// also sums its rows' part of the loss.
			loss += forChunks(n, float64(x.ptr[n])*float64(k*k), func() rowWork {
				return rowWork{g: make([]float64, k*k), c: make([]float64, k)}
			}, func(lo, hi int, ws rowWork) float64 {
				part := 0.0
				for i := lo; i < hi; i++ {
					a := wr.Data[(next+i)*wr.Stride : (next+i)*wr.Stride+k]
					clear(ws.g)
					clear(ws.c)
					for q := x.ptr[i]; q < x.ptr[i+1]; q++ {
						h := htr.Data[int(x.idx[q])*htr.Stride : int(x.idx[q])*htr.Stride+k]
						v := x.value(q)
						for s, hs := range h {
							ws.c[s] += v * hs
							row := ws.g[s*k : s*k+k]
							for t, ht := range h {
								row[t] += hs * ht
							}
						}
					}
					l2 := aW * float64(x.ptr[i+1]-x.ptr[i])
					first := cdRow(a, ws.g, ws.c, 0, l2, perm)
					for s := 1; s < 50 && first > 0; s++ {
						if cdRow(a, ws.g, ws.c, 0, l2, perm) <= 1e-4*first {
							break
						}
					}
					for q := x.ptr[i]; q < x.ptr[i+1]; q++ {
						h := htr.Data[int(x.idx[q])*htr.Stride : int(x.idx[q])*htr.Stride+k]
						r := x.value(q) - dot(a, h)
						part += r * r
					}
				}
				return part
			})
			// Gather H's statistics from the updated rows (one goroutine:
			// the columns of two rows collide).
			for i := 0; i < n; i++ {
				a := wr.Data[(next+i)*wr.Stride : (next+i)*wr.Stride+k]
				for q := x.ptr[i]; q < x.ptr[i+1]; q++ {
					j := int(x.idx[q])
					v := x.value(q)
					g, c := gram[j*k*k:(j+1)*k*k], cross[j*k:(j+1)*k]
					for s, as := range a {
						c[s] += v * as
						row := g[s*k : s*k+k]
						for t, at := range a {
							row[t] += as * at
						}
					}
					count[j]++
				}
			}
			labels = append(labels, batch...)
			next += n
			return nil
		})
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("nmf: FitStreamed stopped in pass %d: %w", pass, ctx.Err())
			}
			return nil, withPath(err, src.path)
		}
		if next != rows {
			return nil, fmt.Errorf("nmf: %s changed while FitStreamed read it (%d rows, %d before): %w", src.path, next, rows, ErrShape)
		}
		// H from the gathered statistics, on both cores.
		htr := ht.RawMatrix()
		forChunks(cols, float64(cols*k*k), func() struct{} { return struct{}{} }, func(lo, hi int, _ struct{}) float64 {
			for j := lo; j < hi; j++ {
				if count[j] == 0 {
					continue
				}
				h := htr.Data[j*htr.Stride : j*htr.Stride+k]
				g, c := gram[j*k*k:(j+1)*k*k], cross[j*k:(j+1)*k]
				l2 := aH * float64(count[j])
				first := cdRow(h, g, c, 0, l2, perm)
				for s := 1; s < 50 && first > 0; s++ {
					if cdRow(h, g, c, 0, l2, perm) <= 1e-4*first {
						break
					}
				}
			}
			return 0
		})
		loss /= 2
		history = append(history, loss)
		iterations = pass
		if opt.Progress != nil {
			opt.Progress(Progress{Iteration: pass, MaxIter: opt.Passes, Loss: loss, Elapsed: time.Since(start)})
		}
		if pass > 1 && history[pass-2]-loss <= 1e-5*history[pass-2] {
			converged = true
			break
		}
	}
	// Columns nobody lists: H's average observed row.
	seen := make([]int, 0, cols)
	for j, c := range count {
		if c > 0 {
			seen = append(seen, j)
		}
	}
	if len(seen) < cols && len(seen) > 0 {
		avg := meanRow(ht, seen)
		for j, c := range count {
			if c == 0 {
				copy(ht.RawRowView(j), avg)
			}
		}
	}
	segs := generatedLabels("S", k)
	wm, err := newMatrix(append([]string(nil), labels...), segs, w)
	if err != nil {
		return nil, fmt.Errorf("nmf: FitStreamed: %w", err)
	}
	last := history[len(history)-1]
	return &Model{
		W:          wm,
		H:          mustMatrix(segs, src.cols, mat.DenseCopyOf(ht.T())),
		Iterations: iterations,
		Converged:  converged,
		Loss:       last,
		RelErr:     math.Sqrt(2 * last / src.sumSq),
		History:    history,
		Options:    Options{Components: k, AlphaW: opt.AlphaW, AlphaH: opt.AlphaH, RegScale: RegByObserved, Seed: opt.Seed, Init: InitRandom, MaxIter: opt.Passes},
	}, nil
}
