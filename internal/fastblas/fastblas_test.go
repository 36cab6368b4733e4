package fastblas

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
	"gonum.org/v1/gonum/mat"
)

// openBLASForTest loads OpenBLAS or skips (fails in CI, which installs it).
func openBLASForTest(t testing.TB) *openBLAS {
	t.Helper()
	impl, _, err := load()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("OpenBLAS is required in CI: %v", err)
		}
		t.Skipf("skipping: %v", err)
	}
	return impl
}

func TestDgemmMatchesGonum(t *testing.T) {
	impl := openBLASForTest(t)
	rng := rand.New(rand.NewPCG(1, 2))
	fill := func(n int) []float64 {
		s := make([]float64, n)
		for i := range s {
			s[i] = rng.NormFloat64()
		}
		return s
	}
	for _, tc := range []struct{ m, n, k, pad int }{
		{64, 48, 40, 0}, {100, 3, 200, 2}, {5, 300, 70, 1}, {128, 128, 128, 7}, {10, 10, 10, 0},
	} {
		for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
				rowsA, colsA := tc.m, tc.k
				if tA == blas.Trans {
					rowsA, colsA = tc.k, tc.m
				}
				rowsB, colsB := tc.k, tc.n
				if tB == blas.Trans {
					rowsB, colsB = tc.n, tc.k
				}
				lda, ldb, ldc := colsA+tc.pad, colsB+tc.pad, tc.n+tc.pad
				a, b := fill(rowsA*lda), fill(rowsB*ldb)
				c0 := fill(tc.m * ldc)
				want, got := append([]float64(nil), c0...), append([]float64(nil), c0...)
				gonum.Implementation{}.Dgemm(tA, tB, tc.m, tc.n, tc.k, 1.5, a, lda, b, ldb, 0.5, want, ldc)
				impl.Dgemm(tA, tB, tc.m, tc.n, tc.k, 1.5, a, lda, b, ldb, 0.5, got, ldc)
				for i := range want {
					if math.Abs(want[i]-got[i]) > 1e-9*(1+math.Abs(want[i])) {
						t.Fatalf("%+v %v %v: element %d is %g, gonum says %g", tc, tA, tB, i, got[i], want[i])
					}
				}
			}
		}
	}
}

func TestDgemmBadArgumentsPanicAsGonum(t *testing.T) {
	impl := openBLASForTest(t)
	defer func() {
		if recover() == nil {
			t.Error("a too-short slice did not panic")
		}
	}()
	a := make([]float64, 10) // too short for 64×64
	b := make([]float64, 64*64)
	c := make([]float64, 64*64)
	impl.Dgemm(blas.NoTrans, blas.NoTrans, 64, 64, 64, 1, a, 64, b, 64, 0, c, 64)
}

func TestInitChoices(t *testing.T) {
	// Init runs once per process; the choice logic is load plus the mode,
	// checked here without installing anything.
	if _, _, err := load(); err != nil && os.Getenv("CI") == "true" {
		t.Fatalf("OpenBLAS is required in CI: %v", err)
	}
	t.Setenv(EnvVar, "go")
	if err := Init(); err != nil {
		t.Fatal(err)
	}
	if Name() != "gonum (pure Go)" {
		t.Errorf("with %s=go the BLAS is %q", EnvVar, Name())
	}
}

// BenchmarkMul multiplies 1000×1000 matrices through gonum's mat with each
// BLAS: 2 GFLOP per product.
func BenchmarkMul(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	x, y := mat.NewDense(1000, 1000, nil), mat.NewDense(1000, 1000, nil)
	for _, d := range []*mat.Dense{x, y} {
		for i := range d.RawMatrix().Data {
			d.RawMatrix().Data[i] = rng.Float64()
		}
	}
	run := func(b *testing.B, dgemm func(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int)) {
		c := make([]float64, 1000*1000)
		for b.Loop() {
			dgemm(blas.NoTrans, blas.NoTrans, 1000, 1000, 1000, 1, x.RawMatrix().Data, 1000, y.RawMatrix().Data, 1000, 0, c, 1000)
		}
		b.ReportMetric(2e9*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	}
	b.Run("gonum", func(b *testing.B) { run(b, gonum.Implementation{}.Dgemm) })
	b.Run("openblas", func(b *testing.B) {
		impl := openBLASForTest(b)
		run(b, impl.Dgemm)
	})
}

// BenchmarkTallSkinny multiplies a 5000×2000 matrix (80 MB, bench/sklearn's
// largest dense case) by 2000×l factors through OpenBLAS: such products
// stream the large operand from memory, so their time barely grows with l
// and GB/s (the large operand's bytes over the time) says what they cost.
func BenchmarkTallSkinny(b *testing.B) {
	impl := openBLASForTest(b)
	rng := rand.New(rand.NewPCG(5, 6))
	const m, n = 5000, 2000
	a := make([]float64, m*n)
	for i := range a {
		a[i] = rng.Float64()
	}
	for _, l := range []int{10, 30, 40} {
		b.Run(fmt.Sprintf("l=%d", l), func(b *testing.B) {
			q, c := make([]float64, n*l), make([]float64, m*l)
			for i := range q {
				q[i] = rng.Float64()
			}
			for b.Loop() {
				impl.Dgemm(blas.NoTrans, blas.NoTrans, m, l, n, 1, a, n, q, l, 0, c, l)
			}
			sec := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(2*m*n*float64(l)/sec/1e9, "GFLOP/s")
			b.ReportMetric(8*m*n/sec/1e9, "GB/s")
		})
	}
}
