package nmf

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sync"
	"unsafe"
)

// chunkBytes is the size of the pieces readTriplesChunked parses in
// parallel (a variable so that tests can use small ones).
var chunkBytes int64 = 8 << 20

// errSequential says a file is left to the sequential reader: it has
// quoted fields, which may span lines and so cannot be cut at line ends, or
// a pair listed twice, which the error reports by line numbers that
// readTriplesChunked does not keep.
var errSequential = errors.New("nmf: read sequentially")

// readTriplesChunked is ReadTriples for a large file on several cores: it
// cuts the lines after the header into pieces of about chunkBytes at line
// ends, parses the pieces in parallel, each into its own triples, and
// merges them in file order, so that labels, line numbers, errors and the
// matrix are those of the sequential reader. It returns errSequential for
// files it leaves to that reader.
func readTriplesChunked(f *os.File, size int64, rowField, colField, valueField string) (*Matrix, error) {
	cr, layout, err := readTripleHeader(io.NewSectionReader(f, 0, size), rowField, colField, valueField)
	if err != nil {
		return nil, err
	}
	// The csv reader counts the bytes it took from the BOM skipper.
	headerEnd := cr.InputOffset()
	var bom [3]byte
	if n, _ := f.ReadAt(bom[:], 0); n == 3 && string(bom[:]) == "\ufeff" {
		headerEnd += 3
	}
	headerLines, err := countLines(f, 0, headerEnd)
	if err != nil {
		return nil, err
	}
	bounds, err := lineBounds(f, headerEnd, size)
	if err != nil {
		return nil, err
	}
	parts := make([]chunkResult, len(bounds)-1)
	// Each piece's cells go into a region of one slab sized by its lines,
	// counted first (the file is read twice, the second time from the
	// page cache).
	var bufs pieceBuffers
	newlines := make([]int, len(parts))
	eachPiece(len(parts), func(i int) {
		ps, err := bufs.read(f, bounds[i], bounds[i+1])
		if err != nil {
			parts[i].err = err
			return
		}
		newlines[i] = bytes.Count(ps.buf, []byte{'\n'})
		bufs.put(ps)
	})
	total := 0
	lines := make([]int, len(parts)) // room in the slab: the last line may lack its newline
	for i, p := range parts {
		if p.err != nil {
			return nil, p.err
		}
		lines[i] = newlines[i] + 1
		total += lines[i]
	}
	slab := newCellSlab(total)
	from := make([]int, len(parts))
	for i := 1; i < len(parts); i++ {
		from[i] = from[i-1] + lines[i-1]
	}
	eachPiece(len(parts), func(i int) {
		ps, err := bufs.read(f, bounds[i], bounds[i+1])
		if err != nil {
			parts[i] = chunkResult{err: err}
			return
		}
		t := newTriples()
		t.ri.narrow, t.ci.narrow, t.vals.codes = slab.piece(from[i], lines[i])
		t.presized = true
		parts[i] = parseChunk(ps, layout, t, newlines[i])
		bufs.put(ps)
	})

	t := newTriples()
	base := headerLines // lines before the current piece
	total = 0
	rowNums, colNums := make([][]int32, len(parts)), make([][]int32, len(parts))
	for i, p := range parts {
		if errors.Is(p.err, errSequential) {
			return nil, errSequential
		}
		if p.err != nil {
			var pe *ParseError
			if errors.As(p.err, &pe) {
				pe.Line += base
			}
			return nil, p.err
		}
		rowNums[i], colNums[i] = t.numbers(p.t)
		base += p.lines
		total += p.t.ri.len()
	}
	if total == 0 {
		return nil, &ParseError{Line: 2, Err: fmt.Errorf("no data lines: %w", ErrEmpty)} // as the sequential reader says
	}
	// Each piece's cells go into the matrix through its label numbers in
	// the final order; buildSparse lets go of each piece once placed.
	rowOrder, colOrder := labelOrder(t.rows), labelOrder(t.cols)
	lists := make([]cellList, len(parts))
	for i := range parts {
		p := parts[i].t
		lists[i] = p.cells(mapThrough(rowNums[i], rowOrder), mapThrough(colNums[i], colOrder))
		parts[i].t = nil
	}
	x, dup := buildSparse(len(t.rows), len(t.cols), lists)
	if dup != nil {
		return nil, errSequential // for the error's line numbers
	}
	// The matrix by column too, which every fit reads, in the slab the
	// pieces no longer need when the values are coded.
	if idx, codes := slab.columns(len(x.idx)); x.coded() && len(x.idx) <= slab.n {
		xt := &sparse{n: x.m, m: x.n, ptr: make([]int, x.m+1), idx: idx, sparseCodes: sparseCodes{code: codes, dict: x.dict}}
		x.transposeInto(xt)
		xt.t.Store(x)
		x.t.Store(xt)
	}
	return newSparseMatrix(permute(t.rows, rowOrder), permute(t.cols, colOrder), x, math.NaN())
}

// mapThrough returns order[nums[l]] for each l.
func mapThrough(nums, order []int32) []int32 {
	out := make([]int32, len(nums))
	for l, n := range nums {
		out[l] = order[n]
	}
	return out
}

// chunkResult is one piece's cells, its line count, or its error (with
// line numbers counted from the piece's start).
type chunkResult struct {
	t     *triples
	lines int
	err   error
}

// pieceScratch is what parsing a piece needs beside its cells: the
// piece's bytes and the tables of its integer labels (see internBytes).
// Each is passed on to the next piece once parsed: a 20M-rating file's
// half gigabyte read into fresh buffers, and 130 MB of fresh tables, were
// garbage that let the heap grow to twice what the read keeps.
type pieceScratch struct {
	buf              []byte
	rowNums, colNums []int32
	rowStrs, colStrs []string
	// rowsNamed and colsNamed are how many labels the last piece named.
	rowsNamed, colsNamed int
}

// pieceBuffers hands out pieceScratch.
type pieceBuffers struct {
	mu   sync.Mutex
	free []*pieceScratch
}

// read returns scratch holding f[start:end).
func (b *pieceBuffers) read(f *os.File, start, end int64) (*pieceScratch, error) {
	ps := new(pieceScratch)
	b.mu.Lock()
	if n := len(b.free); n > 0 {
		ps, b.free = b.free[n-1], b.free[:n-1]
	}
	b.mu.Unlock()
	ps.buf = slices.Grow(ps.buf[:0], int(end-start))[:end-start]
	if n, err := f.ReadAt(ps.buf, start); n < len(ps.buf) {
		return nil, fmt.Errorf("nmf: read CSV: %w", err)
	}
	return ps, nil
}

// put takes back scratch; what was parsed with it keeps nothing of it.
func (b *pieceBuffers) put(ps *pieceScratch) {
	b.mu.Lock()
	b.free = append(b.free, ps)
	b.mu.Unlock()
}

// parseChunk parses a piece's lines, in ps.buf, into t (a fresh triples);
// lines is the number of its newlines.
func parseChunk(ps *pieceScratch, layout tripleLayout, t *triples, lines int) chunkResult {
	buf := ps.buf
	if bytes.IndexByte(buf, '"') >= 0 {
		return chunkResult{err: errSequential}
	}
	ri, ci, codes := t.ri, t.ci, t.vals
	if t.readPlain(buf, layout, ps) {
		return chunkResult{t: t, lines: lines}
	}
	// The csv reader takes the piece again from the start.
	t2 := newTriples()
	t2.ri, t2.ci, t2.vals, t2.presized = ri, ci, codes, t.presized
	cr := csvReader(bytes.NewReader(buf))
	if err := t2.read(cr, layout, int64(len(buf))); err != nil {
		return chunkResult{err: err}
	}
	return chunkResult{t: t2, lines: lines}
}

// readPlain is read for a piece without quotes, splitting its lines at
// '\n' (or "\r\n") and their fields at ',' itself instead of through
// encoding/csv, which took a third of the time of reading a 20M-rating
// file. It takes only what the csv reader would read the same way: lines
// of printable ASCII without spaces and with the header's number of
// fields, values parseValue accepts, and empty lines, which both skip. At
// any other line it stops and reports false, and the piece is read again
// by the csv reader, whose rules and errors then apply.
func (t *triples) readPlain(buf []byte, l tripleLayout, ps *pieceScratch) bool {
	if l.nfields < max(l.ri, l.ci, l.vi)+1 {
		return false
	}
	starts := make([]int, l.nfields+1) // field f is line[starts[f]:starts[f+1]-1]
	rowNums, colNums := ps.rowNums, ps.colNums
	// Room for about as many labels as the last piece named: growing to
	// a piece's 27,000 films was half the reader's garbage.
	t.rows = slices.Grow(t.rows, ps.rowsNamed+ps.rowsNamed/8)
	t.cols = slices.Grow(t.cols, ps.colsNamed+ps.colsNamed/8)
	defer func() {
		// The tables go to the next piece empty: the entries of this
		// piece's integer labels cleared.
		ps.rowNums, ps.colNums = clearLabels(rowNums, t.rows), clearLabels(colNums, t.cols)
		ps.rowsNamed, ps.colsNamed = len(t.rows), len(t.cols)
	}()
	for pos := 0; pos < len(buf); {
		end := bytes.IndexByte(buf[pos:], '\n')
		var line []byte
		if end < 0 {
			line, pos = buf[pos:], len(buf)
		} else {
			line, pos = buf[pos:pos+end], pos+end+1
			if n := len(line); n > 0 && line[n-1] == '\r' {
				line = line[:n-1]
			}
		}
		if len(line) == 0 {
			continue
		}
		f := 1
		for i, c := range line {
			switch {
			case c == ',':
				if f == l.nfields {
					return false
				}
				starts[f] = i + 1
				f++
			case c <= ' ' || c >= 0x7f:
				return false
			}
		}
		if f != l.nfields {
			return false
		}
		starts[f] = len(line) + 1
		field := func(f int) []byte { return line[starts[f] : starts[f+1]-1] }
		v := 1.0
		if l.vi >= 0 {
			// The string shares buf, which is never written and outlives
			// it; parseValue keeps it only in an error, and an error here
			// sends the piece to the csv reader.
			b := field(l.vi)
			var err error
			if len(b) == 0 {
				continue // missing
			}
			if d, ok := plainDecimal(b); ok {
				v = d
			} else if v, err = parseValue(unsafe.String(&b[0], len(b))); err != nil {
				return false
			} else if math.IsNaN(v) {
				continue
			}
		}
		if t.ri.len() == sizeSample {
			t.grow(int(float64(len(buf)-pos)/float64(pos)*sizeSample*1.05) + 1)
		}
		ri := internBytes(&t.lastRow, t.rowIdx, &t.rows, &rowNums, &ps.rowStrs, field(l.ri))
		ci := internBytes(&t.lastCol, t.colIdx, &t.cols, &colNums, &ps.colStrs, field(l.ci))
		if max(ri, ci) >= maxSparseDim {
			return false
		}
		t.ri.add(ri)
		t.ci.add(ci)
		t.vals.add(v)
	}
	return true
}

// internBytes is internAfter for a label in bytes; it copies the label
// only when it is new. Labels written as small integers (decimal digits
// without a leading zero, below maxTableLabel) are found in nums, the
// label's number plus one at the integer's place, instead of the map: the
// usual user and item ids of a ratings file, looked up twice a line, took
// a third of the time of reading one through the map. Their strings come
// from strs, kept from piece to piece (a piece names most of a file's
// films again). Other labels use the map; one label is always looked up
// in the same place.
func internBytes(last *int, idx map[string]int, labels *[]string, nums *[]int32, strs *[]string, b []byte) int {
	if *last >= 0 && (*labels)[*last] == string(b) {
		return *last
	}
	if n, ok := smallInt(b); ok {
		if n < len(*nums) && (*nums)[n] > 0 {
			*last = int((*nums)[n] - 1)
			return *last
		}
		*nums = growTable(*nums, n)
		*last = len(*labels)
		*strs = growTable(*strs, n)
		if (*strs)[n] == "" {
			(*strs)[n] = string(b)
		}
		*labels = append(*labels, (*strs)[n])
		(*nums)[n] = int32(*last + 1)
		return *last
	}
	if i, ok := idx[string(b)]; ok {
		*last = i
		return i
	}
	s := string(b)
	idx[s] = len(*labels)
	*labels = append(*labels, s)
	*last = idx[s]
	return *last
}

// growTable returns table with room for entry n (< maxTableLabel), grown
// by doubling.
func growTable[T any](table []T, n int) []T {
	if n < len(table) {
		return table
	}
	grown := make([]T, min(max(n+1, 2*len(table), 1024), maxTableLabel))
	copy(grown, table)
	return grown
}

// clearLabels zeroes the entries of nums that labels' integer labels set.
func clearLabels(nums []int32, labels []string) []int32 {
	for _, l := range labels {
		if n, ok := smallInt(unsafe.Slice(unsafe.StringData(l), len(l))); ok && n < len(nums) {
			nums[n] = 0
		}
	}
	return nums
}

// maxTableLabel bounds the integer labels internBytes keeps in a table:
// 4 MB of table at most, alive while one piece is read.
const maxTableLabel = 1 << 20

// smallInt returns the value of b when it is a decimal integer without
// sign or leading zero below maxTableLabel.
func smallInt(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 7 || (b[0] == '0' && len(b) > 1) {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = 10*n + int(c-'0')
	}
	return n, n < maxTableLabel
}

// numbers numbers the labels of a piece read after the ones already in t,
// returning the numbers its row and column labels have in t.
func (t *triples) numbers(p *triples) (rowNum, colNum []int32) {
	rowNum = make([]int32, len(p.rows))
	for i, l := range p.rows {
		rowNum[i] = int32(intern(t.rowIdx, &t.rows, l))
	}
	colNum = make([]int32, len(p.cols))
	for i, l := range p.cols {
		colNum[i] = int32(intern(t.colIdx, &t.cols, l))
	}
	return rowNum, colNum
}

// lineBounds cuts f[from:size) into pieces of about chunkBytes that start
// at line starts, returning their boundaries (from first, size last).
func lineBounds(f *os.File, from, size int64) ([]int64, error) {
	bounds := []int64{from}
	var window [4096]byte
	for at := from + chunkBytes; at < size; {
		n, err := f.ReadAt(window[:], at-1)
		if n == 0 && err != nil {
			return nil, fmt.Errorf("nmf: read CSV: %w", err)
		}
		if i := bytes.IndexByte(window[:n], '\n'); i >= 0 {
			at += int64(i) // the byte after the newline at at-1+i
			if at >= size {
				break
			}
			bounds = append(bounds, at)
			at += chunkBytes
			continue
		}
		at += int64(n)
	}
	return append(bounds, size), nil
}

// countLines counts the line ends in f[from:to).
func countLines(f *os.File, from, to int64) (int, error) {
	buf := make([]byte, to-from)
	if n, err := f.ReadAt(buf, from); n < len(buf) {
		return 0, fmt.Errorf("nmf: read CSV: %w", err)
	}
	return bytes.Count(buf, []byte{'\n'}), nil
}

// plainDecimal returns the value of b when it is digits, or digits, a
// point and digits, with 15 digits at most: such a value is m/10ⁿ with m
// and 10ⁿ exact in a float64, so one division rounds it correctly, which
// is what strconv.ParseFloat returns for it (its own first, exact path).
// Ratings are written so; reading them this way took a third off the
// values' parsing.
func plainDecimal(b []byte) (float64, bool) {
	m, digits, point := 0, 0, -1
	for i, c := range b {
		switch {
		case c >= '0' && c <= '9':
			m = 10*m + int(c-'0')
			digits++
		case c == '.' && point < 0 && i > 0 && i < len(b)-1:
			point = i
		default:
			return 0, false
		}
	}
	if digits == 0 || digits > 15 {
		return 0, false
	}
	if point < 0 {
		return float64(m), true
	}
	return float64(m) / pow10[len(b)-1-point], true
}

// pow10 holds the powers of ten plainDecimal divides by, all exact.
var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}
