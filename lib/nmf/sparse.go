package nmf

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// sparse holds the stored cells of an n×m matrix by row (CSR): row i's
// columns are idx[ptr[i]:ptr[i+1]], in increasing order, with values
// val[ptr[i]:ptr[i+1]]. It is never modified once built, so matrices and
// problems share it freely.
type sparse struct {
	n, m int
	ptr  []int
	idx  []int
	val  []float64
}

// at returns the value stored at (i, j) and whether there is one.
func (x *sparse) at(i, j int) (float64, bool) {
	lo, hi := x.ptr[i], x.ptr[i+1]
	q, ok := slices.BinarySearch(x.idx[lo:hi], j)
	if !ok {
		return 0, false
	}
	return x.val[lo+q], true
}

// transpose returns xᵀ in the same form (CSR of the transpose, that is CSC
// of x), by a counting sort on the columns; rows come out in increasing
// order within each column.
func (x *sparse) transpose() *sparse {
	t := &sparse{n: x.m, m: x.n, ptr: make([]int, x.m+1), idx: make([]int, len(x.idx)), val: make([]float64, len(x.val))}
	for _, j := range x.idx {
		t.ptr[j+1]++
	}
	for j := 0; j < x.m; j++ {
		t.ptr[j+1] += t.ptr[j]
	}
	next := slices.Clone(t.ptr[:x.m])
	for i := 0; i < x.n; i++ {
		for q := x.ptr[i]; q < x.ptr[i+1]; q++ {
			j := x.idx[q]
			t.idx[next[j]] = i
			t.val[next[j]] = x.val[q]
			next[j]++
		}
	}
	return t
}

// withValues returns x's pattern (shared) with new values.
func (x *sparse) withValues(val []float64) *sparse {
	return &sparse{n: x.n, m: x.m, ptr: x.ptr, idx: x.idx, val: val}
}

// denseFill returns x as a dense matrix with absent in every cell not
// stored.
func (x *sparse) denseFill(absent float64) *mat.Dense {
	data := make([]float64, x.n*x.m)
	if absent != 0 {
		for i := range data {
			data[i] = absent
		}
	}
	for i := 0; i < x.n; i++ {
		row := data[i*x.m : (i+1)*x.m]
		for q := x.ptr[i]; q < x.ptr[i+1]; q++ {
			row[x.idx[q]] = x.val[q]
		}
	}
	return mat.NewDense(x.n, x.m, data)
}

// sparseOf lists the non-NaN cells of d, of dᵀ when transpose is set.
func sparseOf(d *mat.Dense, transpose bool) *sparse {
	s := cellsOf(d, 0, func(x float64) bool { return !math.IsNaN(x) })
	if transpose {
		return s.transpose()
	}
	return s
}

// nonZeros lists the non-zero cells of the dense d by row; nz, if known,
// is their number.
func nonZeros(d *mat.Dense, nz int) *sparse {
	return cellsOf(d, nz, func(x float64) bool { return x != 0 })
}

// cellsOf lists the cells of d that keep accepts, by row, with room for
// size of them.
func cellsOf(d *mat.Dense, size int, keep func(float64) bool) *sparse {
	r, c := d.Dims()
	s := &sparse{n: r, m: c, ptr: make([]int, r+1), idx: make([]int, 0, size), val: make([]float64, 0, size)}
	for i := 0; i < r; i++ {
		for j, x := range d.RawRowView(i) {
			if keep(x) {
				s.idx = append(s.idx, j)
				s.val = append(s.val, x)
			}
		}
		s.ptr[i+1] = len(s.idx)
	}
	return s
}

// duplicate reports two listings of one cell: entries first and second of
// the input to buildSparse, first listed earlier.
type duplicate struct{ first, second int }

// buildSparse turns cells listed in any order (row ri[e], column ci[e],
// value vals[e]) into CSR form by two counting sorts, O(cells + n + m).
// Indices must be in range. When a cell is listed twice it returns the
// pair of entries instead.
func buildSparse(n, m int, ri, ci []int, vals []float64) (*sparse, *duplicate) {
	// Order the entries by column, then stably by row: within each row the
	// columns then come out in increasing order.
	byCol := countingOrder(m, ci, nil)
	order := countingOrder(n, ri, byCol)
	x := &sparse{n: n, m: m, ptr: make([]int, n+1), idx: make([]int, len(order)), val: make([]float64, len(order))}
	for _, e := range order {
		x.ptr[ri[e]+1]++
	}
	for i := 0; i < n; i++ {
		x.ptr[i+1] += x.ptr[i]
	}
	for q, e := range order {
		x.idx[q], x.val[q] = ci[e], vals[e]
		if q > x.ptr[ri[e]] && x.idx[q-1] == ci[e] {
			prev := order[q-1]
			return nil, &duplicate{first: min(prev, e), second: max(prev, e)}
		}
	}
	return x, nil
}

// countingOrder returns the entries sorted stably by key (keys in [0, n)):
// entries 0, 1, … when in is nil, otherwise the entries of in in their
// order there.
func countingOrder(n int, key []int, in []int) []int {
	start := make([]int, n+1)
	for _, k := range key {
		start[k+1]++
	}
	for k := 0; k < n; k++ {
		start[k+1] += start[k]
	}
	out := make([]int, len(key))
	place := func(e int) {
		out[start[key[e]]] = e
		start[key[e]]++
	}
	if in == nil {
		for e := range key {
			place(e)
		}
	} else {
		for _, e := range in {
			place(e)
		}
	}
	return out
}

// NewSparse returns a len(rows)×len(cols) matrix that stores only the
// listed cells: cell e is at row index ri[e] and column index ci[e]
// (0-based) with value vals[e]. Cells not listed are missing (NaN), as from
// ParseTriples; FillMissing(0) makes them zeros instead, still without
// storing them. Memory and the cost of a fit grow with the listed cells,
// not with rows × columns, which is what matrices like MovieLens' ratings
// need.
//
// A nil rows or cols slice is replaced by generated labels ("R1", … and
// "C1", …) as many as the largest index needs. A NaN value leaves its cell
// missing. NewSparse returns an error wrapping ErrEmpty, ErrShape,
// ErrDuplicateLabel, ErrDuplicateEntry or ErrNotFinite when the input does
// not describe a matrix. The slices are not kept.
func NewSparse(rows, cols []string, ri, ci []int, vals []float64) (*Matrix, error) {
	if len(ri) != len(ci) || len(ri) != len(vals) {
		return nil, fmt.Errorf("nmf: NewSparse: %d row indices, %d column indices and %d values: %w", len(ri), len(ci), len(vals), ErrShape)
	}
	nr, nc := 0, 0
	for e := range ri {
		if ri[e] < 0 || ci[e] < 0 {
			return nil, fmt.Errorf("nmf: NewSparse: entry %d has index (%d, %d): %w", e, ri[e], ci[e], ErrShape)
		}
		nr, nc = max(nr, ri[e]+1), max(nc, ci[e]+1)
	}
	if rows == nil {
		rows = generatedLabels("R", nr)
	}
	if cols == nil {
		cols = generatedLabels("C", nc)
	}
	if len(rows) == 0 || len(cols) == 0 {
		return nil, fmt.Errorf("nmf: NewSparse with %d rows and %d columns: %w", len(rows), len(cols), ErrEmpty)
	}
	if nr > len(rows) || nc > len(cols) {
		return nil, fmt.Errorf("nmf: NewSparse: an entry at row index %d or column index %d of a %d×%d matrix: %w", nr-1, nc-1, len(rows), len(cols), ErrShape)
	}
	keepR, keepC, keepV := ri, ci, vals
	for e, v := range vals {
		if math.IsInf(v, 0) {
			return nil, fmt.Errorf("nmf: NewSparse: value at row %q, column %q: %w", rows[ri[e]], cols[ci[e]], ErrNotFinite)
		}
	}
	if slices.ContainsFunc(vals, math.IsNaN) { // leave NaN cells out
		keepR, keepC, keepV = nil, nil, nil
		for e, v := range vals {
			if !math.IsNaN(v) {
				keepR, keepC, keepV = append(keepR, ri[e]), append(keepC, ci[e]), append(keepV, v)
			}
		}
	}
	x, dup := buildSparse(len(rows), len(cols), keepR, keepC, keepV)
	if dup != nil {
		return nil, fmt.Errorf("nmf: NewSparse: row %q, column %q listed twice: %w", rows[keepR[dup.first]], cols[keepC[dup.first]], ErrDuplicateEntry)
	}
	return newSparseMatrix(slices.Clone(rows), slices.Clone(cols), x, math.NaN())
}

// newSparseMatrix wraps x, whose cells not stored hold absent (NaN or 0),
// checking labels.
func newSparseMatrix(rows, cols []string, x *sparse, absent float64) (*Matrix, error) {
	m, err := newMatrix(rows, cols, nil)
	if err != nil {
		return nil, err
	}
	m.cells, m.absent = x, absent
	return m, nil
}
