package nmf

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
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
	eachPiece(len(parts), func(i int) { parts[i] = parseChunk(f, bounds[i], bounds[i+1], layout) })

	offsets := make([]int, len(parts)+1) // where each piece's cells go
	for i, p := range parts {
		if errors.Is(p.err, errSequential) {
			return nil, errSequential
		}
		offsets[i+1] = offsets[i]
		if p.t != nil {
			offsets[i+1] += len(p.t.vals)
		}
	}
	t := newTriples()
	base := headerLines // lines before the current piece
	rowNums, colNums := make([][]int, len(parts)), make([][]int, len(parts))
	for i, p := range parts {
		if p.err != nil {
			var pe *ParseError
			if errors.As(p.err, &pe) {
				pe.Line += base
			}
			return nil, p.err
		}
		rowNums[i], colNums[i] = t.numbers(p.t)
		base += p.lines
	}
	// The pieces' cells go to their places in parallel: the first touch
	// of the large lists' memory is a good part of the work.
	total := offsets[len(parts)]
	t.ri, t.ci, t.vals = make([]int, total), make([]int, total), make([]float64, total)
	eachPiece(len(parts), func(i int) {
		p, at := parts[i].t, offsets[i]
		for e := range p.vals {
			t.ri[at+e] = rowNums[i][p.ri[e]]
			t.ci[at+e] = colNums[i][p.ci[e]]
		}
		copy(t.vals[at:], p.vals)
	})
	return t.matrix(rowField, colField)
}

// chunkResult is one piece's cells, its line count, or its error (with
// line numbers counted from the piece's start).
type chunkResult struct {
	t     *triples
	lines int
	err   error
}

// parseChunk reads the lines in f[start:end).
func parseChunk(f *os.File, start, end int64, layout tripleLayout) chunkResult {
	buf := make([]byte, end-start)
	if n, err := f.ReadAt(buf, start); n < len(buf) {
		return chunkResult{err: fmt.Errorf("nmf: read CSV: %w", err)}
	}
	if bytes.IndexByte(buf, '"') >= 0 {
		return chunkResult{err: errSequential}
	}
	cr := csvReader(bytes.NewReader(buf))
	t := newTriples()
	if err := t.read(cr, layout, int64(len(buf))); err != nil {
		return chunkResult{err: err}
	}
	return chunkResult{t: t, lines: bytes.Count(buf, []byte{'\n'})}
}

// numbers numbers the labels of a piece read after the ones already in t,
// returning the numbers its row and column labels have in t.
func (t *triples) numbers(p *triples) (rowNum, colNum []int) {
	rowNum = make([]int, len(p.rows))
	for i, l := range p.rows {
		rowNum[i] = intern(t.rowIdx, &t.rows, l)
	}
	colNum = make([]int, len(p.cols))
	for i, l := range p.cols {
		colNum[i] = intern(t.colIdx, &t.cols, l)
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
