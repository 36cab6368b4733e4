package nmf

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestHoldOut(t *testing.T) {
	V, _ := hide(lowRank(30, 20, 2, 0, 1), 0.3, 2)
	observed := 30*20 - V.Missing()
	train, test, err := HoldOut(V, 0.25, 9)
	if err != nil {
		t.Fatal(err)
	}
	wantTest := int(math.Round(0.25 * float64(observed)))
	if got := 600 - test.Missing(); got != wantTest {
		t.Errorf("test has %d cells, want %d", got, wantTest)
	}
	if got := 600 - train.Missing(); got != observed-wantTest {
		t.Errorf("train has %d cells, want %d", got, observed-wantTest)
	}
	for i := 0; i < 30; i++ {
		for j := 0; j < 20; j++ {
			inTrain, inTest := !train.IsMissing(i, j), !test.IsMissing(i, j)
			switch {
			case inTrain && inTest:
				t.Fatalf("cell %d,%d in both", i, j)
			case V.IsMissing(i, j) && (inTrain || inTest):
				t.Fatalf("missing cell %d,%d appears", i, j)
			case !V.IsMissing(i, j) && !inTrain && !inTest:
				t.Fatalf("cell %d,%d lost", i, j)
			case inTest && test.At(i, j) != V.At(i, j), inTrain && train.At(i, j) != V.At(i, j):
				t.Fatalf("cell %d,%d changed value", i, j)
			}
		}
	}
	again, _, _ := HoldOut(V, 0.25, 9)
	if !mat.Equal(nanToNum(again.Dense()), nanToNum(train.Dense())) {
		t.Error("equal seeds gave different splits")
	}
	other, _, _ := HoldOut(V, 0.25, 10)
	if mat.Equal(nanToNum(other.Dense()), nanToNum(train.Dense())) {
		t.Error("different seeds gave the same split")
	}
	for _, frac := range []float64{-0.1, 1.5, math.NaN()} {
		if _, _, err := HoldOut(V, frac, 1); !errors.Is(err, ErrOption) {
			t.Errorf("HoldOut(%g): %v, want ErrOption", frac, err)
		}
	}
}

func nanToNum(d *mat.Dense) *mat.Dense {
	c := mat.DenseCopyOf(d)
	c.Apply(func(_, _ int, v float64) float64 {
		if math.IsNaN(v) {
			return -1
		}
		return v
	}, c)
	return c
}

func TestObserved(t *testing.T) {
	m, _ := NewMatrix([]string{"a", "b"}, []string{"x", "y"}, []float64{4, math.NaN(), 0, 2})
	got := m.Observed()
	if want := []float64{1, 0, 1, 1}; !slices.Equal(got.Dense().RawMatrix().Data, want) {
		t.Errorf("Observed = %v, want %v", got.Dense().RawMatrix().Data, want)
	}
	if got.RowLabels()[1] != "b" || got.ColLabels()[0] != "x" {
		t.Error("labels lost")
	}
}

func TestEvaluate(t *testing.T) {
	nan := math.NaN()
	rows, cols := []string{"a", "b"}, []string{"x", "y"}
	pred, _ := NewMatrix(rows, cols, []float64{1, 2, 3, 4})
	test, _ := NewMatrix(rows, cols, []float64{2, nan, nan, 1})
	a, err := Evaluate(pred, test)
	if err != nil {
		t.Fatal(err)
	}
	// Errors 1 and 3: RMSE sqrt(5), MAE 2.
	if a.Cells != 2 || math.Abs(a.RMSE-math.Sqrt(5)) > 1e-12 || a.MAE != 2 {
		t.Errorf("got %+v", a)
	}
	if s := a.String(); !strings.Contains(s, "RMSE 2.2361") {
		t.Errorf("String = %q", s)
	}
	empty, _ := NewMatrix(rows, cols, []float64{nan, nan, nan, nan})
	other, _ := NewMatrix([]string{"a", "c"}, cols, []float64{1, 2, 3, 4})
	holes, _ := NewMatrix(rows, cols, []float64{nan, 1, 1, 1})
	for _, tc := range []struct {
		name       string
		pred, test *Matrix
		want       error
	}{
		{"no test cells", pred, empty, ErrNoData},
		{"labels differ", other, test, ErrShape},
		{"nil", nil, test, ErrEmpty},
		{"missing predictions", holes, test, ErrNotFinite},
	} {
		if _, err := Evaluate(tc.pred, tc.test); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestEvaluateRanking(t *testing.T) {
	nan := math.NaN()
	rows, cols := []string{"i1", "i2", "i3", "i4", "i5"}, []string{"u1", "u2", "u3"}
	// u1 owns i1; held out: i2 and i5. u2 owns i2, i3; held out: i4.
	// u3 has nothing held out and is not evaluated.
	train, _ := NewMatrix(rows, cols, []float64{
		1, nan, 1,
		nan, 1, 0,
		nan, 1, nan,
		nan, nan, nan,
		nan, nan, nan,
	})
	test, _ := NewMatrix(rows, cols, []float64{
		nan, nan, nan,
		1, nan, nan,
		nan, nan, nan,
		nan, 1, nan,
		1, nan, nan,
	})
	scores, _ := NewMatrix(rows, cols, []float64{
		9, 0, 0,
		5, 9, 0,
		4, 9, 0,
		1, 1, 0,
		3, 8, 0,
	})
	// Top 2 for u1 (i1 known): i2 (hit), i3. For u2 (i2, i3 known): i5, i4 (hit).
	a, err := EvaluateRanking(scores, train, test, 2)
	if err != nil {
		t.Fatal(err)
	}
	if a.Columns != 2 || a.Precision != 0.5 || a.Recall != 0.75 {
		t.Errorf("got %+v, want 2 columns, precision 0.5, recall 0.75", a)
	}
	pop := Popularity(train)
	if got := mat.Col(nil, 0, pop.Dense()); !slices.Equal(got, []float64{2, 1, 1, 0, 0}) {
		t.Errorf("popularity %v", got)
	}
	if _, err := EvaluateRanking(scores, train, test, 0); !errors.Is(err, ErrOption) {
		t.Errorf("k = 0: %v", err)
	}
	if _, err := EvaluateRanking(scores, train, train.Observed().FillMissing(0).Transpose(), 2); !errors.Is(err, ErrShape) {
		t.Errorf("shape: %v", err)
	}
}

// biasedRatings returns a ratings-like matrix mean + row bias + column bias
// + W·H (W, H ≥ 0), with most cells missing, and the full matrix.
func biasedRatings(rows, cols, k int, observed float64, seed uint64) (V, full *Matrix) {
	rng := rand.New(rand.NewPCG(seed, 3))
	fw := lowRank(rows, cols, k, 0, seed)
	d := mat.DenseCopyOf(fw.Dense())
	rb, cb := make([]float64, rows), make([]float64, cols)
	for i := range rb {
		rb[i] = rng.NormFloat64() * 0.5
	}
	for j := range cb {
		cb[j] = rng.NormFloat64() * 0.5
	}
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			d.Set(i, j, 2+rb[i]+cb[j]+d.At(i, j))
		}
	}
	full, _ = FromDense(d, nil, nil)
	V, _ = hide(full, 1-observed, seed+1)
	return V, full
}

func TestBiased(t *testing.T) {
	V, full := biasedRatings(60, 50, 3, 0.5, 4)
	train, test, err := HoldOut(V, 0.2, 1)
	if err != nil {
		t.Fatal(err)
	}
	base, err := FitBiases(train, 1)
	if err != nil {
		t.Fatal(err)
	}
	baseAcc, _ := Evaluate(base.Reconstruct(), test)
	plain, err := Fit(train, Options{Components: 3, Seed: 1, MaxIter: 500})
	if err != nil {
		t.Fatal(err)
	}
	plainAcc, _ := Evaluate(plain.Reconstruct(), test)
	m, err := Fit(train, Options{Components: 3, Seed: 1, Biased: true, MaxIter: 500})
	if err != nil {
		t.Fatal(err)
	}
	acc, _ := Evaluate(m.Reconstruct(), test)
	t.Logf("held-out RMSE: biases %.4f, plain NMF %.4f, biased NMF %.4f", baseAcc.RMSE, plainAcc.RMSE, acc.RMSE)
	if acc.RMSE > 0.05 || acc.RMSE > baseAcc.RMSE/5 {
		t.Errorf("biased NMF held-out RMSE %.4f, want < 0.05 and well below the bias baseline's %.4f", acc.RMSE, baseAcc.RMSE)
	}
	for i := 1; i < len(m.History); i++ {
		if m.History[i] > m.History[i-1]*(1+1e-9) {
			t.Fatalf("loss rose at iteration %d: %g → %g", i+1, m.History[i-1], m.History[i])
		}
	}
	// Predict, Reconstruct, Recommend and Targets agree and include biases.
	wh := m.Reconstruct()
	row, col := V.RowLabels()[7], V.ColLabels()[3]
	p, err := m.Predict(row, col)
	if err != nil {
		t.Fatal(err)
	}
	if w, _ := wh.Value(row, col); math.Abs(p-w) > 1e-12 {
		t.Errorf("Predict %g, Reconstruct %g", p, w)
	}
	if f, _ := full.Value(row, col); math.Abs(p-f) > 0.1 {
		t.Errorf("Predict %g, true value %g", p, f)
	}
	recs, _ := m.Recommend(col, 1)
	if w, _ := wh.Value(recs[0].Label, col); math.Abs(w-recs[0].Value) > 1e-12 {
		t.Errorf("Recommend value %g, Reconstruct %g", recs[0].Value, w)
	}
	targets, _ := m.Targets(row, 1)
	if w, _ := wh.Value(row, targets[0].Label); math.Abs(w-targets[0].Value) > 1e-12 {
		t.Errorf("Targets value %g, Reconstruct %g", targets[0].Value, w)
	}
	if !strings.Contains(m.String(), "mean + row bias + column bias + W·H") {
		t.Errorf("summary does not say the model is biased: %s", m.String())
	}
	if _, err := m.Transform(V); !errors.Is(err, ErrOption) {
		t.Errorf("Transform of a biased model: %v", err)
	}
}

func TestFitBiases(t *testing.T) {
	V, _ := biasedRatings(40, 30, 1, 0.6, 8)
	// Take away the factor term: what is left is exactly additive.
	d := mat.DenseCopyOf(V.Dense())
	rng := rand.New(rand.NewPCG(1, 1))
	rb, cb := make([]float64, 40), make([]float64, 30)
	for i := range rb {
		rb[i] = rng.NormFloat64()
	}
	for j := range cb {
		cb[j] = rng.NormFloat64()
	}
	d.Apply(func(i, j int, v float64) float64 {
		if math.IsNaN(v) {
			return v
		}
		return 3 + rb[i] + cb[j]
	}, d)
	add, _ := FromDense(d, V.RowLabels(), V.ColLabels())
	train, test, _ := HoldOut(add, 0.2, 2)
	b, err := FitBiases(train, 0)
	if err != nil {
		t.Fatal(err)
	}
	acc, _ := Evaluate(b.Reconstruct(), test)
	if acc.RMSE > 1e-6 {
		t.Errorf("unshrunk biases miss an exactly additive matrix by RMSE %g", acc.RMSE)
	}
	p, err := b.Predict("R3", "C4")
	if err != nil || math.Abs(p-(3+rb[2]+cb[3])) > 1e-6 {
		t.Errorf("Predict = %g, %v; want %g", p, err, 3+rb[2]+cb[3])
	}
	if _, err := b.Predict("nope", "C1"); !errors.Is(err, ErrUnknownLabel) {
		t.Errorf("unknown row: %v", err)
	}
	shrunk, _ := FitBiases(train, 1e9)
	for _, x := range append(shrunk.Row, shrunk.Col...) {
		if math.Abs(x) > 1e-6 {
			t.Fatalf("huge lambda left a bias of %g", x)
		}
	}
	if _, err := FitBiases(train, -1); !errors.Is(err, ErrOption) {
		t.Errorf("negative lambda: %v", err)
	}
}

func TestBiasedAndRegScaleOptions(t *testing.T) {
	V := lowRank(6, 5, 2, 0, 1)
	for _, tc := range []struct {
		name string
		opt  Options
		text string
	}{
		{"biased with MU", Options{Components: 2, Solver: SolverMU, Biased: true}, "Biased needs the CD solver"},
		{"biased with KL", Options{Components: 2, Loss: LossKullbackLeibler, Biased: true}, "CD solver"},
		{"negative bias reg", Options{Components: 2, Biased: true, BiasReg: -1}, "BiasReg"},
		{"by observed with MU", Options{Components: 2, Solver: SolverMU, RegScale: RegByObserved}, "needs the CD solver"},
		{"unknown reg scale", Options{Components: 2, RegScale: 5}, "RegScale(5)"},
		{"unknown storage", Options{Components: 2, Storage: 5}, "Storage(5)"},
	} {
		if _, err := Fit(V, tc.opt); !errors.Is(err, ErrOption) || !strings.Contains(err.Error(), tc.text) {
			t.Errorf("%s: %v, want ErrOption mentioning %q", tc.name, err, tc.text)
		}
	}
}

// TestRegByObservedOnFullMatrix checks that per-cell regularization on the
// observed-cells solver, with every cell observed, is scikit-learn's
// by-size regularization.
func TestRegByObservedOnFullMatrix(t *testing.T) {
	V := lowRank(25, 18, 4, 0.1, 7)
	o := Options{Components: 4, MaxIter: 40, Tol: -1, AlphaW: 0.01, AlphaH: 0.02, L1Ratio: 0.3, Exact: true}
	dense, err := Fit(V, o)
	if err != nil {
		t.Fatal(err)
	}
	o.RegScale = RegByObserved
	p, _ := newProblem(V)
	p.byRow, p.byCol = sparseOf(V.Dense(), false), sparseOf(V.Dense(), true)
	s, _ := o.resolve(p.rows, p.cols)
	w, ht, _ := initialize(p, s)
	if _, err := solve(context.Background(), p, w, ht, s, true); err != nil {
		t.Fatal(err)
	}
	if d := relDiff(w, dense.W.Dense()); d > 1e-9 {
		t.Errorf("W differs by %g", d)
	}
	byObs, _ := Fit(V, o)
	if d := relDiff(byObs.W.Dense(), dense.W.Dense()); d > 1e-12 {
		t.Errorf("dense fit: W differs by %g", d)
	}
}

// TestSparseStorage checks that multiplying V from its non-zero cells gives
// the dense result.
func TestSparseStorage(t *testing.T) {
	V := lowRank(60, 40, 3, 0.1, 3)
	d := V.Dense()
	rng := rand.New(rand.NewPCG(5, 5))
	d.Apply(func(_, _ int, v float64) float64 {
		if rng.Float64() < 0.93 {
			return 0
		}
		return v
	}, d)
	for _, o := range []Options{{Solver: SolverCD}, {Solver: SolverMU}, {Solver: SolverCD, AlphaW: 0.01, L1Ratio: 0.5}, {Solver: SolverMU, Loss: LossKullbackLeibler}} {
		// Exact: the default's sweeps per product follow the product's
		// cost, which differs between the storages.
		o.Components, o.MaxIter, o.Tol, o.Exact = 3, 30, -1, true
		t.Run(o.Solver.String()+"-"+o.Loss.String(), func(t *testing.T) {
			o.Storage = StorageDense
			dense, err := Fit(V, o)
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range []Storage{StorageSparse, StorageAuto} {
				o.Storage = st
				sp, err := Fit(V, o)
				if err != nil {
					t.Fatal(err)
				}
				if d := relDiff(sp.W.Dense(), dense.W.Dense()); d > 1e-9 {
					t.Errorf("%v: W differs by %g", st, d)
				}
				if d := math.Abs(sp.Loss-dense.Loss) / dense.Loss; d > 1e-9 {
					t.Errorf("%v: loss %g vs %g", st, sp.Loss, dense.Loss)
				}
			}
		})
	}
}
