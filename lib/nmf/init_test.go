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
// iterations early on a matrix with a gap after the k-th singular value,
// with its singular values exact to 1e-9, and runs all of them (16
// products with A or Aᵀ) on one without.
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
		min, max int     // products
		tol      float64 // relative error allowed in the singular values
	}{
		{"low rank plus noise", lowRank(400, 300, 6, 1e-3, 2).Dense(), 4, 8, 1e-9},
		{"uniform noise", noise, 16, 16, 2e-2}, // no gap: the randomized SVD's own error
	} {
		t.Run(c.name, func(t *testing.T) {
			n := 0
			a := countingOperand{denseOperand{c.v}, &n}
			at := countingOperand{denseOperand{transposeOf(c.v)}, &n}
			_, s, _, err := truncatedSVD(a, at, 6, newRand(1))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d products", n)
			if n < c.min || n > c.max {
				t.Errorf("%d products, want %d to %d", n, c.min, c.max)
			}
			_, exact, _, err := thinSVD(c.v, 6)
			if err != nil {
				t.Fatal(err)
			}
			for i := range s {
				if math.Abs(s[i]-exact[i]) > c.tol*exact[i] {
					t.Errorf("σ%d = %.12g, exactly %.12g", i+1, s[i], exact[i])
				}
			}
		})
	}
}

// TestSettled checks the power iterations' stopping rule on sequences of
// turns: geometric ones stop as soon as the next turn is predicted small
// enough, one turn alone never shows a rate, and turns that do not shrink
// never stop early.
func TestSettled(t *testing.T) {
	inf := math.Inf(1)
	for _, c := range []struct {
		turn, last float64
		want       bool
	}{
		{5e-10, inf, true}, // below powerTol outright
		{1e-3, inf, false}, // no rate yet
		{5e-6, 0.13, true}, // bench/sklearn's 5000×2000 matrix: 2e-10 predicted
		{1e-4, 1e-2, false},
		{1e-5, 1e-5, false}, // no gap: not shrinking
		{2e-5, 1e-5, false},
		{3e-5, 0.9, false}, // predicted 1e-9: not below
	} {
		if got := settled(c.turn, c.last); got != c.want {
			t.Errorf("settled(%g, %g) = %v, want %v", c.turn, c.last, got, c.want)
		}
	}
}
