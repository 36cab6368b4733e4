package nmf

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// cdRow runs one coordinate-descent pass over the k entries of one row a of
// the factor being updated, for the problem min ½aᵀGa − cᵀa + l1·Σa + ½l2‖a‖²
// subject to a ≥ 0, where G (k×k, row-major) is the Gram matrix of the
// fixed factor and c the cross product with the data. It is scikit-learn's
// _update_cdnmf_fast for one row; rows are independent, so running them
// one after another equals scikit-learn's coordinate-major loop. It returns
// the sum of the magnitudes of the projected gradients it saw.
func cdRow(a, g, c []float64, l1, l2 float64, perm []int) float64 {
	k := len(a)
	violation := 0.0
	for _, t := range perm {
		grad := l1 - c[t] + l2*a[t]
		gt := g[t*k : t*k+k]
		for r, x := range gt {
			grad += x * a[r]
		}
		pg := grad
		if a[t] == 0 {
			pg = min(0, grad)
		}
		violation += math.Abs(pg)
		if hess := g[t*k+t] + l2; hess != 0 {
			a[t] = max(a[t]-grad/hess, 0)
		}
	}
	return violation
}

// cdWork is scratch reused across sweeps.
type cdWork struct {
	gram, cross, crossT mat.Dense
}

// cdSweepDense updates a (n×k) for x (n×m) ≈ a·bᵀ, b (m×k) fixed, by one
// coordinate-descent sweep (scikit-learn's _update_coordinate_descent); xt
// is xᵀ. It leaves the unregularized products bᵀb and x·b in ws for the
// caller.
func cdSweepDense(xt, a, b *mat.Dense, l1, l2 float64, perm []int, ws *cdWork) float64 {
	n, k := a.Dims()
	ws.gram.Reset()
	ws.gram.Mul(b.T(), b)
	crossProduct(&ws.cross, &ws.crossT, xt, b)
	g := ws.gram.RawMatrix().Data
	cross := ws.cross.RawMatrix()
	araw := a.RawMatrix()
	return forChunks(n, float64(n*k*k), func() struct{} { return struct{}{} }, func(lo, hi int, _ struct{}) float64 {
		v := 0.0
		for i := lo; i < hi; i++ {
			v += cdRow(araw.Data[i*araw.Stride:i*araw.Stride+k], g, cross.Data[i*cross.Stride:i*cross.Stride+k], l1, l2, perm)
		}
		return v
	})
}

// cdSweepSparse updates a (n×k) for the observed cells x (by row) ≈ a·bᵀ,
// b (m×k) fixed: weighted NMF (Zhang et al. 2006), where the loss counts
// observed cells only. It takes the same coordinate steps as cdRow would
// with each row's own Gram matrix, but from the row's residuals instead:
// the gradient of coordinate t is l1 + l2·a_t − Σ_j r_j·b_jt over the row's
// observed cells j, so a sweep costs O(observed cells × k), not × k².
func cdSweepSparse(x *sparse, a, b *mat.Dense, l1, l2 float64, perm []int) float64 {
	n, k := a.Dims()
	braw := b.RawMatrix()
	araw := a.RawMatrix()
	work := float64(4 * len(x.idx) * k)
	return forChunks(n, work, func() *[]float64 { return new([]float64) }, func(lo, hi int, resid *[]float64) float64 {
		v := 0.0
		for i := lo; i < hi; i++ {
			cols, vals := x.idx[x.ptr[i]:x.ptr[i+1]], x.val[x.ptr[i]:x.ptr[i+1]]
			ai := araw.Data[i*araw.Stride : i*araw.Stride+k]
			if cap(*resid) < len(cols) {
				*resid = make([]float64, len(cols))
			}
			v += cdRowResidual(ai, braw.Data, braw.Stride, cols, vals, (*resid)[:len(cols)], l1, l2, perm)
		}
		return v
	})
}

// cdRowResidual is cdRow for one row with observed cells only: cols lists
// the rows of b (row stride bs) the observed values vals pair with, and r
// is scratch for the residuals.
func cdRowResidual(a, b []float64, bs int, cols []int, vals, r []float64, l1, l2 float64, perm []int) float64 {
	k := len(a)
	for e, j := range cols {
		bj := b[j*bs : j*bs+k]
		wh := 0.0
		for t, x := range a {
			wh += x * bj[t]
		}
		r[e] = vals[e] - wh
	}
	violation := 0.0
	for _, t := range perm {
		grad, hess := l1+l2*a[t], l2
		for e, j := range cols {
			bjt := b[j*bs+t]
			grad -= r[e] * bjt
			hess += bjt * bjt
		}
		pg := grad
		if a[t] == 0 {
			pg = min(0, grad)
		}
		violation += math.Abs(pg)
		if hess == 0 {
			continue
		}
		next := max(a[t]-grad/hess, 0)
		if d := next - a[t]; d != 0 {
			for e, j := range cols {
				r[e] -= d * b[j*bs+t]
			}
			a[t] = next
		}
	}
	return violation
}

// crossProduct sets dst to x·b (n×k) given xt = xᵀ (m×n) and b (m×k),
// using tmp for the k×n product bᵀ·xt. With k much smaller than n and m,
// that order runs the BLAS kernels over long rows, several times faster in
// gonum's pure-Go BLAS than forming x·b directly.
func crossProduct(dst, tmp, xt, b *mat.Dense) {
	tmp.Reset()
	tmp.Mul(b.T(), xt)
	dst.Reset()
	dst.CloneFrom(tmp.T())
}
