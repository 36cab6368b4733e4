package nmf

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// epsilon is scikit-learn's EPSILON (float32 machine epsilon), used to keep
// divisions and negative powers finite.
const epsilon = 1.1920928955078125e-07

// float64Eps is float64 machine epsilon, scikit-learn's threshold for
// zeroing small factor entries with β ≤ 1.
const float64Eps = 2.220446049250313e-16

// muParams describes one multiplicative update.
type muParams struct {
	beta, gamma float64
	l1, l2      float64
	// sumToOne replaces a zero column sum of the fixed factor by 1 (the H
	// update with β = 1 in scikit-learn); otherwise a zero denominator
	// becomes epsilon like any other.
	sumToOne bool
	// zeroBelow sets entries below float64Eps to zero after the update
	// (scikit-learn does it for W when β < 1 and for H when β ≤ 1).
	zeroBelow bool
}

func muGamma(beta float64) float64 {
	switch {
	case beta < 1:
		return 1 / (2 - beta)
	case beta > 2:
		return 1 / (beta - 1)
	}
	return 1
}

// muWork is scratch reused across updates.
type muWork struct {
	num, den, gram, wh, whc, bt mat.Dense
}

// muStepDense updates a (n×k) for x (n×m) ≈ a·bᵀ with b (m×k) fixed: one
// multiplicative update as scikit-learn's _multiplicative_update_w (and,
// through the transpose, _multiplicative_update_h). For β = 2 it leaves the
// unregularized products x·b in ws.num and bᵀb in ws.gram, which the caller
// may use to compute the loss cheaply.
func muStepDense(x *mat.Dense, xop operand, a, b *mat.Dense, p muParams, ws *muWork) {
	n, k := a.Dims()
	ws.num.Reset()
	ws.den.Reset()
	switch p.beta {
	case 2:
		xop.times(&ws.num, &ws.whc, b)
		gramOf(&ws.gram, &ws.bt, b)
		ws.den.Mul(a, &ws.gram)
	default:
		ws.wh.Reset()
		ws.wh.Mul(a, b.T()) // n×m
		wh := ws.wh.RawMatrix().Data
		xr := x.RawMatrix().Data
		var whc []float64
		if p.beta != 1 {
			ws.whc.CloneFrom(&ws.wh)
			whc = ws.whc.RawMatrix().Data
			if p.beta < 1 {
				for i, v := range whc {
					if v == 0 {
						whc[i] = epsilon
					}
				}
			}
		}
		for i, v := range wh {
			if v == 0 {
				v = epsilon
			}
			switch p.beta {
			case 1:
				wh[i] = xr[i] / v
			case 0:
				wh[i] = xr[i] / (v * v)
			default:
				wh[i] = xr[i] * math.Pow(v, p.beta-2)
			}
		}
		ws.num.Mul(&ws.wh, b)
		if p.beta == 1 {
			sums := make([]float64, k)
			braw := b.RawMatrix()
			m, _ := b.Dims()
			for j := 0; j < m; j++ {
				for t, v := range braw.Data[j*braw.Stride : j*braw.Stride+k] {
					sums[t] += v
				}
			}
			if p.sumToOne {
				for t, v := range sums {
					if v == 0 {
						sums[t] = 1
					}
				}
			}
			ws.den.ReuseAs(n, k)
			for i := 0; i < n; i++ {
				copy(ws.den.RawRowView(i), sums)
			}
		} else {
			for i, v := range whc {
				whc[i] = math.Pow(v, p.beta-1)
			}
			ws.den.Mul(&ws.whc, b)
		}
	}
	muApply(a, ws.num.RawMatrix().Data, ws.den.RawMatrix().Data, p)
}

// muApply finishes an update: adds the penalties to the denominator and
// multiplies a by (num/den)^γ.
func muApply(a *mat.Dense, num, den []float64, p muParams) {
	araw := a.RawMatrix()
	n, k := a.Dims()
	for i := 0; i < n; i++ {
		row := araw.Data[i*araw.Stride : i*araw.Stride+k]
		for t := range row {
			d := den[i*k+t]
			if p.l1 > 0 {
				d += p.l1
			}
			if p.l2 > 0 {
				d += p.l2 * row[t]
			}
			if d == 0 {
				d = epsilon
			}
			delta := num[i*k+t] / d
			if p.gamma != 1 {
				delta = math.Pow(delta, p.gamma)
			}
			row[t] *= delta
			if p.zeroBelow && row[t] < float64Eps {
				row[t] = 0
			}
		}
	}
}

// muScratch is one goroutine's scratch for muStepSparse.
type muScratch struct{ num, den []float64 }

// muStepSparse is muStepDense for weighted NMF: only the observed cells x
// (by row) enter the update, so its cost grows with the observed cells
// times k. With every cell observed it computes the same update as
// muStepDense.
func muStepSparse(x *sparse, a, b *mat.Dense, p muParams) {
	n, k := a.Dims()
	araw, braw := a.RawMatrix(), b.RawMatrix()
	// The update of row i reads only row i of a, so rows update in place.
	forChunks(n, float64(len(x.idx)*k*3), func() *muScratch {
		return &muScratch{num: make([]float64, k), den: make([]float64, k)}
	}, func(lo, hi int, s *muScratch) float64 {
		for i := lo; i < hi; i++ {
			ai := araw.Data[i*araw.Stride : i*araw.Stride+k]
			clear(s.num)
			clear(s.den)
			for e := x.ptr[i]; e < x.ptr[i+1]; e++ {
				bj := braw.Data[int(x.idx[e])*braw.Stride : int(x.idx[e])*braw.Stride+k]
				wh := 0.0
				for t, v := range ai {
					wh += v * bj[t]
				}
				r, d := muTerms(x.value(e), wh, p.beta)
				for t, v := range bj {
					s.num[t] += r * v
					s.den[t] += d * v
				}
			}
			if p.sumToOne {
				for t, v := range s.den {
					if v == 0 {
						s.den[t] = 1
					}
				}
			}
			muApply(mat.NewDense(1, k, ai), s.num, s.den, p)
		}
		return 0
	})
}

// muTerms returns, for one observed cell with value v and current
// prediction wh, its contributions x·wh^(β−2) to the numerator and
// wh^(β−1) to the denominator, with scikit-learn's guards against zero.
func muTerms(v, wh, beta float64) (num, den float64) {
	safe := wh
	if safe == 0 {
		safe = epsilon
	}
	switch beta {
	case 2:
		return v, wh
	case 1:
		return v / safe, 1
	case 0:
		return v / (safe * safe), 1 / safe
	}
	d := wh
	if beta < 1 && d == 0 {
		d = epsilon
	}
	return v * math.Pow(safe, beta-2), math.Pow(d, beta-1)
}
