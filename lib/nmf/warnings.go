package nmf

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// predictionCells bounds the cells warnings reads predictions of: every
// cell of a smaller model, a fixed sample of a larger one.
const predictionCells = 1 << 20

// warnings says what makes a fitted model doubtful (Model.Warnings).
func warnings(m *Model, p *problem, s settings) []string {
	var out []string
	k := s.Components
	if k >= min(p.rows, p.cols) {
		out = append(out, fmt.Sprintf("Components %d ≥ min(rows, cols) = %d: the factors can reproduce V cell for cell without summarizing it; segments and predictions mean little (use fewer components)", k, min(p.rows, p.cols)))
	}
	if s.stopRule && !m.Converged {
		out = append(out, fmt.Sprintf("the fit stopped at MaxIter = %d before its stopping rule (Tol %g) was met: raise MaxIter, or set Tol < 0 to say a fixed number of iterations is meant", s.MaxIter, s.Tol))
	}
	if lo, hi, ok := observedRange(p); ok {
		plo, phi := predictionRange(m, p)
		span := math.Max(hi-lo, math.Abs(hi)*1e-9)
		if phi > hi+span || plo < lo-span {
			out = append(out, fmt.Sprintf("predictions reach %s to %s, far outside the observed values' range %s to %s: the factors overfit the observed cells; regularize (AlphaW, AlphaH) or use fewer components",
				FormatValue(plo), FormatValue(phi), FormatValue(lo), FormatValue(hi)))
		}
	}
	return out
}

// observedRange is the smallest and largest observed value.
func observedRange(p *problem) (lo, hi float64, ok bool) {
	if p.nObs == 0 {
		return 0, 0, false
	}
	hi = math.Inf(-1)
	switch {
	case p.byRow != nil:
		for q := range p.byRow.idx {
			hi = math.Max(hi, p.byRow.value(q))
		}
	case p.stored != nil:
		hi = 0
		for q := range p.stored.idx {
			hi = math.Max(hi, p.stored.value(q))
		}
	case p.v != nil:
		for i := range p.rows {
			for _, v := range p.v.RawRowView(i)[:p.cols] {
				hi = math.Max(hi, v)
			}
		}
	default:
		return 0, 0, false
	}
	return p.minV, hi, p.minV <= hi
}

// predictionRange is the smallest and largest prediction over every cell
// of the model, or over a fixed sample of predictionCells cells of a
// larger one. It reads W and H's rows directly (Model.cell makes vector
// views per cell, which a fit's last step can do without).
func predictionRange(m *Model, p *problem) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	w := m.W.data.RawMatrix()
	ht := mat.DenseCopyOf(m.H.data.T()).RawMatrix() // cols × k, rows contiguous
	k := w.Cols
	cell := func(i, j int) float64 {
		v := dot(w.Data[i*w.Stride:i*w.Stride+k], ht.Data[j*ht.Stride:j*ht.Stride+k])
		if b := m.Biases; b != nil {
			v += b.Mean + b.Row[i] + b.Col[j]
		}
		return v
	}
	if p.rows*p.cols <= predictionCells {
		for i := range p.rows {
			for j := range p.cols {
				v := cell(i, j)
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
		return lo, hi
	}
	r := rand.New(rand.NewPCG(1, 1))
	for range predictionCells {
		v := cell(r.IntN(p.rows), r.IntN(p.cols))
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	return lo, hi
}
