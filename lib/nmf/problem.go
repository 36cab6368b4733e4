package nmf

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// problem is V in the forms the solvers use. Factors are kept as W (rows×k)
// and Ht = Hᵀ (cols×k) so that one update routine serves both: W is updated
// against V and Ht, Ht against Vᵀ and W.
type problem struct {
	rows, cols int
	// v is V with missing cells set to 0; vt is its transpose.
	v, vt *mat.Dense
	// byRow and byCol list the observed cells when V has missing values
	// (nil otherwise): the solvers then work on observed cells only.
	byRow, byCol *sparse
	// opV and opVT are V and Vᵀ as the zero-is-data solvers multiply them:
	// dense, or as lists of non-zero cells when V is mostly zeros.
	opV, opVT    operand
	nObs         int
	sumV, normV2 float64 // Σv and Σv² over observed cells
	minV         float64
}

// sparse holds the observed cells of an n×m matrix by row (CSR): row i's
// columns are idx[ptr[i]:ptr[i+1]] with values val[ptr[i]:ptr[i+1]].
type sparse struct {
	n, m int
	ptr  []int
	idx  []int
	val  []float64
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
	raw := V.data.RawMatrix()
	vz := mat.NewDense(r, c, nil)
	missing := false
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			x := raw.Data[i*raw.Stride+j]
			switch {
			case math.IsNaN(x):
				missing = true
				continue
			case math.IsInf(x, 0):
				return nil, fmt.Errorf("nmf: V at row %q, column %q: %w", V.rows[i], V.cols[j], ErrNotFinite)
			case x < 0 && !signed:
				return nil, fmt.Errorf("nmf: V at row %q, column %q is %g: %w (NMF needs values ≥ 0)", V.rows[i], V.cols[j], x, ErrNegative)
			}
			vz.Set(i, j, x)
			p.nObs++
			p.sumV += x
			p.normV2 += x * x
			p.minV = min(p.minV, x)
		}
	}
	if p.nObs == 0 {
		return nil, fmt.Errorf("nmf: every cell of the %d×%d matrix is missing: %w", r, c, ErrNoData)
	}
	p.v = vz
	p.vt = mat.DenseCopyOf(vz.T())
	p.opV, p.opVT = denseOperand{p.v}, denseOperand{p.vt}
	if missing {
		p.byRow = sparseOf(V.data, false)
		p.byCol = sparseOf(V.data, true)
	}
	return p, nil
}

// sparseOf lists the non-NaN cells of d, of dᵀ when transpose is set.
func sparseOf(d *mat.Dense, transpose bool) *sparse {
	r, c := d.Dims()
	n, m := r, c
	at := d.At
	if transpose {
		n, m = c, r
		at = func(i, j int) float64 { return d.At(j, i) }
	}
	s := &sparse{n: n, m: m, ptr: make([]int, n+1)}
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			if x := at(i, j); !math.IsNaN(x) {
				s.idx = append(s.idx, j)
				s.val = append(s.val, x)
			}
		}
		s.ptr[i+1] = len(s.idx)
	}
	return s
}

// sparseDensity is the share of non-zero cells below which StorageAuto
// multiplies V as a list of its non-zero cells: measured with gonum's
// pure-Go BLAS, the list is faster below about a quarter of the cells.
const sparseDensity = 0.1

// useStorage switches the zero-is-data products to st.
func (p *problem) useStorage(st Storage) {
	if p.masked() {
		return
	}
	nz := 0
	for _, x := range p.v.RawMatrix().Data {
		if x != 0 {
			nz++
		}
	}
	if st == Sparse || (st == StorageAuto && float64(nz) < sparseDensity*float64(p.rows*p.cols)) {
		p.opV, p.opVT = nonZeros(p.v, nz), nonZeros(p.vt, nz)
	}
}

// nonZeros lists the non-zero cells of the dense d by row.
func nonZeros(d *mat.Dense, nz int) *sparse {
	r, c := d.Dims()
	s := &sparse{n: r, m: c, ptr: make([]int, r+1), idx: make([]int, 0, nz), val: make([]float64, 0, nz)}
	for i := 0; i < r; i++ {
		for j, x := range d.RawRowView(i) {
			if x != 0 {
				s.idx = append(s.idx, j)
				s.val = append(s.val, x)
			}
		}
		s.ptr[i+1] = len(s.idx)
	}
	return s
}

// masked reports whether V has missing cells.
func (p *problem) masked() bool { return p.byRow != nil }

// mean is the mean of the observed cells.
func (p *problem) mean() float64 { return p.sumV / float64(p.nObs) }

// filled returns V with every missing cell replaced by its row's observed
// mean (the overall mean for a row with nothing observed), for SVD-based
// initialization.
func (p *problem) filled() *mat.Dense {
	if !p.masked() {
		return p.v
	}
	f := mat.DenseCopyOf(p.v)
	for i := 0; i < p.rows; i++ {
		lo, hi := p.byRow.ptr[i], p.byRow.ptr[i+1]
		fill := p.mean()
		if hi > lo {
			sum := 0.0
			for _, x := range p.byRow.val[lo:hi] {
				sum += x
			}
			fill = sum / float64(hi-lo)
		}
		row := f.RawRowView(i)
		next := lo
		for j := range row {
			if next < hi && p.byRow.idx[next] == j {
				next++
				continue
			}
			row[j] = fill
		}
	}
	return f
}
