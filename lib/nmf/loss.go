package nmf

import (
	"math"
	"slices"

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
		// On all cores, in chunks of chunkRows rows whose sums are added
		// in order, as divergenceDense does.
		x := p.byRow
		_, k := w.Dims()
		wr, hr := w.RawMatrix(), ht.RawMatrix()
		parts := make([]divAccumulator, (x.n+chunkRows-1)/chunkRows)
		forPieces(len(parts), float64(len(x.idx)*k), func(c int) {
			a := divAccumulator{beta: beta}
			for i := c * chunkRows; i < min((c+1)*chunkRows, x.n); i++ {
				wi := wr.Data[i*wr.Stride : i*wr.Stride+k]
				for e := x.ptr[i]; e < x.ptr[i+1]; e++ {
					a.add(x.value(e), dot(wi, hr.Data[int(x.idx[e])*hr.Stride:]))
				}
			}
			parts[c] = a
		})
		for _, a := range parts {
			acc.merge(a)
		}
		return acc.divergence(float64(p.nObs)), acc.sq
	}
	if p.v == nil { // sparse with zeros as data; solve forms v unless β = 2
		div = p.frobeniusStored(w, ht)
		return div, 2 * div
	}
	acc = p.divergenceDense(w, ht, beta)
	return acc.divergence(float64(p.rows * p.cols)), acc.sq
}

// divBlockBytes bounds the block of W·Htᵀ that divergenceDense forms at a
// time.
const divBlockBytes = 4 << 20

// divergenceDense sums the divergence terms over every cell of a dense V.
// It forms W·Htᵀ a block of rows at a time instead of all rows × cols at
// once, and sums each block's cells on all cores in chunks of chunkRows
// rows whose sums are added in order, so the result does not depend on the
// number of cores. For k = 30 factors of a 5000×2000 V the Frobenius loss
// (a fit's last step) takes 48 ms instead of 65, and the Kullback-Leibler
// loss, which an MU fit computes every iteration, 158 instead of 227
// (BenchmarkDivergenceDense, bench/records entry 19). OpenBLAS's threads,
// spinning after each block's product, take part of the cores the sums
// run on.
func (p *problem) divergenceDense(w, ht *mat.Dense, beta float64) divAccumulator {
	_, k := w.Dims()
	n := p.cols
	rows := max(chunkRows, divBlockBytes/(8*n))
	v := p.v.RawMatrix()
	total := divAccumulator{beta: beta}
	var (
		wh    mat.Dense
		parts []divAccumulator
	)
	for lo := 0; lo < p.rows; lo += rows {
		hi := min(lo+rows, p.rows)
		wh.Reset()
		wh.Mul(w.Slice(lo, hi, 0, k), ht.T())
		whr := wh.RawMatrix()
		chunks := (hi - lo + chunkRows - 1) / chunkRows
		parts = slices.Grow(parts[:0], chunks)[:chunks]
		sum := func(c int) {
			a := divAccumulator{beta: beta}
			for i := lo + c*chunkRows; i < min(lo+(c+1)*chunkRows, hi); i++ {
				y := whr.Data[(i-lo)*whr.Stride:][:n]
				for j, x := range v.Data[i*v.Stride:][:n] {
					a.add(x, y[j])
				}
			}
			parts[c] = a
		}
		forPieces(chunks, float64((hi-lo)*n), sum)
		for _, a := range parts {
			total.merge(a)
		}
	}
	return total
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
				sum += x.value(q) * dot(wi, hr.Data[int(x.idx[q])*hr.Stride:])
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

// merge adds b's sums to a's.
func (a *divAccumulator) merge(b divAccumulator) {
	a.sq += b.sq
	a.sumWH += b.sumWH
	a.xlog += b.xlog
	a.sumX += b.sumX
	a.isTerm += b.isTerm
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
