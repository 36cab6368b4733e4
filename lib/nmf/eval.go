package nmf

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// HoldOut splits the observed cells of V at random into a training and a
// test matrix, both labeled like V: test holds about frac of the observed
// cells (rounded to the nearest whole cell) and train the rest, each
// missing where the other is observed. Equal seeds give equal splits.
func HoldOut(V *Matrix, frac float64, seed uint64) (train, test *Matrix, err error) {
	defer recoverError(&err)
	if V == nil {
		return nil, nil, fmt.Errorf("nmf: HoldOut of nil matrix: %w", ErrEmpty)
	}
	if !(frac >= 0 && frac <= 1) {
		return nil, nil, fmt.Errorf("nmf: HoldOut fraction must be in [0, 1], got %g: %w", frac, ErrOption)
	}
	r, c := V.Dims()
	if V.cells != nil && math.IsNaN(V.absent) {
		return holdOutSparse(V, frac, seed)
	}
	var cells []int
	V.eachObserved(func(i, j int, _ float64) { cells = append(cells, i*c+j) })
	shuffleCells(cells, seed)
	nTest := int(math.Round(frac * float64(len(cells))))
	trainD := mat.DenseCopyOf(V.dense())
	testD := mat.NewDense(r, c, nil)
	for i := range testD.RawMatrix().Data {
		testD.RawMatrix().Data[i] = math.NaN()
	}
	for _, cell := range cells[:nTest] {
		i, j := cell/c, cell%c
		testD.Set(i, j, trainD.At(i, j))
		trainD.Set(i, j, math.NaN())
	}
	return mustMatrix(V.rows, V.cols, trainD), mustMatrix(V.rows, V.cols, testD), nil
}

// shuffleCells puts the cells in HoldOut's random order for seed.
func shuffleCells(cells []int, seed uint64) {
	rng := newRand(seed)
	rng.Shuffle(len(cells), func(a, b int) { cells[a], cells[b] = cells[b], cells[a] })
}

// holdOutSparse is HoldOut for a sparse V with missing cells: the same
// split as for V stored densely, kept sparse.
func holdOutSparse(V *Matrix, frac float64, seed uint64) (train, test *Matrix, err error) {
	x := V.cells
	order := make([]int, len(x.idx)) // stored cells, row-major like the dense case
	for q := range order {
		order[q] = q
	}
	shuffleCells(order, seed)
	nTest := int(math.Round(frac * float64(len(order))))
	inTest := make([]bool, len(x.idx))
	for _, q := range order[:nTest] {
		inTest[q] = true
	}
	part := func(want bool) *sparse {
		s := &sparse{n: x.n, m: x.m, ptr: make([]int, x.n+1)}
		for i := 0; i < x.n; i++ {
			for q := x.ptr[i]; q < x.ptr[i+1]; q++ {
				if inTest[q] == want {
					s.idx = append(s.idx, x.idx[q])
					s.val = append(s.val, x.value(q))
				}
			}
			s.ptr[i+1] = len(s.idx)
		}
		return s
	}
	return &Matrix{rows: V.rows, cols: V.cols, rowIdx: V.rowIdx, colIdx: V.colIdx, cells: part(false), absent: math.NaN()},
		&Matrix{rows: V.rows, cols: V.cols, rowIdx: V.rowIdx, colIdx: V.colIdx, cells: part(true), absent: math.NaN()}, nil
}

// Observed returns a matrix labeled like m with 1 where m has a value and 0
// where it is missing: from a ratings matrix, the "watched" matrix. It is
// sparse when m is.
func (m *Matrix) Observed() *Matrix {
	if m.cells != nil && math.IsNaN(m.absent) {
		ones := make([]float64, len(m.cells.idx))
		for q := range ones {
			ones[q] = 1
		}
		return &Matrix{rows: m.rows, cols: m.cols, rowIdx: m.rowIdx, colIdx: m.colIdx, cells: m.cells.withValues(ones)}
	}
	r, c := m.Dims()
	d := mat.NewDense(r, c, nil)
	m.eachObserved(func(i, j int, _ float64) { d.Set(i, j, 1) })
	return mustMatrix(m.rows, m.cols, d)
}

// Accuracy is how well predictions match held-out values.
type Accuracy struct {
	RMSE, MAE float64 // root mean squared and mean absolute error
	Cells     int     // the number of held-out cells compared
}

// String formats the accuracy for a notebook.
func (a Accuracy) String() string {
	return fmt.Sprintf("RMSE %.4f, MAE %.4f over %d cells", a.RMSE, a.MAE, a.Cells)
}

// Evaluate compares the predictions pred with the observed cells of test
// (for example from HoldOut); both must have the same labels in the same
// order. Predictions are used as they are, not clipped to a rating scale.
func Evaluate(pred, test *Matrix) (Accuracy, error) {
	if err := sameLabels(pred, test); err != nil {
		return Accuracy{}, fmt.Errorf("nmf: Evaluate: %w", err)
	}
	var a Accuracy
	var sq, abs float64
	test.eachObserved(func(i, j int, y float64) {
		d := pred.At(i, j) - y
		sq += d * d
		abs += math.Abs(d)
		a.Cells++
	})
	if a.Cells == 0 {
		return a, fmt.Errorf("nmf: Evaluate: the test matrix has no observed cells: %w", ErrNoData)
	}
	a.RMSE = math.Sqrt(sq / float64(a.Cells))
	a.MAE = abs / float64(a.Cells)
	if math.IsNaN(a.RMSE) {
		return a, fmt.Errorf("nmf: Evaluate: predictions are missing (NaN) at held-out cells: %w", ErrNotFinite)
	}
	return a, nil
}

// RankingAccuracy is how well top-K lists find held-out items.
type RankingAccuracy struct {
	K int
	// Precision is the mean share of each top-K list that was held out,
	// Recall the mean share of each person's held-out items that made
	// their top K.
	Precision, Recall float64
	// Columns is the number of people evaluated: those with at least one
	// held-out item.
	Columns int
}

// String formats the accuracy for a notebook.
func (a RankingAccuracy) String() string {
	return fmt.Sprintf("precision@%d %.4f, recall@%d %.4f over %d people", a.K, a.Precision, a.K, a.Recall, a.Columns)
}

// EvaluateRanking scores top-k recommendation lists. For each column of
// test with at least one observed non-zero cell (the held-out items of that
// person), it ranks the rows by scores, leaving out those known in train
// (observed and not zero, as ExcludeKnown does), takes the first k and
// counts how many are held out. scores, train and test must have the same
// labels in the same order; scores are typically Model.Reconstruct() or
// Popularity(train).
func EvaluateRanking(scores, train, test *Matrix, k int) (RankingAccuracy, error) {
	a := RankingAccuracy{K: k}
	if k < 1 {
		return a, fmt.Errorf("nmf: EvaluateRanking: k is %d: %w", k, ErrOption)
	}
	for _, m := range []*Matrix{train, test} {
		if err := sameLabels(scores, m); err != nil {
			return a, fmt.Errorf("nmf: EvaluateRanking: %w", err)
		}
	}
	r, c := scores.Dims()
	s, tr, te := scores.dense().RawMatrix(), train.dense().RawMatrix(), test.dense().RawMatrix()
	type cand struct {
		row   int
		score float64
	}
	cands := make([]cand, 0, r)
	best := make([]cand, 0, k)
	for j := 0; j < c; j++ {
		relevant := 0
		for i := 0; i < r; i++ {
			if y := te.Data[i*te.Stride+j]; !math.IsNaN(y) && y != 0 {
				relevant++
			}
		}
		if relevant == 0 {
			continue
		}
		cands = cands[:0]
		for i := 0; i < r; i++ {
			if x := tr.Data[i*tr.Stride+j]; !math.IsNaN(x) && x != 0 {
				continue
			}
			cands = append(cands, cand{i, s.Data[i*s.Stride+j]})
		}
		// Keep the best k in order (ties by row order), as a stable sort
		// of all candidates would, at O(rows) for small k.
		top := best[:0]
		for _, x := range cands {
			if len(top) == k && x.score <= top[k-1].score {
				continue
			}
			pos := len(top)
			for pos > 0 && x.score > top[pos-1].score {
				pos--
			}
			if len(top) < k {
				top = append(top, cand{})
			}
			copy(top[pos+1:], top[pos:len(top)-1])
			top[pos] = x
		}
		hits := 0
		for _, x := range top {
			if y := te.Data[x.row*te.Stride+j]; !math.IsNaN(y) && y != 0 {
				hits++
			}
		}
		a.Precision += float64(hits) / float64(k)
		a.Recall += float64(hits) / float64(relevant)
		a.Columns++
	}
	if a.Columns == 0 {
		return a, fmt.Errorf("nmf: EvaluateRanking: the test matrix has no observed non-zero cells: %w", ErrNoData)
	}
	a.Precision /= float64(a.Columns)
	a.Recall /= float64(a.Columns)
	return a, nil
}

// Popularity returns the most-popular baseline's scores, labeled like V:
// every cell of a row holds the number of observed non-zero cells in that
// row (how many people bought the item, watched the film).
func Popularity(V *Matrix) *Matrix {
	r, c := V.Dims()
	d := mat.NewDense(r, c, nil)
	counts := make([]float64, r)
	V.eachStored(func(i, _ int, x float64) {
		if x != 0 {
			counts[i]++
		}
	})
	for i, n := range counts {
		row := d.RawRowView(i)
		for j := range row {
			row[j] = n
		}
	}
	return mustMatrix(V.rows, V.cols, d)
}

// sameLabels reports an error unless a and b have equal labels in order.
func sameLabels(a, b *Matrix) error {
	if a == nil || b == nil {
		return fmt.Errorf("nil matrix: %w", ErrEmpty)
	}
	ar, ac := a.Dims()
	br, bc := b.Dims()
	if ar != br || ac != bc {
		return fmt.Errorf("matrices are %d×%d and %d×%d: %w", ar, ac, br, bc, ErrShape)
	}
	if !slices.Equal(a.rows, b.rows) || !slices.Equal(a.cols, b.cols) {
		return fmt.Errorf("matrices have different labels or label order: %w", ErrShape)
	}
	return nil
}
