package nmf

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"nmfkernel/lib/display/table"
)

// ScanOptions configures ScanRanks.
type ScanOptions struct {
	// Options are the fit options. Components must be left zero: the
	// scan sets it to each rank in turn (ScanRanks refuses a value).
	Options
	// Runs is the number of fits per rank; zero means 1. With more than
	// one, the runs start from Random initialization with seeds Seed,
	// Seed+1, … (NNDSVDAR keeps its own; the deterministic NNDSVD variants
	// would make all runs alike), and each rank gets a consensus matrix and
	// its cophenetic correlation.
	Runs int
}

// RankResult is one rank of a scan.
type RankResult struct {
	K int
	// RelErr and Loss are those of the best run.
	RelErr, Loss float64
	// Best is the best run's model.
	Best *Model
	// Cophenetic is the cophenetic correlation of the consensus matrix
	// (Brunet et al. 2004): near 1 when the runs agree on who belongs to
	// which segment. NaN with a single run.
	Cophenetic float64
	// Consensus (cols×cols) is the share of runs in which two people
	// (columns) had the same dominant segment; nil with a single run.
	Consensus *Matrix
}

// RankScan is the result of ScanRanks, one entry per rank scanned.
type RankScan struct {
	Ranks []RankResult
}

// String formats the scan as a table.
func (s *RankScan) String() string { return s.table().Text() }

// HTML formats the scan as an HTML table, for notebook display.
func (s *RankScan) HTML() string { return s.table().HTML() }

func (s *RankScan) table() *table.Table {
	t := &table.Table{Corner: "k", Header: []string{"RelErr", "cophenetic"}}
	for _, r := range s.Ranks {
		t.RowLabels = append(t.RowLabels, fmt.Sprint(r.K))
		t.Cells = append(t.Cells, []string{FormatValue(r.RelErr), FormatValue(r.Cophenetic)})
	}
	return t
}

// ScanRanks fits V at each rank in ks and reports the error (and, with
// Runs > 1, the stability) of each, to help choose k: look for the rank
// after which RelErr stops falling quickly, or before the cophenetic
// correlation drops.
func ScanRanks(V *Matrix, ks []int, opt ScanOptions) (*RankScan, error) {
	return ScanRanksContext(context.Background(), V, ks, opt)
}

// ScanRanksContext is ScanRanks with a context that can cancel it.
func ScanRanksContext(ctx context.Context, V *Matrix, ks []int, opt ScanOptions) (scan *RankScan, err error) {
	defer recoverError(&err)
	if len(ks) == 0 {
		return nil, fmt.Errorf("nmf: ScanRanks needs at least one rank: %w", ErrOption)
	}
	if opt.Components != 0 {
		return nil, fmt.Errorf("nmf: ScanRanks sets Components to each rank in ks; leave ScanOptions.Components zero (got %d): %w", opt.Components, ErrOption)
	}
	runs := max(opt.Runs, 1)
	scan = &RankScan{}
	for _, k := range ks {
		o := opt.Options
		o.Components = k
		if runs > 1 && o.Init != InitNNDSVDAR {
			o.Init = InitRandom
		}
		res := RankResult{K: k, Cophenetic: math.NaN()}
		var assignments [][]int
		for r := 0; r < runs; r++ {
			o.Seed = opt.Seed + uint64(r)
			m, err := FitContext(ctx, V, o)
			if err != nil {
				return nil, fmt.Errorf("nmf: scan at k=%d: %w", k, err)
			}
			if res.Best == nil || m.RelErr < res.RelErr {
				res.Best, res.RelErr, res.Loss = m, m.RelErr, m.Loss
			}
			if runs > 1 {
				assignments = append(assignments, dominantSegments(m.H.data))
			}
		}
		if runs > 1 {
			c := consensus(assignments)
			res.Consensus = mustMatrix(V.cols, V.cols, c)
			res.Cophenetic = cophenetic(c)
		}
		scan.Ranks = append(scan.Ranks, res)
	}
	return scan, nil
}

// dominantSegments returns for each column of h the row of its largest entry.
func dominantSegments(h *mat.Dense) []int {
	k, n := h.Dims()
	out := make([]int, n)
	for j := 0; j < n; j++ {
		best := 0
		for t := 1; t < k; t++ {
			if h.At(t, j) > h.At(best, j) {
				best = t
			}
		}
		out[j] = best
	}
	return out
}

// consensus returns the n×n share of runs in which i and j were assigned
// the same cluster.
func consensus(assignments [][]int) *mat.Dense {
	n := len(assignments[0])
	c := mat.NewDense(n, n, nil)
	for _, a := range assignments {
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				if a[i] == a[j] {
					c.Set(i, j, c.At(i, j)+1)
				}
			}
		}
	}
	c.Scale(1/float64(len(assignments)), c)
	return c
}

// cophenetic returns the Pearson correlation between the distances 1−C and
// the cophenetic distances of their average-linkage (UPGMA) clustering, as
// R's NMF package computes it. It is 1 for a perfectly stable consensus.
func cophenetic(c *mat.Dense) float64 {
	n, _ := c.Dims()
	if n < 3 {
		return 1
	}
	d := make([][]float64, n)
	for i := range d {
		d[i] = make([]float64, n)
		for j := range d[i] {
			d[i][j] = 1 - c.At(i, j)
		}
	}
	members := make([][]int, n)
	active := make([]bool, n)
	for i := range members {
		members[i] = []int{i}
		active[i] = true
	}
	coph := make([][]float64, n)
	for i := range coph {
		coph[i] = make([]float64, n)
	}
	for merge := 0; merge < n-1; merge++ {
		a, b, best := -1, -1, math.Inf(1)
		for i := 0; i < n; i++ {
			if !active[i] {
				continue
			}
			for j := i + 1; j < n; j++ {
				if active[j] && d[i][j] < best {
					a, b, best = i, j, d[i][j]
				}
			}
		}
		for _, x := range members[a] {
			for _, y := range members[b] {
				coph[x][y], coph[y][x] = best, best
			}
		}
		na, nb := float64(len(members[a])), float64(len(members[b]))
		for z := 0; z < n; z++ {
			if active[z] && z != a && z != b {
				v := (na*d[a][z] + nb*d[b][z]) / (na + nb)
				d[a][z], d[z][a] = v, v
			}
		}
		members[a] = append(members[a], members[b]...)
		active[b] = false
	}
	var xs, ys []float64
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			xs = append(xs, 1-c.At(i, j))
			ys = append(ys, coph[i][j])
		}
	}
	if stat.Variance(xs, nil) == 0 || stat.Variance(ys, nil) == 0 {
		return 1
	}
	return stat.Correlation(xs, ys, nil)
}
