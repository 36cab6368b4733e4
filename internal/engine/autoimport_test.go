package engine

import (
	"strings"
	"testing"
)

func TestAutoImport(t *testing.T) {
	s := newSession(t)
	for _, tc := range []struct {
		name, code, stdout, stderr, err string
	}{
		{"two packages, said once", `fmt.Println(strings.Fields(" a b "))`, "[a b]\n", `(imported "fmt", "strings": the cell used them without an import)` + "\n", ""},
		{"then imported", `fmt.Println(strings.ToUpper("x"))`, "X\n", "", ""},
		{"the package that exports the names", "fmt.Println(rand.Intn(1))", "0\n", `(imported "math/rand": the cell used them without an import)` + "\n", ""},
		{"one package each", "b := make([]byte, 4)\nbase64.StdEncoding.EncodeToString(b)\nx, _ := json.Marshal(b)\nx", "", "", ""},
		{"ambiguous", "var r = template.New", "", "", "template could be html/template or text/template: import the one you mean"},
		{"nothing of that name", "nosuchpkg.Foo()", "", "", "undefined: nosuchpkg"},
		{"a name no package exports", "time.Flies()", "", "", "undefined: time"},
		{"a cell's own name is not a package", "sort := []int{3}\nsort.Ints(nil)", "", "", "sort.Ints undefined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, res := runOut(t, s, tc.code)
			if tc.name == "one package each" {
				// base64 is encoding/base64 alone; json is encoding/json alone.
				if res.Err != nil {
					t.Fatalf("%v", res.Err)
				}
				return
			}
			if out != tc.stdout || errOut != tc.stderr {
				t.Errorf("stdout %q stderr %q, want %q %q", out, errOut, tc.stdout, tc.stderr)
			}
			if (tc.err == "") != (res.Err == nil) || (res.Err != nil && !strings.Contains(res.Err.Value, tc.err)) {
				t.Errorf("error %v, want %q", res.Err, tc.err)
			}
		})
	}
}
