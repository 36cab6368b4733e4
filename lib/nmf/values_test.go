package nmf

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func TestValueDict(t *testing.T) {
	var d valueDict
	negZero := math.Copysign(0, -1)
	for _, tc := range []struct {
		v    float64
		want uint8
	}{
		{4.5, 0}, {0, 1}, {negZero, 2}, {4.5, 0}, {math.NaN(), 3}, {0, 1}, {negZero, 2},
	} {
		got, ok := d.code(tc.v)
		if !ok || got != tc.want {
			t.Errorf("code(%g) = %d, %v; want %d, true", tc.v, got, ok, tc.want)
		}
	}
	for i := len(d.vals); i < maxCodes; i++ {
		if _, ok := d.code(float64(1000 + i)); !ok {
			t.Fatalf("value %d of %d refused", i+1, maxCodes)
		}
	}
	if _, ok := d.code(-1); ok {
		t.Errorf("value %d accepted", maxCodes+1)
	}
	for k, v := range d.vals {
		if got, ok := d.code(v); !ok || int(got) != k {
			t.Errorf("code(%g) = %d, %v after filling; want %d", v, got, ok, k)
		}
	}
}

func TestCodedValuesTurnPlain(t *testing.T) {
	var c codedValues
	var want []float64
	for i := range maxCodes + 10 {
		v := float64(i % (maxCodes - 1))
		if i == maxCodes+3 {
			v = 0.25 // the 256th distinct value: still coded
		}
		if i == maxCodes+6 {
			v = 0.125 // the 257th: plain from here on
		}
		c.add(v)
		want = append(want, v)
		plain := i >= maxCodes+6
		if c.plain != plain {
			t.Fatalf("after value %d: plain %v, want %v", i, c.plain, plain)
		}
	}
	vals, codes, _ := c.list()
	if codes != nil || len(vals) != len(want) {
		t.Fatalf("%d plain values, %d codes; want %d plain", len(vals), len(codes), len(want))
	}
	for e := range want {
		if vals[e] != want[e] {
			t.Fatalf("value %d is %g, want %g", e, vals[e], want[e])
		}
	}
}

// TestReadTriplesCoded reads ratings with few distinct values (kept as
// codes, also when the pieces' dictionaries differ) and with many (kept
// as float64s, also when each piece alone has few), and compares each
// with the same cells given to NewSparse, cell by cell, through the
// matrix, its transpose and a fit.
func TestReadTriplesCoded(t *testing.T) {
	defer func(old int64) { chunkBytes = old }(chunkBytes)
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct {
		name      string
		value     func(line int) float64
		chunk     int64
		wantCoded bool
	}{
		{"ratings", func(int) float64 { return float64(1+rng.IntN(10)) / 2 }, 8 << 20, true},
		{"ratings in pieces", func(line int) float64 { return float64(line%7) + float64(1+rng.IntN(4))/4 }, 200, true},
		{"many values", func(int) float64 { return math.Round(rng.Float64()*1e6) / 1e3 }, 8 << 20, false},
		{"few per piece, many in all", func(line int) float64 { return float64(line) / 8 }, 300, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chunkBytes = tc.chunk
			var b strings.Builder
			b.WriteString("user,item,rating\n")
			var ri, ci []int
			var vals []float64
			seen := map[[2]int]bool{}
			for line := 0; len(vals) < 3000; line++ {
				i, j := rng.IntN(120), rng.IntN(90)
				if seen[[2]int{i, j}] {
					continue
				}
				seen[[2]int{i, j}] = true
				v := tc.value(line)
				fmt.Fprintf(&b, "u%d,i%d,%v\n", i, j, v)
				ri, ci, vals = append(ri, i), append(ci, j), append(vals, v)
			}
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".csv")
			if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := ReadTriples(path, "user", "item", "rating")
			if err != nil {
				t.Fatal(err)
			}
			if coded := got.cells.coded(); coded != tc.wantCoded {
				t.Fatalf("coded %v, want %v", coded, tc.wantCoded)
			}
			// The chunked reader (pieces of a file over two, on more
			// than one core) kept the matrix by column, in its slab when
			// coded: it must be the transpose formed anew.
			if xt := got.cells.t.Load(); tc.wantCoded && tc.chunk < 8<<20 && runtime.GOMAXPROCS(0) > 1 {
				fresh := got.cells.transpose()
				if xt == nil || !slices.Equal(xt.ptr, fresh.ptr) || !slices.Equal(xt.idx, fresh.idx) || !slices.Equal(xt.code, fresh.code) || xt.t.Load() != got.cells {
					t.Fatal("the column layout the reader kept is not the matrix's transpose")
				}
			}
			rows, cols := make([]string, 120), make([]string, 90)
			for i := range rows {
				rows[i] = fmt.Sprint("u", i)
			}
			for j := range cols {
				cols[j] = fmt.Sprint("i", j)
			}
			want, err := NewSparse(rows, cols, ri, ci, vals)
			if err != nil {
				t.Fatal(err)
			}
			for _, pair := range [][2]*Matrix{{got, want}, {got.Transpose(), want.Transpose()}} {
				g, w := pair[0], pair[1]
				r, c := w.Dims()
				for i := range r {
					for j := range c {
						gv := g.At(index(t, g.rowIndex, w.RowLabels()[i]), index(t, g.colIndex, w.ColLabels()[j]))
						if wv := w.At(i, j); math.Float64bits(gv) != math.Float64bits(wv) && !(math.IsNaN(gv) && math.IsNaN(wv)) {
							t.Fatalf("cell (%s, %s) is %g, want %g", w.RowLabels()[i], w.ColLabels()[j], gv, wv)
						}
					}
				}
			}
			opt := Options{Components: 3, MaxIter: 5, Tol: -1, Seed: 1}
			mg, err := Fit(got, opt)
			if err != nil {
				t.Fatal(err)
			}
			mw, err := Fit(permuteLike(t, want, got), opt)
			if err != nil {
				t.Fatal(err)
			}
			if mg.RelErr != mw.RelErr {
				t.Errorf("RelErr %v from the read matrix, %v from NewSparse's", mg.RelErr, mw.RelErr)
			}
		})
	}
}

// permuteLike returns m's cells with the row and column order of like.
func permuteLike(t *testing.T, m, like *Matrix) *Matrix {
	t.Helper()
	var ri, ci []int
	var vals []float64
	m.eachStored(func(i, j int, v float64) {
		ri, ci, vals = append(ri, index(t, like.rowIndex, m.RowLabels()[i])), append(ci, index(t, like.colIndex, m.ColLabels()[j])), append(vals, v)
	})
	out, err := NewSparse(like.RowLabels(), like.ColLabels(), ri, ci, vals)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func index(t *testing.T, find func(string) (int, error), label string) int {
	t.Helper()
	i, err := find(label)
	if err != nil {
		t.Fatal(err)
	}
	return i
}

func TestLabelNumsWiden(t *testing.T) {
	var l labelNums
	var want []int32
	wide := false
	for i := range 70000 {
		n := (i * 7919) % 70001
		l.add(n)
		want = append(want, int32(n))
		wide = wide || n > math.MaxUint16
		if l.isWide != wide {
			t.Fatalf("after %d: wide %v, want %v", n, l.isWide, wide)
		}
	}
	narrow, got := l.list()
	if narrow != nil || len(got) != len(want) {
		t.Fatalf("%d narrow, %d wide numbers; want %d wide", len(narrow), len(got), len(want))
	}
	for e := range want {
		if got[e] != want[e] {
			t.Fatalf("number %d is %d, want %d", e, got[e], want[e])
		}
	}
}

// TestReadTriplesManyLabels reads a file naming more users than two bytes
// number, in one piece and in several.
func TestReadTriplesManyLabels(t *testing.T) {
	defer func(old int64) { chunkBytes = old }(chunkBytes)
	var b strings.Builder
	b.WriteString("user,item,rating\n")
	const users = 70000
	for i := range users {
		fmt.Fprintf(&b, "%d,%d,%d\n", (i*7919)%users, i%3, 1+i%5)
	}
	path := filepath.Join(t.TempDir(), "many.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	want, err := ParseTriples(strings.NewReader(b.String()), "user", "item", "rating")
	if err != nil {
		t.Fatal(err)
	}
	for _, chunk := range []int64{8 << 20, 100 << 10} {
		chunkBytes = chunk
		got, err := ReadTriples(path, "user", "item", "rating")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.RowLabels(), want.RowLabels()) || !slices.Equal(got.ColLabels(), want.ColLabels()) {
			t.Fatalf("pieces of %d bytes: labels differ", chunk)
		}
		for i := range users {
			for j := range 3 {
				if g, w := got.At(i, j), want.At(i, j); g != w && !(math.IsNaN(g) && math.IsNaN(w)) {
					t.Fatalf("pieces of %d bytes: cell (%d, %d) is %g, want %g", chunk, i, j, g, w)
				}
			}
		}
	}
}
