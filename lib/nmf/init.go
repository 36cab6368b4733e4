package nmf

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// nndsvdEps is scikit-learn's threshold below which NNDSVD entries are zero.
const nndsvdEps = 1e-6

// newRand returns the package's deterministic generator for a seed.
func newRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// initialize returns the starting W (rows×k) and Ht (cols×k).
func initialize(p *problem, s settings) (w, ht *mat.Dense, err error) {
	k := s.Components
	rng := newRand(s.Seed)
	switch s.Init {
	case InitRandom:
		avg := math.Sqrt(p.mean() / float64(k))
		// Draw H before W, as scikit-learn does.
		ht = mat.NewDense(p.cols, k, nil)
		for j := 0; j < p.cols; j++ {
			for t := 0; t < k; t++ {
				ht.Set(j, t, avg*math.Abs(rng.NormFloat64()))
			}
		}
		w = mat.NewDense(p.rows, k, nil)
		raw := w.RawMatrix().Data
		for i := range raw {
			raw[i] = avg * math.Abs(rng.NormFloat64())
		}
		return w, ht, nil
	case InitCustom:
		w, ht = mat.DenseCopyOf(s.W0), mat.DenseCopyOf(s.H0.T())
		for _, x := range []*mat.Dense{w, ht} {
			for _, v := range x.RawMatrix().Data {
				if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
					return nil, nil, fmt.Errorf("nmf: W0 and H0 must be finite and ≥ 0, found %g: %w", v, ErrOption)
				}
			}
		}
		return w, ht, nil
	}
	aop, atop := p.opV, p.opVT
	if p.masked() {
		aop, atop = p.filled()
	}
	w, ht, err = nndsvd(aop, atop, k, rng)
	if err != nil {
		return nil, nil, err
	}
	switch s.Init {
	case InitNNDSVDA:
		avg := p.mean()
		for _, x := range []*mat.Dense{w, ht} {
			raw := x.RawMatrix().Data
			for i, v := range raw {
				if v == 0 {
					raw[i] = avg
				}
			}
		}
	case InitNNDSVDAR:
		avg := p.mean()
		for _, x := range []*mat.Dense{w, ht} {
			raw := x.RawMatrix().Data
			for i, v := range raw {
				if v == 0 {
					raw[i] = math.Abs(avg * rng.NormFloat64() / 100)
				}
			}
		}
	}
	return w, ht, nil
}

// nndsvd computes the NNDSVD initialization of Boutsidis & Gallopoulos
// (2008) exactly as scikit-learn's _initialize_nmf does, returning W and Hᵀ.
// aop and atop are V and Vᵀ as operands.
func nndsvd(aop, atop operand, k int, rng *rand.Rand) (w, ht *mat.Dense, err error) {
	u, sv, vv, err := truncatedSVD(aop, atop, k, rng)
	if err != nil {
		return nil, nil, err
	}
	m, n := aop.dims()
	w = mat.NewDense(m, k, nil)
	ht = mat.NewDense(n, k, nil)
	x := make([]float64, m)
	y := make([]float64, n)
	xp, xn := make([]float64, m), make([]float64, m)
	yp, yn := make([]float64, n), make([]float64, n)
	for j := 0; j < k; j++ {
		mat.Col(x, j, u)
		mat.Col(y, j, vv)
		if j == 0 {
			s := math.Sqrt(sv[0])
			for i := range x {
				w.Set(i, 0, s*math.Abs(x[i]))
			}
			for i := range y {
				ht.Set(i, 0, s*math.Abs(y[i]))
			}
			continue
		}
		split(x, xp, xn)
		split(y, yp, yn)
		xpn, ypn := floats.Norm(xp, 2), floats.Norm(yp, 2)
		xnn, ynn := floats.Norm(xn, 2), floats.Norm(yn, 2)
		mp, mn := xpn*ypn, xnn*ynn
		uu, vvv, xnrm, ynrm, sigma := xn, yn, xnn, ynn, mn
		if mp > mn {
			uu, vvv, xnrm, ynrm, sigma = xp, yp, xpn, ypn, mp
		}
		if sigma == 0 {
			continue // a zero column; left at 0 (or filled by NNDSVDA/AR)
		}
		lbd := math.Sqrt(sv[j] * sigma)
		for i := range uu {
			w.Set(i, j, lbd*uu[i]/xnrm)
		}
		for i := range vvv {
			ht.Set(i, j, lbd*vvv[i]/ynrm)
		}
	}
	for _, f := range []*mat.Dense{w, ht} {
		raw := f.RawMatrix().Data
		for i, v := range raw {
			if v < nndsvdEps {
				raw[i] = 0
			}
		}
	}
	return w, ht, nil
}

// split writes the positive part of x to p and the magnitude of its
// negative part to n.
func split(x, p, n []float64) {
	for i, v := range x {
		p[i] = max(v, 0)
		n[i] = math.Abs(min(v, 0))
	}
}

// truncatedSVD returns the k leading singular triplets of A (m×n): U (m×k),
// the singular values and V (n×k). Small problems use an exact thin SVD;
// larger ones the randomized SVD of Halko, Martinsson & Tropp (2011) with
// scikit-learn's defaults (10 oversamples; up to 7 power iterations when k
// is under a tenth of min(m, n), 4 otherwise).
//
// The power iterations stop early once the leading k-dimensional right
// singular subspace has settled: when the turns of the last iterations
// show that the next ones could move it by less than powerTol (settled).
// Data with a gap after the k-th singular value (low rank plus noise) gets
// there in two or three iterations instead of seven, each of which reads
// all of A twice; data without one runs all seven, as scikit-learn does.
//
// The products go through aop (A) and atop (Aᵀ), so a sparse A costs in
// proportion to its non-zero cells.
func truncatedSVD(aop, atop operand, k int, rng *rand.Rand) (u *mat.Dense, s []float64, v *mat.Dense, err error) {
	m, n := aop.dims()
	const oversamples = 10
	l := k + oversamples
	if l >= min(m, n) {
		return thinSVD(aop.dense(), k)
	}
	iters := 4
	if float64(k) < 0.1*float64(min(m, n)) {
		iters = 7
	}
	omega := mat.NewDense(n, l, nil)
	raw := omega.RawMatrix().Data
	for i := range raw {
		raw[i] = rng.NormFloat64()
	}
	// The power iterations need each basis only well conditioned (as
	// scikit-learn's LU normalizer makes it), so they take one CholeskyQR
	// pass; the last basis, which the SVD is projected on, is made
	// orthonormal below.
	var y, z, q, qz, tmp mat.Dense
	aop.times(&y, &tmp, omega) // m×l
	if err := rangeBasis(&q, &y, false); err != nil {
		return nil, nil, nil, err
	}
	var prev *mat.Dense
	lastTurn := math.Inf(1)
	for it := 0; ; it++ {
		atop.times(&z, &tmp, &q) // n×l: (qᵀ·A)ᵀ
		if it == iters {
			break
		}
		cur, ok := leadingDirections(&z, k)
		if ok && prev != nil {
			turn := subspaceTurn(prev, cur)
			if settled(turn, lastTurn) {
				break
			}
			lastTurn = turn
		}
		prev = cur
		if err := rangeBasis(&qz, &z, false); err != nil {
			return nil, nil, nil, err
		}
		aop.times(&y, &tmp, &qz) // m×l
		if err := rangeBasis(&q, &y, false); err != nil {
			return nil, nil, nil, err
		}
	}
	// A second CholeskyQR pass makes q orthonormal: q ← q·R⁻¹, and
	// z = Aᵀq follows by the same R⁻¹ without reading A again.
	qf, zf := new(mat.Dense), new(mat.Dense)
	if rinv, ok := cholQRInverse(&q); ok {
		qf.Mul(&q, rinv)
		zf.Mul(&z, rinv)
	} else {
		if err := rangeBasis(qf, &q, true); err != nil {
			return nil, nil, nil, err
		}
		atop.times(zf, &tmp, qf)
	}
	ub, s, v, err := thinSVD(zf.T(), k) // of the l×n matrix qᵀ·A
	if err != nil {
		return nil, nil, nil, err
	}
	u = mat.NewDense(m, k, nil)
	u.Mul(qf, ub)
	return u, s, v, nil
}

// powerTol bounds, in Σ sin²θ over the principal angles θ (angles of
// 3e-5 at most), how far from where more power iterations would take it
// the leading singular subspace may be when they stop (see settled).
const powerTol = 1e-9

// settled reports whether the power iterations may stop after one that
// turned the leading subspace by turn (Σ sin²θ), the one before it having
// turned it by lastTurn (+Inf for none). Each iteration shrinks the
// angles by about the gap ratio σ_{l+1}/σ_k squared, so the angles of the
// iterations to come form a geometric series with ratio
// ρ = √(turn/lastTurn): the next turns by about turn·ρ², and the basis
// reached is within that turn/(1−ρ)² of the limit, which is what must be
// below powerTol. On bench/sklearn's 5000×2000 matrix the turns are 0.13
// and then 5e-6, predicting 2e-10 to come: the iterations stop there
// instead of running one more (two reads of A) to see that turn of 3e-10.
// Data without a gap after the k-th singular value (ρ near 1) runs all
// the iterations, as scikit-learn does.
func settled(turn, lastTurn float64) bool {
	if turn < powerTol {
		return true
	}
	if math.IsInf(lastTurn, 1) {
		return false // one turn does not show a rate
	}
	rho := math.Sqrt(turn / lastTurn)
	if !(rho < 1) {
		return false
	}
	return turn*rho*rho/((1-rho)*(1-rho)) < powerTol
}

// leadingDirections returns an orthonormal basis (n×k) of the k leading
// left singular vectors of z (n×l), from the eigenvectors of zᵀz, or false
// when zᵀz has no clear k-dimensional top (numerically rank-deficient).
func leadingDirections(z *mat.Dense, k int) (*mat.Dense, bool) {
	_, l := z.Dims()
	var g mat.Dense
	g.Mul(z.T(), z)
	var eig mat.EigenSym
	if !eig.Factorize(mat.NewSymDense(l, g.RawMatrix().Data), true) {
		return nil, false
	}
	vals := eig.Values(nil) // ascending
	if !(vals[l-k] > 0) {
		return nil, false
	}
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	var d mat.Dense
	d.Mul(z, vecs.Slice(0, l, l-k, l))
	for j := range k {
		col := d.ColView(j).(*mat.VecDense)
		col.ScaleVec(1/math.Sqrt(vals[l-k+j]), col)
	}
	return &d, true
}

// subspaceTurn returns Σ sin²θ over the principal angles between the spans
// of the orthonormal a and b (n×k): k − ‖aᵀb‖²_F.
func subspaceTurn(a, b *mat.Dense) float64 {
	_, k := a.Dims()
	var c mat.Dense
	c.Mul(a.T(), b)
	f := mat.Norm(&c, 2)
	return math.Abs(float64(k) - f*f)
}

// thinSVD returns the k leading singular triplets of a by a full thin SVD.
func thinSVD(a mat.Matrix, k int) (u *mat.Dense, s []float64, v *mat.Dense, err error) {
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDThin) {
		return nil, nil, nil, fmt.Errorf("nmf: SVD for NNDSVD initialization did not converge")
	}
	var uf, vf mat.Dense
	svd.UTo(&uf)
	svd.VTo(&vf)
	s = svd.Values(nil)[:k]
	m, _ := uf.Dims()
	n, _ := vf.Dims()
	return mat.DenseCopyOf(uf.Slice(0, m, 0, k)), s, mat.DenseCopyOf(vf.Slice(0, n, 0, k)), nil
}

// rangeBasis sets dst to an m×l matrix whose columns span the columns of
// y (m×l, m ≥ l) and are orthonormal (when orthonormal is set) or at least
// well conditioned. It runs CholeskyQR (Fukaya et al. 2014): G = yᵀy,
// G = RᵀR by Cholesky and y ← y·R⁻¹, two products with small l×l matrices
// in between, where a Householder QR or SVD of a tall y runs l level-2
// sweeps over it. One pass leaves the columns orthonormal up to about
// ε·cond(y)²; a second pass (CholeskyQR2) makes them orthonormal to rounding
// error. When yᵀy is not safely positive definite (y nearly rank-deficient,
// as with very sparse data), the basis comes from y's thin SVD instead.
// dst must not be y.
func rangeBasis(dst, y *mat.Dense, orthonormal bool) error {
	if rinv, ok := cholQRInverse(y); ok {
		dst.Reset()
		dst.Mul(y, rinv)
		if !orthonormal {
			return nil
		}
		if rinv, ok = cholQRInverse(dst); ok {
			var q mat.Dense
			q.Mul(dst, rinv)
			dst.Copy(&q)
			return nil
		}
	}
	var svd mat.SVD
	if !svd.Factorize(y, mat.SVDThinU) {
		return fmt.Errorf("nmf: SVD in randomized range finder did not converge")
	}
	dst.Reset()
	svd.UTo(dst)
	return nil
}

// maxCholQRCond is the largest condition number of yᵀy for which a
// CholeskyQR pass is trusted: the second pass restores orthogonality lost
// to rounding in the first as long as cond(y) is below about 1/√ε.
const maxCholQRCond = 1e12

// cholQRInverse returns R⁻¹ (l×l, as a general matrix so that products
// with it go through gemm, OpenBLAS when present, rather than gonum's
// pure-Go triangular routines), where yᵀy = RᵀR, or false when yᵀy is not
// safely positive definite.
func cholQRInverse(y *mat.Dense) (*mat.Dense, bool) {
	_, l := y.Dims()
	var g mat.Dense
	g.Mul(y.T(), y)
	var ch mat.Cholesky
	if !ch.Factorize(mat.NewSymDense(l, g.RawMatrix().Data)) || !(ch.Cond() < maxCholQRCond) {
		return nil, false
	}
	var r, rinv mat.TriDense
	ch.UTo(&r)
	if err := rinv.InverseTri(&r); err != nil {
		return nil, false
	}
	return mat.DenseCopyOf(&rinv), true
}
