package nmf

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"nmfkernel/internal/movielens"
)

// duckdb runs testdata/duckdb/duckdb.mjs (DuckDB from npm), skipping, or
// failing under CI=true, when node or the package is missing.
func duckdb(t *testing.T, args ...string) string {
	t.Helper()
	dir := filepath.Join("testdata", "duckdb")
	if _, err := exec.LookPath("node"); err != nil {
		duckdbMissing(t, "node is not on PATH")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@duckdb", "node-api")); err != nil {
		duckdbMissing(t, "@duckdb/node-api is not installed (cd lib/nmf/testdata/duckdb && npm ci)")
	}
	cmd := exec.Command("node", append([]string{"duckdb.mjs"}, args...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("duckdb %s: %v\n%s", args[0], err, out)
	}
	return string(out)
}

func duckdbMissing(t *testing.T, why string) {
	t.Helper()
	msg := "skipping the DuckDB cross-check: " + why
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// sameCells fails unless a and b have the same labels, in order, and
// the same cells, missing ones included.
func sameCells(t *testing.T, name string, a, b *Matrix, scale float64) {
	t.Helper()
	ar, ac := a.Dims()
	br, bc := b.Dims()
	if ar != br || ac != bc {
		t.Fatalf("%s: %d×%d, want %d×%d", name, br, bc, ar, ac)
	}
	if strings.Join(a.RowLabels(), ",") != strings.Join(b.RowLabels(), ",") || strings.Join(a.ColLabels(), ",") != strings.Join(b.ColLabels(), ",") {
		t.Fatalf("%s: labels differ", name)
	}
	n := 0
	a.eachCell(func(i, j int, v float64) bool {
		n++
		if w := b.At(i, j); math.Abs(w-v*scale) > 1e-6 {
			t.Errorf("%s: cell (%s, %s) is %g, want %g", name, a.RowLabels()[i], a.ColLabels()[j], w, v*scale)
			return false
		}
		return true
	})
	m := 0
	b.eachCell(func(int, int, float64) bool { m++; return true })
	if m != n {
		t.Errorf("%s: %d cells, want %d", name, m, n)
	}
}

// TestParquetFromDuckDB reads the files DuckDB writes from ml-latest-small's
// ratings (every compression, row-group sizes, label and value types, a
// wide table) and compares them with ReadTriples of the CSV.
func TestParquetFromDuckDB(t *testing.T) {
	if err := movielens.Check(); err != nil {
		t.Skipf("skipping: %v", err)
	}
	csv := filepath.Join(movielens.Dir(), "ratings.csv")
	want, err := ReadTriples(csv, "userId", "movieId", "rating")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	names := strings.Fields(duckdb(t, "write", csv, dir))
	if len(names) < 12 {
		t.Fatalf("DuckDB wrote %q", names)
	}
	for _, name := range names {
		t.Run(strings.TrimSuffix(name, ".parquet"), func(t *testing.T) {
			path := filepath.Join(dir, name)
			if name == "wide.parquet" {
				got, err := ReadParquetWide(path, "movieId")
				if err != nil {
					t.Fatal(err)
				}
				r, c := got.Dims()
				if c != 40 || r == 0 {
					t.Fatalf("wide: %d×%d", r, c)
				}
				// Every rating of the first 40 users is in its place.
				users := want.Transpose()
				rowAt, colAt := map[string]int{}, map[string]int{}
				for i, l := range users.RowLabels() {
					rowAt[l] = i
				}
				for j, l := range users.ColLabels() {
					colAt[l] = j
				}
				missing := 0
				for j, u := range got.ColLabels() {
					for i, film := range got.RowLabels() {
						v := got.At(i, j)
						fi, ok1 := rowAt[film]
						uj, ok2 := colAt[u]
						if !ok1 || !ok2 {
							t.Fatalf("wide: film %s or user %s not in the CSV", film, u)
						}
						w := users.At(fi, uj)
						if math.IsNaN(v) != math.IsNaN(w) || !math.IsNaN(v) && v != w {
							t.Fatalf("wide: film %s user %s is %g, want %g", film, u, v, w)
						}
						if math.IsNaN(v) {
							missing++
						}
					}
				}
				if missing == 0 {
					t.Error("wide: no missing cells read")
				}
				return
			}
			got, err := ReadParquet(path, "userId", "movieId", "rating")
			if err != nil {
				t.Fatal(err)
			}
			scale := 1.0
			if name == "long-int-values.parquet" {
				scale = 2
			}
			sameCells(t, name, want, got, scale)
		})
	}
	// Bad input: a missing column, a file that is not Parquet.
	if _, err := ReadParquet(filepath.Join(dir, "long-zstd.parquet"), "user", "movieId", "rating"); err == nil || !strings.Contains(err.Error(), `no column "user"`) {
		t.Errorf("missing column: %v", err)
	}
	if _, err := ReadParquet(csv, "userId", "movieId", "rating"); err == nil || !strings.Contains(err.Error(), "not a Parquet file") {
		t.Errorf("a CSV file read as Parquet: %v", err)
	}
}

// TestParquetToDuckDB writes W, H and the sparse ratings with
// WriteParquet and WriteParquetTriples, and has DuckDB read them back:
// equal row counts and column sums.
func TestParquetToDuckDB(t *testing.T) {
	V, _ := ratingsTable(5, 40, 30, 0.3)
	m, err := Fit(V, Options{Components: 3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	type check struct {
		path    string
		columns []string
		rows    int
		sums    []float64
	}
	colSums := func(M *Matrix) (cols []string, sums []float64) {
		r, c := M.Dims()
		for j := 0; j < c; j++ {
			s := 0.0
			for i := 0; i < r; i++ {
				if v := M.At(i, j); !math.IsNaN(v) {
					s += v
				}
			}
			cols, sums = append(cols, M.ColLabels()[j]), append(sums, s)
		}
		return
	}
	var checks []check
	for _, x := range []struct {
		name string
		M    *Matrix
	}{{"W", m.W}, {"H", m.H.Transpose()}, {"V", V}} {
		path := filepath.Join(dir, x.name+".parquet")
		if err := WriteParquet(path, x.M, "label"); err != nil {
			t.Fatal(err)
		}
		cols, sums := colSums(x.M)
		r, _ := x.M.Dims()
		checks = append(checks, check{path, cols, r, sums})
		back, err := ReadParquetWide(path, "label")
		if err != nil {
			t.Fatal(err)
		}
		sameCells(t, x.name+" read back", x.M, back, 1)
	}
	var ri, ci []int
	var vals []float64
	V.eachCell(func(i, j int, v float64) bool {
		ri, ci, vals = append(ri, i), append(ci, j), append(vals, v)
		return true
	})
	sparse, err := NewSparse(V.RowLabels(), V.ColLabels(), ri, ci, vals)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "cells.parquet")
	if err := WriteParquetTriples(path, sparse, "user", "item", "rating"); err != nil {
		t.Fatal(err)
	}
	total, n := 0.0, 0
	sparse.eachCell(func(_, _ int, v float64) bool { total += v; n++; return true })
	checks = append(checks, check{path, []string{"rating"}, n, []float64{total}})
	back, err := ReadParquet(path, "user", "item", "rating")
	if err != nil {
		t.Fatal(err)
	}
	sameCells(t, "cells read back", sparse, back, 1)
	for _, c := range checks {
		var got struct {
			Rows int
			Sums []float64
		}
		out := duckdb(t, append([]string{"sum", c.path}, c.columns...)...)
		if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &got); err != nil {
			t.Fatalf("%s: %v: %s", c.path, err, out)
		}
		if got.Rows != c.rows || len(got.Sums) != len(c.sums) {
			t.Fatalf("%s: DuckDB reads %d rows, %d sums; want %d, %d", filepath.Base(c.path), got.Rows, len(got.Sums), c.rows, len(c.sums))
		}
		for k := range c.sums {
			if math.Abs(got.Sums[k]-c.sums[k]) > 1e-9*math.Max(1, math.Abs(c.sums[k])) {
				t.Errorf("%s: DuckDB's sum of %s is %g, want %g", filepath.Base(c.path), c.columns[k], got.Sums[k], c.sums[k])
			}
		}
	}
}
