package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"nmfkernel/bench/internal/libmf"
	"nmfkernel/lib/nmf"
)

// The MovieLens-20M-shaped case runs each side in its own process so that
// each peak memory figure is that fit's alone: scikit-learn's CD solver
// with its NNDSVDA start on the CSR matrix of the ratings (zeros as data)
// for ml20Iters iterations, then lib/nmf reading the long-form CSV with
// ReadTriples and fitting the same matrix until it reaches scikit-learn's
// error, and the ratings with missing values for ml20Iters iterations.
const ml20Iters = 20

// childResult is what a measuring child process reports.
type childResult struct {
	ReadSeconds   float64 `json:"read_s"`
	FitSeconds    float64 `json:"fit_s"`
	TargetSeconds float64 `json:"target_s"` // time to the target error, if reached
	Reached       bool    `json:"reached"`
	Iterations    int     `json:"iterations"`
	RelErr        float64 `json:"relerr"`
	PeakRSSMB     float64 `json:"peak_rss_mb"`
}

// ml20mDir, when set, keeps the generated files there.
var ml20mDir string

// libmfSrc, when set, is a LIBMF source tree: the ml20m case then builds
// LIBMF and runs its masked NMF on the same ratings in the same run.
var libmfSrc string

// childFlags are the flags of a measuring child process.
var childFlags = struct {
	mode, csv     string
	cpuProfile    string
	target, sumSq float64
	exact         bool
}{}

func init() {
	flag.StringVar(&libmfSrc, "libmf-src", "", "a LIBMF source tree (git clone https://github.com/cjlin1/libmf): the ml20m case also runs LIBMF's masked NMF on the same ratings")
	flag.StringVar(&ml20mDir, "ml20m-dir", "", "keep the ml20m case's generated ratings in this directory (default: a temporary one, removed)")
	flag.StringVar(&childFlags.mode, "child", "", "internal: run one lib/nmf measurement (zeros, masked or masked32) and print JSON")
	flag.StringVar(&childFlags.csv, "child-csv", "", "internal: the ratings file for -child")
	flag.Float64Var(&childFlags.target, "child-target", 0, "internal: RelErr to time for -child zeros")
	flag.Float64Var(&childFlags.sumSq, "child-sumsq", 0, "internal: Σv² of the ratings for -child zeros")
	flag.BoolVar(&childFlags.exact, "child-exact", false, "internal: Options.Exact for -child zeros")
	flag.StringVar(&childFlags.cpuProfile, "child-cpuprofile", "", "write a CPU profile of a -child fit to this file")
}

// runML20M generates the synthetic ratings, runs both sides and returns
// the table row and the extra lines to print under the table.
func runML20M(c benchCase, python string) (row string, notes []string, err error) {
	dir := ml20mDir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "nmfbench-ml20m"); err != nil {
			return "", nil, err
		}
		defer os.RemoveAll(dir)
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", nil, err
	}
	csvPath, binPath := filepath.Join(dir, "ratings.csv"), filepath.Join(dir, "triples.f64")
	start := time.Now()
	sumSq, err := writeSynthetic(csvPath, binPath, ml20, 20)
	if err != nil {
		return "", nil, err
	}
	notes = append(notes, fmt.Sprintf("ml20m: generated %d ratings of %d users × %d films in %v (%s)", ml20.ratings, ml20.users, ml20.films, time.Since(start).Round(time.Second), dir))

	sk, err := runSklearn(python, binPath, ml20.users, ml20.films, c.k, "sparse", ml20Iters, "cd", 1)
	if err != nil {
		return "", nil, err
	}
	best := sk[0]
	notes = append(notes, fmt.Sprintf("ml20m: scikit-learn cd, %d iterations: %.1f s, RelErr %.5f, peak RSS %.0f MB (CSR built from the triples in the same process)",
		best.Iterations, best.Seconds, best.RelErr, best.PeakRSSMB))
	row = fmt.Sprintf("%s\t%s (%d it)\t%.5f\t%v\t", c.name, best.Solver, best.Iterations, best.RelErr, seconds(best.Seconds))
	for _, exact := range []bool{true, false} {
		args := []string{"-child", "zeros", "-child-csv", csvPath, "-child-target", fmt.Sprint(best.RelErr), "-child-sumsq", fmt.Sprint(sumSq)}
		if exact {
			args = append(args, "-child-exact")
		}
		r, err := runChild(args)
		if err != nil {
			return "", nil, err
		}
		ours := seconds(r.TargetSeconds).String()
		if !r.Reached {
			ours = fmt.Sprintf("not reached in %d iterations (%v)", r.Iterations, seconds(r.FitSeconds))
		}
		row += fmt.Sprintf("%s\t%.2f\t", ours, r.TargetSeconds/best.Seconds)
		notes = append(notes, fmt.Sprintf("ml20m: lib/nmf zeros as data (Exact %v): ReadTriples %.1f s, fit to RelErr %.5f in %d iterations %.1f s, peak RSS %.0f MB",
			exact, r.ReadSeconds, r.RelErr, r.Iterations, r.FitSeconds, r.PeakRSSMB))
	}
	var masked [2]childResult
	for i, mode := range []string{"masked", "masked32"} {
		r, err := runChild([]string{"-child", mode, "-child-csv", csvPath})
		if err != nil {
			return "", nil, err
		}
		masked[i] = r
		notes = append(notes, fmt.Sprintf("ml20m: lib/nmf missing values, %s, %d iterations: ReadTriples %.1f s, fit %.1f s (RelErr over the ratings %.7f), peak RSS %.0f MB",
			[]string{"float64", "Float32"}[i], r.Iterations, r.ReadSeconds, r.FitSeconds, r.RelErr, r.PeakRSSMB))
	}
	if libmfSrc != "" {
		lm, err := runLIBMF(dir, csvPath)
		if err != nil {
			return "", nil, err
		}
		notes = append(notes, fmt.Sprintf("ml20m: LIBMF --nmf -k 20 -t %d -s 2 -l2 0.1, whole process (reading its text file included): %.1f s, peak RSS %.0f MB",
			ml20Iters, lm.Elapsed.Seconds(), lm.PeakRSSMB))
		for i, r := range masked {
			ours := r.ReadSeconds + r.FitSeconds
			notes = append(notes, fmt.Sprintf("ml20m: lib/nmf's masked read and fit (%s) take %.2f× LIBMF's time and %.2f× its memory",
				[]string{"float64", "Float32"}[i], ours/lm.Elapsed.Seconds(), r.PeakRSSMB/lm.PeakRSSMB))
		}
	}
	return row, notes, nil
}

// runLIBMF builds LIBMF, writes the ratings as its text format (0-based
// "user film rating" lines) and times its training on them.
func runLIBMF(dir, csvPath string) (libmf.Run, error) {
	train, _, err := libmf.Build(libmfSrc, dir)
	if err != nil {
		return libmf.Run{}, fmt.Errorf("build LIBMF: %w", err)
	}
	txt := filepath.Join(dir, "ratings.libmf.txt")
	if err := csvToLIBMF(csvPath, txt); err != nil {
		return libmf.Run{}, err
	}
	return libmf.Exec(train, "--nmf", "-k", "20", "-t", fmt.Sprint(ml20Iters), "-s", "2", "-l2", "0.1", "--quiet", txt, filepath.Join(dir, "libmf.model"))
}

// csvToLIBMF rewrites the generated userId,movieId,rating lines (1-based
// ids) as LIBMF reads them.
func csvToLIBMF(csvPath, out string) error {
	in, err := os.Open(csvPath)
	if err != nil {
		return err
	}
	defer in.Close()
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	sc := bufio.NewScanner(in)
	sc.Scan() // the header
	for sc.Scan() {
		fields := strings.Split(sc.Text(), ",")
		if len(fields) < 3 {
			f.Close()
			return fmt.Errorf("%s: line %q", csvPath, sc.Text())
		}
		u, err1 := strconv.Atoi(fields[0])
		m, err2 := strconv.Atoi(fields[1])
		if err := errors.Join(err1, err2); err != nil {
			f.Close()
			return fmt.Errorf("%s: %w", csvPath, err)
		}
		fmt.Fprintf(w, "%d %d %s\n", u-1, m-1, fields[2])
	}
	if err := errors.Join(sc.Err(), w.Flush()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func seconds(s float64) time.Duration {
	return time.Duration(s * float64(time.Second)).Round(time.Millisecond)
}

// runChild runs this program again with args and decodes its report.
func runChild(args []string) (childResult, error) {
	var r childResult
	exe, err := os.Executable()
	if err != nil {
		return r, err
	}
	cmd := exec.Command(exe, args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return r, fmt.Errorf("%s %s: %w", exe, strings.Join(args, " "), err)
	}
	if err := json.Unmarshal(out, &r); err != nil {
		return r, fmt.Errorf("read child report %q: %w", out, err)
	}
	return r, nil
}

// child runs one lib/nmf measurement on the ratings file and writes its
// report to w.
func child(w io.Writer) error {
	var r childResult
	start := time.Now()
	ratings, err := nmf.ReadTriples(childFlags.csv, "userId", "movieId", "rating")
	if err != nil {
		return err
	}
	r.ReadSeconds = time.Since(start).Seconds()
	// Unregularized (as the figures in docs/performance.md were measured);
	// zeros-as-data fits are unregularized anyway.
	opt := nmf.Options{Components: 20, Tol: -1, MaxIter: ml20Iters, AlphaW: -1, AlphaH: -1}
	V := ratings
	normV := 0.0
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	switch childFlags.mode {
	case "zeros":
		V = ratings.FillMissing(0)
		normV = math.Sqrt(childFlags.sumSq)
		opt.MaxIter = 10 * ml20Iters
		opt.Exact = childFlags.exact
		opt.Progress = func(p nmf.Progress) {
			r.Iterations = p.Iteration
			if math.Sqrt(2*p.Loss)/normV <= childFlags.target && !r.Reached {
				r.Reached, r.TargetSeconds = true, time.Since(start).Seconds()
				cancel()
			}
		}
	case "masked":
	case "masked32":
		opt.Float32 = true
	default:
		return fmt.Errorf("unknown -child mode %q", childFlags.mode)
	}
	if childFlags.cpuProfile != "" {
		f, err := os.Create(childFlags.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	start = time.Now()
	m, err := nmf.FitContext(ctx, V, opt)
	r.FitSeconds = time.Since(start).Seconds()
	switch {
	case err == nil:
		r.Iterations, r.RelErr = m.Iterations, m.RelErr
	case errors.Is(err, context.Canceled) && r.Reached:
		r.RelErr = childFlags.target
	default:
		return err
	}
	if r.PeakRSSMB, err = peakRSSMB(); err != nil {
		return err
	}
	return json.NewEncoder(w).Encode(r)
}

// peakRSSMB reads this process's peak resident set (VmHWM) from
// /proc/self/status.
func peakRSSMB() (float64, error) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err != nil {
				return 0, fmt.Errorf("parse VmHWM %q: %w", rest, err)
			}
			return kb / 1024, nil
		}
	}
	return 0, errors.New("no VmHWM in /proc/self/status")
}
