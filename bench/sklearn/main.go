// Command sklearn compares lib/nmf with scikit-learn on the same matrices
// in the same run: for each case it lets scikit-learn fit with its defaults
// (both solvers), takes the relative error ‖V−WH‖/‖V‖ its better solver
// reaches, and measures how long lib/nmf's CD solver (same NNDSVDA start)
// takes to reach that error, with Options.Exact (one sweep per product, as
// scikit-learn) and with the defaults (accelerated sweeps and
// extrapolation). Fits with missing values have no
// scikit-learn counterpart; for them it reports lib/nmf's time alone. Each
// time is the median of -repeat fits. Absolute times drift between runs
// and machines; the ratio is the figure to read.
//
//	go run ./bench/sklearn [-cases small,medium,large,watched,masked,ml20m] [-repeat 5] [-python /usr/bin/python3] [-libmf-src DIR]
//
// The ml20m case (not run by default: about 5 minutes) generates ratings
// with MovieLens-20M's shape, 138,493 users × 26,744 films and 20 million
// ratings with a long-tailed popularity, and compares 20 iterations of
// scikit-learn's CD solver on them (zeros as data) with lib/nmf reading the
// same ratings from CSV; it also fits them with missing values and reports
// each process's peak memory. Given -libmf-src (a LIBMF source tree: git
// clone https://github.com/cjlin1/libmf), it builds LIBMF and runs its
// masked NMF (mf-train --nmf -k 20 -t 20 -s 2 -l2 0.1) on the same ratings
// in the same run, and reports lib/nmf's masked read and fit as a ratio
// of LIBMF's whole process, in time and in peak memory.
//
// It needs Debian's python3-sklearn (or any Python with scikit-learn and
// SciPy) and finds MovieLens through internal/movielens ($MOVIELENS_DIR or
// ../shared/data/ml-latest-small beside the repository).
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"gonum.org/v1/gonum/mat"

	"nmfkernel/internal/fastblas"
	"nmfkernel/internal/movielens"
	"nmfkernel/lib/nmf"
)

// repeat is the -repeat flag.
var repeat *int

type benchCase struct {
	name   string
	k      int
	matrix func() (*nmf.Matrix, error)
	sparse bool // zeros are data, most cells zero: hand scikit-learn a CSR matrix
	masked bool // missing values: scikit-learn has no equivalent
	ml20m  bool // the MovieLens-20M-shaped case (see runML20M)
}

func main() {
	casesFlag := flag.String("cases", "small,medium,large,watched,masked", "comma-separated cases to run")
	python := flag.String("python", "/usr/bin/python3", "the Python with scikit-learn")
	repeat = flag.Int("repeat", 5, "fits per measurement, the median reported (the ml20m case fits once)")
	flag.Parse()
	if childFlags.mode != "" {
		if err := child(os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "sklearn child:", err)
			os.Exit(1)
		}
		return
	}
	if err := fastblas.Init(); err != nil {
		fmt.Fprintln(os.Stderr, "sklearn:", err)
		os.Exit(1)
	}
	ratings := func() (*nmf.Matrix, error) {
		if err := movielens.Check(); err != nil {
			return nil, err
		}
		return nmf.ReadTriples(filepath.Join(movielens.Dir(), "ratings.csv"), "movieId", "userId", "rating")
	}
	all := map[string]benchCase{
		"small":  {name: "dense 500×300, k=10", k: 10, matrix: lowRank(500, 300, 10, 1)},
		"medium": {name: "dense 2000×1000, k=20", k: 20, matrix: lowRank(2000, 1000, 20, 2)},
		"large":  {name: "dense 5000×2000, k=30", k: 30, matrix: lowRank(5000, 2000, 30, 3)},
		"watched": {name: "ml-latest-small watched, 9724×610, zeros as data, k=20", k: 20, sparse: true, matrix: func() (*nmf.Matrix, error) {
			r, err := ratings()
			if err != nil {
				return nil, err
			}
			return r.Observed(), nil
		}},
		"masked": {name: "ml-latest-small ratings, missing values, k=20, 100 iterations", k: 20, masked: true, matrix: ratings},
		"ml20m":  {name: "synthetic 138493×26744, 20M ratings, zeros as data, k=20", k: 20, ml20m: true},
	}
	fmt.Printf("lib/nmf with %s, GOMAXPROCS %d, %s/%s\n\n", fastblas.Name(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "case\tsklearn solver\tsklearn RelErr\tsklearn time\tlib/nmf CD, Exact\tratio\tlib/nmf CD, default\tratio\t")
	var notes []string
	for _, name := range strings.Split(*casesFlag, ",") {
		c, ok := all[name]
		if !ok {
			fmt.Fprintf(os.Stderr, "sklearn: unknown case %q\n", name)
			os.Exit(2)
		}
		var row string
		var err error
		if c.ml20m {
			var more []string
			row, more, err = runML20M(c, *python)
			notes = append(notes, more...)
		} else {
			row, err = run(c, *python)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "sklearn: %s: %v\n", c.name, err)
			os.Exit(1)
		}
		fmt.Fprintln(tw, row)
	}
	tw.Flush()
	if len(notes) > 0 {
		fmt.Println()
		fmt.Println(strings.Join(notes, "\n"))
	}
}

// lowRank returns a rows×cols matrix W·H + noise with W, H uniform in
// [0, 1) and noise uniform in [0, 0.1·k/4), fixed by seed.
func lowRank(rows, cols, k int, seed uint64) func() (*nmf.Matrix, error) {
	return func() (*nmf.Matrix, error) {
		rng := rand.New(rand.NewPCG(seed, 7))
		w, h := mat.NewDense(rows, k, nil), mat.NewDense(k, cols, nil)
		for _, d := range []*mat.Dense{w, h} {
			raw := d.RawMatrix().Data
			for i := range raw {
				raw[i] = rng.Float64()
			}
		}
		var v mat.Dense
		v.Mul(w, h)
		raw := v.RawMatrix().Data
		for i := range raw {
			raw[i] += 0.1 * float64(k) / 4 * rng.Float64()
		}
		return nmf.FromDense(&v, nil, nil)
	}
}

type sklearnResult struct {
	Solver     string  `json:"solver"`
	RelErr     float64 `json:"relerr"`
	Iterations int     `json:"iterations"`
	Seconds    float64 `json:"seconds"`
	PeakRSSMB  float64 `json:"peak_rss_mb"`
}

func run(c benchCase, python string) (string, error) {
	V, err := c.matrix()
	if err != nil {
		return "", err
	}
	if c.masked {
		var times []time.Duration
		var m *nmf.Model
		for range max(*repeat, 1) {
			start := time.Now()
			// Unregularized, as measured before fits with missing values had
			// a default regularization (docs/performance.md's figures).
			if m, err = nmf.Fit(V, nmf.Options{Components: c.k, Tol: -1, MaxIter: 100, AlphaW: -1, AlphaH: -1}); err != nil {
				return "", err
			}
			times = append(times, time.Since(start))
		}
		return fmt.Sprintf("%s\t(no missing-value NMF)\t\t\t%v (RelErr %.4f)\t\t\t\t", c.name, median(times).Round(time.Millisecond), m.RelErr), nil
	}
	dense := V.Dense()
	best, err := fitSklearn(dense, c, python)
	if err != nil {
		return "", err
	}
	normV := mat.Norm(dense, 2)
	sk := time.Duration(best.Seconds * float64(time.Second)).Round(time.Millisecond)
	row := fmt.Sprintf("%s\t%s (%d it)\t%.5f\t%v\t", c.name, best.Solver, best.Iterations, best.RelErr, sk)
	for _, exact := range []bool{true, false} {
		took, reached, err := medianTimeToRelErr(V, normV, c.k, best.RelErr, exact, *repeat)
		if err != nil {
			return "", err
		}
		ours := took.Round(time.Millisecond).String()
		if !reached {
			ours = fmt.Sprintf("not reached in 2000 iterations (%v)", ours)
		}
		row += fmt.Sprintf("%s\t%.2f\t", ours, took.Seconds()/best.Seconds)
	}
	return row, nil
}

// fitSklearn writes V for the Python script and returns the result of the
// solver that reached the lower error.
func fitSklearn(V *mat.Dense, c benchCase, python string) (sklearnResult, error) {
	dir, err := os.MkdirTemp("", "nmfbench")
	if err != nil {
		return sklearnResult{}, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "v.f64")
	rows, cols := V.Dims()
	var buf bytes.Buffer
	kind := "dense"
	if c.sparse {
		kind = "sparse"
		for i := 0; i < rows; i++ {
			for j, x := range V.RawRowView(i) {
				if x != 0 {
					binary.Write(&buf, binary.LittleEndian, [3]float64{float64(i), float64(j), x})
				}
			}
		}
	} else {
		binary.Write(&buf, binary.LittleEndian, V.RawMatrix().Data)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		return sklearnResult{}, err
	}
	results, err := runSklearn(python, path, rows, cols, c.k, kind, 200, "cd,mu", *repeat)
	if err != nil {
		return sklearnResult{}, err
	}
	best := results[0]
	for _, r := range results[1:] {
		if r.RelErr < best.RelErr {
			best = r
		}
	}
	return best, nil
}

// runSklearn runs fit_sklearn.py on a matrix file and returns one result
// per solver.
func runSklearn(python, path string, rows, cols, k int, kind string, maxIter int, solvers string, repeat int) ([]sklearnResult, error) {
	script := filepath.Join("bench", "sklearn", "fit_sklearn.py")
	cmd := exec.Command(python, script, path, fmt.Sprint(rows), fmt.Sprint(cols), fmt.Sprint(k), kind, fmt.Sprint(maxIter), solvers, fmt.Sprint(repeat))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w (is python3-sklearn installed?)", python, script, err)
	}
	var results []sklearnResult
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var r sklearnResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("read %s's output %q: %w", script, sc.Text(), err)
		}
		results = append(results, r)
	}
	if len(results) == 0 {
		return nil, errors.New("no result from scikit-learn")
	}
	return results, nil
}

// medianTimeToRelErr is the median of repeat runs of timeToRelErr.
func medianTimeToRelErr(V *nmf.Matrix, normV float64, k int, target float64, exact bool, repeat int) (time.Duration, bool, error) {
	var times []time.Duration
	reached := true
	for range max(repeat, 1) {
		took, ok, err := timeToRelErr(V, normV, k, target, exact)
		if err != nil {
			return 0, false, err
		}
		times = append(times, took)
		reached = reached && ok
	}
	return median(times), reached, nil
}

// median returns the middle of times (sorting them).
func median(times []time.Duration) time.Duration {
	slices.Sort(times)
	return times[len(times)/2]
}

// timeToRelErr fits with lib/nmf's defaults (CD, NNDSVDA) and stops as
// soon as the relative error ‖V−WH‖/normV is at most target, returning
// the time taken.
func timeToRelErr(V *nmf.Matrix, normV float64, k int, target float64, exact bool) (time.Duration, bool, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reached := false
	var took time.Duration
	start := time.Now()
	_, err := nmf.FitContext(ctx, V, nmf.Options{Components: k, Tol: -1, MaxIter: 2000, Exact: exact, Progress: func(p nmf.Progress) {
		if !reached && math.Sqrt(2*p.Loss)/normV <= target {
			reached, took = true, time.Since(start)
			cancel()
		}
	}})
	if err != nil && !errors.Is(err, context.Canceled) {
		return 0, false, err
	}
	if !reached {
		took = time.Since(start)
	}
	return took, reached, nil
}
