package nmf

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// scanSequential is scanValues done value by value on one goroutine.
func scanSequential(V *Matrix, signed bool) (st valueStats, row, pos int) {
	st.min = math.Inf(1)
	r, _ := V.Dims()
	var buf []float64
	for i := range r {
		vals, _ := V.storedRow(i, &buf)
		if q := st.add(vals, signed); q >= 0 {
			return st, i, q
		}
	}
	return st, -1, 0
}

// TestScanValues checks the parallel scan against the sequential one on
// matrices of one piece and of several, with missing, infinite, negative
// and huge values placed early, late or in several pieces at once.
func TestScanValues(t *testing.T) {
	type cell struct {
		i, j int
		v    float64
	}
	nan, inf := math.NaN(), math.Inf(1)
	for _, tc := range []struct {
		name       string
		rows, cols int
		cells      []cell
		sparse     bool
	}{
		{"small clean", 7, 5, nil, false},
		{"small missing", 7, 5, []cell{{0, 0, nan}, {6, 4, nan}}, false},
		{"small negative", 7, 5, []cell{{3, 2, -1}}, false},
		{"many pieces clean", 300, 1000, nil, false},
		{"many pieces missing", 300, 1000, []cell{{1, 1, nan}, {299, 999, nan}, {150, 0, nan}}, false},
		{"negative in the last piece", 300, 1000, []cell{{299, 998, -2}}, false},
		{"first of several bad values", 300, 1000, []cell{{250, 3, -1}, {120, 7, inf}, {120, 9, -3}, {5, 5, nan}}, false},
		{"minus infinity", 300, 1000, []cell{{77, 70, math.Inf(-1)}}, false},
		{"squares overflow", 300, 1000, []cell{{10, 10, 1e200}}, false},
		{"missing beside a negative", 300, 1000, []cell{{40, 1, nan}, {40, 2, -1}}, false},
		{"sparse clean", 2000, 300, nil, true},
		{"sparse negative", 2000, 300, []cell{{1999, 3, -4}}, true},
	} {
		for _, signed := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s signed=%v", tc.name, signed), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(tc.rows), uint64(tc.cols)))
				d := mat.NewDense(tc.rows, tc.cols, nil)
				raw := d.RawMatrix().Data
				for i := range raw {
					if !tc.sparse || rng.IntN(20) == 0 {
						raw[i] = rng.ExpFloat64()
					}
				}
				for _, c := range tc.cells {
					d.Set(c.i, c.j, c.v)
				}
				// newMatrix takes infinities, which NewMatrix refuses.
				V, err := newMatrix(generatedLabels("R", tc.rows), generatedLabels("C", tc.cols), d)
				if err != nil {
					t.Fatal(err)
				}
				if tc.sparse {
					V = V.sparseZeros(t)
				}
				want, wrow, wpos := scanSequential(V, signed)
				got, row, pos := scanValues(V, signed)
				if row != wrow || (row >= 0 && pos != wpos) {
					t.Fatalf("first bad value at row %d, position %d; want row %d, position %d", row, pos, wrow, wpos)
				}
				if row >= 0 {
					return
				}
				if got.n != want.n || got.min != want.min {
					t.Errorf("n %d, min %g; want %d, %g", got.n, got.min, want.n, want.min)
				}
				for _, s := range [][2]float64{{got.sum, want.sum}, {got.sq, want.sq}} {
					if !(math.Abs(s[0]-s[1]) <= 1e-12*math.Abs(s[1])) && s[0] != s[1] {
						t.Errorf("sum %g, want %g", s[0], s[1])
					}
				}
			})
		}
	}
}

// sparseZeros is m stored as its non-zero cells (zeros are data).
func (m *Matrix) sparseZeros(t *testing.T) *Matrix {
	t.Helper()
	var ri, ci []int
	var vals []float64
	r, c := m.Dims()
	for i := range r {
		for j := range c {
			if v := m.data.At(i, j); v != 0 {
				ri, ci, vals = append(ri, i), append(ci, j), append(vals, v)
			}
		}
	}
	s, err := NewSparse(m.rows, m.cols, ri, ci, vals)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
