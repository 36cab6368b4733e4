package nmf

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// toSparse lists the non-missing cells of V in a shuffled order and builds
// the sparse matrix from them.
func toSparse(t testing.TB, V *Matrix) *Matrix {
	t.Helper()
	var ri, ci []int
	var vals []float64
	V.eachObserved(func(i, j int, v float64) {
		ri, ci, vals = append(ri, i), append(ci, j), append(vals, v)
	})
	rng := rand.New(rand.NewPCG(7, 7))
	rng.Shuffle(len(ri), func(a, b int) {
		ri[a], ri[b] = ri[b], ri[a]
		ci[a], ci[b] = ci[b], ci[a]
		vals[a], vals[b] = vals[b], vals[a]
	})
	s, err := NewSparse(V.RowLabels(), V.ColLabels(), ri, ci, vals)
	if err != nil {
		t.Fatal(err)
	}
	if !s.IsSparse() || V.IsSparse() {
		t.Fatal("IsSparse wrong")
	}
	return s
}

// sameMatrix fails unless a and b have the same labels and cells (NaN
// equal to NaN).
func sameMatrix(t *testing.T, what string, a, b *Matrix) {
	t.Helper()
	if err := sameLabels(a, b); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	r, c := a.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			x, y := a.At(i, j), b.At(i, j)
			if x != y && !(math.IsNaN(x) && math.IsNaN(y)) {
				t.Fatalf("%s: cell %d,%d is %g, want %g", what, i, j, x, y)
			}
		}
	}
}

func TestSparseMatchesDense(t *testing.T) {
	dense, _ := hide(lowRank(13, 9, 2, 0.1, 1), 0.4, 3)
	sp := toSparse(t, dense)
	if sp.Missing() != dense.Missing() {
		t.Errorf("Missing %d, want %d", sp.Missing(), dense.Missing())
	}
	for _, tc := range []struct {
		name string
		f    func(*Matrix) *Matrix
	}{
		{"same", func(m *Matrix) *Matrix { return m }},
		{"T", (*Matrix).Transpose},
		{"FillMissing(0)", func(m *Matrix) *Matrix { return m.FillMissing(0) }},
		{"FillMissing(2)", func(m *Matrix) *Matrix { return m.FillMissing(2) }},
		{"FillMissing(0).T", func(m *Matrix) *Matrix { return m.FillMissing(0).Transpose() }},
		{"Observed", (*Matrix).Observed},
		{"FillMissing(0).Observed", func(m *Matrix) *Matrix { return m.FillMissing(0).Observed() }},
		{"Popularity", Popularity},
		{"Rename", func(m *Matrix) *Matrix {
			r, _ := m.Rename(nil, strings.Split("a b c d e f g h i", " "))
			return r
		}},
		{"HoldOut train", func(m *Matrix) *Matrix { tr, _, _ := HoldOut(m, 0.3, 4); return tr }},
		{"HoldOut test", func(m *Matrix) *Matrix { _, te, _ := HoldOut(m, 0.3, 4); return te }},
		{"Dense", func(m *Matrix) *Matrix { return mustMatrix(m.rows, m.cols, m.Dense()) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, want := tc.f(sp), tc.f(dense)
			sameMatrix(t, tc.name, got, want)
			if got.Missing() != want.Missing() {
				t.Errorf("Missing %d, want %d", got.Missing(), want.Missing())
			}
			if got.String() != want.String() || got.HTML() != want.HTML() {
				t.Error("tables differ")
			}
			var a, b bytes.Buffer
			if err := got.WriteCSV(&a); err != nil {
				t.Fatal(err)
			}
			_ = want.WriteCSV(&b)
			if a.String() != b.String() {
				t.Error("CSV differs")
			}
		})
	}
	for _, label := range []string{"R1", "R7"} {
		a, _ := sp.Row(label)
		b, _ := dense.Row(label)
		if !slices.Equal(nanToZero(a), nanToZero(b)) {
			t.Errorf("Row(%s) = %v, want %v", label, a, b)
		}
	}
	a, _ := sp.Col("C4")
	b, _ := dense.Col("C4")
	if !slices.Equal(nanToZero(a), nanToZero(b)) {
		t.Errorf("Col = %v, want %v", a, b)
	}
	pred := lowRank(13, 9, 2, 0, 2)
	ea, _ := Evaluate(pred, sp)
	eb, _ := Evaluate(pred, dense)
	if ea != eb {
		t.Errorf("Evaluate %v, want %v", ea, eb)
	}
}

func nanToZero(x []float64) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		if !math.IsNaN(v) {
			out[i] = v
		}
	}
	return out
}

// TestSparseFitMatchesDense fits the same data stored both ways: a sparse
// matrix must give the dense matrix's factors, with missing cells (masked
// fits) and with zeros as data.
func TestSparseFitMatchesDense(t *testing.T) {
	masked, _ := hide(lowRank(50, 35, 3, 0.1, 4), 0.7, 5)
	zeros := masked.FillMissing(0)
	for _, tc := range []struct {
		name string
		V    *Matrix
		o    Options
	}{
		{"masked CD", masked, Options{}},
		{"masked MU", masked, Options{Solver: SolverMU}},
		{"masked KL", masked, Options{Solver: SolverMU, Loss: LossKullbackLeibler, Init: InitNNDSVDA}},
		{"masked regularized", masked, Options{AlphaW: 0.01, AlphaH: 0.02, L1Ratio: 0.3, RegScale: RegByObserved}},
		{"masked biased", masked, Options{Biased: true, BiasReg: 1, AlphaW: 0.1}},
		{"zeros CD", zeros, Options{Exact: true}},
		// The default's sweeps per product follow the product's cost, so
		// both multiply sparsely here.
		{"zeros CD accelerated", zeros, Options{Storage: StorageSparse}},
		{"zeros MU", zeros, Options{Solver: SolverMU}},
		{"zeros KL", zeros, Options{Solver: SolverMU, Loss: LossKullbackLeibler, Init: InitNNDSVDA}},
		{"zeros biased", zeros, Options{Biased: true, BiasReg: 1}},
		{"zeros random init", zeros, Options{Init: InitRandom, Exact: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.Components, tc.o.MaxIter, tc.o.Tol = 3, 25, -1
			want, err := Fit(tc.V, tc.o)
			if err != nil {
				t.Fatal(err)
			}
			sp := toSparse(t, masked)
			if tc.V != masked {
				sp = sp.FillMissing(0)
				if !sp.IsSparse() {
					t.Fatal("FillMissing(0) of a sparse matrix must stay sparse")
				}
			}
			got, err := Fit(sp, tc.o)
			if err != nil {
				t.Fatal(err)
			}
			if d := relDiff(got.W.Dense(), want.W.Dense()); d > 1e-9 {
				t.Errorf("W differs by %g", d)
			}
			if d := relDiff(got.H.Dense(), want.H.Dense()); d > 1e-9 {
				t.Errorf("H differs by %g", d)
			}
			if d := math.Abs(got.Loss-want.Loss) / want.Loss; d > 1e-9 {
				t.Errorf("loss %g, want %g", got.Loss, want.Loss)
			}
			if d := math.Abs(got.RelErr - want.RelErr); d > 1e-9 {
				t.Errorf("RelErr %g, want %g", got.RelErr, want.RelErr)
			}
		})
	}
}

// TestSparseFitStorageDense checks that Storage: Dense on a sparse
// zero-is-data matrix multiplies densely and still agrees.
func TestSparseFitStorageDense(t *testing.T) {
	masked, _ := hide(lowRank(40, 30, 3, 0.1, 6), 0.8, 7)
	sp := toSparse(t, masked).FillMissing(0)
	o := Options{Components: 3, MaxIter: 20, Tol: -1}
	a, err := Fit(sp, o)
	if err != nil {
		t.Fatal(err)
	}
	o.Storage = StorageDense
	b, err := Fit(sp, o)
	if err != nil {
		t.Fatal(err)
	}
	if d := relDiff(a.W.Dense(), b.W.Dense()); d > 1e-8 {
		t.Errorf("W differs by %g", d)
	}
}

func TestNewSparse(t *testing.T) {
	m, err := NewSparse(nil, nil, []int{2, 0, 0}, []int{1, 3, 0}, []float64{5, math.NaN(), 1})
	if err != nil {
		t.Fatal(err)
	}
	if r, c := m.Dims(); r != 3 || c != 4 {
		t.Errorf("dims %d×%d, want 3×4 from the largest indices", r, c)
	}
	if m.At(2, 1) != 5 || m.At(0, 0) != 1 || !m.IsMissing(0, 3) || m.Missing() != 10 {
		t.Errorf("cells wrong:\n%v", m)
	}
	for _, tc := range []struct {
		name       string
		rows, cols []string
		ri, ci     []int
		vals       []float64
		want       error
	}{
		{"lengths", nil, nil, []int{0}, []int{0, 1}, []float64{1}, ErrShape},
		{"negative index", nil, nil, []int{-1}, []int{0}, []float64{1}, ErrShape},
		{"index beyond labels", []string{"a"}, []string{"x"}, []int{1}, []int{0}, []float64{1}, ErrShape},
		{"duplicate", nil, nil, []int{0, 1, 0}, []int{1, 1, 1}, []float64{1, 2, 3}, ErrDuplicateEntry},
		{"infinite", nil, nil, []int{0}, []int{0}, []float64{math.Inf(1)}, ErrNotFinite},
		{"empty", nil, nil, nil, nil, nil, ErrEmpty},
		{"duplicate label", []string{"a", "a"}, []string{"x"}, []int{0}, []int{0}, []float64{1}, ErrDuplicateLabel},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewSparse(tc.rows, tc.cols, tc.ri, tc.ci, tc.vals); !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
		})
	}
}

func TestSparseAtOutOfRangePanicsLikeGonum(t *testing.T) {
	m, _ := NewSparse(nil, nil, []int{0}, []int{0}, []float64{1})
	defer func() {
		if r := recover(); r != mat.ErrIndexOutOfRange {
			t.Errorf("recovered %v, want mat.ErrIndexOutOfRange", r)
		}
	}()
	m.At(1, 0)
}

func TestTransposeSparse(t *testing.T) {
	x, dup := buildSparse(3, 4, []cellList{{ri: []int32{2, 0, 1, 0}, ci: []int32{3, 2, 0, 0}, vals: []float64{1, 2, 3, 4}}})
	if dup != nil {
		t.Fatal(dup)
	}
	tt := x.transpose().transpose()
	if !slices.Equal(tt.ptr, x.ptr) || !slices.Equal(tt.idx, x.idx) || !slices.Equal(tt.val, x.val) {
		t.Errorf("transpose twice: %+v, want %+v", tt, x)
	}
	if want := []int{0, 2, 3, 4}; !slices.Equal(x.ptr, want) {
		t.Errorf("ptr %v, want %v", x.ptr, want)
	}
	if want := []int32{0, 2, 0, 3}; !slices.Equal(x.idx, want) {
		t.Errorf("idx %v, want columns in order within rows %v", x.idx, want)
	}
}

// TestSparseProducts checks every form of a sparse product against the
// dense product, for shapes that pick gathering and scattering.
func TestSparseProducts(t *testing.T) {
	for _, tc := range []struct {
		name        string
		n, m, k     int
		cells       int
		wantScatter [2]bool // for x·b and xᵀ·b
	}{
		{"square", 40, 40, 3, 300, [2]bool{false, false}},
		{"tall", 3000, 50, 8, 20000, [2]bool{false, true}},
		{"wide", 50, 3000, 8, 20000, [2]bool{true, false}},
		{"empty rows", 500, 20, 2, 30, [2]bool{false, true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(tc.n), uint64(tc.m)))
			d := mat.NewDense(tc.n, tc.m, nil)
			for e := 0; e < tc.cells; e++ {
				d.Set(rng.IntN(tc.n), rng.IntN(tc.m), rng.Float64())
			}
			x := nonZeros(d, tc.cells)
			a, at := sparseProducts(x, x.transpose())
			for i, op := range []operand{a, at} {
				_, isScatter := op.(transposed)
				if isScatter != tc.wantScatter[i] {
					t.Errorf("operand %d: scatter %v, want %v", i, isScatter, tc.wantScatter[i])
				}
				var v mat.Matrix = d
				if i == 1 {
					v = d.T()
				}
				_, rows := v.Dims()
				b := mat.NewDense(rows, tc.k, nil)
				for r := 0; r < rows; r++ {
					for c := 0; c < tc.k; c++ {
						b.Set(r, c, rng.Float64())
					}
				}
				var got, tmp, want mat.Dense
				op.times(&got, &tmp, b)
				want.Mul(v, b)
				if diff := relDiff(&got, &want); diff > 1e-12 {
					t.Errorf("operand %d: product differs by %g", i, diff)
				}
				if n, m := op.dims(); !mat.Equal(op.dense(), mat.DenseCopyOf(v)) || n*m == 0 {
					t.Errorf("operand %d: dense form differs", i)
				}
			}
		})
	}
}

func TestTransposeOf(t *testing.T) {
	for _, dims := range [][2]int{{1, 1}, {3, 70}, {70, 3}, {33, 65}, {64, 64}} {
		d := mat.NewDense(dims[0], dims[1], nil)
		for i := range d.RawMatrix().Data {
			d.RawMatrix().Data[i] = float64(i)
		}
		if got := transposeOf(d); !mat.Equal(got, d.T()) {
			t.Errorf("%v: transposeOf differs from T()", dims)
		}
	}
	view := mat.NewDense(4, 5, nil).Slice(1, 3, 1, 4).(*mat.Dense) // stride ≠ cols
	view.Set(0, 2, 7)
	if got := transposeOf(view); !mat.Equal(got, view.T()) {
		t.Error("transposeOf of a view differs from T()")
	}
}

// FuzzNewSparse builds matrices from arbitrary cell lists: NewSparse must
// return an error or a matrix holding exactly the listed cells, never
// panic.
func FuzzNewSparse(f *testing.F) {
	f.Add([]byte{0, 0, 1, 1, 2, 3, 2, 0, 9})
	f.Add([]byte{1, 1, 1, 1, 1, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		var ri, ci []int
		var vals []float64
		for q := 0; q+2 < len(data); q += 3 {
			ri = append(ri, int(data[q]%9)-1) // −1 exercises the index check
			ci = append(ci, int(data[q+1]%7))
			v := float64(data[q+2])
			if data[q+2] == 255 {
				v = math.NaN()
			}
			vals = append(vals, v)
		}
		m, err := NewSparse(nil, nil, ri, ci, vals)
		if err != nil {
			return
		}
		listed := 0
		for e := range ri {
			if math.IsNaN(vals[e]) {
				continue
			}
			listed++
			if got := m.At(ri[e], ci[e]); got != vals[e] {
				t.Fatalf("cell %d,%d is %g, listed %g", ri[e], ci[e], got, vals[e])
			}
		}
		if r, c := m.Dims(); r*c-m.Missing() != listed {
			t.Fatalf("%d cells stored, %d listed", r*c-m.Missing(), listed)
		}
	})
}

// TestBuildSparseFromLists builds a matrix from cells listed in random
// order over several lists, some through label maps, and compares every
// cell and the row order with a dense reference; a cell listed twice, in
// two lists, is reported with its entries numbered across the lists.
func TestBuildSparseFromLists(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n, m = 40, 30
	want := mat.NewDense(n, m, nil)
	var cells [][2]int32
	for i := range n {
		for j := range m {
			if rng.Float64() < 0.3 {
				cells = append(cells, [2]int32{int32(i), int32(j)})
				want.Set(i, j, float64(1+i*m+j))
			}
		}
	}
	rng.Shuffle(len(cells), func(a, b int) { cells[a], cells[b] = cells[b], cells[a] })
	// Three lists; the second numbers rows and columns backwards and maps
	// them back.
	rev := func(k int) []int32 {
		r := make([]int32, k)
		for i := range r {
			r[i] = int32(k - 1 - i)
		}
		return r
	}
	lists := make([]cellList, 3)
	for e, c := range cells {
		l := &lists[e%3]
		i, j := c[0], c[1]
		if e%3 == 1 {
			i, j = int32(n-1)-i, int32(m-1)-j
			l.rowMap, l.colMap = rev(n), rev(m)
		}
		l.ri, l.ci, l.vals = append(l.ri, i), append(l.ci, j), append(l.vals, want.At(int(c[0]), int(c[1])))
	}
	x, dup := buildSparse(n, m, slices.Clone(lists))
	if dup != nil {
		t.Fatalf("duplicate %+v", dup)
	}
	if !mat.Equal(x.denseFill(0), want) {
		t.Errorf("built matrix differs from the reference")
	}
	for i := range n {
		if !sortedRow(x.idx[x.ptr[i]:x.ptr[i+1]]) {
			t.Errorf("row %d's columns are not increasing: %v", i, x.idx[x.ptr[i]:x.ptr[i+1]])
		}
	}
	// The first list's first cell again, at the end of the third list.
	lists[2].ri = append(lists[2].ri, lists[0].ri[0])
	lists[2].ci = append(lists[2].ci, lists[0].ci[0])
	lists[2].vals = append(lists[2].vals, 7)
	_, dup = buildSparse(n, m, lists)
	if want := (duplicate{row: cells[0][0], col: cells[0][1]}); dup == nil || *dup != want {
		t.Errorf("duplicate %+v, want %+v", dup, want)
	}
	one := cellList{ri: []int32{1, 2, 1, 1}, ci: []int32{0, 0, 3, 0}, vals: []float64{1, 2, 3, 4}}
	_, dup = buildSparse(3, 4, []cellList{one})
	if first, second := dup.entries(one); first != 0 || second != 3 {
		t.Errorf("entries %d and %d listed twice, want 0 and 3", first, second)
	}
}

// TestTransposeAnyCores checks the transpose that cuts the rows into one
// range per core: the same matrix for 1, 3 and 8 cores, each column's rows
// in order, and the original back from transposing twice.
func TestTransposeAnyCores(t *testing.T) {
	const n, m = 1000, 1500
	rng := rand.New(rand.NewPCG(9, 10))
	var ri, ci []int32
	var vals []float64
	for i := range n {
		// Rows of very different lengths, so that the ranges differ.
		for j := range m {
			if rng.IntN(n) < i {
				ri, ci, vals = append(ri, int32(i)), append(ci, int32(j)), append(vals, rng.Float64())
			}
		}
	}
	if len(vals) < 3*minParallelWork {
		t.Fatalf("%d cells: too few for several ranges", len(vals))
	}
	x, dup := buildSparse(n, m, []cellList{{ri: ri, ci: ci, vals: vals}})
	if dup != nil {
		t.Fatal("duplicate")
	}
	var want *sparse
	for _, procs := range []int{1, 3, 8} {
		old := runtime.GOMAXPROCS(procs)
		xt := x.transpose()
		back := xt.transpose()
		runtime.GOMAXPROCS(old)
		for j := range m {
			if !sortedRow(xt.idx[xt.ptr[j]:xt.ptr[j+1]]) {
				t.Fatalf("GOMAXPROCS %d: column %d's rows out of order", procs, j)
			}
		}
		if !slices.Equal(back.ptr, x.ptr) || !slices.Equal(back.idx, x.idx) || !slices.Equal(back.val, x.val) {
			t.Fatalf("GOMAXPROCS %d: transposing twice does not give the matrix back", procs)
		}
		if want == nil {
			want = xt
		} else if !slices.Equal(xt.ptr, want.ptr) || !slices.Equal(xt.idx, want.idx) || !slices.Equal(xt.val, want.val) {
			t.Fatalf("GOMAXPROCS %d: transpose differs from GOMAXPROCS 1's", procs)
		}
	}
}

// TestRowSorterOrder checks the row sorter's keys against a comparison
// sort, for rows on both sides of radixFrom, columns needing one to four
// radix passes, and repeated columns (which must keep their order).
func TestRowSorterOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	var s rowSorter
	for _, n := range []int{0, 1, 5, radixFrom - 1, radixFrom, radixFrom + 1, 300, 5000} {
		for _, bound := range []int32{1, 3, 200, 256, 257, 70_000, 1 << 24, 1<<31 - 1} {
			cols := make([]int32, n)
			for q := range cols {
				cols[q] = rng.Int32N(bound)
			}
			want := make([]uint64, n)
			for q, c := range cols {
				want[q] = uint64(uint32(c))<<32 | uint64(q)
			}
			slices.Sort(want)
			s.order(cols)
			if !slices.Equal(s.keys, want) {
				t.Fatalf("n=%d columns below %d: keys out of order", n, bound)
			}
		}
	}
}
