package nmf

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestExtrapolationFirstStepPlain checks that the first extrapolated
// iteration is a plain accelerated-HALS iteration: the same W and H
// updates, the same error, and the next iteration starts from them.
func TestExtrapolationFirstStepPlain(t *testing.T) {
	p, _, w, ht := fitStart(t, lowRank(90, 70, 5, 0.05, 3), Options{Components: 5})
	perm := []int{0, 1, 2, 3, 4}

	var plain cdWork
	wp, htp := mat.DenseCopyOf(w), mat.DenseCopyOf(ht)
	cdSweepDense(p.opV, wp, htp, 0, 0, perm, true, &plain)
	cdSweepDense(p.opVT, htp, wp, 0, 0, perm, true, &plain)
	var hh mat.Dense
	want := lossGram(p.normV2, htp, &plain.cross, &plain.gram, &hh, &plain.bt)

	var ws cdWork
	ex := newExtrapolation(w, ht)
	got, _ := ex.step(p, perm, 0, 0, 0, 0, &ws, &hh)
	if math.Abs(got-want) > 1e-12*want {
		t.Errorf("first extrapolated iteration's error %g, plain accelerated HALS %g", got, want)
	}
	for name, pair := range map[string][2]*mat.Dense{"W": {ex.wy, wp}, "Hᵀ": {ex.hty, htp}} {
		if !mat.EqualApprox(pair[0], pair[1], 1e-12) {
			t.Errorf("the second iteration does not start from the plain updates of %s", name)
		}
	}
}

// fitStart returns what a fit of V with o begins from: the problem, the
// resolved settings and the start W, Hᵀ.
func fitStart(tb testing.TB, V *Matrix, o Options) (*problem, settings, *mat.Dense, *mat.Dense) {
	tb.Helper()
	p, err := newProblem(V)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := o.resolve(p.rows, p.cols)
	if err != nil {
		tb.Fatal(err)
	}
	w, ht, err := initialize(p, s)
	if err != nil {
		tb.Fatal(err)
	}
	return p, s, w, ht
}
