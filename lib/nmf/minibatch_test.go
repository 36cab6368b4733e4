package nmf

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeTriples writes the non-zero cells of V as row,col,value lines,
// grouped by row.
func writeTriples(t *testing.T, V *Matrix) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("row,col,value\n")
	r, c := V.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			if x := V.At(i, j); x != 0 {
				fmt.Fprintf(&b, "%s,%s,%v\n", V.rows[i], V.cols[j], x)
			}
		}
	}
	path := filepath.Join(t.TempDir(), "v.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestMiniBatch(t *testing.T) {
	V := lowRank(300, 40, 4, 0.01, 21)
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "v.csv")
	if err := V.SaveCSV(csvPath); err != nil {
		t.Fatal(err)
	}
	full, err := Fit(V, Options{Components: 4, MaxIter: 500})
	if err != nil {
		t.Fatal(err)
	}
	var models []*Model
	for _, open := range []func() (*Stream, error){
		func() (*Stream, error) { return StreamCSV(csvPath) },
		func() (*Stream, error) { return StreamTriples(writeTriples(t, V), "row", "col", "value") },
	} {
		src, err := open()
		if err != nil {
			t.Fatal(err)
		}
		if r, c := src.Dims(); r != 300 || c != 40 {
			t.Fatalf("stream is %d×%d", r, c)
		}
		var passes []float64
		m, err := MiniBatch(context.Background(), src, MiniBatchOptions{Components: 4, BatchSize: 32, Epochs: 20, Seed: 1,
			Progress: func(p Progress) { passes = append(passes, p.Loss) }})
		if err != nil {
			t.Fatal(err)
		}
		if len(passes) != 20 || m.Iterations != 20 {
			t.Errorf("%d progress calls, %d iterations", len(passes), m.Iterations)
		}
		// The mini-batch fit comes close to the full fit's error.
		wh := m.Reconstruct()
		sq, norm := 0.0, 0.0
		for i := 0; i < 300; i++ {
			for j := 0; j < 40; j++ {
				d := wh.At(i, j) - V.At(i, j)
				sq += d * d
				norm += V.At(i, j) * V.At(i, j)
			}
		}
		relErr := math.Sqrt(sq / norm)
		t.Logf("RelErr: full fit %.4f, mini-batch %.4f (reported %.4f)", full.RelErr, relErr, m.RelErr)
		if relErr > 2*full.RelErr+0.01 {
			t.Errorf("mini-batch RelErr %.4f, full fit %.4f", relErr, full.RelErr)
		}
		if m.W.RowLabels()[5] != V.RowLabels()[5] || m.H.ColLabels()[7] != V.ColLabels()[7] {
			t.Error("labels lost")
		}
		models = append(models, m)
	}
	// CSV and triples streams of the same matrix give the same model.
	if d := relDiff(models[0].W.Dense(), models[1].W.Dense()); d > 1e-12 {
		t.Errorf("CSV and triples streams differ by %g", d)
	}
}

func TestMiniBatchErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o644)
		return p
	}
	ungrouped := write("ungrouped.csv", "u,m,r\n1,a,1\n2,a,2\n1,b,3\n")
	if _, err := StreamTriples(ungrouped, "u", "m", "r"); !errors.Is(err, ErrNotGrouped) || !strings.Contains(err.Error(), "line 4") {
		t.Errorf("ungrouped: %v", err)
	}
	dup := write("dup.csv", "u,m,r\n1,a,1\n1,a,2\n")
	if _, err := StreamTriples(dup, "u", "m", "r"); !errors.Is(err, ErrDuplicateEntry) {
		t.Errorf("duplicate: %v", err)
	}
	missing := write("missing.csv", ",x,y\na,1,\nb,2,3\n")
	var pe *ParseError
	if _, err := StreamCSV(missing); !errors.As(err, &pe) || pe.Line != 2 || pe.Column != 3 || pe.Path != missing {
		t.Errorf("missing value: %v", err)
	}
	negative := write("neg.csv", ",x\na,-1\n")
	if _, err := StreamCSV(negative); !errors.Is(err, ErrNegative) {
		t.Errorf("negative: %v", err)
	}
	if _, err := StreamCSV(filepath.Join(dir, "absent.csv")); err == nil {
		t.Error("absent file: no error")
	}
	ok := write("ok.csv", ",x,y\na,1,2\nb,2,3\n")
	src, err := StreamCSV(ok)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []MiniBatchOptions{{}, {Components: 1, ForgetFactor: 2}, {Components: 1, BatchSize: -1}} {
		if _, err := MiniBatch(context.Background(), src, o); !errors.Is(err, ErrOption) {
			t.Errorf("%+v: %v", o, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := MiniBatch(ctx, src, MiniBatchOptions{Components: 1}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if _, err := MiniBatch(context.Background(), nil, MiniBatchOptions{Components: 1}); !errors.Is(err, ErrEmpty) {
		t.Errorf("nil stream: %v", err)
	}
}
