package nmf

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// orthonormalityError returns max |QᵀQ − I|.
func orthonormalityError(q *mat.Dense) float64 {
	_, l := q.Dims()
	var g mat.Dense
	g.Mul(q.T(), q)
	worst := 0.0
	for i := range l {
		for j := range l {
			want := 0.0
			if i == j {
				want = 1
			}
			worst = max(worst, math.Abs(g.At(i, j)-want))
		}
	}
	return worst
}

// outsideSpan returns ‖y − Q·Qᵀ·y‖ / ‖y‖: how much of y the columns of q
// miss.
func outsideSpan(q, y *mat.Dense) float64 {
	var qty, proj, diff mat.Dense
	qty.Mul(q.T(), y)
	proj.Mul(q, &qty)
	diff.Sub(y, &proj)
	return mat.Norm(&diff, 2) / mat.Norm(y, 2)
}

func TestRangeBasis(t *testing.T) {
	rng := newRand(3)
	gaussian := func(m, l int) *mat.Dense {
		y := mat.NewDense(m, l, nil)
		for i := range m {
			for j := range l {
				y.Set(i, j, rng.NormFloat64())
			}
		}
		return y
	}
	// Columns scaled from 1 to 1e-6: cond(y) ≈ 1e6, cond(yᵀy) ≈ 1e12,
	// at the edge of what CholeskyQR takes.
	graded := gaussian(500, 12)
	for j := range 12 {
		s := math.Pow(1e-6, float64(j)/11)
		for i := range 500 {
			graded.Set(i, j, s*graded.At(i, j))
		}
	}
	// Two equal columns: yᵀy is singular, CholeskyQR cannot run and the
	// SVD takes over.
	deficient := gaussian(300, 8)
	for i := range 300 {
		deficient.Set(i, 7, deficient.At(i, 2))
	}
	for _, c := range []struct {
		name        string
		y           *mat.Dense
		orthonormal bool
		tol         float64 // on QᵀQ − I
	}{
		{"gaussian, orthonormal", gaussian(2000, 30), true, 1e-13},
		{"gaussian, one pass", gaussian(2000, 30), false, 1e-10},
		{"graded, orthonormal", graded, true, 1e-12},
		{"rank-deficient", deficient, true, 1e-12},
	} {
		t.Run(c.name, func(t *testing.T) {
			q := new(mat.Dense)
			err := rangeBasis(q, c.y, c.orthonormal)
			if err != nil {
				t.Fatal(err)
			}
			if r, l := q.Dims(); r != c.y.RawMatrix().Rows || l != c.y.RawMatrix().Cols {
				t.Fatalf("basis is %d×%d, want the shape of y", r, l)
			}
			if e := orthonormalityError(q); e > c.tol {
				t.Errorf("max |QᵀQ − I| = %.3g, want ≤ %g", e, c.tol)
			}
			if e := outsideSpan(q, c.y); e > 1e-10 {
				t.Errorf("‖y − QQᵀy‖/‖y‖ = %.3g: the basis does not span y", e)
			}
		})
	}
}

// TestTruncatedSVD checks the randomized SVD against the exact one on
// matrices with a gap after the k-th singular value, where 7 power
// iterations pin the leading triplets down to rounding.
func TestTruncatedSVD(t *testing.T) {
	for _, c := range []struct {
		name       string
		rows, cols int
		k          int
	}{
		{"tall", 600, 200, 8},
		{"wide", 150, 700, 5},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := lowRank(c.rows, c.cols, c.k, 1e-3, 5).Dense()
			a := denseOperand{v}
			at := denseOperand{transposeOf(v)}
			u, s, vv, err := truncatedSVD(a, at, c.k, newRand(1))
			if err != nil {
				t.Fatal(err)
			}
			_, want, _, err := thinSVD(v, c.k)
			if err != nil {
				t.Fatal(err)
			}
			for i := range c.k {
				if math.Abs(s[i]-want[i]) > 1e-9*want[0] {
					t.Errorf("σ%d = %.12g, exact %.12g", i+1, s[i], want[i])
				}
			}
			if e := orthonormalityError(u); e > 1e-12 {
				t.Errorf("U: max |UᵀU − I| = %.3g", e)
			}
			if e := orthonormalityError(vv); e > 1e-12 {
				t.Errorf("V: max |VᵀV − I| = %.3g", e)
			}
			// A·v_i = σ_i·u_i for each triplet.
			var av mat.Dense
			av.Mul(v, vv)
			for i := range c.k {
				for r := range c.rows {
					if d := math.Abs(av.At(r, i) - s[i]*u.At(r, i)); d > 1e-8*want[0] {
						t.Fatalf("triplet %d: (A·v)[%d] − σ·u[%d] = %.3g", i+1, r, r, d)
					}
				}
			}
		})
	}
}

// countingOperand counts the products taken with an operand.
type countingOperand struct {
	operand
	n *int
}

func (c countingOperand) times(dst, tmp, b *mat.Dense) {
	*c.n++
	c.operand.times(dst, tmp, b)
}

// TestPowerIterationsStop checks that the randomized SVD stops its power
// iterations early on a matrix with a gap after the k-th singular value
// and runs all of them (16 products with A or Aᵀ) on one without.
func TestPowerIterationsStop(t *testing.T) {
	rng := newRand(9)
	noise := mat.NewDense(400, 300, nil)
	for i := range 400 {
		for j := range 300 {
			noise.Set(i, j, rng.Float64())
		}
	}
	for _, c := range []struct {
		name     string
		v        *mat.Dense
		min, max int // products
	}{
		{"low rank plus noise", lowRank(400, 300, 6, 1e-3, 2).Dense(), 4, 10},
		{"uniform noise", noise, 16, 16},
	} {
		t.Run(c.name, func(t *testing.T) {
			n := 0
			a := countingOperand{denseOperand{c.v}, &n}
			at := countingOperand{denseOperand{transposeOf(c.v)}, &n}
			if _, _, _, err := truncatedSVD(a, at, 6, newRand(1)); err != nil {
				t.Fatal(err)
			}
			if n < c.min || n > c.max {
				t.Errorf("%d products, want %d to %d", n, c.min, c.max)
			}
		})
	}
}
