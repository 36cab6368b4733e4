package nmf

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"nmfkernel/internal/synth"
)

// ratingsTable makes synth.Ratings' table (rank 2, blank of it missing,
// a fifth of the rest held out) as a Matrix, with the held-out cells.
func ratingsTable(seed uint64, rows, cols int, blank float64) (*Matrix, [][3]float64) {
	data, held := synth.Ratings(seed, rows, cols, blank)
	V, err := NewMatrix(generatedLabels("r", rows), generatedLabels("c", cols), data)
	if err != nil {
		panic(err)
	}
	return V, held
}

// heldOutRMSE fits each table with opt and returns the RMSE over all
// held-out cells, and the largest prediction there.
func heldOutRMSE(t *testing.T, tables []*Matrix, held [][][3]float64, opt Options) (rmse, top float64) {
	t.Helper()
	s, n := 0.0, 0
	top = math.Inf(-1)
	for k, V := range tables {
		opt.Seed = uint64(k + 1)
		m, err := Fit(V, opt)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range held[k] {
			p := m.cell(int(c[0]), int(c[1]))
			top = math.Max(top, p)
			s += (p - c[2]) * (p - c[2])
			n++
		}
	}
	return math.Sqrt(s / float64(n)), top
}

// TestDefaultRegularization: a 15 × 10 ratings table with 30% blanks,
// fitted with nothing but Components, predicts held-out ratings close to
// the best tuned strength, and far better than without regularization.
func TestDefaultRegularization(t *testing.T) {
	var tables []*Matrix
	var held [][][3]float64
	for seed := uint64(1); seed <= 30; seed++ {
		V, h := ratingsTable(seed, 15, 10, 0.3)
		tables, held = append(tables, V), append(held, h)
	}
	def, defTop := heldOutRMSE(t, tables, held, Options{Components: 2})
	none, noneTop := heldOutRMSE(t, tables, held, Options{Components: 2, AlphaW: -1, AlphaH: -1})
	best := math.Inf(1)
	for _, a := range []float64{0.03, 0.1, 0.2, 0.3, 0.5, 1} {
		r, _ := heldOutRMSE(t, tables, held, Options{Components: 2, AlphaW: a, AlphaH: a, RegScale: RegByObserved})
		best = math.Min(best, r)
	}
	t.Logf("held-out RMSE: default %.3f (largest prediction %.1f), best tuned %.3f, none %.3f (largest prediction %.1f)", def, defTop, best, none, noneTop)
	if def > best*1.1 {
		t.Errorf("default held-out RMSE %.3f, more than 10%% above the best tuned %.3f", def, best)
	}
	if def > none/2 || defTop > 6 {
		t.Errorf("default held-out RMSE %.3f (largest prediction %.1f) against %.3f without regularization", def, defTop, none)
	}
	// The defaults are recorded in the model's options.
	m, err := Fit(tables[0], Options{Components: 2})
	if err != nil {
		t.Fatal(err)
	}
	if m.Options.AlphaW <= 0 || m.Options.AlphaW != m.Options.AlphaH || m.Options.RegScale != RegByObserved || m.Options.Init != InitRandom {
		t.Errorf("options of a default masked fit: %+v", m.Options)
	}
}

func TestWarnings(t *testing.T) {
	// A table on which the unregularized fit predicts far outside 1–5.
	var V *Matrix
	for seed := uint64(1); seed <= 30 && V == nil; seed++ {
		T, _ := ratingsTable(seed, 15, 10, 0.3)
		m, err := Fit(T, Options{Components: 2, AlphaW: -1, AlphaH: -1, MaxIter: 2000})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(strings.Join(m.Warnings, " "), "far outside") {
			V = T
		}
	}
	if V == nil {
		t.Fatal("no table made the unregularized fit predict outside the ratings' range")
	}
	for _, tc := range []struct {
		name string
		opt  Options
		want string
	}{
		{"defaults", Options{Components: 2}, ""},
		{"no regularization", Options{Components: 2, AlphaW: -1, AlphaH: -1, MaxIter: 2000}, "far outside the observed values' range"},
		{"as many components as columns", Options{Components: 10, AlphaW: -1, AlphaH: -1}, "Components 10 ≥ min(rows, cols) = 10"},
		{"stopped by MaxIter", Options{Components: 2, MaxIter: 2}, "stopped at MaxIter = 2 before its stopping rule"},
		{"a fixed number of iterations", Options{Components: 2, MaxIter: 2, Tol: -1}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Fit(V, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			all := strings.Join(m.Warnings, "\n")
			if (tc.want == "") != (all == "") || !strings.Contains(all, tc.want) {
				t.Errorf("warnings %q, want %q", m.Warnings, tc.want)
			}
			if tc.want != "" && (!strings.Contains(m.String(), "warning: ") || !strings.Contains(m.HTML(), "warning: ")) {
				t.Errorf("the display does not show the warnings")
			}
		})
	}
}

// TestOrientationMessage: a label of the other axis says so.
func TestOrientationMessage(t *testing.T) {
	V, err := NewMatrix([]string{"Bread", "Milk"}, []string{"Ann", "Bob", "Cy"}, []float64{1, 0, 2, 0, 3, 1})
	if err != nil {
		t.Fatal(err)
	}
	m, err := Fit(V, Options{Components: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{func() error { _, err := m.Recommend("Bread", 1); return err }(), `no column "Bread": "Bread" is a row here`},
		{func() error { _, err := m.Targets("Ann", 1); return err }(), `no row "Ann": "Ann" is a column here`},
		{func() error { _, err := m.Predict("Ann", "Bread"); return err }(), "see Transpose"},
		{func() error { _, err := V.Row("Ann"); return err }(), `"Ann" is a column here`},
		{func() error { _, err := m.Recommend("Zed", 1); return err }(), `no column "Zed" (columns are Ann, Bob, Cy)`},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) || !errors.Is(tc.err, ErrUnknownLabel) {
			t.Errorf("%v, want %q", tc.err, tc.want)
		}
	}
	_ = fmt.Sprint
}
