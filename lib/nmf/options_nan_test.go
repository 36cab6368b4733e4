package nmf

import (
	"errors"
	"math"
	"testing"
)

// TestOptionsRefuseNaN: NaN and infinite regularization, ratios and
// tolerances are refused with ErrOption, as negative ones are.
func TestOptionsRefuseNaN(t *testing.T) {
	V, err := NewMatrix([]string{"a", "b"}, []string{"x", "y"}, []float64{1, 2, 3, 4})
	if err != nil {
		t.Fatal(err)
	}
	nan, inf := math.NaN(), math.Inf(1)
	for _, opt := range []Options{
		{Components: 1, AlphaW: nan}, {Components: 1, AlphaH: nan}, {Components: 1, AlphaW: inf},
		{Components: 1, L1Ratio: nan}, {Components: 1, Tol: nan}, {Components: 1, AlphaH: -1},
	} {
		if _, err := Fit(V, opt); !errors.Is(err, ErrOption) {
			t.Errorf("Fit with %+v: %v, want ErrOption", opt, err)
		}
	}
}
