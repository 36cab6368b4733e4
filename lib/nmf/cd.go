package nmf

import (
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/mat"
)

// cdRow runs one coordinate-descent pass over the k entries of one row a of
// the factor being updated, for the problem min ½aᵀGa − cᵀa + l1·Σa + ½l2‖a‖²
// subject to a ≥ 0, where G (k×k, row-major) is the Gram matrix of the
// fixed factor and c the cross product with the data. It is scikit-learn's
// _update_cdnmf_fast for one row; rows are independent, so running them
// one after another equals scikit-learn's coordinate-major loop. It returns
// the sum of the magnitudes of the projected gradients it saw.
func cdRow(a, g, c []float64, l1, l2 float64, perm []int) float64 {
	k := len(a)
	violation := 0.0
	for _, t := range perm {
		grad := l1 - c[t] + l2*a[t] + dot(g[t*k:t*k+k], a)
		pg := grad
		if a[t] == 0 {
			pg = min(0, grad)
		}
		violation += math.Abs(pg)
		if hess := g[t*k+t] + l2; hess != 0 {
			a[t] = max(a[t]-grad/hess, 0)
		}
	}
	return violation
}

// coordinates is the order in which CD visits the k coordinates of a row:
// 0…k−1, shuffled before every iteration when Options.Shuffle is set.
type coordinates struct {
	perm    []int
	rng     *rand.Rand
	shuffle bool
}

func newCoordinates(k int, s settings) *coordinates {
	c := &coordinates{perm: make([]int, k), rng: newRand(s.Seed), shuffle: s.Shuffle}
	for i := range c.perm {
		c.perm[i] = i
	}
	return c
}

// order returns the order for the next iteration.
func (c *coordinates) order() []int {
	if c.shuffle {
		c.rng.Shuffle(len(c.perm), func(i, j int) { c.perm[i], c.perm[j] = c.perm[j], c.perm[i] })
	}
	return c.perm
}

// cdWork is scratch reused across sweeps.
type cdWork struct {
	gram, cross, crossT, bt mat.Dense
}

// gramOf sets dst to bᵀb (k×k) for a tall b (n×k), through bt = bᵀ stored
// row-major: the product then runs dot products over rows of length n,
// which gonum's pure-Go BLAS does several times faster than the k-long
// axpy updates it uses for bᵀ·b directly.
func gramOf(dst, bt, b *mat.Dense) {
	bt.Reset()
	bt.CloneFrom(b.T())
	dst.Reset()
	dst.Mul(bt, bt.T())
}

// cdSweepDense updates a (n×k) for x (n×m) ≈ a·bᵀ, b (m×k) fixed, by one
// coordinate-descent sweep (scikit-learn's _update_coordinate_descent),
// where zeros in x are data. It leaves the unregularized products bᵀb and
// x·b in ws for the caller.
//
// With accelerate set, each row runs several sweeps on the same products
// (Gillis & Glineur 2012, accelerated HALS): forming x·b costs cells × k
// against n × k² for a sweep, so up to 1 + ½(1 + cells/(n·k)/s) sweeps per
// row, stopping when a sweep's projected gradient falls below a tenth of
// the first's; s is how many times faster than the sweeps' scalar Go the
// product runs per flop (productSpeedup). The result returned is the first
// sweep's, the measure the stopping rule uses.
func cdSweepDense(x operand, a, b *mat.Dense, l1, l2 float64, perm []int, accelerate bool, ws *cdWork) float64 {
	n, k := a.Dims()
	gramOf(&ws.gram, &ws.bt, b)
	x.times(&ws.cross, &ws.crossT, b)
	g := ws.gram.RawMatrix().Data
	cross := ws.cross.RawMatrix()
	araw := a.RawMatrix()
	sweeps := 1
	if accelerate {
		sweeps = 1 + int(0.5*(1+float64(x.cells())/float64(n*k)/productSpeedup(x)))
	}
	return forChunks(n, float64(n*k*k*sweeps), func() struct{} { return struct{}{} }, func(lo, hi int, _ struct{}) float64 {
		v := 0.0
		for i := lo; i < hi; i++ {
			ai, ci := araw.Data[i*araw.Stride:i*araw.Stride+k], cross.Data[i*cross.Stride:i*cross.Stride+k]
			first := cdRow(ai, g, ci, l1, l2, perm)
			v += first
			for s := 1; s < sweeps; s++ {
				if cdRow(ai, g, ci, l1, l2, perm) <= 0.1*first {
					break
				}
			}
		}
		return v
	})
}

// blasSpeedup is how many times more flops per second OpenBLAS gets from a
// dense product than a coordinate sweep gets in Go: measured on the 2-core
// build machine, about 40 GFLOP/s for the products of a 5000×2000 V with
// its 30-column factors against 2–4 for the sweeps, rounded down. With it
// the 5000×2000, k = 30 case of bench/sklearn runs at most 5 sweeps per
// product for W and 11 for H instead of 34 and 84, and reaches
// scikit-learn's error 20–30% sooner (bench/records, entry 11).
const blasSpeedup = 8

// productSpeedup is blasSpeedup for a dense x multiplied through OpenBLAS,
// and 1 for gonum's pure Go or the Go loops of a sparse x.
func productSpeedup(x operand) float64 {
	switch x.(type) {
	case denseOperand, transposedDense:
		if fastTransposedProducts() {
			return blasSpeedup
		}
	}
	return 1
}

// cdSweepSparse updates a (n×k) for the observed cells x (by row) ≈ a·bᵀ,
// b (m×k) fixed: weighted NMF (Zhang et al. 2006), where the loss counts
// observed cells only. It takes the same coordinate steps as cdRow would
// with each row's own Gram matrix, but from the row's residuals instead:
// the gradient of coordinate t is l1 + l2·a_t − Σ_j r_j·b_jt over the row's
// observed cells j, so a sweep costs O(observed cells × k), not × k².
//
// It returns the sum of the projected gradients' magnitudes and
// Σ(x − a·bᵀ)² over the observed cells after the update.
func cdSweepSparse(x *sparse, a, b *mat.Dense, pen penalty, perm []int) (violation, sq float64) {
	n, k := a.Dims()
	braw, araw := b.RawMatrix(), a.RawMatrix()
	longest := x.longestRow(0, n)
	return sweepRows(n, float64(5*len(x.idx)*k), &residualPool, func(ws *residualWork) { ws.reserve(longest, k) },
		func(i int, ws *residualWork) (float64, float64) {
			cols, vals := x.idx[x.ptr[i]:x.ptr[i+1]], x.values(x.ptr[i], x.ptr[i+1], &ws.vals)
			l1, l2 := pen.forCells(len(cols))
			return cdRowResidual(araw.Data[i*araw.Stride:i*araw.Stride+k], braw.Data, braw.Stride, cols, vals, ws, l1, l2, perm)
		})
}

// sweepRows runs row for rows 0 to n in parallel chunks (forChunks2, work
// its cost) and returns the sums of what it returns, row by row in order
// within a chunk. Each chunk's scratch comes from pool, made ready by
// reserve, and goes back after the sweep, so that sweeps do not allocate
// and clear it anew.
func sweepRows[W any](n int, work float64, pool *sync.Pool, reserve func(W), row func(i int, ws W) (float64, float64)) (float64, float64) {
	var mu sync.Mutex
	var taken []W
	defer func() {
		for _, ws := range taken {
			pool.Put(ws)
		}
	}()
	newScratch := func() W {
		ws := pool.Get().(W)
		reserve(ws)
		mu.Lock()
		taken = append(taken, ws)
		mu.Unlock()
		return ws
	}
	return forChunks2(n, work, newScratch, func(lo, hi int, ws W) (float64, float64) {
		v, sq := 0.0, 0.0
		for i := lo; i < hi; i++ {
			dv, dsq := row(i, ws)
			v, sq = v+dv, sq+dsq
		}
		return v, sq
	})
}

// residualWork is cdRowResidual's scratch: the residuals of a row's
// observed cells, the rows of b they pair with (transposed), and a coded
// row's values.
type residualWork struct {
	r, bt []float64
	vals  []float64
}

var residualPool = sync.Pool{New: func() any { return new(residualWork) }}

// reserve makes room for rows of up to c cells, k components: sized once
// for the longest row, rather than anew at each longer row.
func (ws *residualWork) reserve(c, k int) {
	ws.r, ws.bt, ws.vals = atLeast(ws.r, c), atLeast(ws.bt, c*k), atLeast(ws.vals, c)
}

// atLeast returns s if it has room for n values, else a new slice of n.
func atLeast[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s
}

// cdRowResidual is cdRow for one row with observed cells only: cols lists
// the rows of b (row stride bs) the observed values vals pair with. It
// returns the projected gradient magnitude and the squared residuals after
// the update.
func cdRowResidual(a, b []float64, bs int, cols []int32, vals []float64, ws *residualWork, l1, l2 float64, perm []int) (float64, float64) {
	k, c := len(a), len(cols)
	ws.reserve(c, k)
	r, bt := ws.r[:c], ws.bt[:c*k]
	// Gather b's rows transposed (bt[t*c+e] = b_{cols[e],t}), so that each
	// coordinate below reads one contiguous run, and the residuals r =
	// vals − Σ_t a_t·b_t (subtracting in turn over t), in one pass.
	gatherResidual(bt, b, bs, cols, a, vals, r)
	// Each pass over r takes a coordinate's step and forms the next
	// coordinate's r·b_t and curvature b_t·b_t (the last pass forms Σr²,
	// the squared error returned).
	violation := 0.0
	next := func(i int) []float64 {
		if i+1 < len(perm) {
			return bt[perm[i+1]*c : perm[i+1]*c+c]
		}
		return r
	}
	rb, hess := dotSq(r, next(-1))
	for i, t := range perm {
		step, pg := coordinateStep(a[t], rb, hess, l1, l2)
		violation += pg
		if d := step - a[t]; d != 0 {
			rb, hess = subScaledDotSq(r, bt[t*c:t*c+c], d, next(i))
			a[t] = step
		} else {
			rb, hess = dotSq(r, next(i))
		}
	}
	return violation, rb
}

// coordinateStep returns a coordinate's Newton step from a, projected onto
// a ≥ 0, for the gradient l1 + l2·a − rb and the curvature hess + l2, and
// the magnitude of its projected gradient.
func coordinateStep(a, rb, hess, l1, l2 float64) (step, violation float64) {
	grad := l1 + l2*a - rb
	pg := grad
	if a == 0 {
		pg = min(0, grad)
	}
	// max(a − grad/h, 0), without the branches Go's max takes for NaN and
	// −0 (it keeps NaN and gives +0 for −0 as max does).
	step = a
	if h := hess + l2; h != 0 {
		if step = a - grad/h; step <= 0 {
			step = 0
		}
	}
	return step, math.Abs(pg)
}

// dot returns x·y (len(y) ≥ len(x)) with four partial sums, which lets the
// processor overlap the additions.
func dot(x, y []float64) float64 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// penalty is the L1 and L2 regularization of one factor. With perCell set
// the strengths are per observed cell: a row with c observed cells gets
// c·l1 and c·l2 (Options.RegScale == RegByObserved).
type penalty struct {
	l1, l2  float64
	perCell bool
}

func (p penalty) forCells(cells int) (l1, l2 float64) {
	if p.perCell {
		return p.l1 * float64(cells), p.l2 * float64(cells)
	}
	return p.l1, p.l2
}

// scaled returns the penalty for a dense sweep, where every row has n
// cells.
func (p penalty) scaled(n int) (l1, l2 float64) { return p.forCells(n) }

// operand is a data matrix x (n×m) in the form the solvers multiply it:
// times sets dst to x·b for b (m×k), with tmp as scratch.
type operand interface {
	times(dst, tmp, b *mat.Dense)
	cells() int // the cells a product reads: rows × cols, or the non-zeros
	dims() (n, m int)
	dense() *mat.Dense // x as a dense matrix, for small problems
}

// denseOperand is x stored densely (n×m).
type denseOperand struct{ x *mat.Dense }

// times forms x·b as x·(bᵀ)ᵀ with bᵀ copied row-major into tmp: gonum's
// pure-Go BLAS then takes dot products along the long rows of x, 1.7 times
// faster than x·b or (bᵀ·xᵀ)ᵀ for a 9724×610 x and k = 30.
func (d denseOperand) times(dst, tmp, b *mat.Dense) {
	tmp.Reset()
	tmp.CloneFrom(b.T())
	dst.Reset()
	dst.Mul(d.x, tmp.T())
}

func (d denseOperand) cells() int        { r, c := d.x.Dims(); return r * c }
func (d denseOperand) dims() (n, m int)  { return d.x.Dims() }
func (d denseOperand) dense() *mat.Dense { return d.x }
func (x *sparse) cells() int             { return len(x.idx) }

// transposedDense is xᵀ for a dense x (n×m), multiplied as x.T() without a
// transposed copy (see fastTransposedProducts).
type transposedDense struct{ x *mat.Dense }

func (d transposedDense) times(dst, _, b *mat.Dense) {
	dst.Reset()
	dst.Mul(d.x.T(), b)
}

func (d transposedDense) cells() int        { r, c := d.x.Dims(); return r * c }
func (d transposedDense) dims() (n, m int)  { r, c := d.x.Dims(); return c, r }
func (d transposedDense) dense() *mat.Dense { return transposeOf(d.x) }
func (x *sparse) dims() (n, m int)          { return x.n, x.m }
func (x *sparse) dense() *mat.Dense         { return x.denseFill(0) }

// times forms x·b from x's non-zero cells: O(cells × k).
func (x *sparse) times(dst, _, b *mat.Dense) {
	_, k := b.Dims()
	dst.Reset()
	dst.ReuseAs(x.n, k)
	d, br := dst.RawMatrix(), b.RawMatrix()
	forChunks(x.n, float64(2*len(x.idx)*k), func() struct{} { return struct{}{} }, func(lo, hi int, _ struct{}) float64 {
		for i := lo; i < hi; i++ {
			row := d.Data[i*d.Stride : i*d.Stride+k]
			clear(row)
			for q := x.ptr[i]; q < x.ptr[i+1]; q++ {
				v, bj := x.value(q), br.Data[int(x.idx[q])*br.Stride:int(x.idx[q])*br.Stride+k]
				for t := range row {
					row[t] += v * bj[t]
				}
			}
		}
		return 0
	})
}

// transposed is the operand xᵀ (m×n) multiplied from x's rows: xᵀ·b
// scatters each row of b (read in order) into the rows of the result
// instead of gathering rows of b at random. When b is large and xᵀ·b
// small (a tall x, such as users × films), the random accesses then fall
// on the small result, which stays in cache.
type transposed struct{ x *sparse }

func (t transposed) cells() int        { return len(t.x.idx) }
func (t transposed) dims() (n, m int)  { return t.x.m, t.x.n }
func (t transposed) dense() *mat.Dense { return transposeOf(t.x.denseFill(0)) }

// transposedParts is how many row ranges a large transposed product is
// cut into: a number fixed by the data, not by the cores, so the sums
// (added range by range, in order) and the fit are the same bit for bit
// on any machine.
const transposedParts = 8

// times sets dst to xᵀ·b. The rows of x are cut into transposedParts
// ranges (one when the product is small); goroutines scatter each range
// into a result of its own, and the results are added in range order.
func (t transposed) times(dst, _, b *mat.Dense) {
	x := t.x
	_, k := b.Dims()
	br := b.RawMatrix()
	nparts := 1
	if float64(2*len(x.idx)*k) >= minParallelWork {
		nparts = min(transposedParts, max(1, x.n/chunkRows))
	}
	parts := make([][]float64, nparts)
	var next atomic.Int64
	var wg sync.WaitGroup
	var crash workerPanic
	for range min(runtime.GOMAXPROCS(0), nparts) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer crash.catch()
			for {
				w := int(next.Add(1) - 1)
				if w >= nparts {
					return
				}
				part := make([]float64, x.m*k)
				lo, hi := w*x.n/nparts, (w+1)*x.n/nparts
				for i := lo; i < hi; i++ {
					bi := br.Data[i*br.Stride : i*br.Stride+k]
					for q := x.ptr[i]; q < x.ptr[i+1]; q++ {
						v, row := x.value(q), part[int(x.idx[q])*k:int(x.idx[q])*k+k]
						for c, y := range bi {
							row[c] += v * y
						}
					}
				}
				parts[w] = part
			}
		}()
	}
	wg.Wait()
	crash.rethrow()
	dst.Reset()
	dst.ReuseAs(x.m, k)
	d := dst.RawMatrix()
	for i := 0; i < x.m; i++ {
		row := d.Data[i*d.Stride : i*d.Stride+k]
		copy(row, parts[0][i*k:i*k+k])
		for _, p := range parts[1:] {
			for c, y := range p[i*k : i*k+k] {
				row[c] += y
			}
		}
	}
}
