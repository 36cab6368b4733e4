package nmf

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/mat"
)

// sparse holds the stored cells of an n×m matrix by row (CSR): row i's
// columns are idx[ptr[i]:ptr[i+1]], in increasing order, with values
// val[ptr[i]:ptr[i+1]]. It is never modified once built, so matrices and
// problems share it freely. Indices are 32-bit (n and m are at most
// maxSparseDim), which saves a quarter of the memory of 20 million ratings.
type sparse struct {
	n, m int
	ptr  []int
	idx  []int32
	val  []float64
	sparseCodes
	// t is xᵀ once transposed has formed it (and xᵀ's t is x): a matrix
	// keeps both layouts a fit reads instead of forming one per fit.
	t atomic.Pointer[sparse]
}

// transposed returns xᵀ as transpose does, formed once and kept.
func (x *sparse) transposed() *sparse {
	if t := x.t.Load(); t != nil {
		return t
	}
	t := x.transpose()
	t.t.Store(x)
	if !x.t.CompareAndSwap(nil, t) {
		return x.t.Load() // another goroutine formed it first
	}
	return t
}

// A matrix of at most maxCodes distinct values keeps them as one-byte
// codes: val is nil and value q is dict[code[q]] (values.go).
type sparseCodes struct {
	code []uint8
	dict *[maxCodes]float64 // indexed by a byte: no bounds checks
}

// value returns the value of stored cell q.
func (x *sparse) value(q int) float64 {
	if x.val != nil {
		return x.val[q]
	}
	return x.dict[x.code[q]]
}

// values returns the values of stored cells lo to hi: a view of x's own
// float64s, or, for coded values, *buf (grown as needed) holding them.
func (x *sparse) values(lo, hi int, buf *[]float64) []float64 {
	if x.val != nil {
		return x.val[lo:hi]
	}
	v := slices.Grow((*buf)[:0], hi-lo)[:hi-lo]
	for e, k := range x.code[lo:hi] {
		v[e] = x.dict[k]
	}
	*buf = v
	return v
}

// longestRow returns the most cells stored in one of rows lo to hi.
func (x *sparse) longestRow(lo, hi int) int {
	longest := 0
	for i := lo; i < hi; i++ {
		longest = max(longest, x.ptr[i+1]-x.ptr[i])
	}
	return longest
}

// coded reports whether x keeps its values as codes.
func (x *sparse) coded() bool { return x.val == nil && x.code != nil }

// maxSparseDim is the largest number of rows or columns a sparse matrix
// may have: its indices are int32.
const maxSparseDim = math.MaxInt32

// at returns the value stored at (i, j) and whether there is one.
func (x *sparse) at(i, j int) (float64, bool) {
	lo, hi := x.ptr[i], x.ptr[i+1]
	if j > maxSparseDim {
		return 0, false
	}
	q, ok := slices.BinarySearch(x.idx[lo:hi], int32(j))
	if !ok {
		return 0, false
	}
	return x.value(lo + q), true
}

// transpose returns xᵀ in the same form (CSR of the transpose, that is CSC
// of x), by a counting sort on the columns; rows come out in increasing
// order within each column.
func (x *sparse) transpose() *sparse {
	t := &sparse{n: x.m, m: x.n, ptr: make([]int, x.m+1), idx: make([]int32, len(x.idx))}
	if x.coded() {
		t.code, t.dict = make([]uint8, len(x.code)), x.dict
	} else {
		t.val = make([]float64, len(x.val))
	}
	x.transposeInto(t)
	return t
}

// transposeInto forms xᵀ in t, whose ptr, idx and values have xᵀ's sizes.
func (x *sparse) transposeInto(t *sparse) {
	// The rows are cut into ranges of about equal cells, one per core;
	// each range counts its cells per column, and then places them from
	// where the ranges before it end in every column, so that each column
	// lists its rows in order whatever the number of ranges.
	ranges := 1
	if len(x.idx) >= minParallelWork {
		ranges = max(1, min(runtime.GOMAXPROCS(0), len(x.idx)/minParallelWork))
	}
	first := make([]int, ranges+1) // range r is rows first[r] to first[r+1]
	for r := 1; r < ranges; r++ {
		first[r], _ = slices.BinarySearch(x.ptr, r*len(x.idx)/ranges)
		first[r] = max(first[r], first[r-1])
	}
	first[ranges] = x.n
	next := make([][]int, ranges) // next[r][j]: where range r's next cell of column j goes
	forPieces(ranges, float64(len(x.idx)), func(r int) {
		count := make([]int, x.m)
		for _, j := range x.idx[x.ptr[first[r]]:x.ptr[first[r+1]]] {
			count[j]++
		}
		next[r] = count
	})
	for j := 0; j < x.m; j++ {
		at := t.ptr[j]
		for _, count := range next {
			at, count[j] = at+count[j], at
		}
		t.ptr[j+1] = at
	}
	forPieces(ranges, float64(len(x.idx)), func(r int) {
		next := next[r]
		for i := first[r]; i < first[r+1]; i++ {
			for q := x.ptr[i]; q < x.ptr[i+1]; q++ {
				j := x.idx[q]
				t.idx[next[j]] = int32(i)
				if t.val != nil {
					t.val[next[j]] = x.val[q]
				} else {
					t.code[next[j]] = x.code[q]
				}
				next[j]++
			}
		}
	})
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
			row[x.idx[q]] = x.value(q)
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
	s := &sparse{n: r, m: c, ptr: make([]int, r+1), idx: make([]int32, 0, size), val: make([]float64, 0, size)}
	for i := 0; i < r; i++ {
		for j, x := range d.RawRowView(i) {
			if keep(x) {
				s.idx = append(s.idx, int32(j))
				s.val = append(s.val, x)
			}
		}
		s.ptr[i+1] = len(s.idx)
	}
	return s
}

// duplicate reports a cell listed twice to buildSparse.
type duplicate struct{ row, col int32 }

// entries returns the first two entries of l that list the cell.
func (d *duplicate) entries(l cellList) (first, second int) {
	first = -1
	for e := range l.len() {
		if l.row(e) == d.row && l.col(e) == d.col {
			if first >= 0 {
				return first, e
			}
			first = e
		}
	}
	panic("nmf: duplicate.entries: the cell is not listed twice")
}

// cellList is a list of cells for buildSparse: cell e is at row ri[e] and
// column ci[e] with value vals[e], the numbers mapped through rowMap and
// colMap when those are set.
//
// A list's values are vals, or, when codes is set, dict[codes[e]]; its
// row numbers ri, or, when ri16 is set, ri16 (and so for columns).
type cellList struct {
	ri, ci         []int32
	ri16, ci16     []uint16
	vals           []float64
	codes          []uint8
	dict           []float64
	rowMap, colMap []int32
}

// len returns the number of cells listed.
func (l *cellList) len() int {
	if l.ri16 != nil {
		return len(l.ri16)
	}
	return len(l.ri)
}

// value returns cell e's value.
func (l *cellList) value(e int) float64 {
	if l.codes != nil {
		return l.dict[l.codes[e]]
	}
	return l.vals[e]
}

func (l *cellList) row(e int) int32 {
	var r int32
	if l.ri16 != nil {
		r = int32(l.ri16[e])
	} else {
		r = l.ri[e]
	}
	if l.rowMap != nil {
		return l.rowMap[r]
	}
	return r
}

func (l *cellList) col(e int) int32 {
	var c int32
	if l.ci16 != nil {
		c = int32(l.ci16[e])
	} else {
		c = l.ci[e]
	}
	if l.colMap != nil {
		return l.colMap[c]
	}
	return c
}

// buildSparse turns cells listed in any order, in one list or several,
// into an n×m CSR matrix: it counts the cells of each row, places them
// row by row in the order listed and sorts the rows that need it (a file
// sorted by row, or by column, needs none), O(cells) then. Indices must be
// in range. Each list's slices are dropped from it once placed, so that
// the memory of a large input can go back while the matrix is built. When
// a cell is listed twice it returns that cell instead.
func buildSparse(n, m int, lists []cellList) (*sparse, *duplicate) {
	x := &sparse{n: n, m: m, ptr: make([]int, n+1)}
	total := 0
	for _, l := range lists {
		for e := range l.len() {
			x.ptr[l.row(e)+1]++
		}
		total += l.len()
	}
	for i := 0; i < n; i++ {
		x.ptr[i+1] += x.ptr[i]
	}
	// Coded lists whose dictionaries together name at most maxCodes
	// values give a coded matrix: each list's codes map into one
	// dictionary.
	recode := make([][]uint8, len(lists))
	var dict valueDict
	coded := true
	for li, l := range lists {
		if l.codes == nil {
			coded = false
			break
		}
		recode[li] = make([]uint8, len(l.dict))
		for k, v := range l.dict {
			c, ok := dict.code(v)
			if !ok {
				coded = false
				break
			}
			recode[li][k] = c
		}
	}
	x.idx = make([]int32, total)
	if coded {
		x.code, x.dict = make([]uint8, total), new([maxCodes]float64)
		copy(x.dict[:], dict.vals)
	} else {
		x.val = make([]float64, total)
	}
	next := slices.Clone(x.ptr[:n])
	for li := range lists {
		l := &lists[li]
		for e := range l.len() {
			i := l.row(e)
			x.idx[next[i]] = l.col(e)
			if coded {
				x.code[next[i]] = recode[li][l.codes[e]]
			} else {
				x.val[next[i]] = l.value(e)
			}
			next[i]++
		}
		*l = cellList{}
	}
	var dupRow atomic.Int64
	dupRow.Store(-1)
	var sorters sync.Pool // the sorters' scratch, kept from chunk to chunk
	forPieces((n+chunkRows-1)/chunkRows, float64(total), func(c int) {
		sorter, _ := sorters.Get().(*rowSorter)
		if sorter == nil {
			sorter = new(rowSorter)
		}
		defer sorters.Put(sorter)
		for i := c * chunkRows; i < min((c+1)*chunkRows, n); i++ {
			lo, hi := x.ptr[i], x.ptr[i+1]
			cols := x.idx[lo:hi]
			if !sortedRow(cols) {
				if coded {
					sorter.sortCoded(cols, x.code[lo:hi])
				} else {
					sorter.sort(cols, x.val[lo:hi])
				}
			}
			if _, ok := repeatedCol(cols); ok {
				dupRow.CompareAndSwap(-1, int64(i))
			}
		}
	})
	if i := dupRow.Load(); i >= 0 {
		j, _ := repeatedCol(x.idx[x.ptr[i]:x.ptr[i+1]])
		return nil, &duplicate{row: int32(i), col: j}
	}
	return x, nil
}

// repeatedCol returns the first column a sorted row lists twice.
func repeatedCol(cols []int32) (int32, bool) {
	for q := 1; q < len(cols); q++ {
		if cols[q] == cols[q-1] {
			return cols[q], true
		}
	}
	return 0, false
}

// sortedRow reports whether a row's columns increase.
func sortedRow(cols []int32) bool {
	for q := 1; q < len(cols); q++ {
		if cols[q] <= cols[q-1] {
			return false
		}
	}
	return true
}

// rowSorter sorts a row's cells by column, cells of the same column in the
// order listed (as a stable sort would, so that a duplicate is reported at
// its second listing). It sorts one 64-bit key per cell, the column above
// the cell's place in the row, which is several times faster than a stable
// sort moving the cells themselves; keys and values reuse its scratch.
type rowSorter struct {
	keys, spare []uint64
	vals        []float64
	codes       []uint8
}

// radixFrom is the row length from which order sorts by radix: below it
// the two 256-entry counts of a radix pass cost more than comparisons.
const radixFrom = 64

// order sorts the keys of a row's cells. A long row is sorted by the
// column's bytes, least significant first, with one counting pass each
// (as many as the row's largest column needs: two below 65,536); the
// keys start in place order and each pass is stable, so the result is
// the comparison sort's. On MovieLens-20M's shape it took a quarter of
// ReadTriples' processor time by comparisons.
func (s *rowSorter) order(cols []int32) {
	n := len(cols)
	s.keys = slices.Grow(s.keys[:0], n)[:n]
	largest := uint32(0)
	for q, c := range cols {
		s.keys[q] = uint64(uint32(c))<<32 | uint64(q)
		largest = max(largest, uint32(c))
	}
	if n < radixFrom {
		slices.Sort(s.keys)
		return
	}
	s.spare = slices.Grow(s.spare[:0], n)[:n]
	src, dst := s.keys, s.spare
	for shift := 32; shift < 64 && largest>>(shift-32) != 0; shift += 8 {
		var start [256]int
		for _, key := range src {
			start[byte(key>>shift)]++
		}
		sum := 0
		for d, count := range start {
			start[d] = sum
			sum += count
		}
		for _, key := range src {
			d := byte(key >> shift)
			dst[start[d]] = key
			start[d]++
		}
		src, dst = dst, src
	}
	s.keys, s.spare = src, dst
}

func (s *rowSorter) sort(cols []int32, vals []float64) {
	s.order(cols)
	s.vals = append(s.vals[:0], vals...)
	for q, key := range s.keys {
		cols[q], vals[q] = int32(key>>32), s.vals[uint32(key)]
	}
}

// sortCoded is sort for a row of coded values.
func (s *rowSorter) sortCoded(cols []int32, codes []uint8) {
	s.order(cols)
	s.codes = append(s.codes[:0], codes...)
	for q, key := range s.keys {
		cols[q], codes[q] = int32(key>>32), s.codes[uint32(key)]
	}
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
	if len(rows) > maxSparseDim || len(cols) > maxSparseDim {
		return nil, fmt.Errorf("nmf: NewSparse with %d rows and %d columns: more than %d: %w", len(rows), len(cols), maxSparseDim, ErrShape)
	}
	for e, v := range vals {
		if math.IsInf(v, 0) {
			return nil, fmt.Errorf("nmf: NewSparse: value at row %q, column %q: %w", rows[ri[e]], cols[ci[e]], ErrNotFinite)
		}
	}
	// The listed cells with a value (a NaN leaves its cell out).
	l := cellList{ri: make([]int32, 0, len(ri)), ci: make([]int32, 0, len(ci)), vals: make([]float64, 0, len(vals))}
	for e, v := range vals {
		if !math.IsNaN(v) {
			l.ri, l.ci, l.vals = append(l.ri, int32(ri[e])), append(l.ci, int32(ci[e])), append(l.vals, v)
		}
	}
	x, dup := buildSparse(len(rows), len(cols), []cellList{l})
	if dup != nil {
		return nil, fmt.Errorf("nmf: NewSparse: row %q, column %q listed twice: %w", rows[dup.row], cols[dup.col], ErrDuplicateEntry)
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
