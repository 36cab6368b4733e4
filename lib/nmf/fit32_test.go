package nmf

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// ratingsWithBlanks returns a rows×cols matrix of ratings from a rank-3
// taste model (rounded to half stars, 0.5–5), a share of them observed
// and the rest missing, and the held-out ratings of the blanks.
func ratingsWithBlanks(rows, cols int, observed float64, seed uint64) (*Matrix, map[[2]int]float64) {
	rng := rand.New(rand.NewPCG(seed, 2))
	w, h := mat.NewDense(rows, 3, nil), mat.NewDense(3, cols, nil)
	for _, d := range []*mat.Dense{w, h} {
		raw := d.RawMatrix().Data
		for i := range raw {
			raw[i] = rng.Float64()
		}
	}
	var wh mat.Dense
	wh.Mul(w, h)
	data := make([]float64, rows*cols)
	held := map[[2]int]float64{}
	for i := range rows {
		for j := range cols {
			v := math.Round(2*min(5, max(0.5, 0.5+1.8*wh.At(i, j)+0.4*rng.NormFloat64()))) / 2
			if rng.Float64() < observed {
				data[i*cols+j] = v
			} else {
				data[i*cols+j] = math.NaN()
				held[[2]int{i, j}] = v
			}
		}
	}
	V, err := NewMatrix(generatedLabels("u", rows), generatedLabels("f", cols), data)
	if err != nil {
		panic(err)
	}
	return V, held
}

// TestFloat32FitAgreesWithFloat64 fits ratings with missing values in
// float32 and in float64 from the same start: the errors agree to six
// digits (eight here), the held-out RMSE to three, the factors are float32
// values, the fit is repeatable bit for bit, and RelErr is the returned
// factors' own error. Components 7 checks the rows padded to 8.
func TestFloat32FitAgreesWithFloat64(t *testing.T) {
	V, held := ratingsWithBlanks(300, 200, 0.2, 21)
	for _, k := range []int{4, 7} {
		opt := Options{Components: k, MaxIter: 40, Seed: 3}
		m64, err := Fit(V, opt)
		if err != nil {
			t.Fatal(err)
		}
		opt.Float32 = true
		m32, err := Fit(V, opt)
		if err != nil {
			t.Fatal(err)
		}
		again, err := Fit(V, opt)
		if err != nil {
			t.Fatal(err)
		}
		if d := math.Abs(m32.RelErr-m64.RelErr) / m64.RelErr; d > 1e-6 {
			t.Errorf("k=%d: RelErr %v in float32, %v in float64 (%.1e apart)", k, m32.RelErr, m64.RelErr, d)
		}
		rmse := func(m *Model) float64 {
			var wh mat.Dense
			wh.Mul(m.W.Dense(), m.H.Dense())
			sq := 0.0
			for c, v := range held {
				d := wh.At(c[0], c[1]) - v
				sq += d * d
			}
			return math.Sqrt(sq / float64(len(held)))
		}
		if r32, r64 := rmse(m32), rmse(m64); math.Abs(r32-r64) > 1e-3*r64 {
			t.Errorf("k=%d: held-out RMSE %v in float32, %v in float64", k, r32, r64)
		}
		for _, f := range []*mat.Dense{m32.W.Dense(), m32.H.Dense(), again.W.Dense(), again.H.Dense()} {
			for _, v := range f.RawMatrix().Data {
				if float64(float32(v)) != v {
					t.Fatalf("k=%d: factor value %v is not a float32", k, v)
				}
			}
		}
		if !mat.Equal(m32.W.Dense(), again.W.Dense()) || !mat.Equal(m32.H.Dense(), again.H.Dense()) || m32.RelErr != again.RelErr {
			t.Errorf("k=%d: two float32 fits with the same options differ", k)
		}
		if want := observedRelErr(V, m32); math.Abs(m32.RelErr-want) > 1e-12*want {
			t.Errorf("k=%d: RelErr %v, the returned factors' error %v", k, m32.RelErr, want)
		}
	}
}

// TestFloat32Refused: Float32 outside fits with missing values by CD, or
// on values whose squares float32 sums could not hold, is refused with
// ErrOption, not ignored or fitted into infinities.
func TestFloat32Refused(t *testing.T) {
	masked, _ := ratingsWithBlanks(20, 15, 0.5, 5)
	huge := make([]float64, 20*15)
	for i := range huge {
		huge[i] = math.NaN()
		if i%3 == 0 {
			huge[i] = 1e16 * float64(1+i%5)
		}
	}
	hugeV, err := NewMatrix(generatedLabels("r", 20), generatedLabels("c", 15), huge)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		V    *Matrix
		opt  Options
	}{
		{"no missing values", lowRank(10, 8, 2, 0.1, 1), Options{Components: 2, Float32: true}},
		{"MU", masked, Options{Components: 2, Float32: true, Solver: SolverMU}},
		{"Biased", masked, Options{Components: 2, Float32: true, Biased: true}},
		{"squares beyond float32's room", hugeV, Options{Components: 2, Float32: true}},
	} {
		if _, err := Fit(c.V, c.opt); !errors.Is(err, ErrOption) {
			t.Errorf("%s: Fit gives %v, want ErrOption", c.name, err)
		}
	}
}
