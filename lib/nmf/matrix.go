package nmf

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"

	"nmfkernel/lib/display/table"
)

// Matrix is a matrix of float64 values with a label for every row and
// every column. A NaN cell is a missing value: it is left out of the loss
// when the matrix is factorized and predicted from W·H afterwards.
//
// A Matrix is stored densely, or sparsely when it comes from NewSparse,
// ParseTriples or ReadTriples: then only the listed cells are kept, the
// others being missing (or zero after FillMissing(0)), and fits cost in
// proportion to the listed cells. IsSparse tells which.
//
// The zero value is not usable; build a Matrix with NewMatrix, FromDense,
// NewSparse, ParseCSV, ReadCSV, ParseTriples or ReadTriples.
type Matrix struct {
	rows, cols     []string
	rowIdx, colIdx map[string]int
	// data is the dense storage; nil when cells is set.
	data *mat.Dense
	// cells are the stored cells of a sparse matrix; every other cell
	// holds absent: NaN (missing) or 0.
	cells  *sparse
	absent float64
}

// NewMatrix returns a len(rows)×len(cols) matrix holding data in row-major
// order; data is used as the backing store, not copied. A nil rows or cols
// slice is replaced by generated labels ("R1", "R2", … and "C1", "C2", …), in
// which case the dimensions are taken from the other labels and len(data).
// Use math.NaN() for a missing value.
//
// NewMatrix returns an error wrapping ErrEmpty, ErrShape, ErrDuplicateLabel
// or ErrNotFinite when the input does not describe a matrix.
func NewMatrix(rows, cols []string, data []float64) (*Matrix, error) {
	switch {
	case rows == nil && cols == nil:
		return nil, fmt.Errorf("nmf: NewMatrix needs row or column labels: %w", ErrShape)
	case rows == nil:
		if len(cols) == 0 || len(data)%len(cols) != 0 {
			return nil, fmt.Errorf("nmf: NewMatrix: %d values do not fill rows of %d columns: %w", len(data), len(cols), ErrShape)
		}
		rows = generatedLabels("R", len(data)/len(cols))
	case cols == nil:
		if len(rows) == 0 || len(data)%len(rows) != 0 {
			return nil, fmt.Errorf("nmf: NewMatrix: %d values do not fill %d rows: %w", len(data), len(rows), ErrShape)
		}
		cols = generatedLabels("C", len(data)/len(rows))
	}
	if len(rows) == 0 || len(cols) == 0 {
		return nil, fmt.Errorf("nmf: NewMatrix with %d rows and %d columns: %w", len(rows), len(cols), ErrEmpty)
	}
	if len(data) != len(rows)*len(cols) {
		return nil, fmt.Errorf("nmf: NewMatrix: %d values for %d×%d: %w", len(data), len(rows), len(cols), ErrShape)
	}
	for i, v := range data {
		if math.IsInf(v, 0) {
			return nil, fmt.Errorf("nmf: NewMatrix: value at row %q, column %q: %w", rows[i/len(cols)], cols[i%len(cols)], ErrNotFinite)
		}
	}
	return newMatrix(rows, cols, mat.NewDense(len(rows), len(cols), data))
}

// FromDense returns a labeled copy of a gonum matrix. Labels may be nil, as
// in NewMatrix.
func FromDense(m mat.Matrix, rows, cols []string) (*Matrix, error) {
	if m == nil {
		return nil, fmt.Errorf("nmf: FromDense of nil matrix: %w", ErrEmpty)
	}
	r, c := m.Dims()
	if rows == nil {
		rows = generatedLabels("R", r)
	}
	if cols == nil {
		cols = generatedLabels("C", c)
	}
	if len(rows) != r || len(cols) != c {
		return nil, fmt.Errorf("nmf: FromDense: %d row and %d column labels for a %d×%d matrix: %w", len(rows), len(cols), r, c, ErrShape)
	}
	return NewMatrix(rows, cols, mat.DenseCopyOf(m).RawMatrix().Data)
}

// newMatrix wraps d, which must be len(rows)×len(cols), checking labels.
func newMatrix(rows, cols []string, d *mat.Dense) (*Matrix, error) {
	rowIdx, err := labelIndex(rows, "row")
	if err != nil {
		return nil, err
	}
	colIdx, err := labelIndex(cols, "column")
	if err != nil {
		return nil, err
	}
	return &Matrix{rows: rows, cols: cols, rowIdx: rowIdx, colIdx: colIdx, data: d}, nil
}

// mustMatrix wraps d with labels the package generated itself and knows to
// be unique.
func mustMatrix(rows, cols []string, d *mat.Dense) *Matrix {
	m, err := newMatrix(rows, cols, d)
	if err != nil {
		panic(fmt.Sprintf("nmf: internal error: %v", err))
	}
	return m
}

// factorOf labels d (a factor of src) with src's rows (and their index,
// shared: labels never change once made) and cols, or with rows and
// src's columns when byCols is set. A 20M-rating fit's W saves building
// an index of 138,000 users anew (16 MB).
func factorOf(src *Matrix, labels []string, d *mat.Dense, byCols bool) *Matrix {
	idx, err := labelIndex(labels, "segment")
	if err != nil {
		panic(fmt.Sprintf("nmf: internal error: %v", err))
	}
	if byCols {
		return &Matrix{rows: labels, rowIdx: idx, cols: src.cols, colIdx: src.colIdx, data: d}
	}
	return &Matrix{rows: src.rows, rowIdx: src.rowIdx, cols: labels, colIdx: idx, data: d}
}

func labelIndex(labels []string, what string) (map[string]int, error) {
	idx := make(map[string]int, len(labels))
	for i, l := range labels {
		if j, dup := idx[l]; dup {
			return nil, fmt.Errorf("nmf: %s label %q at positions %d and %d: %w", what, l, j+1, i+1, ErrDuplicateLabel)
		}
		idx[l] = i
	}
	return idx, nil
}

func generatedLabels(prefix string, n int) []string {
	l := make([]string, n)
	for i := range l {
		l[i] = prefix + strconv.Itoa(i+1)
	}
	return l
}

// Dims returns the number of rows and columns.
func (m *Matrix) Dims() (r, c int) { return len(m.rows), len(m.cols) }

// At returns the value at row i, column j (NaN when missing). Like gonum's
// At it panics when i or j is out of range.
func (m *Matrix) At(i, j int) float64 {
	if m.cells == nil {
		return m.data.At(i, j)
	}
	if uint(i) >= uint(m.cells.n) || uint(j) >= uint(m.cells.m) {
		panic(mat.ErrIndexOutOfRange)
	}
	if v, ok := m.cells.at(i, j); ok {
		return v
	}
	return m.absent
}

// IsSparse reports whether m stores only its listed cells (see NewSparse).
func (m *Matrix) IsSparse() bool { return m.cells != nil }

// dense returns m's values as a dense matrix: the storage itself for a
// dense m (not to be modified), a new matrix for a sparse one.
func (m *Matrix) dense() *mat.Dense {
	if m.cells == nil {
		return m.data
	}
	return m.cells.denseFill(m.absent)
}

// row copies row i into dst (len cols).
func (m *Matrix) row(dst []float64, i int) []float64 {
	if m.cells == nil {
		return mat.Row(dst, i, m.data)
	}
	if dst == nil {
		dst = make([]float64, m.cells.m)
	}
	for j := range dst {
		dst[j] = m.absent
	}
	for q := m.cells.ptr[i]; q < m.cells.ptr[i+1]; q++ {
		dst[m.cells.idx[q]] = m.cells.value(q)
	}
	return dst
}

// storedRow returns row i's stored values and, for a sparse m, their
// columns (nil for a dense m, whose values are the whole row). Coded
// values are decoded into *buf.
func (m *Matrix) storedRow(i int, buf *[]float64) (vals []float64, cols []int32) {
	if m.cells == nil {
		return m.data.RawRowView(i), nil
	}
	lo, hi := m.cells.ptr[i], m.cells.ptr[i+1]
	return m.cells.values(lo, hi, buf), m.cells.idx[lo:hi]
}

// eachObserved calls f for every cell that is not missing, row by row.
func (m *Matrix) eachObserved(f func(i, j int, v float64)) {
	if m.cells != nil && !math.IsNaN(m.absent) {
		eachNotNaN(m.dense(), f) // the cells not stored are observed zeros
		return
	}
	m.eachStored(f)
}

// eachStored calls f, row by row, for every stored cell of a sparse m and
// every cell that is not missing of a dense m.
func (m *Matrix) eachStored(f func(i, j int, v float64)) {
	if m.cells == nil {
		eachNotNaN(m.data, f)
		return
	}
	x := m.cells
	for i := 0; i < x.n; i++ {
		for q := x.ptr[i]; q < x.ptr[i+1]; q++ {
			f(i, int(x.idx[q]), x.value(q))
		}
	}
}

func eachNotNaN(d *mat.Dense, f func(i, j int, v float64)) {
	r, _ := d.Dims()
	for i := 0; i < r; i++ {
		for j, v := range d.RawRowView(i) {
			if !math.IsNaN(v) {
				f(i, j, v)
			}
		}
	}
}

// Value returns the value at the labeled row and column (NaN when missing).
func (m *Matrix) Value(row, col string) (float64, error) {
	i, err := m.rowIndex(row)
	if err != nil {
		return 0, err
	}
	j, err := m.colIndex(col)
	if err != nil {
		return 0, err
	}
	return m.At(i, j), nil
}

// RowLabels returns a copy of the row labels.
func (m *Matrix) RowLabels() []string { return append([]string(nil), m.rows...) }

// ColLabels returns a copy of the column labels.
func (m *Matrix) ColLabels() []string { return append([]string(nil), m.cols...) }

// Row returns a copy of the labeled row.
func (m *Matrix) Row(label string) ([]float64, error) {
	i, err := m.rowIndex(label)
	if err != nil {
		return nil, err
	}
	return m.row(nil, i), nil
}

// Col returns a copy of the labeled column.
func (m *Matrix) Col(label string) ([]float64, error) {
	j, err := m.colIndex(label)
	if err != nil {
		return nil, err
	}
	if m.cells != nil {
		col := make([]float64, len(m.rows))
		for i := range col {
			col[i] = m.At(i, j)
		}
		return col, nil
	}
	return mat.Col(nil, j, m.data), nil
}

func (m *Matrix) rowIndex(label string) (int, error) {
	i, ok := m.rowIdx[label]
	if !ok {
		if _, other := m.colIdx[label]; other {
			return 0, fmt.Errorf("nmf: no row %q: %q is a column here (rows are %s), see Transpose: %w", label, label, labelList(m.rows), ErrUnknownLabel)
		}
		return 0, fmt.Errorf("nmf: no row %q (rows are %s): %w", label, labelList(m.rows), ErrUnknownLabel)
	}
	return i, nil
}

func (m *Matrix) colIndex(label string) (int, error) {
	j, ok := m.colIdx[label]
	if !ok {
		if _, other := m.rowIdx[label]; other {
			return 0, fmt.Errorf("nmf: no column %q: %q is a row here (columns are %s), see Transpose: %w", label, label, labelList(m.cols), ErrUnknownLabel)
		}
		return 0, fmt.Errorf("nmf: no column %q (columns are %s): %w", label, labelList(m.cols), ErrUnknownLabel)
	}
	return j, nil
}

// labelList shortens a label list for error messages.
func labelList(l []string) string {
	const most = 8
	if len(l) <= most {
		return strings.Join(l, ", ")
	}
	return strings.Join(l[:most], ", ") + fmt.Sprintf(", … (%d in all)", len(l))
}

// T returns the transpose, as gonum's mat.Matrix interface asks: a
// *Matrix (see Transpose), so that a *Matrix is a mat.Matrix and goes
// wherever gonum takes one.
func (m *Matrix) T() mat.Matrix { return m.Transpose() }

// Transpose returns the transpose as a new matrix: rows become columns,
// with their labels.
func (m *Matrix) Transpose() *Matrix {
	if m.cells != nil {
		return &Matrix{rows: m.cols, cols: m.rows, rowIdx: m.colIdx, colIdx: m.rowIdx, cells: m.cells.transposed(), absent: m.absent}
	}
	t := transposeOf(m.data)
	return &Matrix{rows: m.cols, cols: m.rows, rowIdx: m.colIdx, colIdx: m.rowIdx, data: t}
}

// Dense returns m as a gonum matrix; missing values are NaN. For a dense m
// it is the underlying storage: changes to it change m. For a sparse m it
// is a new rows×cols matrix, which may be far larger than m.
func (m *Matrix) Dense() *mat.Dense { return m.dense() }

// IsMissing reports whether the cell at row i, column j is missing.
func (m *Matrix) IsMissing(i, j int) bool { return math.IsNaN(m.At(i, j)) }

// Missing returns the number of missing cells.
func (m *Matrix) Missing() int {
	if m.cells != nil {
		if math.IsNaN(m.absent) {
			return m.cells.n*m.cells.m - len(m.cells.idx)
		}
		return 0
	}
	n := 0
	for _, v := range m.data.RawMatrix().Data {
		if math.IsNaN(v) {
			n++
		}
	}
	return n
}

// Rename returns a copy of m with new row and column labels; a nil slice
// keeps the current labels.
func (m *Matrix) Rename(rows, cols []string) (*Matrix, error) {
	if rows == nil {
		rows = m.rows
	}
	if cols == nil {
		cols = m.cols
	}
	r, c := m.Dims()
	if len(rows) != r || len(cols) != c {
		return nil, fmt.Errorf("nmf: Rename: %d row and %d column labels for a %d×%d matrix: %w", len(rows), len(cols), r, c, ErrShape)
	}
	if m.cells != nil {
		return newSparseMatrix(slices.Clone(rows), slices.Clone(cols), m.cells, m.absent)
	}
	return newMatrix(append([]string(nil), rows...), append([]string(nil), cols...), mat.DenseCopyOf(m.data))
}

// String formats the matrix as an aligned text table with its labels;
// large matrices show their first and last rows and columns.
func (m *Matrix) String() string { return m.table().Text() }

// HTML formats the matrix as an HTML table with its labels, for notebook
// display; large matrices show their first and last rows and columns.
func (m *Matrix) HTML() string { return m.table().HTML() }

func (m *Matrix) table() *table.Table {
	r, c := m.Dims()
	return table.Numeric(r, c, m.At, m.rows, m.cols)
}

// FormatValue formats a cell value the way tables in this package show it:
// at most four decimals, "NA" for a missing value.
func FormatValue(v float64) string { return table.FormatFloat(v) }
