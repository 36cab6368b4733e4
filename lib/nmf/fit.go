package nmf

import (
	"context"
	"fmt"
	"math"
	"runtime/debug"
	"time"

	"gonum.org/v1/gonum/mat"
)

// Fit factorizes V ≈ W·H with the given options; see FitContext.
func Fit(V *Matrix, opt Options) (*Model, error) {
	return FitContext(context.Background(), V, opt)
}

// FitContext factorizes the rows×cols matrix V into W (rows×k) and H
// (k×cols), both non-negative, minimizing opt.Loss over the observed cells
// of V. Cancelling ctx stops the fit between iterations and returns an
// error wrapping ctx.Err().
//
// A row or column of V with nothing observed (a film nobody in the
// training data rated) has no data to fit: its factor is the one whose
// predictions come nearest to the mean of the observed values, or in a
// biased fit the mean of the fitted factors (its mean and biases then
// predict it, with an average row's taste term).
//
// It returns an error wrapping ErrNegative, ErrNotFinite, ErrNoData,
// ErrOption or ErrShape for data or options it cannot fit; it never panics.
func FitContext(ctx context.Context, V *Matrix, opt Options) (m *Model, err error) {
	defer recoverError(&err)
	p, err := newProblem(V)
	if err != nil {
		return nil, err
	}
	s, err := opt.resolveFor(p)
	if err != nil {
		return nil, err
	}
	if s.beta <= 0 && p.minV == 0 {
		return nil, fmt.Errorf("nmf: the %v loss diverges on zeros in V; add a small value to V or use another loss: %w", s.Loss, ErrOption)
	}
	p.useStorage(s.Storage)
	w, ht, err := initialize(p, s)
	if err != nil {
		return nil, err
	}
	var (
		r  solveResult
		bs *Biases
	)
	if s.Biased {
		bs, r, err = solveBiased(ctx, V, p, w, ht, s)
	} else {
		r, err = solve(ctx, p, w, ht, s, true)
	}
	if err != nil {
		return nil, err
	}
	if p.masked() {
		fillUnobserved(w, ht, p, s.Biased)
	}
	k := s.Components
	segs := generatedLabels("S", k)
	model := &Model{
		W:          factorOf(V, segs, w, false),
		H:          factorOf(V, segs, mat.DenseCopyOf(ht.T()), true),
		Iterations: r.iterations,
		Converged:  r.converged,
		Loss:       r.loss,
		RelErr:     math.Sqrt(r.sq / p.normV2),
		History:    r.history,
		Options:    s.Options,
		v:          V,
	}
	if s.Biased {
		model.Biases = bs
	}
	if p.normV2 == 0 {
		model.RelErr = 0
	}
	model.Warnings = warnings(model, p, s)
	return model, nil
}

// recoverError turns a panic escaping the package into an error: a library
// call must not bring down a notebook kernel.
func recoverError(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("nmf: internal error: %v\n%s", r, debug.Stack())
	}
}

type solveResult struct {
	iterations int
	converged  bool
	loss, sq   float64
	history    []float64
}

// solve runs s's solver from w and ht (updated in place): the loop that
// asks a variant (solvers.go) for iterations until its stopping rule or
// MaxIter ends the fit, then the final loss. With updateW false, W stays
// fixed (Transform).
func solve(ctx context.Context, p *problem, w, ht *mat.Dense, s settings, updateW bool) (solveResult, error) {
	var res solveResult
	start := time.Now()
	if s.beta != 2 {
		p.needDense() // the divergence and its updates run over every cell
	}
	_, k := w.Dims()
	coords := newCoordinates(k, s)
	v := newVariant(p, w, ht, s, updateW)
	for it := 1; it <= s.MaxIter; it++ {
		if err := ctx.Err(); err != nil {
			return res, fmt.Errorf("nmf: fit stopped after %d iterations: %w", it-1, err)
		}
		loss := v.step(coords.order())
		res.record(it, loss, s, start)
		if v.stop(it, loss) {
			res.converged = true
			break
		}
	}
	res.loss, res.sq = v.finish()
	if n := len(res.history); n > 0 {
		res.history[n-1] = res.loss // the exact value, free of rounding in lossGram
	}
	return res, nil
}

func (r *solveResult) record(it int, loss float64, s settings, start time.Time) {
	r.iterations = it
	r.history = append(r.history, loss)
	if s.Progress != nil {
		s.Progress(Progress{Iteration: it, MaxIter: s.MaxIter, Loss: loss, Elapsed: time.Since(start)})
	}
}

// fillUnobserved sets the factor rows of the rows and columns of a masked
// V that have nothing observed: with no data to fit, they would keep
// their random start. In a plain fit such a row gets the non-negative
// factor whose predictions come nearest, in least squares over the other
// side's observed rows, to the mean of the observed values: a film nobody
// in the training data rated is predicted near the mean rating, as
// recommender libraries predict the unknown (Surprise, LIBMF). In a
// biased fit, where the mean and the other side's bias already predict
// it, it gets the mean of the fitted rows (an average film's taste term),
// which held-out ratings preferred to zeros (bench/records 33).
func fillUnobserved(w, ht *mat.Dense, p *problem, biased bool) {
	wCold, wSeen := splitObserved(p.byRow)
	hCold, hSeen := splitObserved(p.byCol)
	fill := func(f, other *mat.Dense, cold, seen, otherSeen []int) {
		if len(cold) == 0 {
			return
		}
		var a []float64
		if biased {
			a = meanRow(f, seen)
		} else {
			a = meanPredictor(other, otherSeen, p.mean())
		}
		for _, i := range cold {
			copy(f.RawRowView(i), a)
		}
	}
	// Each fill reads the other factor's observed rows only, so the order
	// does not matter.
	fill(w, ht, wCold, wSeen, hSeen)
	fill(ht, w, hCold, hSeen, wSeen)
}

// meanRow returns the mean of the listed rows of f (zeros for none).
func meanRow(f *mat.Dense, rows []int) []float64 {
	_, k := f.Dims()
	mean := make([]float64, k)
	for _, i := range rows {
		for t, v := range f.RawRowView(i) {
			mean[t] += v
		}
	}
	for t := range mean {
		mean[t] /= float64(max(len(rows), 1))
	}
	return mean
}

// splitObserved returns the rows of x with no stored cell and the others.
func splitObserved(x *sparse) (cold, seen []int) {
	for i := range x.n {
		if x.ptr[i+1] == x.ptr[i] {
			cold = append(cold, i)
		} else {
			seen = append(seen, i)
		}
	}
	return cold, seen
}

// meanPredictor returns the a ≥ 0 minimizing Σ_j (a·o_j − mean)² over the
// rows o_j of other listed in rows (zeros when rows is empty), by
// coordinate descent on the k×k normal equations.
func meanPredictor(other *mat.Dense, rows []int, mean float64) []float64 {
	_, k := other.Dims()
	a := make([]float64, k)
	if len(rows) == 0 {
		return a
	}
	gram := make([]float64, k*k) // Σ o_j o_jᵀ
	rhs := make([]float64, k)    // mean · Σ o_j
	for _, j := range rows {
		o := other.RawRowView(j)
		for t, x := range o {
			rhs[t] += mean * x
			g := gram[t*k : t*k+k]
			for u, y := range o {
				g[u] += x * y
			}
		}
	}
	for range 500 {
		change := 0.0
		for t := range k {
			g := gram[t*k : t*k+k]
			if g[t] == 0 {
				continue
			}
			next := max(a[t]-(dot(g, a)-rhs[t])/g[t], 0)
			change = max(change, math.Abs(next-a[t]))
			a[t] = next
		}
		if change <= 1e-12*max(1, mean) {
			break
		}
	}
	return a
}
