package nmf

import "gonum.org/v1/gonum/mat"

// Extrapolation parameters of Ang & Gillis (2019) for accelerated HALS:
// the step β starts at extrapolationBeta0, shrinks by extrapolationEta when
// the error rises (and the scheme restarts from the last accepted
// iterates), grows by extrapolationGamma while it falls, up to a bound that
// itself grows by extrapolationGammaBar, never beyond 1.
const (
	extrapolationBeta0    = 0.5
	extrapolationEta      = 1.5
	extrapolationGamma    = 1.01
	extrapolationGammaBar = 1.005
)

// extrapolation runs the alternating CD updates of a zero-is-data
// Frobenius fit with extrapolation (A. M. S. Ang and N. Gillis,
// "Accelerating nonnegative matrix factorization algorithms using
// extrapolation", Neural Computation 31(2), 2019): each factor's update
// starts from, and is made against, points pushed beyond the last iterates
// along their last step, W projected onto W ≥ 0. A step that raises the
// error is undone and β shrinks; the best feasible pair seen is kept.
type extrapolation struct {
	w, ht          *mat.Dense // the last accepted iterates
	wy, hty        *mat.Dense // the extrapolated points
	wn, htn        *mat.Dense // scratch for the new iterates
	bestW, bestHt  *mat.Dense
	best, last     float64 // objectives: the error plus the penalties
	bestLoss       float64 // the error of the best pair
	beta, betaMax  float64
	betaBeforeLast float64
}

func newExtrapolation(w, ht *mat.Dense) *extrapolation {
	c := mat.DenseCopyOf
	return &extrapolation{
		w: c(w), ht: c(ht), wy: c(w), hty: c(ht), wn: c(w), htn: c(ht), bestW: c(w), bestHt: c(ht),
		best: -1, last: -1,
		beta: extrapolationBeta0, betaMax: 1, betaBeforeLast: extrapolationBeta0,
	}
}

// step runs one iteration and returns the error ½‖V−WH‖² of the best pair
// so far (the one result returns: lowest error plus penalties) and the
// projected-gradient measure of the two sweeps.
//
// The first iteration does not extrapolate: its step, from the start to
// the first updates, is far longer than the later ones, and pushing β
// beyond it overshoots so far that the second iteration's error rises and
// is thrown away. Starting with a plain step reaches scikit-learn's error
// on bench/sklearn's 5000×2000 matrix in 3 iterations instead of 5
// (bench/records, entry 15).
func (e *extrapolation) step(p *problem, perm []int, l1W, l2W, l1H, l2H float64, ws *cdWork, hh *mat.Dense) (loss, violation float64) {
	beta := e.beta
	if e.last < 0 {
		beta = 0
	}
	e.wn.Copy(e.wy)
	violation = cdSweepDense(p.opV, e.wn, e.hty, l1W, l2W, perm, true, ws)
	extrapolate(e.wy, e.wn, e.w, beta, true)
	e.htn.Copy(e.hty)
	violation += cdSweepDense(p.opVT, e.htn, e.wy, l1H, l2H, perm, true, ws)
	// The sweep left Vᵀ·Wy and WyᵀWy in ws: the error of (Wy, Htn) is cheap.
	err := lossGram(p.normV2, e.htn, &ws.cross, &ws.gram, hh, &ws.bt)
	obj := err + penaltyOf(e.wy, l1W, l2W) + penaltyOf(e.htn, l1H, l2H)
	if e.best < 0 || obj <= e.best {
		e.best, e.bestLoss = obj, err
		e.bestW.Copy(e.wy)
		e.bestHt.Copy(e.htn)
	}
	extrapolate(e.hty, e.htn, e.ht, beta, false)
	if e.last >= 0 && obj > e.last {
		// Restart from the accepted iterates with a shorter step.
		e.wy.Copy(e.w)
		e.hty.Copy(e.ht)
		e.betaMax = e.betaBeforeLast
		e.betaBeforeLast, e.beta = e.beta, e.beta/extrapolationEta
	} else {
		e.w.Copy(e.wn)
		e.ht.Copy(e.htn)
		e.betaBeforeLast, e.beta = e.beta, min(e.betaMax, e.beta*extrapolationGamma)
		e.betaMax = min(1, e.betaMax*extrapolationGammaBar)
	}
	e.last = obj
	return e.bestLoss, violation
}

// penaltyOf is l1·Σa + ½·l2·‖a‖² for a non-negative a.
func penaltyOf(a *mat.Dense, l1, l2 float64) float64 {
	if l1 == 0 && l2 == 0 {
		return 0
	}
	sum, sq := 0.0, 0.0
	for _, v := range a.RawMatrix().Data {
		sum += v
		sq += v * v
	}
	return l1*sum + l2*sq/2
}

// result copies the best pair into w and ht.
func (e *extrapolation) result(w, ht *mat.Dense) {
	w.Copy(e.bestW)
	ht.Copy(e.bestHt)
}

// extrapolate sets y to x + β(x − prev), clipped at 0 when project is set.
func extrapolate(y, x, prev *mat.Dense, beta float64, project bool) {
	yr, xr, pr := y.RawMatrix().Data, x.RawMatrix().Data, prev.RawMatrix().Data
	for i, v := range xr {
		v += beta * (v - pr[i])
		if project {
			v = max(v, 0)
		}
		yr[i] = v
	}
}
