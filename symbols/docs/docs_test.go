package docs

import (
	"bytes"
	"strings"
	"testing"
)

// TestUpToDate regenerates the documentation and compares it with the
// embedded file.
func TestUpToDate(t *testing.T) {
	b, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, compressed) {
		t.Error("docs.json.gz is stale: run go generate ./symbols/docs")
	}
}

func TestLookup(t *testing.T) {
	for _, tc := range []struct{ path, name, want string }{
		{"nmfkernel/lib/nmf", "Fit", "func Fit(V *Matrix, opt Options) (*Model, error)"},
		{"nmfkernel/lib/nmf", "Model.Recommend", "func (m *Model) Recommend("},
		{"gonum.org/v1/gonum/mat", "NewDense", "func NewDense(r, c int, data []float64) *Dense"},
	} {
		p := Lookup(tc.path)
		if p == nil {
			t.Fatalf("no documentation for %s", tc.path)
		}
		if got := p.Symbols[tc.name]; !strings.Contains(got, tc.want) {
			t.Errorf("%s %s: %q lacks %q", tc.path, tc.name, got, tc.want)
		}
	}
}
