package nmf

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"gonum.org/v1/gonum/mat"
)

// Stream is a matrix read from a file batch by batch, never whole: the
// input of MiniBatch for data larger than memory. Only the column labels,
// the row labels and a few sums are kept; cells not listed (triples) are
// zeros, which are data.
type Stream struct {
	path                           string
	triples                        bool
	parquet                        bool
	rowField, colField, valueField string

	cols   []string       // in matrix order
	colPos map[string]int // label → matrix column
	rows   int
	sum    float64
	sumSq  float64
	cells  int // non-zero cells
	listed int // cells listed (non-zero or not)
}

// StreamCSV opens a matrix in ReadCSV's format for MiniBatch: one row per
// line after the header. A first pass checks every value and counts the
// rows; missing values are an error (MiniBatch treats zeros as data).
func StreamCSV(path string) (*Stream, error) {
	s := &Stream{path: path}
	err := s.scan()
	return s, withPath(err, path)
}

// StreamTriples opens a long-form file in ParseTriples' format for
// MiniBatch. The lines of one row label must be consecutive, as in
// MovieLens' ratings.csv with rowField "userId"; a first pass checks that
// and collects the column labels (ordered as ParseTriples orders them).
// Pairs not listed are zeros.
func StreamTriples(path, rowField, colField, valueField string) (*Stream, error) {
	s := &Stream{path: path, triples: true, rowField: rowField, colField: colField, valueField: valueField}
	err := s.scan()
	return s, withPath(err, path)
}

// StreamParquet opens a long-form Parquet file (as ReadParquet reads) for
// FitStreamed and MiniBatch, read one row group at a time. The cells of
// one row label must be consecutive (a file sorted by rowField); a first
// pass checks that and collects the column labels.
func StreamParquet(path, rowField, colField, valueField string) (*Stream, error) {
	s := &Stream{path: path, triples: true, parquet: true, rowField: rowField, colField: colField, valueField: valueField}
	err := s.scan()
	if err != nil {
		return s, fmt.Errorf("nmf: read %s: %w", path, err)
	}
	return s, nil
}

// Dims returns the matrix's size.
func (s *Stream) Dims() (rows, cols int) { return s.rows, len(s.cols) }

// NonZero returns the number of non-zero cells.
func (s *Stream) NonZero() int { return s.cells }

// scan is the first pass.
func (s *Stream) scan() error {
	var firstSeen []string
	seenCol := map[string]bool{}
	err := s.each(func(label string, cols []string, vals []float64) error {
		s.rows++
		s.listed += len(vals)
		for e, v := range vals {
			s.sum += v
			s.sumSq += v * v
			if v != 0 {
				s.cells++
			}
			if s.triples && !seenCol[cols[e]] {
				seenCol[cols[e]] = true
				firstSeen = append(firstSeen, cols[e])
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if s.rows == 0 {
		return &ParseError{Line: 2, Err: fmt.Errorf("no data lines: %w", ErrEmpty)}
	}
	if s.triples {
		pos := labelOrder(firstSeen)
		s.cols = permute(firstSeen, pos)
	}
	s.colPos = make(map[string]int, len(s.cols))
	for j, c := range s.cols {
		s.colPos[c] = j
	}
	return nil
}

// each reads the file once and calls row for every matrix row: its label
// and its listed cells (column labels for triples; for CSV cols is nil and
// vals holds every column in order).
func (s *Stream) each(row func(label string, cols []string, vals []float64) error) error {
	if s.parquet {
		return s.eachParquet(row)
	}
	f, err := os.Open(s.path)
	if err != nil {
		return fmt.Errorf("nmf: %w", err)
	}
	defer f.Close()
	cr := newCSVReader(f)
	header, err := readHeader(cr)
	if err != nil {
		return err
	}
	if !s.triples {
		return s.eachCSV(cr, header, row)
	}
	return s.eachTriple(cr, header, row)
}

func (s *Stream) eachCSV(cr *csv.Reader, header []string, row func(string, []string, []float64) error) error {
	if len(header) < 2 {
		return &ParseError{Line: 1, Err: fmt.Errorf("the header needs a corner and at least one column label: %w", ErrEmpty)}
	}
	if s.cols == nil {
		s.cols = make([]string, len(header)-1)
		for j, h := range header[1:] {
			s.cols[j] = strings.TrimSpace(h)
		}
	}
	vals := make([]float64, len(header)-1)
	for {
		rec, line, err := nextRecord(cr)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if len(rec) != len(header) {
			return &ParseError{Line: line, Err: fmt.Errorf("%d fields, header has %d: %w", len(rec), len(header), ErrFieldCount)}
		}
		for j, field := range rec[1:] {
			v, err := parseValue(field)
			if err == nil && math.IsNaN(v) {
				err = fmt.Errorf("missing value: %w (MiniBatch treats V as complete; use Fit for missing values)", ErrNotNumber)
			}
			if err != nil {
				return &ParseError{Line: line, Column: j + 2, Err: err}
			}
			vals[j] = v
		}
		if err := row(strings.TrimSpace(rec[0]), nil, vals); err != nil {
			return err
		}
	}
}

func (s *Stream) eachTriple(cr *csv.Reader, header []string, row func(string, []string, []float64) error) error {
	ri, ci, vi, err := tripleFields(header, s.rowField, s.colField, s.valueField)
	if err != nil {
		return err
	}
	var (
		current string
		cols    []string
		vals    []float64
		done    = map[string]int{} // row label → line of its group
		inRow   = map[string]bool{}
	)
	flush := func() error {
		if current == "" && cols == nil {
			return nil
		}
		err := row(current, cols, vals)
		cols, vals = cols[:0], vals[:0]
		clear(inRow)
		return err
	}
	for {
		rec, line, err := nextRecord(cr)
		if err == io.EOF {
			return flush()
		}
		if err != nil {
			return err
		}
		if len(rec) != len(header) {
			return &ParseError{Line: line, Err: fmt.Errorf("%d fields, header has %d: %w", len(rec), len(header), ErrFieldCount)}
		}
		v := 1.0
		if vi >= 0 {
			if v, err = parseValue(rec[vi]); err != nil {
				return &ParseError{Line: line, Column: vi + 1, Err: err}
			}
			if math.IsNaN(v) {
				continue
			}
		}
		r, c := strings.TrimSpace(rec[ri]), strings.TrimSpace(rec[ci])
		if r != current || cols == nil {
			if err := flush(); err != nil {
				return err
			}
			if first, ok := done[r]; ok {
				return &ParseError{Line: line, Err: fmt.Errorf("%s %q continues here after other rows (it began on line %d); MiniBatch needs each row's lines together, as after sorting by %s: %w", s.rowField, r, first, s.rowField, ErrNotGrouped)}
			}
			done[r] = line
			current = r
			cols = []string{}
		}
		if inRow[c] {
			return &ParseError{Line: line, Err: fmt.Errorf("%s %q, %s %q listed twice: %w", s.rowField, r, s.colField, c, ErrDuplicateEntry)}
		}
		inRow[c] = true
		cols = append(cols, c)
		vals = append(vals, v)
	}
}

// batches reads one pass in batches of up to size rows, each as the list of
// its listed cells (its non-zero cells, where zeros are data).
func (s *Stream) batches(ctx context.Context, size int, fn func(labels []string, x *sparse) error) error {
	return s.batchesOf(ctx, size, true, fn)
}

// batchesOf is batches, leaving zeros out when skipZeros.
func (s *Stream) batchesOf(ctx context.Context, size int, skipZeros bool, fn func(labels []string, x *sparse) error) error {
	var labels []string
	x := &sparse{m: len(s.cols), ptr: []int{0}}
	emit := func() error {
		if len(labels) == 0 {
			return nil
		}
		x.n = len(labels)
		err := fn(labels, x)
		labels = labels[:0]
		x = &sparse{m: len(s.cols), ptr: []int{0}}
		return err
	}
	err := s.each(func(label string, cols []string, vals []float64) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		for e, v := range vals {
			if v == 0 && skipZeros {
				continue
			}
			j := e
			if cols != nil {
				j = s.colPos[cols[e]]
			}
			x.idx = append(x.idx, int32(j))
			x.val = append(x.val, v)
		}
		x.ptr = append(x.ptr, len(x.idx))
		labels = append(labels, label)
		if len(labels) == size {
			return emit()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return emit()
}

// MiniBatchOptions configures MiniBatch. Zero values mean the defaults in
// the comments.
type MiniBatchOptions struct {
	// Components is k, the number of segments. Required.
	Components int
	// BatchSize is the number of rows per batch; zero means 1024.
	BatchSize int
	// Epochs is the number of passes over the file; zero means 10.
	Epochs int
	// ForgetFactor (in (0, 1]) weighs the statistics of earlier batches
	// down by ForgetFactor^(BatchSize/rows) per batch, as scikit-learn's
	// MiniBatchNMF does; zero means 0.7.
	ForgetFactor float64
	// Seed makes the random start of H deterministic.
	Seed uint64
	// Progress, if not nil, is called after every pass with the loss of
	// that pass.
	Progress func(Progress)
}

// MiniBatch factorizes a matrix too large for memory, V ≈ W·H with the
// Frobenius loss and zeros as data, reading it from src one batch of rows
// at a time (online NMF, Mairal et al. 2010; Lefèvre, Bach & Févotte 2011,
// as in scikit-learn's MiniBatchNMF). For each batch it finds the batch's
// rows of W with H fixed (coordinate descent), folds the batch into running
// statistics that older batches fade out of, and takes a coordinate-descent
// step on H from them. Memory is O((rows + cols) · k) plus one batch.
//
// W holds each row's weights from the last pass, in file order. Loss and
// RelErr add up the batches of the last pass, each measured against H as
// it was when the batch was read. The model knows no cells of V, so
// Recommend's ExcludeKnown leaves nothing out.
func MiniBatch(ctx context.Context, src *Stream, opt MiniBatchOptions) (m *Model, err error) {
	defer recoverError(&err)
	if src == nil || src.rows == 0 {
		return nil, fmt.Errorf("nmf: MiniBatch of an empty stream: %w", ErrEmpty)
	}
	k := opt.Components
	rows, cols := src.Dims()
	switch {
	case k < 1:
		return nil, fmt.Errorf("nmf: Components is %d, need at least 1: %w", k, ErrOption)
	case opt.BatchSize < 0 || opt.Epochs < 0:
		return nil, fmt.Errorf("nmf: BatchSize %d and Epochs %d must be ≥ 0: %w", opt.BatchSize, opt.Epochs, ErrOption)
	case opt.ForgetFactor < 0 || opt.ForgetFactor > 1 || math.IsNaN(opt.ForgetFactor):
		return nil, fmt.Errorf("nmf: ForgetFactor must be in (0, 1], got %g: %w", opt.ForgetFactor, ErrOption)
	}
	if opt.BatchSize == 0 {
		opt.BatchSize = 1024
	}
	if opt.Epochs == 0 {
		opt.Epochs = 10
	}
	if opt.ForgetFactor == 0 {
		opt.ForgetFactor = 0.7
	}
	rho := math.Pow(opt.ForgetFactor, float64(min(opt.BatchSize, rows))/float64(rows))

	// H starts random, scaled as Random initialization scales it.
	rng := newRand(opt.Seed)
	avg := math.Sqrt(src.sum / float64(rows*cols) / float64(k))
	ht := mat.NewDense(cols, k, nil)
	for i, raw := 0, ht.RawMatrix().Data; i < len(raw); i++ {
		raw[i] = avg * math.Abs(rng.NormFloat64())
	}
	at := mat.NewDense(cols, k, nil) // running Vᵀ·W
	b := mat.NewDense(k, k, nil)     // running WᵀW
	w := mat.NewDense(rows, k, nil)
	labels := make([]string, 0, rows)
	coords := newCoordinates(k, settings{})
	var (
		ws          cdWork
		history     []float64
		loss, sqSum float64
	)
	start := time.Now()
	for epoch := 1; epoch <= opt.Epochs; epoch++ {
		labels = labels[:0]
		loss, sqSum = 0, 0
		next := 0
		err := src.batches(ctx, opt.BatchSize, func(batchLabels []string, x *sparse) error {
			n := len(batchLabels)
			wb := w.Slice(next, next+n, 0, k).(*mat.Dense) // warm: last pass's rows
			// The batch's rows of W, H fixed: CD to near convergence.
			perm := coords.order()
			gramOf(&ws.gram, &ws.bt, ht)
			x.times(&ws.cross, &ws.crossT, ht)
			g, cross, wr := ws.gram.RawMatrix().Data, ws.cross.RawMatrix(), wb.RawMatrix()
			forChunks(n, float64(n*k*k*20), func() struct{} { return struct{}{} }, func(lo, hi int, _ struct{}) float64 {
				for i := lo; i < hi; i++ {
					ai, ci := wr.Data[i*wr.Stride:i*wr.Stride+k], cross.Data[i*cross.Stride:i*cross.Stride+k]
					first := cdRow(ai, g, ci, 0, 0, perm)
					for s := 1; s < 20 && first > 0; s++ {
						if cdRow(ai, g, ci, 0, 0, perm) <= 1e-3*first {
							break
						}
					}
				}
				return 0
			})
			// This batch's loss against the current H, from the products
			// just formed; lossGram leaves WᵀW in wtw for the statistics.
			xx := 0.0
			for q := range x.idx {
				v := x.value(q)
				xx += v * v
			}
			var wtw, wbt mat.Dense
			half := lossGram(xx, wb, &ws.cross, &ws.gram, &wtw, &wbt)
			loss += half
			sqSum += 2 * half
			// Fold the batch into the statistics and step H.
			at.Scale(rho, at)
			b.Scale(rho, b)
			b.Add(b, &wtw)
			atr := at.RawMatrix()
			for i := 0; i < n; i++ {
				wi := wr.Data[i*wr.Stride : i*wr.Stride+k]
				for q := x.ptr[i]; q < x.ptr[i+1]; q++ {
					row := atr.Data[int(x.idx[q])*atr.Stride : int(x.idx[q])*atr.Stride+k]
					v := x.value(q)
					for t, wt := range wi {
						row[t] += v * wt
					}
				}
			}
			bg := b.RawMatrix().Data
			htr := ht.RawMatrix()
			forChunks(cols, float64(cols*k*k), func() struct{} { return struct{}{} }, func(lo, hi int, _ struct{}) float64 {
				for j := lo; j < hi; j++ {
					cdRow(htr.Data[j*htr.Stride:j*htr.Stride+k], bg, atr.Data[j*atr.Stride:j*atr.Stride+k], 0, 0, perm)
				}
				return 0
			})
			labels = append(labels, batchLabels...)
			next += n
			return nil
		})
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("nmf: MiniBatch stopped in pass %d: %w", epoch, ctx.Err())
			}
			return nil, withPath(err, src.path)
		}
		if next != rows {
			return nil, fmt.Errorf("nmf: %s changed while MiniBatch read it (%d rows, %d before): %w", src.path, next, rows, ErrShape)
		}
		history = append(history, loss)
		if opt.Progress != nil {
			opt.Progress(Progress{Iteration: epoch, MaxIter: opt.Epochs, Loss: loss, Elapsed: time.Since(start)})
		}
	}
	segs := generatedLabels("S", k)
	rowLabels := append([]string(nil), labels...)
	wm, err := newMatrix(rowLabels, segs, w)
	if err != nil {
		return nil, fmt.Errorf("nmf: MiniBatch: %w", err)
	}
	relErr := 0.0
	if src.sumSq > 0 {
		relErr = math.Sqrt(sqSum / src.sumSq)
	}
	return &Model{
		W:          wm,
		H:          mustMatrix(segs, src.cols, mat.DenseCopyOf(ht.T())),
		Iterations: opt.Epochs,
		Loss:       loss,
		RelErr:     relErr,
		History:    history,
		Options:    Options{Components: k, Init: InitRandom, Solver: SolverCD, Seed: opt.Seed, MaxIter: opt.Epochs},
	}, nil
}
