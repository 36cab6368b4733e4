package nmf

import (
	"slices"
	"sync"

	"gonum.org/v1/gonum/mat"
)

// factor32 is a factor in float32 for the float32 fit (Options.Float32):
// n rows of k values, each row padded with zeros to a multiple of 4 (ks
// values), the shape the assembly gathers.
type factor32 struct {
	data []float32
	n, k int
	ks   int
}

func newFactor32(n, k int) factor32 {
	ks := (k + 3) &^ 3
	return factor32{data: make([]float32, n*ks), n: n, k: k, ks: ks}
}

func (f factor32) row(i int) []float32 { return f.data[i*f.ks : i*f.ks+f.ks] }

// toFactor32 returns d (n×k) rounded to float32.
func toFactor32(d *mat.Dense) factor32 {
	n, k := d.Dims()
	f := newFactor32(n, k)
	for i := range n {
		row, dst := d.RawRowView(i), f.row(i)
		for t, v := range row {
			dst[t] = float32(v)
		}
	}
	return f
}

// writeTo sets d (n×k) to f's values.
func (f factor32) writeTo(d *mat.Dense) {
	for i := range f.n {
		row, src := d.RawRowView(i), f.row(i)
		for t := range row {
			row[t] = float64(src[t])
		}
	}
}

// cdSweepSparse32 is cdSweepSparse in float32: it updates a for the
// observed cells x (by row) ≈ a·bᵀ, b fixed, with every sum over a row's
// cells in float32 (the kernels of kernels32.go) and each coordinate's
// step worked out in float64 from those sums, then rounded to float32.
func cdSweepSparse32(x *sparse, a, b factor32, pen penalty, perm []int) (violation, sq float64) {
	longest := x.longestRow(0, a.n)
	return sweepRows(a.n, float64(5*len(x.idx)*a.k), &residualPool32, func(ws *residualWork32) { ws.reserve(longest, a.ks) },
		func(i int, ws *residualWork32) (float64, float64) {
			cols := x.idx[x.ptr[i]:x.ptr[i+1]]
			vals := x.values32(x.ptr[i], x.ptr[i+1], &ws.vals)
			l1, l2 := pen.forCells(len(cols))
			return cdRowResidual32(a.row(i), b.data, b.ks, cols, vals, ws, l1, l2, perm)
		})
}

// residualWork32 is cdRowResidual32's scratch: residualWork's, in
// float32, and the gather's last group.
type residualWork32 struct {
	r, bt, vals, tail []float32
}

var residualPool32 = sync.Pool{New: func() any { return new(residualWork32) }}

func (ws *residualWork32) reserve(c, ks int) {
	ws.r, ws.bt, ws.vals, ws.tail = atLeast(ws.r, c), atLeast(ws.bt, c*ks), atLeast(ws.vals, c), atLeast(ws.tail, 8*ks)
}

// values32 returns the values of stored cells lo to hi as float32s in
// *buf (grown as needed).
func (x *sparse) values32(lo, hi int, buf *[]float32) []float32 {
	v := slices.Grow((*buf)[:0], hi-lo)[:hi-lo]
	if x.val != nil {
		for e, f := range x.val[lo:hi] {
			v[e] = float32(f)
		}
	} else {
		for e, k := range x.code[lo:hi] {
			v[e] = float32(x.dict[k])
		}
	}
	*buf = v
	return v
}

// cdRowResidual32 is cdRowResidual in float32 for a row a padded to a
// multiple of 4 (b's rows likewise, stride bs); perm lists the real
// coordinates. Each step is worked out in float64 from the float32 sums
// and rounded to float32.
func cdRowResidual32(a, b []float32, bs int, cols []int32, vals []float32, ws *residualWork32, l1, l2 float64, perm []int) (float64, float64) {
	ks, c := len(a), len(cols)
	ws.reserve(c, ks)
	r, bt := ws.r[:c], ws.bt[:c*ks]
	gatherResidual32(bt, b, bs, cols, a, vals, r, ws.tail)
	violation := 0.0
	next := func(i int) []float32 {
		if i+1 < len(perm) {
			return bt[perm[i+1]*c : perm[i+1]*c+c]
		}
		return r
	}
	rb, hess := dotSq32(r, next(-1))
	for i, t := range perm {
		step, pg := coordinateStep(float64(a[t]), float64(rb), float64(hess), l1, l2)
		violation += pg
		if d := float32(step) - a[t]; d != 0 {
			rb, hess = subScaledDotSq32(r, bt[t*c:t*c+c], d, next(i))
			a[t] = float32(step)
		} else {
			rb, hess = dotSq32(r, next(i))
		}
	}
	return violation, float64(rb)
}
