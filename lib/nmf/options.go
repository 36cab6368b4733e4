package nmf

import (
	"fmt"
	"time"

	"gonum.org/v1/gonum/mat"
)

// Init selects how W and H are initialized.
type Init int

const (
	// InitAuto, the zero value, picks NNDSVDA when Components ≤ min(rows,
	// cols) and Random otherwise, as scikit-learn ≥ 1.1 does.
	InitAuto Init = iota
	// NNDSVD is non-negative double SVD (Boutsidis & Gallopoulos 2008); it
	// leaves zeros in W and H, which suits sparse results and the CD solver.
	NNDSVD
	// NNDSVDA is NNDSVD with its zeros filled with the mean of V.
	NNDSVDA
	// NNDSVDAR is NNDSVD with its zeros filled with small random values
	// (mean of V / 100 scale), seeded by Options.Seed.
	NNDSVDAR
	// Random draws |N(0,1)|·sqrt(mean(V)/k), seeded by Options.Seed.
	Random
	// Custom starts from Options.W0 and Options.H0.
	Custom
)

// String returns scikit-learn's name for the initialization.
func (i Init) String() string {
	switch i {
	case InitAuto:
		return "auto"
	case NNDSVD:
		return "nndsvd"
	case NNDSVDA:
		return "nndsvda"
	case NNDSVDAR:
		return "nndsvdar"
	case Random:
		return "random"
	case Custom:
		return "custom"
	}
	return fmt.Sprintf("Init(%d)", int(i))
}

// Solver selects the optimization algorithm.
type Solver int

const (
	// CD, the zero value, is coordinate descent (fast HALS, Cichocki & Phan
	// 2009), as in scikit-learn's solver="cd". Frobenius loss only.
	CD Solver = iota
	// MU is multiplicative updates (Lee & Seung 2001; Févotte & Idier 2011
	// for β-divergences), as in scikit-learn's solver="mu".
	MU
)

// String returns scikit-learn's name for the solver.
func (s Solver) String() string {
	switch s {
	case CD:
		return "cd"
	case MU:
		return "mu"
	}
	return fmt.Sprintf("Solver(%d)", int(s))
}

// Loss selects the divergence between V and W·H that the fit minimizes.
type Loss int

const (
	// Frobenius, the zero value, is ½‖V − WH‖²_F (β = 2).
	Frobenius Loss = iota
	// KullbackLeibler is the generalized Kullback-Leibler divergence (β = 1),
	// suited to counts such as word frequencies. MU solver only.
	KullbackLeibler
	// ItakuraSaito is the Itakura-Saito divergence (β = 0), scale invariant;
	// it needs strictly positive data. MU solver only.
	ItakuraSaito
)

// String returns scikit-learn's name for the loss.
func (l Loss) String() string {
	switch l {
	case Frobenius:
		return "frobenius"
	case KullbackLeibler:
		return "kullback-leibler"
	case ItakuraSaito:
		return "itakura-saito"
	}
	return fmt.Sprintf("Loss(%d)", int(l))
}

func (l Loss) beta() float64 {
	switch l {
	case KullbackLeibler:
		return 1
	case ItakuraSaito:
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
	// cols), except with Random or Custom initialization.
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

	// AlphaW and AlphaH are the regularization strengths for W and H, and
	// L1Ratio (in [0, 1]) the share of L1 penalty in them (0 is pure L2).
	// As in scikit-learn ≥ 1.0 the penalties are scaled by the data size:
	// the W penalty by the number of columns, the H penalty by the number
	// of rows. Unlike scikit-learn, where alpha_H defaults to "same", a
	// zero AlphaH means no penalty on H.
	AlphaW, AlphaH, L1Ratio float64

	// Progress, if not nil, is called after every iteration.
	Progress func(Progress)
}

// settings are Options with defaults applied and regularization scaled.
type settings struct {
	Options
	beta               float64
	l1W, l2W, l1H, l2H float64
	checkEvery         int // MU's convergence check interval
	stopRule           bool
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
			s.Init = NNDSVDA
		} else {
			s.Init = Random
		}
	case NNDSVD, NNDSVDA, NNDSVDAR:
		if k > min(rows, cols) {
			return s, fmt.Errorf("nmf: Init %v needs Components ≤ min(rows, cols) = %d, got %d (use Random): %w", o.Init, min(rows, cols), k, ErrOption)
		}
	case Random:
	case Custom:
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
	case CD:
		if o.Loss != Frobenius {
			return s, fmt.Errorf("nmf: the CD solver minimizes the Frobenius loss only; use Solver: nmf.MU for %v: %w", o.Loss, ErrOption)
		}
	case MU:
	default:
		return s, fmt.Errorf("nmf: unknown Solver %v: %w", o.Solver, ErrOption)
	}
	switch o.Loss {
	case Frobenius, KullbackLeibler, ItakuraSaito:
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
	if o.AlphaW < 0 || o.AlphaH < 0 {
		return s, fmt.Errorf("nmf: AlphaW and AlphaH must be ≥ 0, got %g and %g: %w", o.AlphaW, o.AlphaH, ErrOption)
	}
	if o.L1Ratio < 0 || o.L1Ratio > 1 {
		return s, fmt.Errorf("nmf: L1Ratio must be in [0, 1], got %g: %w", o.L1Ratio, ErrOption)
	}
	s.l1W = float64(cols) * o.AlphaW * o.L1Ratio
	s.l2W = float64(cols) * o.AlphaW * (1 - o.L1Ratio)
	s.l1H = float64(rows) * o.AlphaH * o.L1Ratio
	s.l2H = float64(rows) * o.AlphaH * (1 - o.L1Ratio)
	s.checkEvery = 10
	return s, nil
}
