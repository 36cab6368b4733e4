package nmf

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// chunkRows is the unit of parallel work over rows. Partial sums are kept
// per chunk and added in chunk order, so results do not depend on the
// number of cores.
const chunkRows = 32

// minParallelWork is the estimated flop count below which a loop runs on
// one goroutine: smaller loops cost more to hand out than to run.
const minParallelWork = 200_000

// forChunks calls f on consecutive row ranges [lo, hi) covering [0, n),
// in parallel when work (an estimate of the flops) is large enough, and
// returns the sum of f's results. Each goroutine gets its own scratch value
// from newScratch.
func forChunks[S any](n int, work float64, newScratch func() S, f func(lo, hi int, scratch S) float64) float64 {
	sum, _ := forChunks2(n, work, newScratch, func(lo, hi int, s S) (float64, float64) { return f(lo, hi, s), 0 })
	return sum
}

// forChunks2 is forChunks for an f that returns two sums.
func forChunks2[S any](n int, work float64, newScratch func() S, f func(lo, hi int, scratch S) (float64, float64)) (float64, float64) {
	chunks := (n + chunkRows - 1) / chunkRows
	workers := min(runtime.GOMAXPROCS(0), chunks)
	if workers <= 1 || work < minParallelWork {
		s := newScratch()
		var a, b float64
		for lo := 0; lo < n; lo += chunkRows {
			x, y := f(lo, min(lo+chunkRows, n), s)
			a, b = a+x, b+y
		}
		return a, b
	}
	sums := make([][2]float64, chunks)
	var next atomic.Int64
	var wg sync.WaitGroup
	var crash workerPanic
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer crash.catch()
			s := newScratch()
			for {
				c := int(next.Add(1) - 1)
				if c >= chunks {
					return
				}
				lo := c * chunkRows
				sums[c][0], sums[c][1] = f(lo, min(lo+chunkRows, n), s)
			}
		}()
	}
	wg.Wait()
	crash.rethrow()
	var a, b float64
	for _, s := range sums {
		a, b = a+s[0], b+s[1]
	}
	return a, b
}

// eachPiece calls f(0), …, f(n−1) on GOMAXPROCS goroutines, handing out
// the pieces in order.
func eachPiece(n int, f func(i int)) {
	next := make(chan int)
	var wg sync.WaitGroup
	var crash workerPanic
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				func() {
					defer crash.catch() // and go on taking pieces, so the sender never blocks
					f(i)
				}()
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	crash.rethrow()
}

// workerPanic carries the first panic of a worker goroutine back to the
// goroutine that waits for the workers: a bug in a worker then fails the
// call that started it (which the caller, or the notebook cell, can
// recover) instead of ending the process.
type workerPanic struct {
	mu  sync.Mutex
	val any
	set bool
}

// catch, deferred in a worker, records its panic.
func (p *workerPanic) catch() {
	if r := recover(); r != nil {
		p.mu.Lock()
		if !p.set {
			p.val, p.set = r, true
		}
		p.mu.Unlock()
	}
}

// rethrow panics again, on the waiting goroutine, with the recorded value.
func (p *workerPanic) rethrow() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.set {
		panic(fmt.Sprintf("nmf: a worker goroutine panicked: %v", p.val))
	}
}

// forPieces calls f(0), …, f(n−1): on all cores through eachPiece when
// work (an estimate of the flops, or values read) reaches minParallelWork,
// in order on this goroutine otherwise.
func forPieces(n int, work float64, f func(i int)) {
	if n <= 1 || work < minParallelWork {
		for i := range n {
			f(i)
		}
		return
	}
	eachPiece(n, f)
}
