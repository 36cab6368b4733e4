package nmf

import (
	"fmt"
	"math"
	"time"

	"gonum.org/v1/gonum/mat"
)

// Init selects how W and H are initialized.
type Init int

const (
	// InitAuto, the zero value, picks NNDSVDA when Components ≤ min(rows,
	// cols) and InitRandom otherwise, as scikit-learn ≥ 1.1 does; for fits
	// with missing values it picks InitRandom, as LIBMF and Surprise start:
	// NNDSVD would read the missing cells as zeros, a start biased towards
	// predicting zero that costs an SVD of every cell (on ml-latest-small,
	// k=20, each with its best regularization, plain masked NMF reaches a
	// held-out RMSE of 0.90 instead of 1.01, and a biased fit's first
	// iteration takes 16 ms instead of 115).
	InitAuto Init = iota
	// InitNNDSVD is non-negative double SVD (Boutsidis & Gallopoulos 2008);
	// it leaves zeros in W and H, which suits sparse results and the CD
	// solver.
	InitNNDSVD
	// InitNNDSVDA is NNDSVD with its zeros filled with the mean of V.
	InitNNDSVDA
	// InitNNDSVDAR is NNDSVD with its zeros filled with small random values
	// (mean of V / 100 scale), seeded by Options.Seed.
	InitNNDSVDAR
	// InitRandom draws |N(0,1)|·sqrt(mean(V)/k), seeded by Options.Seed.
	InitRandom
	// InitCustom starts from Options.W0 and Options.H0.
	InitCustom
)

// String returns scikit-learn's name for the initialization.
func (i Init) String() string {
	switch i {
	case InitAuto:
		return "auto"
	case InitNNDSVD:
		return "nndsvd"
	case InitNNDSVDA:
		return "nndsvda"
	case InitNNDSVDAR:
		return "nndsvdar"
	case InitRandom:
		return "random"
	case InitCustom:
		return "custom"
	}
	return fmt.Sprintf("Init(%d)", int(i))
}

// Solver selects the optimization algorithm.
type Solver int

const (
	// SolverCD, the zero value, is coordinate descent (fast HALS, Cichocki & Phan
	// 2009), as in scikit-learn's solver="cd". Frobenius loss only.
	SolverCD Solver = iota
	// SolverMU is multiplicative updates (Lee & Seung 2001; Févotte & Idier 2011
	// for β-divergences), as in scikit-learn's solver="mu".
	SolverMU
)

// String returns scikit-learn's name for the solver.
func (s Solver) String() string {
	switch s {
	case SolverCD:
		return "cd"
	case SolverMU:
		return "mu"
	}
	return fmt.Sprintf("Solver(%d)", int(s))
}

// Loss selects the divergence between V and W·H that the fit minimizes.
type Loss int

const (
	// LossFrobenius, the zero value, is ½‖V − WH‖²_F (β = 2).
	LossFrobenius Loss = iota
	// LossKullbackLeibler is the generalized Kullback-Leibler divergence
	// (β = 1), suited to counts such as word frequencies. MU solver only.
	LossKullbackLeibler
	// LossItakuraSaito is the Itakura-Saito divergence (β = 0), scale
	// invariant; it needs strictly positive data. MU solver only.
	LossItakuraSaito
)

// String returns scikit-learn's name for the loss.
func (l Loss) String() string {
	switch l {
	case LossFrobenius:
		return "frobenius"
	case LossKullbackLeibler:
		return "kullback-leibler"
	case LossItakuraSaito:
		return "itakura-saito"
	}
	return fmt.Sprintf("Loss(%d)", int(l))
}

func (l Loss) beta() float64 {
	switch l {
	case LossKullbackLeibler:
		return 1
	case LossItakuraSaito:
		return 0
	}
	return 2
}

// Progress is what Options.Progress receives after every iteration.
type Progress struct {
	Iteration int           // 1-based iteration just finished
	MaxIter   int           // the iteration limit
	Loss      float64       // the loss after this iteration (see Model.Loss)
	Elapsed   time.Duration // time since the fit started
}

// Options configures Fit. The zero value is not enough on its own:
// Components must be set. Every other zero value means the default given in
// its comment, which is scikit-learn's.
type Options struct {
	// Components is k, the number of segments. Required: 1 ≤ k ≤ min(rows,
	// cols), except with InitRandom or InitCustom initialization; a k that
	// large reproduces V without summarizing it, which the model's
	// Warnings say.
	Components int

	// Init selects the initialization; zero is InitAuto.
	Init Init
	// W0 (rows×k) and H0 (k×cols) are the starting factors for Init ==
	// Custom. They are copied, never changed.
	W0, H0 mat.Matrix

	// Solver selects the algorithm; zero is CD.
	Solver Solver
	// Loss selects the divergence; zero is Frobenius.
	Loss Loss

	// Tol is the stopping tolerance; zero means 1e-4 and a negative value
	// turns the stopping rule off (run MaxIter iterations). CD stops when
	// the projected-gradient violation falls to Tol times its first value;
	// MU checks every 10 iterations whether the error improved by less than
	// Tol times the initial error, as scikit-learn does.
	Tol float64
	// MaxIter caps the iterations; zero means 200.
	MaxIter int
	// Seed makes Random, NNDSVDAR and Shuffle deterministic: equal seeds
	// give equal results.
	Seed uint64
	// Shuffle randomizes the order of coordinates in CD.
	Shuffle bool
	// Exact makes CD retrace scikit-learn's iterations step for step: one
	// coordinate sweep per product with V, no extrapolation, the same
	// iterates to rounding (golden tests check it). By default (false) CD
	// runs several sweeps per row on each pair of products with V
	// (accelerated HALS, Gillis & Glineur 2012), as many as the products'
	// cost makes worthwhile, and extrapolates each factor along its last
	// step (Ang & Gillis 2019), undoing steps that raise the objective and
	// returning the best pair seen: fewer iterations, and a given error in
	// a third to a half of scikit-learn's time (README, bench/sklearn).
	// Fits with missing values run their own solver either way.
	Exact bool
	// Float32 runs a fit with missing values in 32-bit floating point, as
	// LIBMF and Spark's ALS keep their factors: the factors are float32
	// during the fit, every sum over a row's observed cells is formed in
	// float32 (eight values to an AVX2 register instead of four, half the
	// bytes per factor row gathered), and each coordinate's step is worked
	// out in float64 from those sums. On MovieLens-20M's shape the fit
	// takes two thirds of the float64 fit's time, and its RelErr agrees
	// with the float64 fit's to ten digits (docs/performance.md); the W
	// and H returned hold float32 values, and Loss and RelErr are theirs,
	// computed in float64. As in float64, equal options give equal bits
	// with or without the assembly; without it (processors without AVX2
	// and FMA, other architectures, the purego tag) the float32 sums run
	// as Go that emulates the fused rounding, about four times slower than
	// the float64 ones, so there Float32 costs time. It applies to fits
	// with missing values by the CD solver, not Biased ones, whose
	// observed values' squares sum to at most 1e30; Fit refuses it
	// elsewhere with ErrOption.
	Float32 bool

	// AlphaW and AlphaH are the regularization strengths for W and H, and
	// L1Ratio (in [0, 1]) the share of L1 penalty in them (0 is pure L2).
	// As in scikit-learn ≥ 1.0 the penalties are scaled by the data size:
	// the W penalty by the number of columns, the H penalty by the number
	// of rows. Unlike scikit-learn, where alpha_H defaults to "same", a
	// zero AlphaH means no penalty on H.
	//
	// With missing values (and the CD solver, not Biased), both zero means
	// the default: 0.06 × the mean of the observed values each, scaled by
	// observed cells (RegByObserved), which keeps predictions in the
	// data's range (unregularized, a few ratings per row let the factors
	// predict far outside it). A negative value means no penalty. A Biased
	// fit's factor term fits what the biases leave, on another scale: its
	// strengths have no default.
	AlphaW, AlphaH, L1Ratio float64
	// RegScale chooses how AlphaW and AlphaH are scaled; zero is
	// RegBySize, scikit-learn's rule.
	RegScale RegScale

	// Biased adds a global mean and a bias per row and per column to the
	// factor term: V ≈ μ + b_row + b_col + W·H, minimized over the observed
	// cells with the CD solver. It is the model of biased matrix
	// factorization for ratings (Koren 2008; Surprise's NMF(biased=True)),
	// with W and H non-negative and the biases free. The model's
	// Reconstruct, Predict, Recommend and Targets include the biases.
	Biased bool
	// BiasReg is the L2 penalty λ on the biases: a row's bias is the mean
	// of its residuals shrunk as Σ residual / (λ + observed cells). Zero
	// means no shrinkage. Used only when Biased is set.
	BiasReg float64

	// Storage chooses how V is multiplied in fits without missing cells;
	// zero is StorageAuto. Fits with missing cells always work on the list
	// of observed cells.
	Storage Storage

	// Progress, if not nil, is called after every iteration.
	Progress func(Progress)
}

// The names these constants had before every enumeration took its type's
// name as a prefix (InitNNDSVDA, LossKullbackLeibler, SolverCD,
// StorageDense), kept so that existing programs and notebooks build.
const (
	// Deprecated: use InitRandom.
	Random = InitRandom
	// Deprecated: use InitCustom.
	Custom = InitCustom
	// Deprecated: use SolverCD.
	CD = SolverCD
	// Deprecated: use SolverMU.
	MU = SolverMU
	// Deprecated: use InitNNDSVD.
	NNDSVD = InitNNDSVD
	// Deprecated: use InitNNDSVDA.
	NNDSVDA = InitNNDSVDA
	// Deprecated: use InitNNDSVDAR.
	NNDSVDAR = InitNNDSVDAR
	// Deprecated: use LossFrobenius.
	Frobenius = LossFrobenius
	// Deprecated: use LossKullbackLeibler.
	KullbackLeibler = LossKullbackLeibler
	// Deprecated: use LossItakuraSaito.
	ItakuraSaito = LossItakuraSaito
)

// RegScale says how the regularization strengths grow with the data.
type RegScale int

const (
	// RegBySize, the zero value, scales the W penalty by the number of
	// columns and the H penalty by the number of rows, as scikit-learn does.
	RegBySize RegScale = iota
	// RegByObserved scales each row's W penalty by the number of observed
	// cells in that row and each column's H penalty by the number of
	// observed cells in that column (weighted-λ regularization, Zhou et al.
	// 2008). On a matrix without missing cells it equals RegBySize; on a
	// sparse ratings matrix it penalizes people and items with many ratings
	// as much per rating as those with few, which is what makes masked NMF
	// generalize there. CD solver only.
	RegByObserved
)

// String names the scaling.
func (r RegScale) String() string {
	switch r {
	case RegBySize:
		return "by-size"
	case RegByObserved:
		return "by-observed"
	}
	return fmt.Sprintf("RegScale(%d)", int(r))
}

// Storage is how the solvers hold V when zeros are data.
type Storage int

const (
	// StorageAuto, the zero value, multiplies a sparse V (NewSparse,
	// ReadTriples) from its stored cells; a dense V from the list of its
	// non-zero cells (CSR) when fewer than a tenth of the cells are
	// non-zero, densely otherwise.
	StorageAuto Storage = iota
	// StorageDense multiplies V as a dense matrix through BLAS (forming one from
	// a sparse V).
	StorageDense
	// StorageSparse multiplies V from the list of its non-zero cells, at a cost
	// proportional to their number rather than to rows × cols.
	StorageSparse
)

// Deprecated names of the storages (see Random).
const (
	// Deprecated: use StorageDense.
	Dense = StorageDense
	// Deprecated: use StorageSparse.
	Sparse = StorageSparse
)

// String names the storage.
func (s Storage) String() string {
	switch s {
	case StorageAuto:
		return "auto"
	case StorageDense:
		return "dense"
	case StorageSparse:
		return "sparse"
	}
	return fmt.Sprintf("Storage(%d)", int(s))
}

// settings are Options with defaults applied and regularization scaled.
type settings struct {
	Options
	beta               float64
	l1W, l2W, l1H, l2H float64
	checkEvery         int // MU's convergence check interval
	stopRule           bool
	// byObserved: l1W… are per observed cell, to be multiplied by each
	// row's (column's) count of observed cells.
	byObserved bool
}

// defaultAlphaPerMean sets the default regularization of fits with
// missing values: AlphaW = AlphaH = defaultAlphaPerMean × the mean of the
// observed values, scaled by observed cells (RegByObserved). Chosen on
// held-out ratings (go run ./bench/defaults; bench/records 38): within 6%
// of the best strength on 15×10 to 100×400 tables 30–90% blank at rank 2,
// and within 1.3% on ml-latest-small at k = 20, where no regularization
// predicts far outside the ratings' range.
const defaultAlphaPerMean = 0.06

// resolveFor resolves every default of a fit of p: those that depend on
// the data (missing values: a random start, the default regularization)
// and then the rest (resolve).
// maxFloat32SumSq is the largest Σv² a Float32 fit takes: eight orders of
// magnitude below float32's largest value, so that no sum of squares over
// a row's cells, residuals or factor values comes near overflowing.
const maxFloat32SumSq = 1e30

func (o Options) resolveFor(p *problem) (settings, error) {
	if o.Float32 && !p.masked() {
		return settings{Options: o}, fmt.Errorf("nmf: Float32 applies to fits with missing values, and this V has none: %w", ErrOption)
	}
	if o.Float32 && p.normV2 > maxFloat32SumSq {
		return settings{Options: o}, fmt.Errorf("nmf: Float32: the observed values' squares sum to %.3g, more than float32 sums hold with room to spare (%g); fit in float64: %w", p.normV2, maxFloat32SumSq, ErrOption)
	}
	if p.masked() {
		if o.Init == InitAuto {
			// NNDSVD would read the missing cells as zeros (and take an SVD
			// of every cell): a slow start, biased towards predicting zero.
			o.Init = InitRandom
		}
		if o.AlphaW == 0 && o.AlphaH == 0 && o.Solver == SolverCD && !o.Biased {
			a := defaultAlphaPerMean * p.mean()
			o.AlphaW, o.AlphaH = a, a
			if o.RegScale == RegBySize {
				o.RegScale = RegByObserved
			}
		}
	}
	return o.resolve(p.rows, p.cols)
}

func (o Options) resolve(rows, cols int) (settings, error) {
	s := settings{Options: o}
	k := o.Components
	if k < 1 {
		return s, fmt.Errorf("nmf: Components is %d, need at least 1: %w", k, ErrOption)
	}
	switch o.Init {
	case InitAuto:
		if k <= min(rows, cols) {
			s.Init = InitNNDSVDA
		} else {
			s.Init = InitRandom
		}
	case InitNNDSVD, InitNNDSVDA, InitNNDSVDAR:
		if k > min(rows, cols) {
			return s, fmt.Errorf("nmf: Init %v needs Components ≤ min(rows, cols) = %d, got %d (use Random): %w", o.Init, min(rows, cols), k, ErrOption)
		}
	case InitRandom:
	case InitCustom:
		if o.W0 == nil || o.H0 == nil {
			return s, fmt.Errorf("nmf: Init Custom needs W0 and H0: %w", ErrOption)
		}
		if r, c := o.W0.Dims(); r != rows || c != k {
			return s, fmt.Errorf("nmf: W0 is %d×%d, want %d×%d: %w", r, c, rows, k, ErrShape)
		}
		if r, c := o.H0.Dims(); r != k || c != cols {
			return s, fmt.Errorf("nmf: H0 is %d×%d, want %d×%d: %w", r, c, k, cols, ErrShape)
		}
	default:
		return s, fmt.Errorf("nmf: unknown Init %v: %w", o.Init, ErrOption)
	}
	switch o.Solver {
	case SolverCD:
		if o.Loss != LossFrobenius {
			return s, fmt.Errorf("nmf: the CD solver minimizes the Frobenius loss only; use Solver: nmf.SolverMU for %v: %w", o.Loss, ErrOption)
		}
	case SolverMU:
	default:
		return s, fmt.Errorf("nmf: unknown Solver %v: %w", o.Solver, ErrOption)
	}
	switch o.Loss {
	case LossFrobenius, LossKullbackLeibler, LossItakuraSaito:
	default:
		return s, fmt.Errorf("nmf: unknown Loss %v: %w", o.Loss, ErrOption)
	}
	s.beta = o.Loss.beta()
	switch {
	case o.Tol == 0:
		s.Tol = 1e-4
		s.stopRule = true
	case o.Tol > 0:
		s.stopRule = true
	}
	if o.MaxIter == 0 {
		s.MaxIter = 200
	}
	if s.MaxIter < 0 {
		return s, fmt.Errorf("nmf: MaxIter is %d: %w", o.MaxIter, ErrOption)
	}
	if math.IsNaN(o.AlphaW) || math.IsNaN(o.AlphaH) || math.IsInf(o.AlphaW, 0) || math.IsInf(o.AlphaH, 0) {
		return s, fmt.Errorf("nmf: AlphaW and AlphaH must be finite, got %g and %g: %w", o.AlphaW, o.AlphaH, ErrOption)
	}
	// A negative strength means no penalty (for fits with missing values,
	// where zero means the default).
	o.AlphaW, o.AlphaH = max(o.AlphaW, 0), max(o.AlphaH, 0)
	s.AlphaW, s.AlphaH = o.AlphaW, o.AlphaH
	if !(o.L1Ratio >= 0 && o.L1Ratio <= 1) {
		return s, fmt.Errorf("nmf: L1Ratio must be in [0, 1], got %g: %w", o.L1Ratio, ErrOption)
	}
	if math.IsNaN(o.Tol) {
		return s, fmt.Errorf("nmf: Tol is NaN: %w", ErrOption)
	}
	scaleW, scaleH := float64(cols), float64(rows)
	switch o.RegScale {
	case RegBySize:
	case RegByObserved:
		if o.Solver != SolverCD {
			return s, fmt.Errorf("nmf: RegScale %v needs the CD solver: %w", o.RegScale, ErrOption)
		}
		s.byObserved = true
		scaleW, scaleH = 1, 1
	default:
		return s, fmt.Errorf("nmf: unknown RegScale %v: %w", o.RegScale, ErrOption)
	}
	if o.Biased && (o.Solver != SolverCD || o.Loss != LossFrobenius) {
		return s, fmt.Errorf("nmf: Biased needs the CD solver and the Frobenius loss: %w", ErrOption)
	}
	if o.Float32 && (o.Solver != SolverCD || o.Biased) {
		return s, fmt.Errorf("nmf: Float32 needs the CD solver and a fit without Biased: %w", ErrOption)
	}
	switch o.Storage {
	case StorageAuto, StorageDense, StorageSparse:
	default:
		return s, fmt.Errorf("nmf: unknown Storage %v: %w", o.Storage, ErrOption)
	}
	if o.BiasReg < 0 || math.IsNaN(o.BiasReg) {
		return s, fmt.Errorf("nmf: BiasReg must be ≥ 0, got %g: %w", o.BiasReg, ErrOption)
	}
	s.l1W = scaleW * o.AlphaW * o.L1Ratio
	s.l2W = scaleW * o.AlphaW * (1 - o.L1Ratio)
	s.l1H = scaleH * o.AlphaH * o.L1Ratio
	s.l2H = scaleH * o.AlphaH * (1 - o.L1Ratio)
	s.checkEvery = 10
	return s, nil
}
