package nmf

import (
	"context"
	"fmt"
	"math"
	"time"

	"gonum.org/v1/gonum/mat"
)

// Biases are the additive terms of a biased model, V ≈ Mean + Row[i] +
// Col[j] (+ W·H): a global mean, how far each row (item) and each column
// (person) sits above or below it. On their own they are the classic
// baseline predictor for ratings (Koren 2008).
type Biases struct {
	Mean     float64
	Row, Col []float64 // in the order of V's row and column labels

	rows, cols []string
	rowIdx     map[string]int
	colIdx     map[string]int
}

// FitBiases fits the baseline V ≈ Mean + Row[i] + Col[j] to the observed
// cells of V, with row and column biases shrunk towards zero by lambda
// (bias = Σ residual / (lambda + observed cells)), alternating exact row
// and column updates until they settle. Values need not be non-negative.
func FitBiases(V *Matrix, lambda float64) (b *Biases, err error) {
	defer recoverError(&err)
	if V == nil {
		return nil, fmt.Errorf("nmf: nil matrix: %w", ErrEmpty)
	}
	if lambda < 0 || math.IsNaN(lambda) || math.IsInf(lambda, 0) {
		return nil, fmt.Errorf("nmf: FitBiases: lambda must be finite and ≥ 0, got %g: %w", lambda, ErrOption)
	}
	p, err := newProblemSigned(V)
	if err != nil {
		return nil, err
	}
	bp := newBiasedProblem(p)
	b = newBiases(V, p.mean())
	const maxRounds, tol = 100, 1e-10
	prev := math.Inf(1)
	for range maxRounds {
		bp.updateBiases(b, lambda)
		loss, _ := bp.loss()
		if prev-loss <= tol*max(loss, 1) {
			break
		}
		prev = loss
	}
	return b, nil
}

func newBiases(V *Matrix, mean float64) *Biases {
	return &Biases{Mean: mean, Row: make([]float64, len(V.rows)), Col: make([]float64, len(V.cols)),
		rows: V.rows, cols: V.cols, rowIdx: V.rowIdx, colIdx: V.colIdx}
}

// Predict returns Mean + Row[row] + Col[col] for one cell, by labels.
func (b *Biases) Predict(row, col string) (float64, error) {
	i, ok := b.rowIdx[row]
	if !ok {
		return 0, fmt.Errorf("nmf: no row %q: %w", row, ErrUnknownLabel)
	}
	j, ok := b.colIdx[col]
	if !ok {
		return 0, fmt.Errorf("nmf: no column %q: %w", col, ErrUnknownLabel)
	}
	return b.Mean + b.Row[i] + b.Col[j], nil
}

// Reconstruct returns the baseline's value for every cell, labeled like V.
func (b *Biases) Reconstruct() *Matrix {
	d := mat.NewDense(len(b.rows), len(b.cols), nil)
	b.addTo(d)
	return mustMatrix(b.rows, b.cols, d)
}

// addTo adds the biases to every cell of d.
func (b *Biases) addTo(d *mat.Dense) {
	raw := d.RawMatrix()
	for i, bi := range b.Row {
		row := raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols]
		for j := range row {
			row[j] += b.Mean + bi + b.Col[j]
		}
	}
}

// biasedProblem holds the observed cells twice (by row and by column) with
// values that are the targets of the factor term, r − μ − b_row − b_col,
// refreshed after every bias update.
type biasedProblem struct {
	orig         *sparse   // observed values by row
	byRow, byCol *sparse   // targets by row and by column
	toCol        []int     // toCol[q] is the byCol position of byRow entry q
	factor       []float64 // W·H at each observed cell, by row
	colSum       []float64
	colCount     []float64
}

func newBiasedProblem(p *problem) *biasedProblem {
	byRow, byCol := p.byRow, p.byCol
	if byRow == nil { // every cell observed: list them all
		p.needDense()
		byRow, byCol = sparseOf(p.v, false), sparseOf(p.v, true)
	}
	bp := &biasedProblem{
		orig:     byRow,
		byRow:    &sparse{n: byRow.n, m: byRow.m, ptr: byRow.ptr, idx: byRow.idx, val: make([]float64, len(byRow.idx))},
		byCol:    &sparse{n: byCol.n, m: byCol.m, ptr: byCol.ptr, idx: byCol.idx, val: make([]float64, len(byCol.idx))},
		toCol:    make([]int, len(byRow.idx)),
		factor:   make([]float64, len(byRow.idx)),
		colSum:   make([]float64, byCol.n),
		colCount: make([]float64, byCol.n),
	}
	for j := range bp.colCount {
		bp.colCount[j] = float64(byCol.ptr[j+1] - byCol.ptr[j])
	}
	// Columns list their rows in increasing order, so walking the rows in
	// order and taking the next free slot of each column pairs the entries.
	cursor := append([]int(nil), byCol.ptr[:byCol.n]...)
	for i := 0; i < byRow.n; i++ {
		for q := byRow.ptr[i]; q < byRow.ptr[i+1]; q++ {
			j := byRow.idx[q]
			bp.toCol[q] = cursor[j]
			cursor[j]++
		}
	}
	return bp
}

// computeFactor sets bp.factor to W·Hᵀ at every observed cell.
func (bp *biasedProblem) computeFactor(w, ht *mat.Dense) {
	x := bp.orig
	_, k := w.Dims()
	wr, hr := w.RawMatrix(), ht.RawMatrix()
	forChunks(x.n, float64(2*len(x.idx)*k), func() struct{} { return struct{}{} }, func(lo, hi int, _ struct{}) float64 {
		for i := lo; i < hi; i++ {
			wi := wr.Data[i*wr.Stride : i*wr.Stride+k]
			for q := x.ptr[i]; q < x.ptr[i+1]; q++ {
				bp.factor[q] = dot(wi, hr.Data[int(x.idx[q])*hr.Stride:])
			}
		}
		return 0
	})
}

// updateBiases sets the row biases, then the column biases, to their exact
// minimizers given everything else (shrunk by lambda), and refreshes the
// factor targets.
func (bp *biasedProblem) updateBiases(b *Biases, lambda float64) {
	x := bp.orig
	for i := 0; i < x.n; i++ {
		sum := 0.0
		for q := x.ptr[i]; q < x.ptr[i+1]; q++ {
			sum += x.value(q) - b.Mean - bp.factor[q] - b.Col[x.idx[q]]
		}
		if n := float64(x.ptr[i+1] - x.ptr[i]); n+lambda > 0 {
			b.Row[i] = sum / (n + lambda)
		}
	}
	clear(bp.colSum)
	for i := 0; i < x.n; i++ {
		for q := x.ptr[i]; q < x.ptr[i+1]; q++ {
			bp.colSum[x.idx[q]] += x.value(q) - b.Mean - bp.factor[q] - b.Row[i]
		}
	}
	for j, n := range bp.colCount {
		if n+lambda > 0 {
			b.Col[j] = bp.colSum[j] / (n + lambda)
		}
	}
	for i := 0; i < x.n; i++ {
		for q := x.ptr[i]; q < x.ptr[i+1]; q++ {
			t := x.value(q) - b.Mean - b.Row[i] - b.Col[x.idx[q]]
			bp.byRow.val[q] = t
			bp.byCol.val[bp.toCol[q]] = t
		}
	}
}

// loss returns ½Σ(r − prediction)² and Σ(r − prediction)² over the observed
// cells, from the current factor values and targets.
func (bp *biasedProblem) loss() (half, sq float64) {
	for q, t := range bp.byRow.val {
		d := t - bp.factor[q]
		sq += d * d
	}
	return sq / 2, sq
}

// startBiased scales the initial factors down so that W·H starts as a small
// correction (a tenth of the data's spread) on top of the biases, which
// then start near their baseline values.
func startBiased(p *problem, w, ht *mat.Dense) {
	obs := p.nObs
	mean := p.mean()
	variance := max(p.normV2/float64(obs)-mean*mean, 0)
	target := 0.1 * math.Sqrt(variance)
	_, k := w.Dims()
	avg := 0.0 // mean of W·H over all cells
	for t := 0; t < k; t++ {
		avg += mat.Sum(w.ColView(t)) * mat.Sum(ht.ColView(t))
	}
	avg /= float64(p.rows * p.cols)
	if avg <= 0 || target <= 0 {
		return
	}
	f := math.Sqrt(target / avg)
	w.Scale(f, w)
	ht.Scale(f, ht)
}

// solveBiased runs the biased model's block coordinate descent: biases by
// their closed form, then one CD sweep of W and one of H on the targets.
// Every step minimizes the penalized loss over its block, so the loss never
// increases.
func solveBiased(ctx context.Context, V *Matrix, p *problem, w, ht *mat.Dense, s settings) (*Biases, solveResult, error) {
	var res solveResult
	start := time.Now()
	_, k := w.Dims()
	coords := newCoordinates(k, s)
	bp := newBiasedProblem(p)
	b := newBiases(V, p.mean())
	startBiased(p, w, ht)
	bp.computeFactor(w, ht)
	penW := penalty{s.l1W, s.l2W, s.byObserved}
	penH := penalty{s.l1H, s.l2H, s.byObserved}
	var violation0 float64
	for it := 1; it <= s.MaxIter; it++ {
		if err := ctx.Err(); err != nil {
			return b, res, fmt.Errorf("nmf: fit stopped after %d iterations: %w", it-1, err)
		}
		perm := coords.order()
		bp.updateBiases(b, s.BiasReg)
		violation, _ := cdSweepSparse(bp.byRow, w, ht, penW, perm)
		v, _ := cdSweepSparse(bp.byCol, ht, w, penH, perm)
		violation += v
		bp.computeFactor(w, ht)
		loss, _ := bp.loss()
		res.record(it, loss, s, start)
		if it == 1 {
			violation0 = violation
		}
		if violation0 == 0 || (s.stopRule && violation/violation0 <= s.Tol) {
			res.converged = true
			break
		}
	}
	res.loss, res.sq = bp.loss()
	return b, res, nil
}
