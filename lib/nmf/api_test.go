package nmf

import (
	"errors"
	"gonum.org/v1/gonum/mat"
	"math"
	"strings"
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
		{Components: 1, L1Ratio: nan}, {Components: 1, Tol: nan}, {Components: 1, AlphaH: inf},
	} {
		if _, err := Fit(V, opt); !errors.Is(err, ErrOption) {
			t.Errorf("Fit with %+v: %v, want ErrOption", opt, err)
		}
	}
}

// TestNameSegmentsByTop names the grocery segments by their top items:
// the same names whatever order the fit puts them in.
func TestNameSegmentsByTop(t *testing.T) {
	V, err := NewMatrix([]string{"bread", "butter", "apple", "pear", "kale"}, []string{"a", "b", "c"},
		[]float64{5, 0, 0, 4, 0, 0, 0, 5, 0, 0, 4, 0, 0, 0, 5})
	if err != nil {
		t.Fatal(err)
	}
	m, err := Fit(V, Options{Components: 3, Init: InitNNDSVD})
	if err != nil {
		t.Fatal(err)
	}
	names, err := m.NameSegmentsByTop(1)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, n := range names {
		got[n] = true
	}
	for _, want := range []string{"bread", "apple", "kale"} {
		if !got[want] {
			t.Errorf("names %v lack %s", names, want)
		}
	}
	if _, err := m.NameSegmentsByTop(0); !errors.Is(err, ErrOption) {
		t.Errorf("n = 0: %v", err)
	}
}

// A *Matrix is a gonum mat.Matrix.
var _ mat.Matrix = (*Matrix)(nil)

// TestReleaseData: after ReleaseData no cell is known.
func TestReleaseData(t *testing.T) {
	V, err := ReadCSV("testdata/grocery.csv")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Fit(V, Options{Components: 3, Init: InitNNDSVD})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := m.Recommend("Mary", 5, ExcludeKnown())
	m.ReleaseData()
	after, _ := m.Recommend("Mary", 5, ExcludeKnown())
	if len(before) != 2 || len(after) != 5 {
		t.Errorf("Mary's new products: %v before ReleaseData, %v after", before.Labels(), after.Labels())
	}
	for _, s := range after {
		if s.Known {
			t.Errorf("%s is known after ReleaseData", s.Label)
		}
	}
}

// TestScanRefusesComponents: ScanOptions.Components would be overwritten
// by each rank; ScanRanks says so instead of ignoring it.
func TestScanRefusesComponents(t *testing.T) {
	V, _ := ReadCSV("testdata/grocery.csv")
	_, err := ScanRanks(V, []int{1, 2}, ScanOptions{Options: Options{Components: 3}})
	if !errors.Is(err, ErrOption) || !strings.Contains(err.Error(), "leave ScanOptions.Components zero") {
		t.Errorf("ScanOptions.Components set: %v", err)
	}
}
