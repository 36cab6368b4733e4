package nmf

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
	"gonum.org/v1/gonum/mat"
)

// problem is V in the forms the solvers use. Factors are kept as W (rows×k)
// and Ht = Hᵀ (cols×k) so that one update routine serves both: W is updated
// against V and Ht, Ht against Vᵀ and W.
type problem struct {
	rows, cols int
	// v is V and vt its transpose, densely, when every cell is observed;
	// nil for a masked V, and for a sparse V until a solver needs them
	// (see needDense).
	v, vt *mat.Dense
	// byRow and byCol list the observed cells when V has missing values
	// (nil otherwise): the solvers then work on observed cells only.
	byRow, byCol *sparse
	// opV and opVT are V and Vᵀ as the zero-is-data solvers multiply them:
	// dense, or as lists of non-zero cells when V is mostly zeros.
	opV, opVT operand
	// stored is a sparse V whose other cells are zeros (nil otherwise).
	stored       *sparse
	nObs         int
	nonZero      int     // observed cells that are not zero
	sumV, normV2 float64 // Σv and Σv² over observed cells
	minV         float64
}

// newProblem checks V for NMF (finite, non-negative, something observed)
// and builds the solver forms.
func newProblem(V *Matrix) (*problem, error) { return buildProblem(V, false) }

// newProblemSigned is newProblem for fits that take negative values too.
func newProblemSigned(V *Matrix) (*problem, error) { return buildProblem(V, true) }

func buildProblem(V *Matrix, signed bool) (*problem, error) {
	if V == nil {
		return nil, fmt.Errorf("nmf: nil matrix: %w", ErrEmpty)
	}
	r, c := V.Dims()
	p := &problem{rows: r, cols: c, minV: math.Inf(1)}
	st, i, q := scanValues(V, signed)
	if i >= 0 {
		var buf []float64
		vals, cols := V.storedRow(i, &buf)
		j := q
		if cols != nil {
			j = int(cols[q])
		}
		if x := vals[q]; math.IsInf(x, 0) {
			return nil, fmt.Errorf("nmf: V at row %q, column %q: %w", V.rows[i], V.cols[j], ErrNotFinite)
		}
		return nil, fmt.Errorf("nmf: V at row %q, column %q is %g: %w (NMF needs values ≥ 0)", V.rows[i], V.cols[j], vals[q], ErrNegative)
	}
	p.nObs, p.nonZero, p.sumV, p.normV2, p.minV = st.n, st.nonZero, st.sum, st.sq, st.min
	if p.nObs == 0 {
		return nil, fmt.Errorf("nmf: every cell of the %d×%d matrix is missing: %w", r, c, ErrNoData)
	}
	switch {
	case V.cells != nil && V.absent == 0:
		// Zero-is-data over the stored cells: the products run on them.
		p.stored = V.cells
		p.opV, p.opVT = sparseProducts(p.stored, p.stored.transposed())
		if p.nObs < r*c {
			p.minV = min(p.minV, 0)
			p.nObs = r * c
		}
	case p.nObs < r*c:
		p.byRow = V.cells
		if p.byRow == nil {
			p.byRow = sparseOf(V.data, false)
		}
		p.byCol = p.byRow.transposed()
	default:
		p.v = V.dense() // read only
		p.opV, p.opVT = p.denseOperands()
	}
	return p, nil
}

// denseOperands returns V and Vᵀ multiplied from the dense p.v; Vᵀ is
// formed only where the BLAS needs it (fastTransposedProducts).
func (p *problem) denseOperands() (v, vt operand) {
	if fastTransposedProducts() {
		return denseOperand{p.v}, transposedDense{p.v}
	}
	return denseOperand{p.v}, denseOperand{p.transposeV()}
}

// transposeV returns Vᵀ stored row-major, forming it the first time.
func (p *problem) transposeV() *mat.Dense {
	if p.vt == nil {
		p.vt = transposeOf(p.v)
	}
	return p.vt
}

// fastTransposedProducts reports whether products with a transposed
// operand run as fast as with a plain one, as they do in OpenBLAS
// (internal/fastblas): Vᵀ·W then needs no copy of V. gonum's pure-Go BLAS
// multiplies 1.7 times faster from a row-major Vᵀ (denseOperand.times).
func fastTransposedProducts() bool {
	_, pureGo := blas64.Implementation().(gonum.Implementation)
	return !pureGo
}

// valueStats accumulates what problem needs from the observed values.
type valueStats struct {
	n, nonZero   int
	sum, sq, min float64
}

// scanPieceValues is how many stored values scanValues hands a goroutine
// at a time.
const scanPieceValues = 1 << 16

// scanValues returns the statistics of V's stored values, skipping NaN
// (missing) cells, and the row and position in it of the first infinite
// value, or negative one unless signed; row is -1 when there is none. Rows
// are scanned in pieces on all cores, and the pieces' sums added in order,
// so the result does not depend on the number of cores. Rows without
// NaN take addClean's fast loop: a dense 5000×2000 V is checked in 8 ms
// instead of 47 (BenchmarkNewProblemDense, bench/records, entry 16).
func scanValues(V *Matrix, signed bool) (st valueStats, row, pos int) {
	r, c := V.Dims()
	values := r * c
	if V.cells != nil {
		values = len(V.cells.idx)
	}
	rowsPer := max(1, int(int64(scanPieceValues)*int64(r)/int64(max(values, 1))))
	pieces := (r + rowsPer - 1) / rowsPer
	type piece struct {
		st       valueStats
		row, pos int
	}
	out := make([]piece, pieces)
	scan := func(k int) {
		pc := piece{st: valueStats{min: math.Inf(1)}, row: -1}
		var buf []float64 // a coded row's values, sized once for the piece's longest
		if x := V.cells; x != nil && x.coded() {
			buf = make([]float64, 0, x.longestRow(k*rowsPer, min((k+1)*rowsPer, r)))
		}
		for i := k * rowsPer; i < min((k+1)*rowsPer, r); i++ {
			vals, _ := V.storedRow(i, &buf)
			if pc.st.addClean(vals, signed) {
				continue
			}
			if q := pc.st.add(vals, signed); q >= 0 {
				pc.row, pc.pos = i, q
				break
			}
		}
		out[k] = pc
	}
	forPieces(pieces, float64(values), scan)
	st.min = math.Inf(1)
	for _, pc := range out {
		if pc.row >= 0 {
			return st, pc.row, pc.pos
		}
		st.n += pc.st.n
		st.nonZero += pc.st.nonZero
		st.sum += pc.st.sum
		st.sq += pc.st.sq
		st.min = min(st.min, pc.st.min)
	}
	return st, -1, 0
}

// addClean adds the values of a row when none is NaN, infinite or
// (unless signed) negative and their squares do not overflow, and reports
// whether it did; otherwise it adds nothing, for add to take the row value
// by value. Its partial sums let the processor overlap the additions,
// and a NaN or infinity among the values shows in their sum.
func (v *valueStats) addClean(vals []float64, signed bool) bool {
	var s0, s1, q0, q1 float64
	m0, m1 := math.Inf(1), math.Inf(1)
	zeros := 0
	i := 0
	for ; i+2 <= len(vals); i += 2 {
		x, y := vals[i], vals[i+1]
		s0, s1 = s0+x, s1+y
		q0, q1 = q0+x*x, q1+y*y
		m0, m1 = min(m0, x), min(m1, y)
		if x == 0 {
			zeros++
		}
		if y == 0 {
			zeros++
		}
	}
	for ; i < len(vals); i++ {
		x := vals[i]
		s0, q0, m0 = s0+x, q0+x*x, min(m0, x)
		if x == 0 {
			zeros++
		}
	}
	sum, sq, mn := s0+s1, q0+q1, min(m0, m1)
	if math.IsNaN(sum) || math.IsInf(sum, 0) || math.IsInf(sq, 0) || (mn < 0 && !signed) {
		return false
	}
	v.n += len(vals)
	v.nonZero += len(vals) - zeros
	v.sum += sum
	v.sq += sq
	v.min = min(v.min, mn)
	return true
}

// add takes the values of one row, skipping NaN (missing) cells, and
// returns the position of the first infinite value, or negative value
// unless signed, or -1.
func (v *valueStats) add(vals []float64, signed bool) int {
	for q, x := range vals {
		switch {
		case x != x: // NaN
			continue
		case math.IsInf(x, 0) || (x < 0 && !signed):
			return q
		}
		v.n++
		if x != 0 {
			v.nonZero++
		}
		v.sum += x
		v.sq += x * x
		v.min = min(v.min, x)
	}
	return -1
}

// needDense makes v and vt available for a sparse zero-is-data V, for the
// solvers that work cell by cell over all of W·H (β ≠ 2, biased fits).
func (p *problem) needDense() {
	if p.v == nil && p.stored != nil {
		p.v = p.stored.denseFill(0)
	}
}

// sparseDensity is the share of non-zero cells below which StorageAuto
// multiplies V as a list of its non-zero cells: measured with gonum's
// pure-Go BLAS, the list is faster below about a quarter of the cells.
const sparseDensity = 0.1

// useStorage switches the zero-is-data products to st.
func (p *problem) useStorage(st Storage) {
	switch {
	case p.masked():
	case p.stored != nil:
		if st == StorageDense {
			p.needDense()
			p.opV, p.opVT = p.denseOperands()
		}
	case st == StorageDense:
	default:
		nz := p.nonZero // every cell observed: scanValues counted them
		if st == StorageSparse || float64(nz) < sparseDensity*float64(p.rows*p.cols) {
			x := nonZeros(p.v, nz)
			p.opV, p.opVT = sparseProducts(x, x.transpose())
		}
	}
}

// sparseProducts returns x (n×m) and xᵀ, given both in CSR form, as the
// operands that multiply them fastest. x·b gathers rows of b at random;
// when b has more than twice the rows of the result, scattering b's rows
// in order into the result (transposed) is faster, as the random accesses
// then fall on the smaller matrix: 2.5 times on BenchmarkSparseLargeFactors.
func sparseProducts(x, xt *sparse) (a, at operand) {
	a, at = x, xt
	if x.m > 2*x.n {
		a = transposed{xt}
	}
	if x.n > 2*x.m {
		at = transposed{x}
	}
	return a, at
}

// masked reports whether V has missing cells.
func (p *problem) masked() bool { return p.byRow != nil }

// mean is the mean of the observed cells.
func (p *problem) mean() float64 { return p.sumV / float64(p.nObs) }

// filled returns V with every missing cell replaced by its row's observed
// mean (the overall mean for a row with nothing observed), and its
// transpose, for SVD-based initialization. They are operands of the form
// S + u·vᵀ, S holding the observed cells less their row's fill, so nothing
// rows × cols is formed.
func (p *problem) filled() (a, at operand) {
	x := p.byRow
	fill := make([]float64, p.rows)
	shifted := make([]float64, len(x.idx))
	for i := range fill {
		lo, hi := x.ptr[i], x.ptr[i+1]
		fill[i] = p.mean()
		if hi > lo {
			sum := 0.0
			for q := lo; q < hi; q++ {
				sum += x.value(q)
			}
			fill[i] = sum / float64(hi-lo)
		}
		for q := lo; q < hi; q++ {
			shifted[q] = x.value(q) - fill[i]
		}
	}
	ones := make([]float64, p.cols)
	for j := range ones {
		ones[j] = 1
	}
	// The same cells by column, from byCol's pattern: no transpose needed.
	xt := p.byCol
	shiftedT := make([]float64, len(xt.idx))
	for q, i := range xt.idx {
		shiftedT[q] = xt.value(q) - fill[i]
	}
	sv, svt := sparseProducts(x.withValues(shifted), xt.withValues(shiftedT))
	return plusOuter{sv, fill, ones}, plusOuter{svt, ones, fill}
}

// plusOuter is the operand s + u·vᵀ for a sparse s (n×m), u (n) and v (m).
type plusOuter struct {
	s    operand
	u, v []float64
}

func (x plusOuter) cells() int       { n, m := x.s.dims(); return n * m }
func (x plusOuter) dims() (n, m int) { return x.s.dims() }

func (x plusOuter) dense() *mat.Dense {
	d := mat.DenseCopyOf(x.s.dense())
	d.RankOne(d, 1, mat.NewVecDense(len(x.u), x.u), mat.NewVecDense(len(x.v), x.v))
	return d
}

// times sets dst to (s + u·vᵀ)·b = s·b + u·(vᵀb).
func (x plusOuter) times(dst, tmp, b *mat.Dense) {
	x.s.times(dst, tmp, b)
	var vb mat.VecDense
	vb.MulVec(b.T(), mat.NewVecDense(len(x.v), x.v))
	dst.RankOne(dst, 1, mat.NewVecDense(len(x.u), x.u), &vb)
}

// transposeOf returns dᵀ as a new dense matrix. It copies in square tiles
// so that both the rows read and the rows written stay in cache, several
// times faster for a large d than copying through d.T() cell by cell.
func transposeOf(d *mat.Dense) *mat.Dense {
	const tile = 32
	r, c := d.Dims()
	src := d.RawMatrix()
	t := mat.NewDense(c, r, nil)
	dst := t.RawMatrix().Data
	for i0 := 0; i0 < r; i0 += tile {
		for j0 := 0; j0 < c; j0 += tile {
			for i := i0; i < min(i0+tile, r); i++ {
				row := src.Data[i*src.Stride:]
				for j := j0; j < min(j0+tile, c); j++ {
					dst[j*r+i] = row[j]
				}
			}
		}
	}
	return t
}
