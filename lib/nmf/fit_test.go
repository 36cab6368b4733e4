package nmf

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// lowRank returns a rows×cols matrix of rank k plus a little noise.
func lowRank(rows, cols, k int, noise float64, seed uint64) *Matrix {
	rng := rand.New(rand.NewPCG(seed, 1))
	w := mat.NewDense(rows, k, nil)
	h := mat.NewDense(k, cols, nil)
	for _, d := range []*mat.Dense{w, h} {
		raw := d.RawMatrix().Data
		for i := range raw {
			raw[i] = rng.Float64()
		}
	}
	var v mat.Dense
	v.Mul(w, h)
	raw := v.RawMatrix().Data
	for i := range raw {
		raw[i] += noise * rng.Float64()
	}
	m, _ := FromDense(&v, nil, nil)
	return m
}

func TestFitErrors(t *testing.T) {
	V := lowRank(6, 5, 2, 0, 1)
	neg, _ := NewMatrix([]string{"a", "b"}, []string{"x", "y"}, []float64{1, -1, 2, 3})
	zeros, _ := NewMatrix([]string{"a", "b"}, []string{"x", "y"}, []float64{1, 0, 2, 3})
	allNaN, _ := NewMatrix([]string{"a"}, []string{"x"}, []float64{math.NaN()})
	for _, tc := range []struct {
		name string
		V    *Matrix
		opt  Options
		want error
		text string
	}{
		{"nil matrix", nil, Options{Components: 1}, ErrEmpty, "nil matrix"},
		{"negative", neg, Options{Components: 1}, ErrNegative, `row "a", column "y" is -1`},
		{"all missing", allNaN, Options{Components: 1}, ErrNoData, "missing"},
		{"no components", V, Options{}, ErrOption, "Components is 0"},
		{"k too big for nndsvd", V, Options{Components: 6, Init: InitNNDSVD}, ErrOption, "min(rows, cols) = 5"},
		{"kl with cd", V, Options{Components: 2, Loss: LossKullbackLeibler}, ErrOption, "CD solver minimizes the Frobenius loss only"},
		{"is with zeros", zeros, Options{Components: 1, Solver: SolverMU, Loss: LossItakuraSaito}, ErrOption, "zeros"},
		{"custom without factors", V, Options{Components: 2, Init: InitCustom}, ErrOption, "W0 and H0"},
		{"custom wrong shape", V, Options{Components: 2, Init: InitCustom, W0: mat.NewDense(6, 3, nil), H0: mat.NewDense(2, 5, nil)}, ErrShape, "W0 is 6×3"},
		{"custom negative", V, Options{Components: 1, Init: InitCustom, W0: mat.NewDense(6, 1, []float64{1, 1, 1, 1, 1, -1}), H0: mat.NewDense(1, 5, nil)}, ErrOption, "≥ 0"},
		{"bad l1 ratio", V, Options{Components: 2, L1Ratio: 2}, ErrOption, "L1Ratio"},
		{"infinite alpha", V, Options{Components: 2, AlphaW: math.Inf(1)}, ErrOption, "AlphaW"},
		{"negative max iter", V, Options{Components: 2, MaxIter: -3}, ErrOption, "MaxIter"},
		{"unknown solver", V, Options{Components: 2, Solver: 7}, ErrOption, "Solver(7)"},
		{"unknown init", V, Options{Components: 2, Init: 9}, ErrOption, "Init(9)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Fit(tc.V, tc.opt)
			if m != nil || !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.text) {
				t.Errorf("got %v, want an error wrapping %v mentioning %q", err, tc.want, tc.text)
			}
		})
	}
}

func TestFitDefaults(t *testing.T) {
	V := lowRank(10, 8, 3, 0.01, 2)
	m, err := Fit(V, Options{Components: 3})
	if err != nil {
		t.Fatal(err)
	}
	if m.Options.Init != InitNNDSVDA || m.Options.Tol != 1e-4 || m.Options.MaxIter != 200 {
		t.Errorf("defaults not applied: %+v", m.Options)
	}
	m, err = Fit(V, Options{Components: 12})
	if err != nil {
		t.Fatal(err)
	}
	if m.Options.Init != InitRandom {
		t.Errorf("k > min(rows, cols) must default to Random, got %v", m.Options.Init)
	}
	if m.RelErr > 0.05 {
		t.Errorf("RelErr %g on a near rank-3 matrix", m.RelErr)
	}
}

func TestFitEverySolverAndLoss(t *testing.T) {
	V := lowRank(20, 15, 3, 0.05, 3)
	for _, o := range []Options{
		{Solver: SolverCD}, {Solver: SolverCD, Shuffle: true}, {Solver: SolverMU}, {Solver: SolverMU, Loss: LossKullbackLeibler},
		{Solver: SolverMU, Loss: LossItakuraSaito}, {Solver: SolverCD, AlphaW: 0.01, AlphaH: 0.01, L1Ratio: 1},
		{Solver: SolverMU, AlphaW: 0.01, L1Ratio: 0}, {Init: InitNNDSVD}, {Init: InitNNDSVDAR}, {Init: InitRandom},
	} {
		o.Components, o.MaxIter, o.Seed = 3, 400, 5
		t.Run(o.Solver.String()+"-"+o.Loss.String()+"-"+o.Init.String(), func(t *testing.T) {
			a, err := Fit(V, o)
			if err != nil {
				t.Fatal(err)
			}
			if a.RelErr > 0.1 {
				t.Errorf("RelErr %g", a.RelErr)
			}
			if len(a.History) != a.Iterations {
				t.Errorf("%d history entries for %d iterations", len(a.History), a.Iterations)
			}
			if first, last := a.History[0], a.History[len(a.History)-1]; last > first {
				t.Errorf("loss rose from %g to %g", first, last)
			}
			b, _ := Fit(V, o)
			if !mat.Equal(a.W.Dense(), b.W.Dense()) || !mat.Equal(a.H.Dense(), b.H.Dense()) {
				t.Error("equal seeds gave different results")
			}
		})
	}
}

func TestProgressAndCancel(t *testing.T) {
	V := lowRank(30, 20, 4, 0.2, 4)
	var seen []Progress
	m, err := Fit(V, Options{Components: 4, Tol: -1, MaxIter: 25, Progress: func(p Progress) { seen = append(seen, p) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 25 || m.Iterations != 25 || m.Converged {
		t.Fatalf("%d progress calls, %d iterations, converged %v; want 25, 25, false", len(seen), m.Iterations, m.Converged)
	}
	for i, p := range seen {
		if p.Iteration != i+1 || p.MaxIter != 25 || p.Loss != m.History[i] && i < 24 {
			t.Errorf("progress %d: %+v (history %g)", i, p, m.History[i])
		}
	}
	// The loss reported during the fit agrees with the exact final loss.
	if rel := math.Abs(seen[24].Loss-m.Loss) / m.Loss; rel > 1e-8 {
		t.Errorf("last progress loss %g, final loss %g", seen[24].Loss, m.Loss)
	}

	ctx, cancel := context.WithCancel(context.Background())
	_, err = FitContext(ctx, V, Options{Components: 4, Tol: -1, MaxIter: 1000, Progress: func(p Progress) {
		if p.Iteration == 3 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "after 3 iterations") {
		t.Errorf("cancelled fit: %v", err)
	}
}

// hide marks a share of V's cells missing and returns them.
func hide(V *Matrix, share float64, seed uint64) (*Matrix, map[[2]int]float64) {
	rng := rand.New(rand.NewPCG(seed, 2))
	d := mat.DenseCopyOf(V.Dense())
	held := map[[2]int]float64{}
	r, c := d.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			if rng.Float64() < share {
				held[[2]int{i, j}] = d.At(i, j)
				d.Set(i, j, math.NaN())
			}
		}
	}
	m, _ := FromDense(d, V.RowLabels(), V.ColLabels())
	return m, held
}

func TestMissingValues(t *testing.T) {
	full := lowRank(40, 30, 3, 0.02, 5)
	V, held := hide(full, 0.2, 6)
	r, c := V.Dims()
	// Baseline: each held-out cell predicted by its column's observed mean.
	colMean := make([]float64, c)
	for j := 0; j < c; j++ {
		sum, n := 0.0, 0
		for i := 0; i < r; i++ {
			if !V.IsMissing(i, j) {
				sum += V.At(i, j)
				n++
			}
		}
		colMean[j] = sum / float64(n)
	}
	rmse := func(pred func(i, j int) float64) float64 {
		s := 0.0
		for ij, v := range held {
			d := pred(ij[0], ij[1]) - v
			s += d * d
		}
		return math.Sqrt(s / float64(len(held)))
	}
	baseline := rmse(func(_, j int) float64 { return colMean[j] })
	for _, o := range []Options{
		{Solver: SolverCD}, {Solver: SolverMU, MaxIter: 2000}, {Solver: SolverMU, Loss: LossKullbackLeibler, MaxIter: 2000},
	} {
		o.Components = 3
		t.Run(o.Solver.String()+"-"+o.Loss.String(), func(t *testing.T) {
			m, err := Fit(V, o)
			if err != nil {
				t.Fatal(err)
			}
			wh := m.Reconstruct()
			got := rmse(wh.At)
			t.Logf("held-out RMSE %.4f, column-mean baseline %.4f", got, baseline)
			if got > baseline/3 {
				t.Errorf("held-out RMSE %.4f does not beat the column mean (%.4f) clearly", got, baseline)
			}
			s, err := m.Recommend("C1", 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range s {
				i := V.rowIdx[x.Label]
				if x.Known == V.IsMissing(i, 0) {
					t.Errorf("%s: Known = %v but missing = %v", x.Label, x.Known, V.IsMissing(i, 0))
				}
			}
		})
	}
}

// TestUnobservedRowsAndColumns fits a matrix in which one row and one
// column have nothing observed. In plain fits their factors must be the
// non-negative least-squares fit of the observed mean by the other side's
// factors (the optimality conditions hold), so that they are predicted
// near the mean, not from their random start; in a biased fit they must
// be the mean of the fitted factors.
func TestUnobservedRowsAndColumns(t *testing.T) {
	full := lowRank(30, 20, 3, 0.02, 8)
	d := full.Dense()
	const coldRow, coldCol = 4, 7
	for j := range 20 {
		d.Set(coldRow, j, math.NaN())
	}
	for i := range 30 {
		d.Set(i, coldCol, math.NaN())
	}
	d.Set(0, 0, math.NaN()) // an ordinary missing cell too
	V, err := FromDense(d, full.rows, full.cols)
	if err != nil {
		t.Fatal(err)
	}
	mean, cells := 0.0, 0
	for _, v := range d.RawMatrix().Data {
		if !math.IsNaN(v) {
			mean += v
			cells++
		}
	}
	mean /= float64(cells)
	for _, o := range []Options{
		{Solver: SolverCD}, {Solver: SolverMU, MaxIter: 300}, {Biased: true, AlphaW: 0.01, AlphaH: 0.01},
	} {
		o.Components = 3
		t.Run(fmt.Sprintf("%v-biased-%v", o.Solver, o.Biased), func(t *testing.T) {
			m, err := Fit(V, o)
			if err != nil {
				t.Fatal(err)
			}
			w, ht := m.W.Dense(), mat.DenseCopyOf(m.H.Dense().T())
			for _, c := range []struct {
				name         string
				f, other     *mat.Dense
				i, skipOther int
			}{{"row", w, ht, coldRow, coldCol}, {"column", ht, w, coldCol, coldRow}} {
				a := mat.Row(nil, c.i, c.f)
				if o.Biased {
					n, k := c.f.Dims()
					want := make([]float64, k)
					for i := range n {
						if i != c.i {
							floats.AddScaled(want, 1/float64(n-1), mat.Row(nil, i, c.f))
						}
					}
					if !floats.EqualApprox(a, want, 1e-12) {
						t.Errorf("unobserved %s's factor %v in a biased fit, want the mean of the others %v", c.name, a, want)
					}
					continue
				}
				// Gradient of ½Σ_j (a·o_j − mean)² over the other side's
				// observed rows: zero where a_t > 0, ≥ 0 where a_t = 0.
				n, k := c.other.Dims()
				grad := make([]float64, k)
				predSum := 0.0
				for j := range n {
					if j == c.skipOther {
						continue
					}
					oj := mat.Row(nil, j, c.other)
					pred := floats.Dot(a, oj)
					predSum += pred
					for t2 := range k {
						grad[t2] += (pred - mean) * oj[t2]
					}
				}
				for t2, g := range grad {
					if (a[t2] > 0 && math.Abs(g) > 1e-6*mean*float64(n)) || g < -1e-6*mean*float64(n) {
						t.Errorf("unobserved %s: factor %v, gradient %v: not the least-squares fit of the mean", c.name, a, grad)
						break
					}
				}
				if avg := predSum / float64(n-1); math.Abs(avg-mean) > 0.2*mean {
					t.Errorf("unobserved %s predicted %g on average, the observed mean is %g", c.name, avg, mean)
				}
			}
		})
	}
}

// TestMaskedMatchesDense runs the observed-cells solvers on a matrix with
// every cell observed: they must give what the dense solvers give.
func TestMaskedMatchesDense(t *testing.T) {
	V := lowRank(25, 18, 4, 0.1, 7)
	for _, o := range []Options{{Solver: SolverCD}, {Solver: SolverMU}, {Solver: SolverMU, Loss: LossKullbackLeibler}, {Solver: SolverCD, AlphaW: 0.01, AlphaH: 0.02, L1Ratio: 0.3}} {
		// The masked solver takes one sweep per row and iteration, as the
		// exact dense one does.
		o.Components, o.MaxIter, o.Tol, o.Exact = 4, 50, -1, true
		t.Run(o.Solver.String()+"-"+o.Loss.String(), func(t *testing.T) {
			dense, err := Fit(V, o)
			if err != nil {
				t.Fatal(err)
			}
			p, _ := newProblem(V)
			p.byRow, p.byCol = sparseOf(V.Dense(), false), sparseOf(V.Dense(), true)
			s, _ := o.resolve(p.rows, p.cols)
			w, ht, _ := initialize(p, s)
			res, err := solve(context.Background(), p, w, ht, s, true)
			if err != nil {
				t.Fatal(err)
			}
			if d := relDiff(w, dense.W.Dense()); d > 1e-9 {
				t.Errorf("W differs by %g", d)
			}
			if d := math.Abs(res.loss-dense.Loss) / dense.Loss; d > 1e-9 {
				t.Errorf("loss %g vs %g", res.loss, dense.Loss)
			}
		})
	}
}

func TestTransformMissingAndLabels(t *testing.T) {
	V := lowRank(12, 10, 2, 0.01, 8)
	m, err := Fit(V, Options{Components: 2, MaxIter: 500})
	if err != nil {
		t.Fatal(err)
	}
	// The training columns, rows shuffled by label and one cell missing,
	// transform to about the fitted H.
	rows := V.RowLabels()
	rev := make([]string, len(rows))
	data := make([]float64, 0, len(rows)*10)
	for i := range rows {
		rev[i] = rows[len(rows)-1-i]
		r, _ := V.Row(rev[i])
		data = append(data, r...)
	}
	data[3] = math.NaN()
	shuffled, _ := NewMatrix(rev, V.ColLabels(), data)
	h, err := m.Transform(shuffled)
	if err != nil {
		t.Fatal(err)
	}
	if d := relDiff(h.Dense(), m.H.Dense()); d > 0.05 {
		t.Errorf("Transform of the training data differs from H by %.3g", d)
	}
	bad, _ := NewMatrix([]string{"x"}, []string{"a"}, []float64{1})
	if _, err := m.Transform(bad); !errors.Is(err, ErrShape) {
		t.Errorf("wrong rows: %v", err)
	}
}

func TestModelLabels(t *testing.T) {
	m := fitGrocery(t)
	if err := m.NameSegments("a", "b"); !errors.Is(err, ErrShape) {
		t.Errorf("too few names: %v", err)
	}
	if err := m.NameSegments("a", "a", "b"); !errors.Is(err, ErrDuplicateLabel) {
		t.Errorf("duplicate names: %v", err)
	}
	if _, err := m.Recommend("Nobody", 3); !errors.Is(err, ErrUnknownLabel) || !strings.Contains(err.Error(), "John, Alice") {
		t.Errorf("unknown person: %v", err)
	}
	if _, err := m.Targets("Tea", 3); !errors.Is(err, ErrUnknownLabel) {
		t.Errorf("unknown item: %v", err)
	}
	memb := m.Membership()
	for _, p := range memb.ColLabels() {
		c, _ := memb.Col(p)
		if s := c[0] + c[1] + c[2]; math.Abs(s-1) > 1e-12 {
			t.Errorf("%s's membership sums to %g", p, s)
		}
	}
	wh := m.Reconstruct()
	if v, _ := wh.Value("Bread", "Greg"); math.Abs(v-4) > 0.5 {
		t.Errorf("W·H for Greg's bread is %g, V has 4", v)
	}
}

func TestMatrix(t *testing.T) {
	m, err := NewMatrix([]string{"a", "b"}, nil, []float64{1, 2, 3, 4, 5, 6})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(m.ColLabels(), ","); got != "C1,C2,C3" {
		t.Errorf("generated labels %s", got)
	}
	tr := m.Transpose()
	if r, c := tr.Dims(); r != 3 || c != 2 || tr.At(2, 1) != 6 {
		t.Errorf("transpose wrong: %v", tr)
	}
	if col, _ := tr.Col("b"); col[1] != 5 {
		t.Errorf("Col(b) = %v", col)
	}
	if want := "   C1  C2  C3\na   1   2   3\nb   4   5   6\n"; m.String() != want {
		t.Errorf("String:\n%q\nwant\n%q", m.String(), want)
	}
	for _, tc := range []struct {
		rows, cols []string
		data       []float64
		want       error
	}{
		{[]string{"a"}, []string{"x", "y"}, []float64{1}, ErrShape},
		{[]string{}, []string{}, nil, ErrEmpty},
		{[]string{"a", "a"}, []string{"x"}, []float64{1, 2}, ErrDuplicateLabel},
		{[]string{"a"}, []string{"x"}, []float64{math.Inf(1)}, ErrNotFinite},
		{nil, nil, []float64{1}, ErrShape},
		{nil, []string{"x", "y"}, []float64{1, 2, 3}, ErrShape},
	} {
		if _, err := NewMatrix(tc.rows, tc.cols, tc.data); !errors.Is(err, tc.want) {
			t.Errorf("NewMatrix(%v, %v, %v): %v, want %v", tc.rows, tc.cols, tc.data, err, tc.want)
		}
	}
	if FormatValue(math.NaN()) != "NA" || FormatValue(0.123456) != "0.1235" || FormatValue(2) != "2" || FormatValue(1.5e-7) != "1.5e-07" {
		t.Error("FormatValue")
	}
}

func TestScanRanks(t *testing.T) {
	// Three clear groups of people: a stable rank-3 structure.
	rows, cols := 12, 15
	d := mat.NewDense(rows, cols, nil)
	rng := rand.New(rand.NewPCG(9, 9))
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			if i/4 == j/5 {
				d.Set(i, j, 1+rng.Float64())
			} else {
				d.Set(i, j, 0.05*rng.Float64())
			}
		}
	}
	V, _ := FromDense(d, nil, nil)
	scan, err := ScanRanks(V, []int{1, 2, 3, 4}, ScanOptions{Runs: 6, Options: Options{MaxIter: 300}})
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + scan.String())
	for i, r := range scan.Ranks {
		if i > 0 && r.RelErr > scan.Ranks[i-1].RelErr+1e-9 {
			t.Errorf("RelErr rose from k=%d to k=%d", scan.Ranks[i-1].K, r.K)
		}
	}
	if c := scan.Ranks[2].Cophenetic; c < 0.99 {
		t.Errorf("cophenetic correlation at the true rank 3 is %g", c)
	}
	if scan.Ranks[2].RelErr > 0.2 {
		t.Errorf("RelErr at k=3 is %g", scan.Ranks[2].RelErr)
	}
	single, err := ScanRanks(V, []int{2}, ScanOptions{})
	if err != nil || !math.IsNaN(single.Ranks[0].Cophenetic) || single.Ranks[0].Consensus != nil {
		t.Errorf("single run: %v %+v", err, single.Ranks[0])
	}
	if _, err := ScanRanks(V, nil, ScanOptions{}); !errors.Is(err, ErrOption) {
		t.Errorf("no ranks: %v", err)
	}
}

// TestAccelerate checks that the default's extra sweeps per product and
// extrapolation (everything Exact turns off) never make the reported loss
// worse: it falls monotonically, after as many
// iterations it is at most the one-sweep loss, and the factors returned
// are non-negative and have the loss reported.
func TestAccelerate(t *testing.T) {
	V := lowRank(120, 80, 6, 0.05, 11)
	for _, tc := range []struct {
		name string
		o    Options
	}{
		{"dense", Options{Storage: StorageDense}},
		{"sparse", Options{Storage: StorageSparse}},
		{"regularized", Options{AlphaW: 0.01, AlphaH: 0.01, L1Ratio: 0.5}},
		{"random init", Options{Init: InitRandom}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.o
			o.Components, o.MaxIter, o.Tol = 6, 30, -1
			o.Exact = true
			plain, err := Fit(V, o)
			if err != nil {
				t.Fatal(err)
			}
			o.Exact = false
			fast, err := Fit(V, o)
			if err != nil {
				t.Fatal(err)
			}
			for i := 1; i < len(fast.History) && o.AlphaW == 0; i++ {
				if fast.History[i] > fast.History[i-1]*(1+1e-9) {
					t.Fatalf("loss rose at iteration %d: %g → %g", i+1, fast.History[i-1], fast.History[i])
				}
			}
			if objective(fast, V) > objective(plain, V) {
				t.Errorf("after 30 iterations the accelerated objective %g exceeds the one-sweep %g", objective(fast, V), objective(plain, V))
			}
			for _, f := range []*Matrix{fast.W, fast.H} {
				if mat.Min(f.Dense()) < 0 {
					t.Fatal("negative factor")
				}
			}
			var wh mat.Dense
			wh.Mul(fast.W.Dense(), fast.H.Dense())
			wh.Sub(V.Dense(), &wh)
			if want := mat.Norm(&wh, 2) * mat.Norm(&wh, 2) / 2; math.Abs(fast.Loss-want) > 1e-9*want {
				t.Errorf("Loss %g, factors give %g", fast.Loss, want)
			}
			t.Logf("objective after 30 iterations %g with one sweep, %g accelerated", objective(plain, V), objective(fast, V))
		})
	}
}

// objective is what a CD fit of m minimizes: the Frobenius loss plus the
// penalties, scaled as scikit-learn scales them.
func objective(m *Model, V *Matrix) float64 {
	r, c := V.Dims()
	o := m.Options
	l1W, l2W := o.AlphaW*o.L1Ratio*float64(c), o.AlphaW*(1-o.L1Ratio)*float64(c)
	l1H, l2H := o.AlphaH*o.L1Ratio*float64(r), o.AlphaH*(1-o.L1Ratio)*float64(r)
	return m.Loss + penaltyOf(m.W.Dense(), l1W, l2W) + penaltyOf(m.H.Dense(), l1H, l2H)
}

// TestMaskedRelErrIsTheFinalError checks that a masked fit's RelErr, read
// off its last sweep's residuals, is the error of the factors it returns
// over the observed cells.
// observedRelErr returns ‖V − WH‖ / ‖V‖ over V's observed cells for m's
// factors.
func observedRelErr(V *Matrix, m *Model) float64 {
	var wh mat.Dense
	wh.Mul(m.W.Dense(), m.H.Dense())
	sq, norm := 0.0, 0.0
	rows, cols := V.Dims()
	for i := range rows {
		for j := range cols {
			if v := V.At(i, j); !math.IsNaN(v) {
				d := v - wh.At(i, j)
				sq, norm = sq+d*d, norm+v*v
			}
		}
	}
	return math.Sqrt(sq / norm)
}

func TestMaskedRelErrIsTheFinalError(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	const rows, cols = 60, 40
	data := make([]float64, rows*cols)
	for i := range data {
		data[i] = math.NaN()
		if rng.Float64() < 0.3 {
			data[i] = 1 + 4*rng.Float64()
		}
	}
	V, err := NewMatrix(generatedLabels("r", rows), generatedLabels("c", cols), data)
	if err != nil {
		t.Fatal(err)
	}
	for _, iters := range []int{1, 7} {
		m, err := Fit(V, Options{Components: 4, MaxIter: iters, Tol: -1, AlphaW: 0.1, AlphaH: 0.1})
		if err != nil {
			t.Fatal(err)
		}
		if want := observedRelErr(V, m); math.Abs(m.RelErr-want) > 1e-12*want {
			t.Fatalf("%d iterations: RelErr %v, the factors' error %v", iters, m.RelErr, want)
		}
	}
}
