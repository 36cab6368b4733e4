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
	var acc divAccumulator
	acc.beta = beta
	if p.masked() {
		x := p.byRow
		_, k := w.Dims()
		wr, hr := w.RawMatrix(), ht.RawMatrix()
		for i := 0; i < x.n; i++ {
			wi := wr.Data[i*wr.Stride : i*wr.Stride+k]
			for e := x.ptr[i]; e < x.ptr[i+1]; e++ {
				acc.add(x.val[e], dot(wi, hr.Data[x.idx[e]*hr.Stride:]))
			}
		}
		return acc.divergence(float64(p.nObs)), acc.sq
	}
	if p.v == nil { // sparse with zeros as data; solve forms v unless β = 2
		div = p.frobeniusStored(w, ht)
		return div, 2 * div
	}
	var wh mat.Dense
	wh.Mul(w, ht.T())
	whr := wh.RawMatrix().Data
	for i, x := range p.v.RawMatrix().Data {
		acc.add(x, whr[i])
	}
	return acc.divergence(float64(len(whr))), acc.sq
}

// frobeniusStored returns ½‖V − W·Htᵀ‖² for a sparse V whose other cells
// are zeros, as ½(‖V‖² − 2⟨V, W·Htᵀ⟩ + ⟨WᵀW, HtᵀHt⟩) with the middle term
// over the stored cells: O(stored × k + (rows + cols) × k²).
func (p *problem) frobeniusStored(w, ht *mat.Dense) float64 {
	x := p.stored
	_, k := w.Dims()
	wr, hr := w.RawMatrix(), ht.RawMatrix()
	cross := forChunks(x.n, float64(2*len(x.idx)*k), func() struct{} { return struct{}{} }, func(lo, hi int, _ struct{}) float64 {
		sum := 0.0
		for i := lo; i < hi; i++ {
			wi := wr.Data[i*wr.Stride : i*wr.Stride+k]
			for q := x.ptr[i]; q < x.ptr[i+1]; q++ {
				sum += x.val[q] * dot(wi, hr.Data[x.idx[q]*hr.Stride:])
			}
		}
		return sum
	})
	var ww, hh, scratch mat.Dense
	gramOf(&ww, &scratch, w)
	gramOf(&hh, &scratch, ht)
	return max(p.normV2-2*cross+mat.Sum(elemMul(&ww, &hh)), 0) / 2
}

// divAccumulator sums, cell by cell, what the β-divergences need.
type divAccumulator struct {
	beta                          float64
	sq, sumWH, xlog, sumX, isTerm float64
}

// add takes one observed cell: value x, prediction y.
func (a *divAccumulator) add(x, y float64) {
	d := x - y
	a.sq += d * d
	a.sumWH += y
	if a.beta != 2 && x > epsilon {
		if y == 0 {
			y = epsilon
		}
		r := x / y
		a.xlog += x * math.Log(r)
		a.sumX += x
		a.isTerm += r - math.Log(r)
	}
}

// divergence combines the sums; cells is the number of observed cells.
func (a *divAccumulator) divergence(cells float64) float64 {
	switch a.beta {
	case 2:
		return a.sq / 2
	case 1:
		return a.xlog + a.sumWH - a.sumX
	default: // 0
		return a.isTerm - cells
	}
}

// lossGram returns ½‖V − W·Htᵀ‖² without forming W·Htᵀ, from products a
// Frobenius update has just computed: cross = Vᵀ·W (cols×k) and gram = WᵀW,
// as ½(‖V‖² − 2⟨Ht, cross⟩ + ⟨gram, HtᵀHt⟩). It costs cols·k² instead of
// rows·cols·k.
func lossGram(normV2 float64, ht, cross, gram, hh, scratch *mat.Dense) float64 {
	gramOf(hh, scratch, ht)
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
