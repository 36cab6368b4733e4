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
	gram, cross mat.Dense
}

// cdSweepDense updates a (n×k) for x (n×m) ≈ a·bᵀ, b (m×k) fixed, by one
// coordinate-descent sweep (scikit-learn's _update_coordinate_descent). It
// leaves the unregularized products bᵀb and x·b in ws for the caller.
func cdSweepDense(x, a, b *mat.Dense, l1, l2 float64, perm []int, ws *cdWork) float64 {
	n, k := a.Dims()
	ws.gram.Reset()
	ws.gram.Mul(b.T(), b)
	ws.cross.Reset()
	ws.cross.Mul(x, b)
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

// cdScratch is one goroutine's scratch for cdSweepSparse.
type cdScratch struct {
	gather []float64
	g      mat.Dense
	c      mat.VecDense
}

// cdSweepSparse updates a (n×k) for the observed cells x (by row) ≈ a·bᵀ,
// b (m×k) fixed: weighted NMF (Zhang et al. 2006), where the loss counts
// observed cells only. Each row has its own Gram matrix, built from the
// rows of b its observed cells touch, so the cost grows with the number of
// observed cells times k², not with n×m.
func cdSweepSparse(x *sparse, a, b *mat.Dense, l1, l2 float64, perm []int) float64 {
	n, k := a.Dims()
	braw := b.RawMatrix()
	araw := a.RawMatrix()
	work := float64(len(x.idx)*k*k + n*k*k)
	newScratch := func() *cdScratch {
		return &cdScratch{g: *mat.NewDense(k, k, nil), c: *mat.NewVecDense(k, nil)}
	}
	return forChunks(n, work, newScratch, func(lo, hi int, s *cdScratch) float64 {
		v := 0.0
		for i := lo; i < hi; i++ {
			cols, vals := x.idx[x.ptr[i]:x.ptr[i+1]], x.val[x.ptr[i]:x.ptr[i+1]]
			ai := araw.Data[i*araw.Stride : i*araw.Stride+k]
			if len(cols) == 0 {
				s.g.Zero()
				s.c.Zero()
			} else {
				if cap(s.gather) < len(cols)*k {
					s.gather = make([]float64, len(cols)*k)
				}
				buf := s.gather[:len(cols)*k]
				for r, j := range cols {
					copy(buf[r*k:r*k+k], braw.Data[j*braw.Stride:j*braw.Stride+k])
				}
				bo := mat.NewDense(len(cols), k, buf)
				s.g.Mul(bo.T(), bo)
				s.c.MulVec(bo.T(), mat.NewVecDense(len(vals), vals))
			}
			v += cdRow(ai, s.g.RawMatrix().Data, s.c.RawVector().Data, l1, l2, perm)
		}
		return v
	})
}
