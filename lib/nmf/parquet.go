package nmf

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"nmfkernel/internal/atomicfile"
)

// Parquet files, as pandas, polars, Spark and DuckDB write them, are read
// and written with github.com/parquet-go/parquet-go: every compression
// codec and row-group layout the format allows, flat schemas.

// ReadParquet reads a matrix from a long-form Parquet file, one observed
// cell per row, as ReadTriples reads a CSV file: rowField and colField
// name the label columns (integers, strings, or any other scalar column),
// valueField the value column (integers, floats or decimals; an empty
// valueField makes every listed cell 1). A null label skips the row; a
// null value leaves the cell missing. The matrix is sparse, and equal to
// what ReadTriples gives for the same data as CSV: labels ordered
// numerically when they are all integers, otherwise in order of first
// appearance; a pair listed twice is an error wrapping ErrDuplicateEntry.
func ReadParquet(path, rowField, colField, valueField string) (m *Matrix, err error) {
	defer recoverError(&err)
	m, err = readParquet(path, func(f *parquet.File) (*Matrix, error) {
		return parquetTriples(f, rowField, colField, valueField)
	})
	if err != nil {
		return nil, fmt.Errorf("nmf: read %s: %w", path, err)
	}
	return m, nil
}

// ReadParquetWide reads a matrix from a wide Parquet file, one matrix row
// per file row: labelField is the column of row labels (empty: rows are
// labelled R1, R2, …) and every other numeric column is a matrix column,
// labelled by its name. Nulls are missing cells. The matrix is dense.
func ReadParquetWide(path, labelField string) (m *Matrix, err error) {
	defer recoverError(&err)
	m, err = readParquet(path, func(f *parquet.File) (*Matrix, error) {
		return parquetWide(f, labelField)
	})
	if err != nil {
		return nil, fmt.Errorf("nmf: read %s: %w", path, err)
	}
	return m, nil
}

func readParquet(path string, read func(*parquet.File) (*Matrix, error)) (*Matrix, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	return readParquetFrom(fh, st.Size(), read)
}

func readParquetFrom(r io.ReaderAt, size int64, read func(*parquet.File) (*Matrix, error)) (*Matrix, error) {
	f, err := parquet.OpenFile(r, size, parquet.SkipBloomFilters(true), parquet.SkipPageIndex(true))
	if err != nil {
		return nil, fmt.Errorf("not a Parquet file: %w", err)
	}
	// A damaged footer can declare any number of rows; even run-length
	// encoded, a real file holds no more than a few thousand a byte.
	total := int64(0)
	for _, rg := range f.RowGroups() {
		if n := rg.NumRows(); n < 0 || n > maxRowsPerByte*size {
			return nil, fmt.Errorf("a row group declares %d rows in a file of %d bytes: a damaged file: %w", n, size, ErrShape)
		}
		total += rg.NumRows()
	}
	if total != f.NumRows() {
		return nil, fmt.Errorf("the row groups hold %d rows, the file says %d: a damaged file: %w", total, f.NumRows(), ErrShape)
	}
	return read(f)
}

// maxRowsPerByte bounds the rows a file of a given size may declare.
const maxRowsPerByte = 4096

// parquetColumn describes a leaf column: its index, name and how its
// values read as numbers.
type parquetColumn struct {
	index int
	name  string
	kind  parquet.Kind
	// scale is a decimal column's: a stored integer n is n / 10^scale.
	scale  int
	string bool
}

// leafColumns lists the file's top-level leaf columns.
func leafColumns(f *parquet.File) []parquetColumn {
	var out []parquetColumn
	for i, path := range f.Schema().Columns() {
		if len(path) != 1 {
			continue // nested columns are not matrix data
		}
		leaf, _ := f.Schema().Lookup(path...)
		if leaf.MaxRepetitionLevel > 0 {
			continue // lists are not matrix data
		}
		t := leaf.Node.Type()
		c := parquetColumn{index: i, name: path[0], kind: t.Kind()}
		if lt := t.LogicalType(); lt != nil {
			switch v := lt.Value.(type) {
			case *format.DecimalType:
				c.scale = int(v.Scale)
			case *format.StringType, *format.EnumType:
				c.string = true
			}
		}
		out = append(out, c)
	}
	return out
}

func findColumn(cols []parquetColumn, name string) (parquetColumn, error) {
	var names []string
	for _, c := range cols {
		if c.name == name {
			return c, nil
		}
		names = append(names, c.name)
	}
	return parquetColumn{}, fmt.Errorf("no column %q (the file's columns are %s): %w", name, strings.Join(names, ", "), ErrShape)
}

// number reads a value of c as a float64; ok is false for a null.
func (c parquetColumn) number(v parquet.Value) (x float64, ok bool, err error) {
	if v.IsNull() {
		return 0, false, nil
	}
	switch c.kind {
	case parquet.Double:
		x = v.Double()
	case parquet.Float:
		x = float64(v.Float())
	case parquet.Int32:
		x = float64(v.Int32())
	case parquet.Int64:
		x = float64(v.Int64())
	case parquet.Boolean:
		if v.Boolean() {
			x = 1
		}
	case parquet.FixedLenByteArray, parquet.ByteArray:
		if c.scale == 0 && !c.string {
			return 0, false, fmt.Errorf("column %q holds bytes, not numbers: %w", c.name, ErrNotNumber)
		}
		if c.string {
			f, err := strconv.ParseFloat(strings.TrimSpace(string(v.ByteArray())), 64)
			if err != nil {
				return 0, false, fmt.Errorf("column %q: %q is not a number: %w", c.name, v.ByteArray(), ErrNotNumber)
			}
			return f, true, nil
		}
		x = bigEndianDecimal(v.ByteArray())
	default:
		return 0, false, fmt.Errorf("column %q is %v, not numbers: %w", c.name, c.kind, ErrNotNumber)
	}
	if c.scale > 0 {
		x /= math.Pow10(c.scale)
	}
	return x, true, nil
}

// bigEndianDecimal is the two's-complement big-endian integer of a
// decimal stored as bytes.
func bigEndianDecimal(b []byte) float64 {
	if len(b) == 0 {
		return 0
	}
	neg := b[0]&0x80 != 0
	x := 0.0
	for _, c := range b {
		if neg {
			c = ^c
		}
		x = x*256 + float64(c)
	}
	if neg {
		x = -(x + 1)
	}
	return x
}

// labelInterner numbers the labels of an axis: integers without making a
// string per row (small ones through a table, the label of the row before
// without any lookup: files grouped by a label repeat it), anything else
// by its text.
type labelInterner struct {
	byInt  map[int64]int32
	table  []int32 // table[n] is label n's number + 1 for 0 ≤ n < maxLabelTable
	byText map[string]int32
	labels []string
	lastN  int64
	lastI  int32
}

// maxLabelTable bounds the integer labels looked up through a table.
const maxLabelTable = 1 << 22

func newLabelInterner() *labelInterner {
	return &labelInterner{byInt: map[int64]int32{}, byText: map[string]int32{}, lastI: -1}
}

// number returns v's label number; ok is false for a null.
func (l *labelInterner) number(c parquetColumn, v parquet.Value) (int32, bool) {
	if v.IsNull() {
		return 0, false
	}
	if c.scale == 0 && (c.kind == parquet.Int32 || c.kind == parquet.Int64) {
		n := v.Int64()
		if c.kind == parquet.Int32 {
			n = int64(v.Int32())
		}
		if n == l.lastN && l.lastI >= 0 {
			return l.lastI, true
		}
		var i int32
		if 0 <= n && n < maxLabelTable {
			if int(n) >= len(l.table) {
				l.table = append(l.table, make([]int32, int(n)+1-len(l.table)+len(l.table)/2)...)
			}
			if i = l.table[n] - 1; i < 0 {
				i = l.add(strconv.FormatInt(n, 10), true, n)
			}
		} else if j, ok := l.byInt[n]; ok {
			i = j
		} else {
			i = l.add(strconv.FormatInt(n, 10), true, n)
		}
		l.lastN, l.lastI = n, i
		return i, true
	}
	var text string
	switch {
	case c.kind == parquet.ByteArray || c.kind == parquet.FixedLenByteArray && c.scale == 0:
		b := v.ByteArray()
		if i, ok := l.byText[string(b)]; ok {
			return i, true
		}
		text = string(b)
	default:
		x, _, err := c.number(v)
		if err != nil {
			text = v.String()
		} else {
			text = strconv.FormatFloat(x, 'g', -1, 64)
		}
	}
	if i, ok := l.byText[text]; ok {
		return i, true
	}
	return l.add(text, false, 0), true
}

func (l *labelInterner) add(text string, isInt bool, n int64) int32 {
	i := int32(len(l.labels))
	l.labels = append(l.labels, text)
	switch {
	case isInt && 0 <= n && n < maxLabelTable:
		l.table[n] = i + 1
	case isInt:
		l.byInt[n] = i
	default:
		l.byText[text] = i
	}
	return i
}

// columnValues reads every value of a column chunk (copies, valid after
// the pages are gone), into into's storage.
func columnValues(cc parquet.ColumnChunk, n int64, into []parquet.Value) ([]parquet.Value, error) {
	into = into[:0]
	err := eachValues(cc, n, func(_ int, vs []parquet.Value) error {
		for _, v := range vs {
			into = append(into, v.Clone())
		}
		return nil
	})
	return into, err
}

// eachValues calls f with the values of a column chunk, a batch at a
// time, in order, with the row of the batch's first value in the chunk;
// values are valid only during the call. More values than the row
// group's n rows is an error (a damaged file).
func eachValues(cc parquet.ColumnChunk, n int64, f func(row int, vs []parquet.Value) error) error {
	pages := cc.Pages()
	defer pages.Close()
	buf := make([]parquet.Value, 4096)
	row := 0
	for {
		page, err := pages.ReadPage()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if int64(row)+page.NumValues() > n {
			parquet.Release(page)
			return fmt.Errorf("a column holds more values than its row group's %d rows: a damaged file: %w", n, ErrShape)
		}
		r := page.Values()
		for {
			k, rerr := r.ReadValues(buf)
			if k > 0 {
				if err := f(row, buf[:k]); err != nil {
					parquet.Release(page)
					return err
				}
				row += k
			}
			if errors.Is(rerr, io.EOF) {
				break
			}
			if rerr != nil {
				parquet.Release(page)
				return rerr
			}
		}
		parquet.Release(page)
	}
}

// parquetTriples reads a long-form file's cells into a sparse matrix. In
// each row group the row labels, the column labels and the values are
// decoded at once, each by a goroutine of its own.
func parquetTriples(f *parquet.File, rowField, colField, valueField string) (*Matrix, error) {
	cols := leafColumns(f)
	rc, err := findColumn(cols, rowField)
	if err != nil {
		return nil, err
	}
	cc, err := findColumn(cols, colField)
	if err != nil {
		return nil, err
	}
	vc := parquetColumn{index: -1}
	if valueField != "" {
		if vc, err = findColumn(cols, valueField); err != nil {
			return nil, err
		}
	}
	rows, colsIn := newLabelInterner(), newLabelInterner()
	var lists []cellList
	first := 0 // the file row of the row group's first row, for messages
	for _, rg := range f.RowGroups() {
		chunks := rg.ColumnChunks()
		n := rg.NumRows()
		if n > maxSparseDim {
			return nil, fmt.Errorf("a row group of %d rows: %w", n, ErrShape)
		}
		l := cellList{ri: make([]int32, n), ci: make([]int32, n), vals: make([]float64, n)}
		// A row whose label is null is left out: its place says -1.
		labels := func(c parquetColumn, in *labelInterner, dst []int32) func() error {
			return func() error {
				return eachValues(chunks[c.index], n, func(row int, vs []parquet.Value) error {
					for k, v := range vs {
						i, ok := in.number(c, v)
						if !ok {
							i = -1
						}
						dst[row+k] = i
					}
					return nil
				})
			}
		}
		values := func() error {
			if vc.index < 0 {
				for e := range l.vals {
					l.vals[e] = 1
				}
				return nil
			}
			double := vc.kind == parquet.Double && vc.scale == 0
			return eachValues(chunks[vc.index], n, func(row int, vs []parquet.Value) error {
				for k, v := range vs {
					var x float64
					switch {
					case v.IsNull():
						x = math.NaN()
					case double:
						x = v.Double()
					default:
						var err error
						if x, _, err = vc.number(v); err != nil {
							return fmt.Errorf("row %d: %w", first+row+k+1, err)
						}
					}
					if math.IsInf(x, 0) {
						return fmt.Errorf("row %d: value %g: %w", first+row+k+1, x, ErrNotFinite)
					}
					l.vals[row+k] = x
				}
				return nil
			})
		}
		errs := make(chan error, 2)
		go func() { errs <- recovered(labels(rc, rows, l.ri)) }()
		go func() { errs <- recovered(labels(cc, colsIn, l.ci)) }()
		verr := values()
		err1, err2 := <-errs, <-errs
		if err := errors.Join(verr, err1, err2); err != nil {
			return nil, err
		}
		// Drop the rows with a null label or value.
		k := 0
		for e := range l.vals {
			if l.ri[e] < 0 || l.ci[e] < 0 || math.IsNaN(l.vals[e]) {
				continue
			}
			l.ri[k], l.ci[k], l.vals[k] = l.ri[e], l.ci[e], l.vals[e]
			k++
		}
		l.ri, l.ci, l.vals = l.ri[:k], l.ci[:k], l.vals[:k]
		lists = append(lists, l)
		first += int(n)
	}
	if len(rows.labels) == 0 || len(colsIn.labels) == 0 {
		return nil, fmt.Errorf("no cells: %w", ErrEmpty)
	}
	rl, rowOrder := axisOrder(f, rowLabelsKey, rows.labels)
	cl, colOrder := axisOrder(f, colLabelsKey, colsIn.labels)
	for i := range lists {
		lists[i].rowMap, lists[i].colMap = rowOrder, colOrder
	}
	x, dup := buildSparse(len(rl), len(cl), lists)
	if dup != nil {
		return nil, fmt.Errorf("the cell (%q, %q) is listed twice: %w", rl[dup.row], cl[dup.col], ErrDuplicateEntry)
	}
	return newSparseMatrix(rl, cl, x, math.NaN())
}

// The label lists of a matrix written by WriteParquetTriples, in its
// order and with the rows and columns that have no stored cell.
const (
	rowLabelsKey = "nmfkernel.rows"
	colLabelsKey = "nmfkernel.cols"
)

// axisOrder returns an axis's labels in order and each read label's
// place: the file's own list when WriteParquetTriples recorded one that
// holds every label read, else ReadTriples' order (numeric when all are
// integers, first appearance otherwise).
func axisOrder(f *parquet.File, key string, read []string) ([]string, []int32) {
	if text, ok := f.Lookup(key); ok {
		var all []string
		if json.Unmarshal([]byte(text), &all) == nil {
			at := make(map[string]int32, len(all))
			for i, l := range all {
				at[l] = int32(i)
			}
			pos := make([]int32, len(read))
			complete := len(at) == len(all)
			for i, l := range read {
				p, ok := at[l]
				if !ok {
					complete = false
					break
				}
				pos[i] = p
			}
			if complete {
				return all, pos
			}
		}
	}
	order := labelOrder(read)
	return permute(read, order), order
}

// parquetWide reads a wide file: a label column and numeric columns.
func parquetWide(f *parquet.File, labelField string) (*Matrix, error) {
	cols := leafColumns(f)
	lc := parquetColumn{index: -1}
	var err error
	if labelField != "" {
		if lc, err = findColumn(cols, labelField); err != nil {
			return nil, err
		}
	}
	var data []parquetColumn
	var colLabels []string
	for _, c := range cols {
		if c.index == lc.index {
			continue
		}
		data = append(data, c)
		colLabels = append(colLabels, c.name)
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("no value columns besides %q: %w", labelField, ErrEmpty)
	}
	if order, ok := f.Lookup(columnOrderKey); ok {
		data, colLabels = inOrder(data, colLabels, order)
	}
	values := make([]float64, 0, min(f.NumRows(), 1<<16)*int64(len(data)))
	var rowLabels []string
	var lv []parquet.Value
	colVals := make([][]parquet.Value, len(data))
	for _, rg := range f.RowGroups() {
		chunks := rg.ColumnChunks()
		n := rg.NumRows()
		if lc.index >= 0 {
			if lv, err = columnValues(chunks[lc.index], n, lv); err != nil {
				return nil, err
			}
		}
		for k, c := range data {
			if colVals[k], err = columnValues(chunks[c.index], n, colVals[k]); err != nil {
				return nil, err
			}
		}
		for r := 0; r < int(n); r++ {
			if lc.index >= 0 {
				if r >= len(lv) || lv[r].IsNull() {
					return nil, fmt.Errorf("row %d has no label: %w", len(rowLabels)+1, ErrNotNumber)
				}
				rowLabels = append(rowLabels, valueText(lc, lv[r]))
			}
			for k, c := range data {
				if r >= len(colVals[k]) {
					return nil, fmt.Errorf("column %q is shorter than the others: %w", c.name, ErrShape)
				}
				x, ok, err := c.number(colVals[k][r])
				if err != nil {
					return nil, fmt.Errorf("row %d: %w", r+1, err)
				}
				if !ok {
					x = math.NaN()
				}
				values = append(values, x)
			}
		}
	}
	if lc.index < 0 {
		rowLabels = generatedLabels("R", len(values)/len(data))
	}
	return NewMatrix(rowLabels, colLabels, values)
}

// inOrder puts the columns in the order a file written by WriteParquet
// records (when it names them all), and leaves them as they are otherwise.
func inOrder(data []parquetColumn, labels []string, order string) ([]parquetColumn, []string) {
	var want []string
	if json.Unmarshal([]byte(order), &want) != nil || len(want) != len(labels) {
		return data, labels
	}
	at := map[string]int{}
	for k, l := range labels {
		at[l] = k
	}
	outData, outLabels := make([]parquetColumn, 0, len(data)), make([]string, 0, len(labels))
	for _, l := range want {
		k, ok := at[l]
		if !ok {
			return data, labels
		}
		outData, outLabels = append(outData, data[k]), append(outLabels, l)
	}
	return outData, outLabels
}

// valueText is a label value's text.
func valueText(c parquetColumn, v parquet.Value) string {
	switch c.kind {
	case parquet.ByteArray, parquet.FixedLenByteArray:
		if c.scale == 0 {
			return string(v.ByteArray())
		}
	case parquet.Int32:
		return strconv.FormatInt(int64(v.Int32()), 10)
	case parquet.Int64:
		return strconv.FormatInt(v.Int64(), 10)
	}
	x, _, err := c.number(v)
	if err != nil {
		return v.String()
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

// columnOrderKey keeps, in the file's key-value metadata, the order of a
// wide file's matrix columns (Parquet schemas list columns by name).
const columnOrderKey = "nmfkernel.columns"

// WriteParquet writes m as a wide Parquet file (zstd-compressed): a
// string column labelField ("label" if empty) with the row labels, then
// one double column per matrix column, named by its label, null where a
// cell is missing (the schema lists the columns by name; the matrix's
// order is kept in the file's metadata, which ReadParquetWide follows). W, H (as H.Transpose() for one row per person) and
// predictions read back in DuckDB, pandas, polars and Spark. The file is
// written atomically (a temporary file renamed).
func WriteParquet(path string, m *Matrix, labelField string) error {
	if labelField == "" {
		labelField = "label"
	}
	rows, cols := m.Dims()
	group := parquet.Group{labelField: parquet.String()}
	for _, c := range m.cols {
		if c == labelField {
			return fmt.Errorf("nmf: WriteParquet: a column is named %q like the label column: %w", c, ErrDuplicateLabel)
		}
		group[c] = parquet.Optional(parquet.Leaf(parquet.DoubleType))
	}
	schema := parquet.NewSchema("matrix", group)
	index := map[string]int{}
	for i, p := range schema.Columns() {
		index[p[0]] = i
	}
	order, err := json.Marshal(m.cols)
	if err != nil {
		return err
	}
	err = atomicfile.Write(path, func(w io.Writer) error {
		pw := parquet.NewWriter(w, schema, parquet.Compression(&parquet.Zstd), parquet.KeyValueMetadata(columnOrderKey, string(order)))
		row := make(parquet.Row, 0, cols+1)
		for i := 0; i < rows; i++ {
			row = row[:0]
			row = append(row, parquet.ValueOf(m.rows[i]).Level(0, 0, index[labelField]))
			for j := 0; j < cols; j++ {
				v := m.At(i, j)
				if math.IsNaN(v) {
					row = append(row, parquet.NullValue().Level(0, 0, index[m.cols[j]]))
				} else {
					row = append(row, parquet.ValueOf(v).Level(0, 1, index[m.cols[j]]))
				}
			}
			sortRow(row)
			if _, err := pw.WriteRows([]parquet.Row{row}); err != nil {
				return err
			}
		}
		return pw.Close()
	})
	if err != nil {
		return fmt.Errorf("nmf: write %s: %w", path, err)
	}
	return nil
}

// WriteParquetTriples writes m's cells in long form (zstd-compressed),
// one row per stored cell of a sparse m, per cell of a dense one, missing
// cells left out: string columns rowField and colField, a double column
// valueField. The labels' order (with rows and columns that have no
// stored cell) is kept in the file's metadata, so ReadParquet reads back
// the same matrix.
func WriteParquetTriples(path string, m *Matrix, rowField, colField, valueField string) error {
	if rowField == "" || colField == "" || valueField == "" || rowField == colField || rowField == valueField || colField == valueField {
		return fmt.Errorf("nmf: WriteParquetTriples: need three different field names, got %q, %q, %q: %w", rowField, colField, valueField, ErrOption)
	}
	schema := parquet.NewSchema("cells", parquet.Group{
		rowField: parquet.String(), colField: parquet.String(), valueField: parquet.Leaf(parquet.DoubleType),
	})
	index := map[string]int{}
	for i, p := range schema.Columns() {
		index[p[0]] = i
	}
	rowList, err := json.Marshal(m.rows)
	if err != nil {
		return err
	}
	colList, err := json.Marshal(m.cols)
	if err != nil {
		return err
	}
	err = atomicfile.Write(path, func(w io.Writer) error {
		pw := parquet.NewWriter(w, schema, parquet.Compression(&parquet.Zstd),
			parquet.KeyValueMetadata(rowLabelsKey, string(rowList)), parquet.KeyValueMetadata(colLabelsKey, string(colList)))
		batch := make([]parquet.Row, 0, 1024)
		flush := func() error {
			_, err := pw.WriteRows(batch)
			batch = batch[:0]
			return err
		}
		var werr error
		m.eachCell(func(i, j int, v float64) bool {
			row := parquet.Row{
				parquet.ValueOf(m.rows[i]).Level(0, 0, index[rowField]),
				parquet.ValueOf(m.cols[j]).Level(0, 0, index[colField]),
				parquet.ValueOf(v).Level(0, 0, index[valueField]),
			}
			sortRow(row)
			batch = append(batch, row)
			if len(batch) == cap(batch) {
				werr = flush()
			}
			return werr == nil
		})
		if werr != nil {
			return werr
		}
		if err := flush(); err != nil {
			return err
		}
		return pw.Close()
	})
	if err != nil {
		return fmt.Errorf("nmf: write %s: %w", path, err)
	}
	return nil
}

// sortRow orders a row's values by column index, as the writer wants.
func sortRow(row parquet.Row) {
	for i := 1; i < len(row); i++ {
		for j := i; j > 0 && row[j].Column() < row[j-1].Column(); j-- {
			row[j], row[j-1] = row[j-1], row[j]
		}
	}
}

// eachCell calls f for every stored cell of a sparse m and every
// non-missing cell of a dense one, row by row, until f returns false.
func (m *Matrix) eachCell(f func(i, j int, v float64) bool) {
	if m.cells != nil {
		x := m.cells
		for i := 0; i < x.n; i++ {
			for q := x.ptr[i]; q < x.ptr[i+1]; q++ {
				if !f(i, int(x.idx[q]), x.value(q)) {
					return
				}
			}
		}
		return
	}
	rows, cols := m.Dims()
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			if v := m.data.At(i, j); !math.IsNaN(v) {
				if !f(i, j, v) {
					return
				}
			}
		}
	}
}

// eachParquet is Stream.each for a Parquet file: one row group in memory
// at a time, its rows handed over as they end.
func (s *Stream) eachParquet(row func(label string, cols []string, vals []float64) error) (err error) {
	defer recoverError(&err)
	fh, err := os.Open(s.path)
	if err != nil {
		return err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return err
	}
	_, err = readParquetFrom(fh, st.Size(), func(f *parquet.File) (*Matrix, error) {
		leaves := leafColumns(f)
		rc, err := findColumn(leaves, s.rowField)
		if err != nil {
			return nil, err
		}
		cc, err := findColumn(leaves, s.colField)
		if err != nil {
			return nil, err
		}
		vc := parquetColumn{index: -1}
		if s.valueField != "" {
			if vc, err = findColumn(leaves, s.valueField); err != nil {
				return nil, err
			}
		}
		var (
			current string
			started bool
			cols    []string
			vals    []float64
			done    = map[string]bool{}
			inRow   = map[string]bool{}
			line    = 0
		)
		flush := func() error {
			if !started {
				return nil
			}
			err := row(current, cols, vals)
			cols, vals = cols[:0], vals[:0]
			clear(inRow)
			return err
		}
		for _, rg := range f.RowGroups() {
			chunks := rg.ColumnChunks()
			n := rg.NumRows()
			rl, cl := make([]string, n), make([]string, n)
			vs := make([]float64, n)
			null := make([]bool, n)
			text := func(c parquetColumn, dst []string) func(int, []parquet.Value) error {
				return func(at int, batch []parquet.Value) error {
					for k, v := range batch {
						if v.IsNull() {
							null[at+k] = true
							continue
						}
						dst[at+k] = valueText(c, v)
					}
					return nil
				}
			}
			if err := eachValues(chunks[rc.index], n, text(rc, rl)); err != nil {
				return nil, err
			}
			if err := eachValues(chunks[cc.index], n, text(cc, cl)); err != nil {
				return nil, err
			}
			if vc.index >= 0 {
				err := eachValues(chunks[vc.index], n, func(at int, batch []parquet.Value) error {
					for k, v := range batch {
						x, ok, err := vc.number(v)
						if err != nil {
							return fmt.Errorf("row %d: %w", line+at+k+1, err)
						}
						if !ok {
							null[at+k] = true
						}
						vs[at+k] = x
					}
					return nil
				})
				if err != nil {
					return nil, err
				}
			} else {
				for e := range vs {
					vs[e] = 1
				}
			}
			for e := 0; e < int(n); e++ {
				line++
				if null[e] {
					continue
				}
				if math.IsInf(vs[e], 0) {
					return nil, fmt.Errorf("row %d: value %g: %w", line, vs[e], ErrNotFinite)
				}
				r, c := rl[e], cl[e]
				if !started || r != current {
					if err := flush(); err != nil {
						return nil, err
					}
					if done[r] {
						return nil, fmt.Errorf("row %d: %s %q continues here after other rows; a stream needs each row's cells together, as after sorting by %s: %w", line, s.rowField, r, s.rowField, ErrNotGrouped)
					}
					done[r] = true
					current, started = r, true
				}
				if inRow[c] {
					return nil, fmt.Errorf("row %d: %s %q, %s %q listed twice: %w", line, s.rowField, r, s.colField, c, ErrDuplicateEntry)
				}
				inRow[c] = true
				cols = append(cols, c)
				vals = append(vals, vs[e])
			}
		}
		return nil, flush()
	})
	return err
}

// recovered runs read, returning a panic as an error: parquet-go panics
// on some malformed files (a page claiming a negative size), and in a
// goroutine of its own a panic would end the process, not just the read.
func recovered(read func() error) (err error) {
	defer recoverError(&err)
	return read()
}
