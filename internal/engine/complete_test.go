package engine

import (
	"context"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
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

// TestCompleteExpressions covers completion after any expression, in
// struct literals and on the session's own types: what front ends ask
// while the user types.
func TestCompleteExpressions(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, `import ("strings"; "nmfkernel/lib/nmf")
type Basket struct{ Items []string; Total float64 }
func (b *Basket) Add(item string) { b.Items = append(b.Items, item) }
func (b Basket) Count() int { return len(b.Items) }
baskets := []Basket{{}}
func newBasket() *Basket { return &Basket{} }`)
	for _, tc := range []struct {
		code string
		want []string
	}{
		{"baskets[0].", []string{"Add", "Count", "Items", "Total"}},
		{"newBasket().", []string{"Add", "Count", "Items"}},
		{`strings.TrimSpace(" a ").`, nil},
		{`strings.NewReader("x").`, []string{"Len", "Read", "ReadRune"}},
		{"nmf.Options{Com", []string{"Components"}},
		{"opt := nmf.Options{Init: nmf.NNDSVD, Max", []string{"MaxIter"}},
		{"var b Basket\nb.Co", []string{"Count"}},
		{"for i, bk := range baskets {\n\tbk.", []string{"Add", "Items"}},
		{"x := 3\ny := x + ba", []string{"baskets"}},
		{"func f(limit int) int {\n\treturn li", []string{"limit"}},
	} {
		c := s.Complete(tc.code, utf8.RuneCountInString(tc.code))
		for _, w := range tc.want {
			if !slices.Contains(c.Matches, w) {
				t.Errorf("Complete(%q): %v lacks %s", tc.code, c.Matches, w)
			}
		}
	}
}

func TestInspectTyped(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, `import "nmfkernel/lib/nmf"
// score weighs a basket.
func score(items []string, weight float64) float64 { return float64(len(items)) * weight }
total := 42`)
	for _, tc := range []struct {
		code   string
		cursor int
		want   []string
	}{
		{"nmf.Fit(", 8, []string{"func Fit(V *Matrix, opt Options) (*Model, error)"}},
		{"nmf.Fit(V, ", 11, []string{"func Fit(V *Matrix, opt Options)"}},
		{"score(nil, 2)", 10, []string{"func score(items []string, weight float64) float64"}},
		{"total + 1", 2, []string{"total", "= 42"}},
	} {
		got := s.Inspect(tc.code, tc.cursor)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("Inspect(%q, %d) = %q, lacks %q", tc.code, tc.cursor, got, w)
			}
		}
	}
}

// FuzzCompleteInspect drives completion and inspection with arbitrary
// code and cursors: they must never panic, and ranges stay in the code.
func FuzzCompleteInspect(f *testing.F) {
	for _, seed := range []string{"xs[0].", "f().", `strings.TrimSpace(" a ").`, "nmf.Options{Com", "import (", "func (", "for i := range 3 {", "x.(type).", "\"unterminated", "[]int{1,2}[0].", "a..b", "type T[", "go func() {"} {
		f.Add(seed, len(seed))
	}
	s, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	s.Execute(context.Background(), `import ("strings"; "nmfkernel/lib/nmf")
xs := []string{"a"}
func g() *nmf.Options { return &nmf.Options{} }`, ExecOptions{}, func(Event) {})
	f.Fuzz(func(t *testing.T, code string, cursor int) {
		n := utf8.RuneCountInString(code)
		if cursor < 0 || cursor > n {
			cursor = n
		}
		c := s.Complete(code, cursor)
		if c.Start < 0 || c.Start > c.End || c.End > n {
			t.Errorf("Complete(%q, %d): range %d-%d", code, cursor, c.Start, c.End)
		}
		s.Inspect(code, cursor)
	})
}

// TestInspectOutsideTheSourceTree inspects from a folder with no module:
// lib/nmf's and gonum's documentation come from the binary.
func TestInspectOutsideTheSourceTree(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, `import ("nmfkernel/lib/nmf"; "gonum.org/v1/gonum/mat")`)
	t.Chdir(t.TempDir())
	for _, tc := range []struct{ code, want string }{
		{"nmf.Fit", "func Fit(V *Matrix, opt Options) (*Model, error)"},
		{"mat.NewDense", "NewDense creates a new Dense matrix"},
	} {
		if got := s.Inspect(tc.code, len(tc.code)); !strings.Contains(got, tc.want) {
			t.Errorf("Inspect(%q) = %q, lacks %q", tc.code, got, tc.want)
		}
	}
}

// TestCompleteKinds: completions say what each match is, for the popup's
// icons (ipykernel's _jupyter_types_experimental).
func TestCompleteKinds(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, `import "nmfkernel/lib/nmf"
type Basket struct{ Items []string }
func (b *Basket) Add(item string) { b.Items = append(b.Items, item) }
const limit = 3
basket := &Basket{}`)
	for _, tc := range []struct {
		code string
		want map[string]string
	}{
		{"nmf.", map[string]string{"Fit": "function", "Options": "type", "InitRandom": "constant", "ErrOption": "variable"}},
		{"basket.", map[string]string{"Add": "method", "Items": "property"}},
		{"x := li", map[string]string{"limit": "constant"}},
		{"bas", map[string]string{"basket": "variable"}},
		{"nm", map[string]string{"nmf": "namespace"}},
		{"fo", map[string]string{"for": "keyword"}},
	} {
		c := s.Complete(tc.code, utf8.RuneCountInString(tc.code))
		for name, want := range tc.want {
			if got := c.Kinds[name]; got != want {
				t.Errorf("%q: %s is %q, want %q (matches %v)", tc.code, name, got, want, c.Matches)
			}
		}
	}
}
