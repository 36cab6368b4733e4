package nmf

import (
	"gonum.org/v1/gonum/mat"
)

// A variant is one solver on one kind of problem: its iteration (step)
// and its stopping rule (stop), and the loss it ends with (finish). The
// settings are resolved before (Options.resolveFor); solve only loops.
//
//	cdMasked      CD over the observed cells of a V with missing values
//	              (in float32 with Options.Float32)
//	cdAccelerated CD with several sweeps per product and extrapolation (the default)
//	cdPlain       CD one sweep per product (Exact, or W fixed)
//	muVariant     multiplicative updates, over observed cells or every cell
type variant interface {
	// step runs one iteration over the coordinates in perm's order and
	// returns the loss after it.
	step(perm []int) float64
	// stop reports whether the stopping rule ends the fit after
	// iteration it, whose loss is loss.
	stop(it int, loss float64) bool
	// finish leaves the best factors in w and ht and returns the final
	// loss and Σ(V−WH)² over the observed cells.
	finish() (loss, sq float64)
}

func newVariant(p *problem, w, ht *mat.Dense, s settings, updateW bool) variant {
	base := fitState{p: p, w: w, ht: ht, s: s, updateW: updateW}
	if s.Solver == SolverMU {
		return newMU(base)
	}
	cd := cdRule{tol: s.Tol, on: s.stopRule}
	switch {
	case p.masked():
		c := &cdMasked{fitState: base, cdRule: cd, sweptSq: -1}
		if s.Float32 {
			w32, ht32 := toFactor32(w), toFactor32(ht)
			c.w32, c.ht32 = &w32, &ht32
		}
		return c
	case !s.Exact && updateW:
		return &cdAccelerated{fitState: base, cdRule: cd, ex: newExtrapolation(w, ht)}
	default:
		return &cdPlain{fitState: base, cdRule: cd}
	}
}

// fitState is what every variant works on.
type fitState struct {
	p       *problem
	w, ht   *mat.Dense
	s       settings
	updateW bool
}

// finalLoss is the loss of the factors as they are, over every cell.
func (f *fitState) finalLoss() (float64, float64) { return f.p.divergence(f.w, f.ht, f.s.beta) }

// cdRule is CD's stopping rule, scikit-learn's: the projected-gradient
// violation of an iteration falls to Tol times the first one's.
type cdRule struct {
	tol        float64
	on         bool
	violation  float64 // this iteration's
	violation0 float64
}

func (r *cdRule) stop(it int, _ float64) bool {
	if it == 1 {
		r.violation0 = r.violation
	}
	return r.violation0 == 0 || (r.on && r.violation/r.violation0 <= r.tol)
}

// cdMasked sweeps the observed cells, row by row then column by column.
type cdMasked struct {
	fitState
	cdRule
	// sweptSq is Σ(V−WH)² over the observed cells after the last sweep
	// (−1 before one): the H sweep computes it from residuals current
	// after every step, which makes it the final loss.
	sweptSq float64
	// w32 and ht32, with Options.Float32, are the factors for the fit in
	// float32, written back to w and ht at its end.
	w32, ht32 *factor32
}

func (c *cdMasked) step(perm []int) float64 {
	penW := penalty{c.s.l1W, c.s.l2W, c.s.byObserved}
	penH := penalty{c.s.l1H, c.s.l2H, c.s.byObserved}
	sweep := func(x *sparse, a, b *mat.Dense, a32, b32 *factor32, pen penalty) (float64, float64) {
		if a32 != nil {
			return cdSweepSparse32(x, *a32, *b32, pen, perm)
		}
		return cdSweepSparse(x, a, b, pen, perm)
	}
	c.violation = 0
	if c.updateW {
		v, _ := sweep(c.p.byRow, c.w, c.ht, c.w32, c.ht32, penW)
		c.violation += v
	}
	v, sq := sweep(c.p.byCol, c.ht, c.w, c.ht32, c.w32, penH)
	c.violation += v
	c.sweptSq = sq
	return sq / 2
}

// finish returns the loss the last H sweep left (no pass over the cells
// again). A float32 fit writes its factors back and takes their loss in
// float64 (one pass over the observed cells), so that Loss and RelErr are
// those of the W and H returned, not the float32 sums'.
func (c *cdMasked) finish() (float64, float64) {
	if c.w32 != nil {
		c.w32.writeTo(c.w)
		c.ht32.writeTo(c.ht)
		return c.finalLoss()
	}
	if c.sweptSq >= 0 {
		return c.sweptSq / 2, c.sweptSq
	}
	return c.finalLoss()
}

// cdAccelerated runs several sweeps per pair of products and
// extrapolates (extrapolate.go), keeping the best pair seen.
type cdAccelerated struct {
	fitState
	cdRule
	ex  *extrapolation
	cdw cdWork
	hh  mat.Dense
}

func (c *cdAccelerated) step(perm []int) float64 {
	l1W, l2W := penalty{c.s.l1W, c.s.l2W, c.s.byObserved}.scaled(c.p.cols)
	l1H, l2H := penalty{c.s.l1H, c.s.l2H, c.s.byObserved}.scaled(c.p.rows)
	var loss float64
	loss, c.violation = c.ex.step(c.p, perm, l1W, l2W, l1H, l2H, &c.cdw, &c.hh)
	return loss
}

func (c *cdAccelerated) finish() (float64, float64) {
	c.ex.result(c.w, c.ht)
	return c.finalLoss()
}

// cdPlain sweeps W then H once per product with V, as scikit-learn does
// (Exact), or H alone with W fixed (Transform).
type cdPlain struct {
	fitState
	cdRule
	cdw cdWork
	hh  mat.Dense
}

func (c *cdPlain) step(perm []int) float64 {
	l1W, l2W := penalty{c.s.l1W, c.s.l2W, c.s.byObserved}.scaled(c.p.cols)
	l1H, l2H := penalty{c.s.l1H, c.s.l2H, c.s.byObserved}.scaled(c.p.rows)
	c.violation = 0
	if c.updateW {
		c.violation += cdSweepDense(c.p.opV, c.w, c.ht, l1W, l2W, perm, !c.s.Exact, &c.cdw)
	}
	c.violation += cdSweepDense(c.p.opVT, c.ht, c.w, l1H, l2H, perm, !c.s.Exact, &c.cdw)
	return lossGram(c.p.normV2, c.ht, &c.cdw.cross, &c.cdw.gram, &c.hh, &c.cdw.bt)
}

func (c *cdPlain) finish() (float64, float64) { return c.finalLoss() }

// muVariant is multiplicative updates with scikit-learn's stopping rule:
// every checkEvery iterations, the error improved by less than Tol times
// the initial error.
type muVariant struct {
	fitState
	muw           muWork
	hh            mat.Dense
	gamma         float64
	errInit, prev float64
	gram          bool // the cheap loss of lossGram applies
}

func newMU(f fitState) *muVariant {
	m := &muVariant{fitState: f, gamma: muGamma(f.s.beta), gram: !f.p.masked() && f.s.beta == 2}
	div, _ := f.p.divergence(f.w, f.ht, f.s.beta)
	m.errInit = errorOf(div)
	m.prev = m.errInit
	return m
}

func (m *muVariant) step([]int) float64 {
	s := m.s
	pw := muParams{beta: s.beta, gamma: m.gamma, l1: s.l1W, l2: s.l2W, zeroBelow: s.beta < 1}
	ph := muParams{beta: s.beta, gamma: m.gamma, l1: s.l1H, l2: s.l2H, zeroBelow: s.beta <= 1, sumToOne: true}
	if m.p.masked() {
		if m.updateW {
			muStepSparse(m.p.byRow, m.w, m.ht, pw)
		}
		muStepSparse(m.p.byCol, m.ht, m.w, ph)
	} else {
		if m.updateW {
			muStepDense(m.p.v, m.p.opV, m.w, m.ht, pw, &m.muw)
		}
		var vt *mat.Dense // read cell by cell only when β ≠ 2
		if s.beta != 2 {
			vt = m.p.transposeV()
		}
		muStepDense(vt, m.p.opVT, m.ht, m.w, ph, &m.muw)
	}
	if m.gram {
		return lossGram(m.p.normV2, m.ht, &m.muw.num, &m.muw.gram, &m.hh, &m.muw.bt)
	}
	loss, _ := m.p.divergence(m.w, m.ht, s.beta)
	return loss
}

func (m *muVariant) stop(it int, loss float64) bool {
	if !m.s.stopRule || it%m.s.checkEvery != 0 {
		return false
	}
	e := errorOf(loss)
	done := (m.prev-e)/m.errInit < m.s.Tol
	m.prev = e
	return done
}

func (m *muVariant) finish() (float64, float64) { return m.finalLoss() }
