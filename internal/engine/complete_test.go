package engine

import (
	"slices"
	"strings"
	"testing"
)

func TestComplete(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, `import ("fmt"; "nmfkernel/lib/nmf"; "math/rand/v2")
counter := 1
countdown := 2
V, _ := nmf.NewMatrix([]string{"a"}, []string{"b"}, []float64{1})
m, _ := nmf.Fit(V, nmf.Options{Components: 1})
func compute() {}`)
	for _, tc := range []struct {
		code         string
		cursor       int
		want         []string
		start, end   int
		mustNotMatch string
	}{
		{"cou", 3, []string{"counter", "countdown"}, 0, 3, ""},
		{"x := comp", 9, []string{"compute"}, 5, 9, ""},
		{"fmt.Sprin", 9, []string{"Sprint", "Sprintf", "Sprintln"}, 4, 9, ""},
		{"nmf.ReadC", 9, []string{"ReadCSV"}, 4, 9, ""},
		{"m.Reco", 6, []string{"Recommend", "Reconstruct"}, 2, 6, ""},
		{"m.RelE", 6, []string{"RelErr"}, 2, 6, ""},
		{"rand.IntN", 9, []string{"IntN"}, 5, 9, ""},
		{"é := cou", 8, []string{"counter", "countdown"}, 5, 8, ""},
		{"__nmf", 5, nil, 0, 5, "__nmfkernelResults"},
		{"fo", 2, []string{"for"}, 0, 2, ""},
	} {
		c := s.Complete(tc.code, tc.cursor)
		for _, w := range tc.want {
			if !slices.Contains(c.Matches, w) {
				t.Errorf("Complete(%q): %v lacks %s", tc.code, c.Matches, w)
			}
		}
		if c.Start != tc.start || c.End != tc.end {
			t.Errorf("Complete(%q): range %d-%d, want %d-%d", tc.code, c.Start, c.End, tc.start, tc.end)
		}
		if tc.mustNotMatch != "" && slices.Contains(c.Matches, tc.mustNotMatch) {
			t.Errorf("Complete(%q) offers %s", tc.code, tc.mustNotMatch)
		}
	}
}

func TestInspect(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, `import ("strings"; "nmfkernel/lib/nmf")
total := 42`)
	for _, tc := range []struct {
		code   string
		cursor int
		want   []string
	}{
		{"strings.Fields(x)", 10, []string{"func Fields(s string) []string", "Fields splits"}},
		{"nmf.Fit", 7, []string{"func Fit(V *Matrix, opt Options) (*Model, error)", "factorizes"}},
		{"total", 2, []string{"total int = 42"}},
		{"nmf", 1, []string{"package nmf", "factorizes non-negative data"}},
	} {
		got := s.Inspect(tc.code, tc.cursor)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("Inspect(%q) = %q, want it to contain %q", tc.code, got, w)
			}
		}
	}
	if got := s.Inspect("   ", 1); got != "" {
		t.Errorf("Inspect of blanks: %q", got)
	}
}

func TestIsComplete(t *testing.T) {
	for code, want := range map[string]string{
		"x := 1":                     "complete",
		"":                           "complete",
		"func f() {":                 "incomplete",
		"fmt.Println(1,":             "incomplete",
		"s := `raw":                  "incomplete",
		"x := []int{1, 2}":           "complete",
		"}":                          "invalid",
		"for i := 0; i < 3; i++ {\n": "incomplete",
		"x := 'ab":                   "invalid",
	} {
		if got := IsComplete(code); got != want {
			t.Errorf("IsComplete(%q) = %s, want %s", code, got, want)
		}
	}
}

func TestCompleteImportInSameCell(t *testing.T) {
	s := newSession(t)
	code := "import \"strings\"\nstrings.Fie"
	if c := s.Complete(code, len(code)); !slices.Contains(c.Matches, "Fields") {
		t.Errorf("matches %v", c.Matches)
	}
}
