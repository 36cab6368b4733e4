package engine

import (
	"context"
	"strings"
	"testing"
)

// TestVarAfterStatements: a var declaration that reads a variable an
// earlier statement of the cell declared, or whose variable a later :=
// declares again, runs as Go runs it in a function body, and later cells
// see it.
func TestVarAfterStatements(t *testing.T) {
	s := newSession(t)
	for _, tc := range []struct{ code, stdout string }{
		{"import \"fmt\"\ny := 41\nvar x = y + 1\nfmt.Println(x)", "42\n"},
		{"fmt.Println(x, y)", "42 41\n"},
		{"e := 1\nvar (\n\tf = e + 1\n\tg int\n)\nvar h, i = f, g\nfmt.Println(f, g, h, i)", "2 0 2 0\n"},
		{"g = 7\nfmt.Println(g, i)", "7 0\n"},
		{"n := 3\nvar parts = strings.Repeat(\"ab\", n)\nfmt.Println(parts)", "ababab\n"},
		// A var that reads only package-level names stays a declaration.
		{"var early = x * 2\nfmt.Println(early)", "84\n"},
		// A var a later := of the cell declares again is that variable,
		// as in a function body.
		{"var a int\na, b := 1, 2\nfmt.Println(a, b)", "1 2\n"},
		{"var m map[string]int\nm, ok := map[string]int{\"k\": 1}, true\nfmt.Println(m, ok, a)", "map[k:1] true 1\n"},
	} {
		var r recorder
		res := s.Execute(context.Background(), tc.code, ExecOptions{}, r.sink)
		if res.Err != nil {
			t.Errorf("%q: %v\n%s", tc.code, res.Err, strings.Join(res.Err.Traceback, "\n"))
			continue
		}
		if got := r.stdout(); got != tc.stdout {
			t.Errorf("%q printed %q, want %q", tc.code, got, tc.stdout)
		}
	}
}
