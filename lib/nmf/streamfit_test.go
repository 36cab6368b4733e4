package nmf

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// writeTriplesCSV writes m's observed cells as row,col,value lines,
// grouped by row, as FitStreamed reads them.
func writeTriplesCSV(t testing.TB, path string, m *Matrix) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "row,col,value")
	m.eachCell(func(i, j int, v float64) bool {
		fmt.Fprintf(w, "%s,%s,%g\n", m.RowLabels()[i], m.ColLabels()[j], v)
		return true
	})
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// TestFitStreamed fits rating tables streamed from a file and compares the
// held-out RMSE with Fit's on the same ratings in memory.
func TestFitStreamed(t *testing.T) {
	dir := t.TempDir()
	var sse, sseMem float64
	n := 0
	for seed := uint64(1); seed <= 8; seed++ {
		V, held := ratingsTable(seed, 200, 100, 0.8)
		path := filepath.Join(dir, fmt.Sprint("r", seed, ".csv"))
		writeTriplesCSV(t, path, V)
		src, err := StreamTriples(path, "row", "col", "value")
		if err != nil {
			t.Fatal(err)
		}
		var losses []float64
		m, err := FitStreamed(context.Background(), src, StreamedOptions{Components: 2, Seed: seed, BatchSize: 64,
			Progress: func(p Progress) { losses = append(losses, p.Loss) }})
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(losses); i++ {
			if losses[i] > losses[i-1]*(1+1e-9) {
				t.Errorf("seed %d: the loss rose at pass %d: %g → %g", seed, i+1, losses[i-1], losses[i])
			}
		}
		mem, err := Fit(V, Options{Components: 2, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range held {
			row, col := V.RowLabels()[int(h[0])], V.ColLabels()[int(h[1])]
			p, err := m.Predict(row, col)
			if err != nil {
				t.Fatal(err)
			}
			q, _ := mem.Predict(row, col)
			sse += (p - h[2]) * (p - h[2])
			sseMem += (q - h[2]) * (q - h[2])
			n++
		}
	}
	rmse, rmseMem := math.Sqrt(sse/float64(n)), math.Sqrt(sseMem/float64(n))
	t.Logf("held-out RMSE: streamed %.4f, in memory %.4f", rmse, rmseMem)
	if rmse > rmseMem*1.05 {
		t.Errorf("streamed held-out RMSE %.4f, more than 5%% above the in-memory fit's %.4f", rmse, rmseMem)
	}
	// Bad input: a file whose rows are not grouped, no Components.
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("row,col,value\na,x,1\nb,x,2\na,y,3\n"), 0o644)
	if _, err := StreamTriples(bad, "row", "col", "value"); err == nil {
		t.Error("ungrouped rows accepted")
	}
	src, _ := StreamTriples(filepath.Join(dir, "r1.csv"), "row", "col", "value")
	if _, err := FitStreamed(context.Background(), src, StreamedOptions{}); err == nil {
		t.Error("no Components accepted")
	}
}

// TestStreamParquet streams the same ratings from Parquet and from CSV:
// the same fit.
func TestStreamParquet(t *testing.T) {
	dir := t.TempDir()
	V, _ := ratingsTable(4, 120, 60, 0.7)
	csvPath, pqPath := filepath.Join(dir, "r.csv"), filepath.Join(dir, "r.parquet")
	writeTriplesCSV(t, csvPath, V)
	if err := WriteParquetTriples(pqPath, V, "row", "col", "value"); err != nil {
		t.Fatal(err)
	}
	a, err := StreamTriples(csvPath, "row", "col", "value")
	if err != nil {
		t.Fatal(err)
	}
	b, err := StreamParquet(pqPath, "row", "col", "value")
	if err != nil {
		t.Fatal(err)
	}
	if ar, ac := a.Dims(); true {
		if br, bc := b.Dims(); ar != br || ac != bc || a.listed != b.listed || a.sum != b.sum {
			t.Fatalf("CSV stream %d×%d (%d cells), Parquet %d×%d (%d cells)", ar, ac, a.listed, br, bc, b.listed)
		}
	}
	ma, err := FitStreamed(context.Background(), a, StreamedOptions{Components: 3, Seed: 1, Passes: 5})
	if err != nil {
		t.Fatal(err)
	}
	mb, err := FitStreamed(context.Background(), b, StreamedOptions{Components: 3, Seed: 1, Passes: 5})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(ma.Loss-mb.Loss) > 1e-9*ma.Loss {
		t.Errorf("loss from CSV %g, from Parquet %g", ma.Loss, mb.Loss)
	}
	// A Parquet file not grouped by row.
	bad, _ := NewSparse([]string{"a", "b"}, []string{"x", "y"}, []int{0, 1, 0}, []int{0, 0, 1}, []float64{1, 2, 3})
	badPath := filepath.Join(dir, "bad.parquet")
	if err := WriteParquetTriples(badPath, bad.Transpose(), "col", "row", "value"); err != nil {
		t.Fatal(err)
	}
	if _, err := StreamParquet(badPath, "row", "col", "value"); err == nil {
		t.Error("a Parquet file not grouped by row streamed")
	}
}
