package nmf

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"

	"nmfkernel/internal/atomicfile"
)

// ErrDuplicateEntry reports a (row, column) pair given twice in a triples file.
var ErrDuplicateEntry = errors.New("duplicate entry")

// ReadCSV reads a labeled matrix from a CSV file; see ParseCSV for the format.
func ReadCSV(path string) (*Matrix, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("nmf: read %s: %w", path, err)
	}
	defer f.Close()
	m, err := ParseCSV(f)
	return m, withPath(err, path)
}

// ParseCSV reads a labeled matrix in CSV form: the header row holds the
// column labels (its first cell, the corner, is ignored) and the first field
// of every other row is that row's label. An empty cell, NA, NaN or ? (in any
// letter case) is a missing value. Values must be finite and non-negative.
//
// Errors are *ParseError values naming the line and field, wrapping
// ErrEmpty, ErrFieldCount, ErrNotNumber, ErrNotFinite, ErrNegative,
// ErrDuplicateLabel or a CSV syntax error from encoding/csv.
func ParseCSV(r io.Reader) (*Matrix, error) {
	cr := newCSVReader(r)
	header, err := readHeader(cr)
	if err != nil {
		return nil, err
	}
	if len(header) < 2 {
		return nil, &ParseError{Line: 1, Err: fmt.Errorf("header has no column labels: %w", ErrEmpty)}
	}
	cols := make([]string, len(header)-1)
	colIdx := make(map[string]int, len(cols))
	for j, h := range header[1:] {
		h = strings.TrimSpace(h)
		if prev, dup := colIdx[h]; dup {
			return nil, &ParseError{Line: 1, Column: j + 2, Err: fmt.Errorf("column label %q also in column %d: %w", h, prev+2, ErrDuplicateLabel)}
		}
		colIdx[h] = j
		cols[j] = h
	}
	var rows []string
	rowLine := map[string]int{}
	var data []float64
	for {
		rec, line, err := nextRecord(cr)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(rec) != len(header) {
			return nil, &ParseError{Line: line, Err: fmt.Errorf("%d fields, header has %d: %w", len(rec), len(header), ErrFieldCount)}
		}
		label := strings.TrimSpace(rec[0])
		if prev, dup := rowLine[label]; dup {
			return nil, &ParseError{Line: line, Column: 1, Err: fmt.Errorf("row label %q also on line %d: %w", label, prev, ErrDuplicateLabel)}
		}
		rowLine[label] = line
		rows = append(rows, label)
		for j, field := range rec[1:] {
			v, err := parseValue(field)
			if err != nil {
				l, _ := cr.FieldPos(j + 1)
				return nil, &ParseError{Line: l, Column: j + 2, Err: err}
			}
			data = append(data, v)
		}
	}
	if len(rows) == 0 {
		return nil, &ParseError{Line: 2, Err: fmt.Errorf("no data rows: %w", ErrEmpty)}
	}
	return newMatrix(rows, cols, mat.NewDense(len(rows), len(cols), data))
}

func newCSVReader(r io.Reader) *csv.Reader { return csvReader(&bomSkipper{r: r}) }

// csvReader is newCSVReader for input that cannot start with a byte order
// mark (a piece from the middle of a file).
func csvReader(r io.Reader) *csv.Reader {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	return cr
}

// readHeader reads the header row (a copy: the reader reuses records).
func readHeader(cr *csv.Reader) ([]string, error) {
	header, err := cr.Read()
	if err == io.EOF {
		return nil, &ParseError{Line: 1, Err: fmt.Errorf("no header row: %w", ErrEmpty)}
	}
	if err != nil {
		return nil, csvError(err)
	}
	return slices.Clone(header), nil
}

// nextRecord returns the next record that is not a line of blanks, with
// its line number; io.EOF at the end.
func nextRecord(cr *csv.Reader) (rec []string, line int, err error) {
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil, 0, io.EOF
		}
		if err != nil {
			return nil, 0, csvError(err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		line, _ := cr.FieldPos(0)
		return rec, line, nil
	}
}

// parseValue parses one cell: a missing-value marker gives NaN.
func parseValue(field string) (float64, error) {
	s := strings.TrimSpace(field)
	switch strings.ToLower(s) {
	case "", "na", "nan", "?":
		return math.NaN(), nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return 0, fmt.Errorf("%q is out of range: %w", s, ErrNotFinite)
		}
		return 0, fmt.Errorf("%q: %w", s, ErrNotNumber)
	}
	switch {
	case math.IsInf(v, 0):
		return 0, fmt.Errorf("%q: %w", s, ErrNotFinite)
	case math.IsNaN(v):
		return math.NaN(), nil
	case v < 0:
		return 0, fmt.Errorf("%s: %w (NMF needs values ≥ 0)", s, ErrNegative)
	}
	return v, nil
}

// csvError turns an encoding/csv error into a *ParseError.
func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &ParseError{Line: pe.Line, Err: fmt.Errorf("CSV syntax: %w", pe.Err)}
	}
	return fmt.Errorf("nmf: read CSV: %w", err)
}

func withPath(err error, path string) error {
	var pe *ParseError
	if errors.As(err, &pe) {
		pe.Path = path
	}
	return err
}

// bomSkipper drops a leading UTF-8 byte order mark, which spreadsheet
// programs put at the start of CSV exports.
type bomSkipper struct {
	r    io.Reader
	done bool
	buf  []byte
}

func (b *bomSkipper) Read(p []byte) (int, error) {
	if !b.done {
		b.done = true
		head := make([]byte, 3)
		n, err := io.ReadFull(b.r, head)
		head = head[:n]
		if n == 3 && string(head) == "\ufeff" {
			head = nil
		}
		b.buf = head
		if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
			return 0, err
		}
	}
	if len(b.buf) > 0 {
		n := copy(p, b.buf)
		b.buf = b.buf[n:]
		return n, nil
	}
	return b.r.Read(p)
}

// WriteCSV writes m in the form ParseCSV reads, with missing values as empty
// cells and numbers in the shortest form that reads back exactly.
func (m *Matrix) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	r, c := m.Dims()
	if err := cw.Write(append([]string{""}, m.cols...)); err != nil {
		return fmt.Errorf("nmf: write CSV: %w", err)
	}
	rec := make([]string, c+1)
	for i := 0; i < r; i++ {
		rec[0] = m.rows[i]
		for j := 0; j < c; j++ {
			v := m.At(i, j)
			if math.IsNaN(v) {
				rec[j+1] = ""
			} else {
				rec[j+1] = strconv.FormatFloat(v, 'g', -1, 64)
			}
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("nmf: write CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("nmf: write CSV: %w", err)
	}
	return nil
}

// SaveCSV writes m to a file with WriteCSV. It writes a temporary file
// beside path and renames it, so a failure never leaves a half-written file.
func (m *Matrix) SaveCSV(path string) error {
	if err := atomicfile.Write(path, m.WriteCSV); err != nil {
		return fmt.Errorf("nmf: save %s: %w", path, err)
	}
	return nil
}

// ReadTriples reads a matrix from a long-form CSV file; see ParseTriples.
// A file over 16 MB without quoted fields is parsed in pieces on all cores
// (GOMAXPROCS), with the same result, labels, line numbers and errors as a
// sequential read.
func ReadTriples(path, rowField, colField, valueField string) (*Matrix, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("nmf: read %s: %w", path, err)
	}
	defer f.Close()
	var size int64
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	if size > 2*chunkBytes && runtime.GOMAXPROCS(0) > 1 {
		m, err := readTriplesChunked(f, size, rowField, colField, valueField)
		if !errors.Is(err, errSequential) {
			return m, withPath(err, path)
		}
	}
	// The chunked reader reads with ReadAt, leaving f's offset at 0.
	m, err := parseTriples(f, size, rowField, colField, valueField)
	return m, withPath(err, path)
}

// ParseTriples reads a matrix from CSV in long form, one observed cell per
// line, such as MovieLens' ratings.csv (userId,movieId,rating,timestamp).
// The header names the fields: rowField and colField give the labels,
// valueField the value (an empty valueField makes every listed cell 1, as
// for a "watched" or "bought" matrix). Other fields are ignored. Cells not
// listed are missing; use FillMissing(0) where absence means zero.
//
// The matrix is sparse (see NewSparse): it keeps the listed cells only,
// by row and by column (the two layouts a fit reads; the second formed
// at once for a large file, else at the first fit), each value as a
// one-byte code when the file has at most 256 distinct values, as ratings
// do. A file of 20 million ratings between 138,000 people and 27,000 films
// so becomes 200 MB (240 MB a layout with other values), not the 30 GB of
// a dense matrix of that shape.
//
// Labels are ordered numerically when they are all integers, otherwise in
// order of first appearance. A pair listed twice is an error wrapping
// ErrDuplicateEntry.
func ParseTriples(r io.Reader, rowField, colField, valueField string) (*Matrix, error) {
	return parseTriples(r, 0, rowField, colField, valueField)
}

// sizeSample is how many lines parseTriples reads before it estimates,
// from their bytes and the input's size, how many the input holds.
const sizeSample = 4096

// parseTriples is ParseTriples for an input of size bytes (0 if unknown).
// With the size known, it sizes its cell lists once, after the first
// sizeSample lines, instead of letting them grow by doubling: about a sixth
// of the time of reading a large ratings file went to copying them.
func parseTriples(r io.Reader, size int64, rowField, colField, valueField string) (*Matrix, error) {
	cr, layout, err := readTripleHeader(r, rowField, colField, valueField)
	if err != nil {
		return nil, err
	}
	t := newTriples()
	t.keepLines = true
	if err := t.read(cr, layout, size); err != nil {
		return nil, err
	}
	return t.matrix(rowField, colField)
}

// tripleLayout says where a long-form file's fields are.
type tripleLayout struct {
	ri, ci, vi int // field positions; vi < 0 when every listed cell is 1
	nfields    int // the header's field count
}

// readTripleHeader starts reading a long-form file: it reads the header
// and finds the named fields in it, returning the reader, positioned at
// the first data line, and the layout.
func readTripleHeader(r io.Reader, rowField, colField, valueField string) (*csv.Reader, tripleLayout, error) {
	cr := newCSVReader(r)
	header, err := readHeader(cr)
	if err != nil {
		return nil, tripleLayout{}, err
	}
	ri, ci, vi, err := tripleFields(header, rowField, colField, valueField)
	return cr, tripleLayout{ri: ri, ci: ci, vi: vi, nfields: len(header)}, err
}

// triples accumulates the listed cells of a long-form file: labels
// numbered in order of first appearance, and per cell its row and column
// numbers, value and (with keepLines) line, for the error a pair listed
// twice gets.
type triples struct {
	rowIdx, colIdx map[string]int
	rows, cols     []string
	ri, ci         labelNums
	vals           codedValues
	lines          []int
	keepLines      bool
	// presized says ri, ci and vals have room for every cell (the slab's
	// regions, which grow must not move them out of).
	presized bool
	// lastRow and lastCol are the numbers of the labels of the previous
	// line (−1 before the first): files grouped by row repeat the row
	// label line after line, and comparing with it saves a map lookup.
	lastRow, lastCol int
}

func newTriples() *triples {
	return &triples{rowIdx: map[string]int{}, colIdx: map[string]int{}, lastRow: -1, lastCol: -1}
}

// cells returns t's cells as a list for buildSparse, their label numbers
// mapped through rowMap and colMap.
func (t *triples) cells(rowMap, colMap []int32) cellList {
	l := cellList{rowMap: rowMap, colMap: colMap}
	l.vals, l.codes, l.dict = t.vals.list()
	l.ri16, l.ri = t.ri.list()
	l.ci16, l.ci = t.ci.list()
	return l
}

// internAfter is intern for a label likely to be the one numbered last.
func internAfter(last *int, idx map[string]int, labels *[]string, s string) int {
	if *last >= 0 && (*labels)[*last] == s {
		return *last
	}
	*last = intern(idx, labels, s)
	return *last
}

// intern returns the number of label s, numbering it if it is new.
func intern(idx map[string]int, labels *[]string, s string) int {
	if i, ok := idx[s]; ok {
		return i
	}
	s = strings.Clone(s) // the reader reuses its records
	idx[s] = len(*labels)
	*labels = append(*labels, s)
	return idx[s]
}

// read adds the records of cr. Given size, the input's length in bytes,
// it sizes its lists after sizeSample lines.
func (t *triples) read(cr *csv.Reader, l tripleLayout, size int64) error {
	need := max(l.ri, l.ci, l.vi) + 1
	for {
		rec, line, err := nextRecord(cr)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if len(rec) != l.nfields || len(rec) < need {
			return &ParseError{Line: line, Err: fmt.Errorf("%d fields, header has %d: %w", len(rec), l.nfields, ErrFieldCount)}
		}
		v := 1.0
		if l.vi >= 0 {
			if v, err = parseValue(rec[l.vi]); err != nil {
				return &ParseError{Line: line, Column: l.vi + 1, Err: err}
			}
			if math.IsNaN(v) {
				continue // a listed but missing value is simply unobserved
			}
		}
		if t.ri.len() == sizeSample && size > 0 {
			if read := cr.InputOffset(); read > 0 && size > read {
				t.grow(int(float64(size-read)/float64(read)*sizeSample*1.05) + 1)
			}
		}
		ri := internAfter(&t.lastRow, t.rowIdx, &t.rows, strings.TrimSpace(rec[l.ri]))
		ci := internAfter(&t.lastCol, t.colIdx, &t.cols, strings.TrimSpace(rec[l.ci]))
		if max(ri, ci) >= maxSparseDim {
			return &ParseError{Line: line, Err: fmt.Errorf("more than %d distinct labels: %w", maxSparseDim, ErrShape)}
		}
		t.ri.add(ri)
		t.ci.add(ci)
		t.vals.add(v)
		if t.keepLines {
			t.lines = append(t.lines, line)
		}
	}
}

// grow makes room for n more cells.
func (t *triples) grow(n int) {
	if t.presized {
		return
	}
	t.ri.grow(n)
	t.ci.grow(n)
	t.vals.grow(n)
	if t.keepLines {
		t.lines = slices.Grow(t.lines, n)
	}
}

// matrix orders the labels and builds the sparse matrix, reporting a pair
// listed twice.
func (t *triples) matrix(rowField, colField string) (*Matrix, error) {
	if t.ri.len() == 0 {
		return nil, &ParseError{Line: 2, Err: fmt.Errorf("no data lines: %w", ErrEmpty)}
	}
	rowOrder, colOrder := labelOrder(t.rows), labelOrder(t.cols)
	rows, cols := permute(t.rows, rowOrder), permute(t.cols, colOrder)
	cells := t.cells(rowOrder, colOrder)
	x, dup := buildSparse(len(rows), len(cols), []cellList{cells})
	if dup != nil {
		first, second := dup.entries(cells)
		return nil, &ParseError{Line: t.lines[second], Err: fmt.Errorf("%s %q, %s %q first listed on line %d: %w", rowField, rows[dup.row], colField, cols[dup.col], t.lines[first], ErrDuplicateEntry)}
	}
	return newSparseMatrix(rows, cols, x, math.NaN())
}

// tripleFields finds the row, column and value fields of a long-form
// header; vi is -1 for an empty valueField (every listed cell is 1).
func tripleFields(header []string, rowField, colField, valueField string) (ri, ci, vi int, err error) {
	field := func(name string) (int, error) {
		for j, h := range header {
			if strings.TrimSpace(h) == name {
				return j, nil
			}
		}
		return 0, &ParseError{Line: 1, Err: fmt.Errorf("header %q has no field %q: %w", strings.Join(header, ","), name, ErrUnknownLabel)}
	}
	if ri, err = field(rowField); err != nil {
		return 0, 0, 0, err
	}
	if ci, err = field(colField); err != nil {
		return 0, 0, 0, err
	}
	vi = -1
	if valueField != "" {
		if vi, err = field(valueField); err != nil {
			return 0, 0, 0, err
		}
	}
	return ri, ci, vi, nil
}

// labelOrder returns the position of each label: numeric order when every
// label is an integer, first-appearance order otherwise.
func labelOrder(labels []string) []int32 {
	pos := make([]int32, len(labels))
	nums := make([]int64, len(labels))
	for i, l := range labels {
		n, err := strconv.ParseInt(l, 10, 64)
		if err != nil {
			for i := range pos {
				pos[i] = int32(i)
			}
			return pos
		}
		nums[i] = n
	}
	order := make([]int, len(labels))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case nums[a] < nums[b]:
			return -1
		case nums[a] > nums[b]:
			return 1
		}
		return 0
	})
	for p, i := range order {
		pos[i] = int32(p)
	}
	return pos
}

func permute(labels []string, pos []int32) []string {
	out := make([]string, len(labels))
	for i, l := range labels {
		out[pos[i]] = l
	}
	return out
}

// FillMissing returns a copy of m with every missing cell set to v. A
// sparse m filled with 0 stays sparse: the cells it does not store become
// zeros, as in a "watched" or "bought" matrix.
func (m *Matrix) FillMissing(v float64) *Matrix {
	if m.cells != nil && (v == 0 || !math.IsNaN(m.absent)) {
		// Stored cells are never modified, so the copy shares them.
		return &Matrix{rows: m.rows, cols: m.cols, rowIdx: m.rowIdx, colIdx: m.colIdx, cells: m.cells, absent: 0}
	}
	d := mat.DenseCopyOf(m.dense())
	raw := d.RawMatrix().Data
	for i, x := range raw {
		if math.IsNaN(x) {
			raw[i] = v
		}
	}
	return &Matrix{rows: m.rows, cols: m.cols, rowIdx: m.rowIdx, colIdx: m.colIdx, data: d}
}
