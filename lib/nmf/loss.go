package nmf

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// divergence returns the β-divergence between V and W·Htᵀ over the observed
// cells: ½‖V−WH‖² for β = 2, generalized Kullback-Leibler for β = 1,
// Itakura-Saito for β = 0, with scikit-learn's conventions (cells with
// V ≤ epsilon leave out the log terms; a zero prediction counts as epsilon).
// It also returns Σ(V−WH)² over observed cells for the relative error.
func (p *problem) divergence(w, ht *mat.Dense, beta float64) (div, sq float64) {
	if p.masked() {
		return p.divergenceSparse(w, ht, beta)
	}
	var wh mat.Dense
	wh.Mul(w, ht.T())
	whr := wh.RawMatrix().Data
	vr := p.v.RawMatrix().Data
	sumWH, xlog, sumX, isTerm := 0.0, 0.0, 0.0, 0.0
	for i, x := range vr {
		y := whr[i]
		d := x - y
		sq += d * d
		sumWH += y
		if beta != 2 && x > epsilon {
			if y == 0 {
				y = epsilon
			}
			r := x / y
			xlog += x * math.Log(r)
			sumX += x
			isTerm += r - math.Log(r)
		}
	}
	return combineDivergence(beta, sq, sumWH, xlog, sumX, isTerm, float64(len(vr))), sq
}

func (p *problem) divergenceSparse(w, ht *mat.Dense, beta float64) (div, sq float64) {
	x := p.byRow
	_, k := w.Dims()
	wr, hr := w.RawMatrix(), ht.RawMatrix()
	sumWH, xlog, sumX, isTerm := 0.0, 0.0, 0.0, 0.0
	for i := 0; i < x.n; i++ {
		wi := wr.Data[i*wr.Stride : i*wr.Stride+k]
		for e := x.ptr[i]; e < x.ptr[i+1]; e++ {
			hj := hr.Data[x.idx[e]*hr.Stride : x.idx[e]*hr.Stride+k]
			y := 0.0
			for t, v := range wi {
				y += v * hj[t]
			}
			v := x.val[e]
			d := v - y
			sq += d * d
			sumWH += y
			if beta != 2 && v > epsilon {
				if y == 0 {
					y = epsilon
				}
				r := v / y
				xlog += v * math.Log(r)
				sumX += v
				isTerm += r - math.Log(r)
			}
		}
	}
	return combineDivergence(beta, sq, sumWH, xlog, sumX, isTerm, float64(p.nObs)), sq
}

func combineDivergence(beta, sq, sumWH, xlog, sumX, isTerm, cells float64) float64 {
	switch beta {
	case 2:
		return sq / 2
	case 1:
		return xlog + sumWH - sumX
	default: // 0
		return isTerm - cells
	}
}

// lossGram returns ½‖V − W·Htᵀ‖² without forming W·Htᵀ, from products a
// Frobenius update has just computed: cross = Vᵀ·W (cols×k) and gram = WᵀW,
// as ½(‖V‖² − 2⟨Ht, cross⟩ + ⟨gram, HtᵀHt⟩). It costs cols·k² instead of
// rows·cols·k.
func lossGram(normV2 float64, ht, cross, gram *mat.Dense, hh *mat.Dense) float64 {
	hh.Reset()
	hh.Mul(ht.T(), ht)
	l := normV2 - 2*mat.Sum(elemMul(ht, cross)) + mat.Sum(elemMul(gram, hh))
	return max(l, 0) / 2
}

func elemMul(a, b *mat.Dense) *mat.Dense {
	var c mat.Dense
	c.MulElem(a, b)
	return &c
}

// errorOf turns a divergence into scikit-learn's reconstruction_err_,
// sqrt(2·div).
func errorOf(div float64) float64 { return math.Sqrt(2 * max(div, 0)) }
