package nmf

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"nmfkernel/internal/movielens"
)

func TestParseCSV(t *testing.T) {
	m, err := ParseCSV(strings.NewReader("\ufeffitem, a ,b,c\nx,1,NA,2.5\n\ny,?,0,nan\nz,,3,1e2\n"))
	if err != nil {
		t.Fatal(err)
	}
	if r, c := m.Dims(); r != 3 || c != 3 {
		t.Fatalf("dims %d×%d", r, c)
	}
	if got := strings.Join(m.ColLabels(), "|"); got != "a|b|c" {
		t.Errorf("column labels %q", got)
	}
	if got := strings.Join(m.RowLabels(), "|"); got != "x|y|z" {
		t.Errorf("row labels %q", got)
	}
	if m.Missing() != 4 {
		t.Errorf("missing = %d, want 4", m.Missing())
	}
	if v, _ := m.Value("z", "c"); v != 100 {
		t.Errorf("z,c = %g", v)
	}
	if !m.IsMissing(1, 0) || m.IsMissing(1, 1) {
		t.Error("y,a should be missing and y,b not")
	}
}

func TestParseCSVErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in   string
		want       error
		line, col  int
		wantInText string
	}{
		{"empty", "", ErrEmpty, 1, 0, "no header"},
		{"header only", ",a,b\n", ErrEmpty, 2, 0, "no data rows"},
		{"no columns", "corner\nx\n", ErrEmpty, 1, 0, "no column labels"},
		{"ragged", ",a,b\nx,1,2\ny,1\n", ErrFieldCount, 3, 0, "2 fields, header has 3"},
		{"not a number", ",a,b\nx,1,2\ny,1,two\n", ErrNotNumber, 3, 3, `"two"`},
		{"negative", ",a,b\nx,1,-2\n", ErrNegative, 2, 3, "-2"},
		{"infinite", ",a,b\nx,1,Inf\n", ErrNotFinite, 2, 3, "Inf"},
		{"overflow", ",a,b\nx,1,1e999\n", ErrNotFinite, 2, 3, "out of range"},
		{"duplicate row", ",a\nx,1\nx,2\n", ErrDuplicateLabel, 3, 1, "also on line 2"},
		{"duplicate column", ",a,a\nx,1,2\n", ErrDuplicateLabel, 1, 3, `"a"`},
		{"bare quote", ",a\nx,1\"2\n", nil, 2, 0, "CSV syntax"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCSV(strings.NewReader(tc.in))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T), want a *ParseError", err, err)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("error %v does not wrap %v", err, tc.want)
			}
			if pe.Line != tc.line || pe.Column != tc.col {
				t.Errorf("position line %d column %d, want %d, %d (%v)", pe.Line, pe.Column, tc.line, tc.col, err)
			}
			if !strings.Contains(err.Error(), tc.wantInText) {
				t.Errorf("message %q lacks %q", err, tc.wantInText)
			}
		})
	}
}

func TestReadCSVNamesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(path, []byte(",a\nx,-1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadCSV(path)
	if err == nil || !strings.HasPrefix(err.Error(), path+":line 2, column 2:") {
		t.Errorf("error %q should start with the file and position", err)
	}
	if _, err := ReadCSV(filepath.Join(t.TempDir(), "absent.csv")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestCSVRoundTrip(t *testing.T) {
	m, err := NewMatrix([]string{"r,1", `r"2`}, []string{"a", "b", "c"}, []float64{0.1, math.NaN(), 3, 1e-300, 7, 1.0 / 3})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.csv")
	if err := m.SaveCSV(path); err != nil {
		t.Fatal(err)
	}
	back, err := ReadCSV(path)
	if err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	m.WriteCSV(&a)
	back.WriteCSV(&b)
	if a.String() != b.String() {
		t.Errorf("round trip changed the matrix:\n%s\n%s", a.String(), b.String())
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("SaveCSV left %d files behind", len(entries))
	}
}

func TestParseTriples(t *testing.T) {
	in := "userId,movieId,rating,timestamp\n10,5,4.0,1\n2,5,3.5,2\n10,7,1,3\n"
	m, err := ParseTriples(strings.NewReader(in), "movieId", "userId", "rating")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(m.ColLabels(), ","); got != "2,10" {
		t.Errorf("numeric labels sort numerically: %s", got)
	}
	if v, _ := m.Value("7", "10"); v != 1 {
		t.Errorf("7,10 = %g", v)
	}
	if !math.IsNaN(m.At(1, 0)) {
		t.Error("an unlisted pair must be missing")
	}
	watched, err := ParseTriples(strings.NewReader(in), "movieId", "userId", "")
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := watched.FillMissing(0).Value("5", "2"); v != 1 {
		t.Errorf("watched 5,2 = %g", v)
	}
	for _, tc := range []struct {
		name, in string
		want     error
		line     int
	}{
		{"duplicate", "u,i,r\n1,2,3\n1,2,4\n", ErrDuplicateEntry, 3},
		{"unknown field", "u,i,x\n1,2,3\n", ErrUnknownLabel, 1},
		{"negative", "u,i,r\n1,2,-3\n", ErrNegative, 2},
		{"short line", "u,i,r\n1,2\n", ErrFieldCount, 2},
		{"no data", "u,i,r\n", ErrEmpty, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseTriples(strings.NewReader(tc.in), "i", "u", "r")
			var pe *ParseError
			if !errors.As(err, &pe) || !errors.Is(err, tc.want) || pe.Line != tc.line {
				t.Errorf("error %v, want %v on line %d", err, tc.want, tc.line)
			}
		})
	}
}

// movieLensDir returns the shared MovieLens directory or skips.
func movieLensDir(t testing.TB) string {
	if err := movielens.Check(); err != nil {
		t.Skipf("skipping: %v", err)
	}
	return movielens.Dir()
}

func TestReadTriplesMovieLens(t *testing.T) {
	dir := movieLensDir(t)
	m, err := ReadTriples(filepath.Join(dir, "ratings.csv"), "movieId", "userId", "rating")
	if err != nil {
		t.Fatal(err)
	}
	r, c := m.Dims()
	if r != 9724 || c != 610 {
		t.Errorf("dims %d×%d, want 9724 rated movies × 610 users", r, c)
	}
	if obs := r*c - m.Missing(); obs != 100836 {
		t.Errorf("%d observed ratings, want 100836", obs)
	}
}

func FuzzParseCSV(f *testing.F) {
	for _, s := range []string{
		",a,b\nx,1,2\ny,NA,3\n", "", ",\n", "\ufeff,a\nx,1\n", ",a\nx,\"1\n", ",a,b\nx,1\n", ",a\nx,-0\n", ",a\nx,0x1p3\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		m, err := ParseCSV(strings.NewReader(in))
		if err != nil {
			var pe *ParseError
			if m != nil || (!errors.As(err, &pe) && !strings.HasPrefix(err.Error(), "nmf:")) {
				t.Fatalf("bad error result %v, %v", m, err)
			}
			return
		}
		r, c := m.Dims()
		if r == 0 || c == 0 {
			t.Fatalf("empty matrix without error")
		}
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				if v := m.At(i, j); v < 0 || math.IsInf(v, 0) {
					t.Fatalf("value %g accepted", v)
				}
			}
		}
		var buf bytes.Buffer
		if err := m.WriteCSV(&buf); err != nil {
			t.Fatal(err)
		}
		back, err := ParseCSV(&buf)
		if err != nil {
			t.Fatalf("written matrix does not read back: %v\n%s", err, buf.String())
		}
		if br, bc := back.Dims(); br != r || bc != c {
			t.Fatalf("round trip changed dims")
		}
	})
}

func FuzzParseTriples(f *testing.F) {
	f.Add("u,i,r\n1,2,3\n2,2,1\n")
	f.Add("u,i,r\n1,2,3\n1,2,3\n")
	f.Add("u,i,r\n3,1,1\n1,2,\n2,2,5\n1,1,2\n")
	f.Fuzz(func(t *testing.T, in string) {
		m, err := ParseTriples(strings.NewReader(in), "i", "u", "r")
		if err != nil {
			return
		}
		r, c := m.Dims()
		if r == 0 || c == 0 {
			t.Fatal("empty matrix without error")
		}
		// The sparse matrix must agree with itself stored densely.
		d := m.Dense()
		stored := 0
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				x, y := m.At(i, j), d.At(i, j)
				if x != y && !(math.IsNaN(x) && math.IsNaN(y)) {
					t.Fatalf("cell %d,%d: At %g, Dense %g", i, j, x, y)
				}
				if !math.IsNaN(x) {
					stored++
				}
			}
		}
		if stored != r*c-m.Missing() {
			t.Fatalf("%d cells stored, Missing says %d of %d", stored, m.Missing(), r*c)
		}
		if tt := m.Transpose().Transpose(); tt.String() != m.String() {
			t.Fatal("T().T() differs")
		}
	})
}

// TestReadTriplesSizedMatchesParse reads a file longer than sizeSample
// lines, where ReadTriples sizes its lists from the file's size, and checks
// it against ParseTriples of the same bytes, and that a duplicate near the
// end is still reported on its own line.
func TestReadTriplesSizedMatchesParse(t *testing.T) {
	var b strings.Builder
	b.WriteString("user,item,rating\n")
	n := 3*sizeSample + 17
	for i := range n {
		fmt.Fprintf(&b, "u%d,i%d,%d\n", i%97, i/97, 1+i%5)
	}
	path := filepath.Join(t.TempDir(), "ratings.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadTriples(path, "user", "item", "rating")
	if err != nil {
		t.Fatal(err)
	}
	want, err := ParseTriples(strings.NewReader(b.String()), "user", "item", "rating")
	if err != nil {
		t.Fatal(err)
	}
	sameMatrix(t, "ReadTriples against ParseTriples", got, want)
	b.WriteString("u5,i0,3\n") // line n+2 repeats line 7 (u5,i0)
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = ReadTriples(path, "user", "item", "rating")
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != n+2 || !errors.Is(err, ErrDuplicateEntry) || !strings.Contains(err.Error(), "line 7") {
		t.Errorf("duplicate: %v, want a ParseError on line %d naming line 7", err, n+2)
	}
}

// TestReadTriplesChunked reads files in small pieces, in parallel, and
// compares everything — cells, labels, errors and their lines — with
// ParseTriples of the same bytes.
func TestReadTriplesChunked(t *testing.T) {
	defer func(old int64) { chunkBytes = old }(chunkBytes)
	chunkBytes = 37 // pieces of a few lines, cut anywhere
	var lines strings.Builder
	for i := range 300 {
		fmt.Fprintf(&lines, "u%d,%d,%d\n", i%13, 1000-i/13, 1+i%5)
	}
	body := lines.String()
	half := strings.LastIndexByte(body[:len(body)/2], '\n') + 1 // a line start
	for _, tc := range []struct{ name, in string }{
		{"plain", "user,item,rating\n" + body},
		{"byte order mark, CRLF, blank lines, no final newline", "\ufeffuser,item,rating\r\n\r\n" + strings.ReplaceAll(body[:half], "\n", "\r\n") + "\n\nu99,1,2"},
		{"missing values skipped", "user,item,rating\n" + strings.Replace(body, ",3\n", ",NA\n", 7)},
		{"field count error late", "user,item,rating\n" + body + "u1,2\n"},
		{"value error late", "user,item,rating\n" + body[:half] + "u1,1,-2\n" + body[half:]},
		{"duplicate", "user,item,rating\n" + body + "u3,1000,4\n"},
		{"quoted fields fall back", "user,item,rating\n" + body + "\"u1\",\"5\n\",1\n"},
		{"header only", "user,item,rating\n"},
		{"header spans lines", "\"user\nname\",item,rating\n" + body},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "r.csv")
			if err := os.WriteFile(path, []byte(tc.in), 0o644); err != nil {
				t.Fatal(err)
			}
			rowField := "user"
			if strings.HasPrefix(tc.in, "\"user\n") {
				rowField = "user\nname"
			}
			got, gotErr := ReadTriples(path, rowField, "item", "rating")
			want, wantErr := ParseTriples(strings.NewReader(tc.in), rowField, "item", "rating")
			if (gotErr == nil) != (wantErr == nil) {
				t.Fatalf("ReadTriples error %v, ParseTriples error %v", gotErr, wantErr)
			}
			if wantErr != nil {
				var pe *ParseError
				if !errors.As(gotErr, &pe) || pe.Path != path {
					t.Fatalf("error %v is not a ParseError naming the file", gotErr)
				}
				pe.Path = ""
				if gotErr.Error() != wantErr.Error() {
					t.Fatalf("error %q, sequential %q", gotErr, wantErr)
				}
				return
			}
			sameMatrix(t, "chunked against sequential", got, want)
		})
	}
}

// FuzzReadTriplesChunked checks that reading a file in small pieces gives
// what ParseTriples gives: the same error, or the same cells and labels.
func FuzzReadTriplesChunked(f *testing.F) {
	for _, s := range []string{
		"r,c,v\na,x,1\nb,y,2\na,y,3\n", "r,c,v\n1,2,3\n\n2,1,NA\r\n3,3,4", "r,c,v\na,x,1\na,x,2\n", "\ufeffr,c,v\na,x,1\n",
	} {
		f.Add(s)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, in string) {
		defer func(old int64) { chunkBytes = old }(chunkBytes)
		chunkBytes = 5
		path := filepath.Join(dir, "f.csv")
		if err := os.WriteFile(path, []byte(in), 0o644); err != nil {
			t.Fatal(err)
		}
		got, gotErr := ReadTriples(path, "r", "c", "v")
		want, wantErr := ParseTriples(strings.NewReader(in), "r", "c", "v")
		if (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("ReadTriples error %v, ParseTriples error %v", gotErr, wantErr)
		}
		if wantErr != nil {
			if g := strings.TrimPrefix(gotErr.Error(), path+":"); g != wantErr.Error() {
				t.Fatalf("error %q, sequential %q", g, wantErr)
			}
			return
		}
		sameMatrix(t, "chunked against sequential", got, want)
		// The column layout the chunked reader forms in its slab.
		sameMatrix(t, "chunked transposed against sequential", got.Transpose(), want.Transpose())
	})
}

// TestChunkedIntegerLabels reads labels the chunked reader keeps in its
// integer tables beside ones it keeps in its maps ("05" is not "5"; 2²⁰
// and beyond are too large for a table), and checks the matrix against
// the sequential reader's.
func TestChunkedIntegerLabels(t *testing.T) {
	defer func(old int64) { chunkBytes = old }(chunkBytes)
	chunkBytes = 16
	in := "u,i,r\n5,0,1\n05,0,2\n5,1048576,3\n0,1048575,4\nabc,7,5\n5,7,1.5\n05,1048576,2.5\n0,0,3.5\n"
	path := filepath.Join(t.TempDir(), "r.csv")
	if err := os.WriteFile(path, []byte(in), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadTriples(path, "u", "i", "r")
	if err != nil {
		t.Fatal(err)
	}
	want, err := ParseTriples(strings.NewReader(in), "u", "i", "r")
	if err != nil {
		t.Fatal(err)
	}
	sameMatrix(t, "chunked against sequential", got, want)
	if r, c := got.Dims(); r != 4 || c != 4 {
		t.Fatalf("%d×%d, want 4×4 (rows 0, 5, 05, abc; columns 0, 7, 1048575, 1048576)", r, c)
	}
	if v, err := got.Value("05", "1048576"); err != nil || v != 2.5 {
		t.Fatalf(`Value("05", "1048576") = %v, %v; want 2.5`, v, err)
	}
}

func TestSmallInt(t *testing.T) {
	for _, c := range []struct {
		in string
		n  int
		ok bool
	}{
		{"0", 0, true}, {"7", 7, true}, {"1048575", 1048575, true},
		{"1048576", 0, false}, {"05", 0, false}, {"", 0, false}, {"-1", 0, false},
		{"+1", 0, false}, {"1a", 0, false}, {"12345678", 0, false},
	} {
		n, ok := smallInt([]byte(c.in))
		if ok != c.ok || (ok && n != c.n) {
			t.Errorf("smallInt(%q) = %d, %v; want %d, %v", c.in, n, ok, c.n, c.ok)
		}
	}
}

// TestPlainDecimal checks the fast path for values against
// strconv.ParseFloat, bit for bit, on decimals of every shape it takes and
// rejects the rest.
func TestPlainDecimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	check := func(s string) {
		t.Helper()
		got, ok := plainDecimal([]byte(s))
		want, err := strconv.ParseFloat(s, 64)
		if ok && (err != nil || math.Float64bits(got) != math.Float64bits(want)) {
			t.Fatalf("plainDecimal(%q) = %v, ParseFloat gives %v, %v", s, got, want, err)
		}
	}
	for _, s := range []string{"0", "5", "4.0", "3.5", "0.1", "2.3", "00.5", "999999999999999", "0.00000000000001", "123456789.123456"} {
		if _, ok := plainDecimal([]byte(s)); !ok {
			t.Errorf("plainDecimal(%q) not taken", s)
		}
		check(s)
	}
	for _, s := range []string{"", ".", ".5", "5.", "1.2.3", "-1", "+1", "1e5", "NaN", "1 ", "1234567890123456", "0.1234567890123456"} {
		if v, ok := plainDecimal([]byte(s)); ok {
			t.Errorf("plainDecimal(%q) = %v, want it left to parseValue", s, v)
		}
	}
	for range 200_000 {
		intDigits, fracDigits := 1+rng.IntN(8), rng.IntN(8)
		s := strconv.FormatUint(rng.Uint64N(uint64(math.Pow10(intDigits))), 10)
		if fracDigits > 0 {
			f := strconv.FormatUint(rng.Uint64N(uint64(math.Pow10(fracDigits))), 10)
			s += "." + strings.Repeat("0", fracDigits-len(f)) + f
		}
		check(s)
	}
}
